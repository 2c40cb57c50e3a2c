"""Reads of warnings, scoped like the registry: a warning is visible when its household is."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Max, Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from bangfu.accounts.access import access_for
from bangfu.accounts.models import User
from bangfu.core.errors import NotFound
from bangfu.monitoring.models import MonitoringRun, RiskWarning, WarningStatus
from bangfu.monitoring.rules import RULE_KINDS
from bangfu.registry.models import Household
from bangfu.registry.selectors import household_heads

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
    sort: str = ""  # the list per household: "" (priority), "household" or "village"


def _filtered(qs: QuerySet[RiskWarning], filters: WarningFilters) -> QuerySet[RiskWarning]:
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
    return qs


def warning_list_for_user(*, user: User, filters: WarningFilters) -> QuerySet[RiskWarning]:
    qs = _filtered(warnings_for_user(user=user), filters)
    # the monthly list: the highest priority first, a household's warnings together
    return qs.select_related("household", "household__village").order_by(
        "-period", "-priority", "household__household_no", "rule_id"
    )


# the list per household: its orders, by the names of the grouped query's columns
WARNING_SORTS: dict[str, tuple[str, ...]] = {
    "": ("-top", "-latest", "household__household_no"),
    "household": ("household__household_no",),
    "village": ("household__village_id", "-top", "household__household_no"),
}


def warning_households_for_user(*, user: User, filters: WarningFilters) -> QuerySet[Any]:
    """The monthly list one row per household, grouped in the database: per household its
    highest priority, latest period, and how many of its (filtered) warnings there are, are
    new, and are leads rather than the watch list. Dicts; `warning_rows` makes a page of them
    into rows."""
    grouped = (
        _filtered(warnings_for_user(user=user), filters)
        .order_by()
        .values("household_id", "household__household_no", "household__village_id")
        .annotate(
            top=Max("priority"),
            latest=Max("period"),
            total=Count("id"),
            new=Count("id", filter=Q(status=WarningStatus.NEW)),
            leads=Count("id", filter=Q(watch=False)),
        )
    )
    return grouped.order_by(*WARNING_SORTS.get(filters.sort, WARNING_SORTS[""]))


@dataclass
class HouseholdWarnings:
    """One household's row on the monthly list: its warnings (those the filters kept)."""

    household: Household
    period: str  # the latest of its warnings
    priority: int
    total: int
    new: int
    watch: bool  # only the watch list (重点关注), no lead
    warnings: list[RiskWarning] = field(default_factory=list)

    @property
    def severity(self) -> int:
        return self.priority // 100

    @property
    def probability(self) -> int:
        return self.priority % 100

    @property
    def priority_label(self) -> str:
        """高、中、低 by the severity, with the model's probability: "高 · 35%"; "" for none."""
        if not self.priority:
            return ""
        level = {3: _("高"), 2: _("中")}.get(self.severity, _("低"))
        return f"{level} · {self.probability}%" if self.probability else level

    @property
    def statuses(self) -> list[tuple[str, str, int]]:
        """(status, label, how many), in the order of WarningStatus."""
        counts = Counter(w.status for w in self.warnings)
        return [(s.value, str(s.label), counts[s.value]) for s in WarningStatus if counts[s.value]]

    @property
    def evidence(self) -> str:
        """The first evidence of each warning, in a line (the list's and the export's)."""
        return pgettext("clause separator", "；").join(
            f"{w.rule_id} {text}" for w in self.warnings if (text := evidence_summary(warning=w))
        )


def warning_rows(
    *, user: User, filters: WarningFilters, groups: Iterable[dict[str, Any]]
) -> list[HouseholdWarnings]:
    """The rows of a page (or a chunk) of `warning_households_for_user`: three queries, the
    households with their heads and the page's warnings, whatever the page's length."""
    groups = list(groups)
    ids = [g["household_id"] for g in groups]
    households = Household.objects.select_related("village", "village__parent").prefetch_related(
        household_heads()
    )
    found = households.in_bulk(ids)
    warnings: dict[int, list[RiskWarning]] = {}
    for w in (
        _filtered(warnings_for_user(user=user), filters)
        .filter(household_id__in=ids)
        .order_by("household_id", "-period", "rule_id")
    ):
        warnings.setdefault(w.household_id, []).append(w)
    return [
        HouseholdWarnings(
            household=found[g["household_id"]],
            period=g["latest"],
            priority=g["top"] or 0,
            total=g["total"],
            new=g["new"],
            watch=g["leads"] == 0,
            warnings=warnings.get(g["household_id"], []),
        )
        for g in groups
        if g["household_id"] in found
    ]


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


def warnings_new_alongside(*, warning: RiskWarning) -> QuerySet[RiskWarning]:
    """The household's other new warnings, of any period: its decision takes them along."""
    return (
        RiskWarning.objects.filter(household=warning.household_id, status=WarningStatus.NEW)
        .exclude(pk=warning.pk)
        .order_by("-period", "rule_id")
    )


def _number(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    return f"{value:.2f}"


def evidence_summary(*, warning: RiskWarning) -> str:
    """The warning's first evidence (the total first), in a few words: "人均纯收入（元）：
    1500.00、监测范围（元）：7300.00"."""
    items = sorted(warning.evidence, key=lambda e: e.get("detail") != "合计")
    if not items:
        return ""
    kind = RULE_KINDS.get(warning.rule_kind)
    labels = {
        "value": str(kind.value_label) if kind else _("观测值"),
        "reference": str(kind.reference_label) if kind else _("对照值"),
    }
    parts = []
    for key, label in labels.items():
        value = items[0].get(key)
        if value is not None:
            parts.append(f"{label}：{_number(value)}" if label else _number(value))
    return pgettext("list separator", "、").join(parts)


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
