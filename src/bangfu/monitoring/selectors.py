"""Reads of warnings, scoped like the registry: a warning is visible when its household is."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from bangfu.accounts.access import access_for
from bangfu.accounts.models import User
from bangfu.core.errors import NotFound
from bangfu.monitoring.models import MonitoringRun, RiskWarning, WarningStatus
from bangfu.monitoring.rules import RULE_KINDS

SOURCE_LABELS = {
    "income": "年度收支记录",
    "reading": "网格员收入核查",
    "medical": "医保结算（近12个月）",
    "medical:serious": "医保结算：重大疾病",
    "housing": "住建部门住房安全鉴定",
    "water": "水利部门饮水安全核查",
    "education": "教育部门学籍记录",
    "hr": "人社部门就业登记",
    "disability": "残联残疾人证",
    "emergency": "应急部门灾害损失（近12个月）",
    "police": "公安户籍变动",
    "civil": "民政社会救助",
    "registry:housing": "农户信息库：住房安全",
    "registry:water": "农户信息库：饮水安全",
    "registry:schooling": "农户信息库：在校情况",
    "registry:insurance": "农户信息库：基本医疗保险",
    "income:schooling": "年度收支记录：教育支出",
}


def warnings_for_user(*, user: User) -> QuerySet[RiskWarning]:
    return access_for(user).filter(RiskWarning.objects.all())


def monitoring_runs_for_user(*, user: User) -> QuerySet[MonitoringRun]:
    """The monitoring runs so far, newest first: county-wide counts, for every registry
    reader."""
    if not access_for(user).may_read_registry:
        return MonitoringRun.objects.none()
    return MonitoringRun.objects.all()


def monitoring_run_get_for_user(*, user: User, pk: int) -> MonitoringRun:
    run = monitoring_runs_for_user(user=user).filter(pk=pk).first()
    if run is None:
        raise NotFound
    return run


@dataclass(frozen=True)
class WarningFilters:
    period: str = ""
    rule: str = ""
    risk: str = ""
    village: str = ""
    status: str = ""
    listed: str = ""  # "lead": new leads, by priority; "watch": the watch list (重点关注)


def warning_list_for_user(*, user: User, filters: WarningFilters) -> QuerySet[RiskWarning]:
    qs = warnings_for_user(user=user)
    if filters.period:
        qs = qs.filter(period=filters.period)
    if filters.rule:
        qs = qs.filter(rule_id=filters.rule)
    if filters.risk:
        qs = qs.filter(risk_text__contains=filters.risk)
    if filters.village:
        qs = qs.filter(household__village_id=filters.village)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.listed == "lead":
        qs = qs.filter(status=WarningStatus.NEW, watch=False)
    elif filters.listed == "watch":
        qs = qs.filter(watch=True)
    # the monthly list: the highest priority first, a household's warnings together
    return qs.select_related("household", "household__village").order_by(
        "-period", "-priority", "household__household_no", "rule_id"
    )


def warning_get_for_user(*, user: User, pk: int) -> RiskWarning:
    try:
        return (
            warnings_for_user(user=user)
            .select_related("household", "household__village", "status_by")
            .get(pk=pk)
        )
    except RiskWarning.DoesNotExist:
        raise NotFound from None


def warnings_alongside(*, warning: RiskWarning) -> QuerySet[RiskWarning]:
    """The household's other warnings of the same period (its scope is the warning's)."""
    return (
        RiskWarning.objects.filter(household=warning.household, period=warning.period)
        .exclude(pk=warning.pk)
        .order_by("rule_id")
    )


def _source_label(source: str) -> str:
    if source in SOURCE_LABELS:
        return SOURCE_LABELS[source]
    head, _, tail = source.partition(":")
    if head == "income":
        return f"{tail}年度收支记录"
    if head == "reading":
        return f"网格员收入核查（{tail}）"
    if head == "model":
        name, _, years = tail.partition(":")
        if name == "vulnerability":
            return f"脆弱性模型（以{years}年收入历史估计）"
    return SOURCE_LABELS.get(head, source)


def warning_evidence(*, warning: RiskWarning) -> list[dict[str, Any]]:
    """The evidence, as a cadre reads it: which record, what value, compared with what."""
    kind = RULE_KINDS.get(warning.rule_kind)
    members = {m.id_hash: m for m in warning.household.members.all()}
    rows = []
    # the total ("合计") first, then the records behind it
    for item in sorted(warning.evidence, key=lambda e: e.get("detail") != "合计"):
        detail = item.get("detail") or ""
        member = members.get(detail)
        rows.append(
            {
                "source": _source_label(item.get("source", "")),
                "value_label": kind.value_label if kind else _("观测值"),
                "value": item.get("value"),
                "reference_label": kind.reference_label if kind else _("对照值"),
                "reference": item.get("reference"),
                "detail": f"{member.name}（{member.id_masked}）" if member else detail,
            }
        )
    return rows
