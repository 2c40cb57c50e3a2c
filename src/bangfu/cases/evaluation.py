"""Evaluation and exit: regular evaluations of a household in monitoring, the statement of
whether it meets the policy file's risk-elimination criteria (and if not, why not), the
evaluations that are due, and the households kept in monitoring too long."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Max, Q, QuerySet
from django.http import Http404
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from bangfu.accounts.models import Role, User
from bangfu.audit.services import audit_record
from bangfu.cases.models import Case, Evaluation, MeasureStatus, Stage
from bangfu.cases.selectors import cases_in_scope
from bangfu.cases.services import CaseError, _in_scope
from bangfu.monitoring.policy import load_policy
from bangfu.registry.models import Assistance
from bangfu.registry.parsing import CellError, parse_money

GUARANTEES = {
    "education": gettext_lazy("义务教育"),
    "medical": gettext_lazy("基本医疗"),
    "housing": gettext_lazy("住房安全"),
    "water": gettext_lazy("饮水安全"),
}
EVALUATORS = (Role.VILLAGE_CADRE, Role.RESPONSIBLE_PERSON, Role.TOWNSHIP_CADRE)


def _months_between(start: dt.date, end: dt.date) -> int:
    return (end.year - start.year) * 12 + end.month - start.month - (end.day < start.day)


def _plain(amount: Any) -> str:
    """6000.00 → 6000, 6000.50 → 6000.5."""
    text = f"{amount:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


Gap = tuple[str, dict[str, Any]]  # a criterion not met: its code and the figures behind it


def elimination_gaps(*, case: Case, evaluation: Evaluation, today: dt.date) -> list[Gap]:
    """The criteria the household does not (yet) meet, as codes with their figures (kept with
    the evaluation, so that each reader sees them in their language); empty when it meets."""
    policy = load_policy()
    rules, line = policy.elimination, policy.line
    household = case.household
    gaps: list[Gap] = []
    since = case.identified_on or case.opened_at.date()
    months = _months_between(since, today)
    if months < rules["min_months"]:
        gaps.append(("months", {"months": months, "min": rules["min_months"]}))
    covered = rules["guaranteed_by_coverage"] and household.assistance in (
        Assistance.DIBAO,
        Assistance.TEKUN,
    )
    floor = line * (1 + rules["income_margin"])
    if not covered and float(evaluation.per_capita) < floor:
        gaps.append(("income", {"income": _plain(evaluation.per_capita), "floor": f"{floor:g}"}))
    pupils = household.members.filter(schooling__in=["compulsory", "dropout"]).exists()
    for key in GUARANTEES:
        if key == "education" and not pupils:
            continue
        if not evaluation.secured.get(key):
            gaps.append(("guarantee", {"guarantee": key}))
    if rules["require_measures_done"]:
        open_ = case.measures.filter(status__in=[MeasureStatus.PLANNED, MeasureStatus.ACTIVE])
        if open_.exists():
            names = [m.kind.name for m in open_.select_related("kind")]
            gaps.append(("measures_open", {"measures": names}))
        elif not case.measures.exists():
            gaps.append(("no_measures", {}))
    return gaps


def gap_text(code: str, figures: dict[str, Any]) -> str:
    """One unmet criterion, in the active language."""
    if code == "months":
        return _("纳入监测 %(months)d 个月，未满 %(min)d 个月") % figures
    if code == "income":
        return _("人均纯收入 %(income)s 元，低于 %(floor)s 元") % figures
    if code == "guarantee":
        label = GUARANTEES.get(figures["guarantee"], figures["guarantee"])
        return _("%(guarantee)s未保障") % {"guarantee": label}
    if code == "measures_open":
        names = pgettext("list separator", "、").join(figures["measures"])
        return _("帮扶措施尚未完成：%(measures)s") % {"measures": names}
    if code == "no_measures":
        return _("尚未制定帮扶措施")
    return code


def elimination_check(*, case: Case, evaluation: Evaluation, today: dt.date) -> list[str]:
    """Why the household does not (yet) meet the criteria, in the active language; an empty
    list when it does."""
    gaps = elimination_gaps(case=case, evaluation=evaluation, today=today)
    return [gap_text(code, figures) for code, figures in gaps]


def evaluation_reasons(evaluation: Evaluation) -> list[str]:
    """The evaluation's unmet criteria in the active language (evaluations recorded before the
    codes were kept: their Chinese text)."""
    if evaluation.gaps:
        return [gap_text(code, figures) for code, figures in evaluation.gaps]
    return list(evaluation.reasons)


def evaluation_record(
    *,
    user: User,
    case: Case,
    per_capita: str,
    secured: dict[str, bool],
    note: str = "",
    today: dt.date | None = None,
) -> Evaluation:
    """Record an evaluation (income and the 3+1) and state whether the criteria are met."""
    if not _in_scope(user, case.household) and not case.measures.filter(responsible=user).exists():
        raise Http404
    if user.role not in EVALUATORS:
        raise CaseError(_("只有村干部、乡镇干部或帮扶责任人可以登记评估"))
    if case.stage != Stage.MONITORING:
        raise CaseError(_("只有监测帮扶中的农户需要评估"))
    if not str(per_capita).strip():
        raise CaseError(_("请填写评估的人均纯收入（元）"))
    try:  # the import's money rule: finite, not negative, at most 2 decimals, bounded
        income = parse_money(str(per_capita).strip())
    except CellError as exc:
        raise CaseError(_("评估的人均纯收入（元）：%(reason)s") % {"reason": exc}) from None
    today = today or timezone.localdate()
    evaluation = Evaluation(
        case=case,
        on=today,
        by=user,
        per_capita=income,
        secured={k: bool(secured.get(k)) for k in GUARANTEES},
        note=note.strip(),
    )
    # the codes are kept for every reader's language; the text (and the audit note) in Chinese,
    # as the record
    gaps = elimination_gaps(case=case, evaluation=evaluation, today=today)
    evaluation.gaps = [[code, figures] for code, figures in gaps]
    with translation.override(None):
        evaluation.reasons = [gap_text(code, figures) for code, figures in gaps]
    evaluation.meets = not gaps
    evaluation.save()
    audit_record(
        actor=user,
        action="create",
        obj=evaluation,
        region_code=case.household.village_id,
        note="符合风险消除条件" if evaluation.meets else "；".join(evaluation.reasons),
    )
    return evaluation


def evaluations_due(*, user: User, today: dt.date | None = None) -> QuerySet[Case]:
    """Cases in monitoring whose last evaluation (or identification) is older than the
    policy's interval."""
    today = today or timezone.localdate()
    months = int(load_policy().elimination["evaluation_months"])
    cutoff = _months_ago(today, months)
    qs = cases_in_scope(user=user).filter(stage=Stage.MONITORING)
    qs = qs.annotate(last=Max("evaluations__on"))
    return qs.filter(Q(last__lt=cutoff) | Q(last__isnull=True, identified_on__lt=cutoff)).order_by(
        "identified_on"
    )


def long_stays(*, user: User, today: dt.date | None = None) -> QuerySet[Case]:
    """In monitoring longer than the policy allows without elimination: nobody is kept there
    forever by oversight."""
    today = today or timezone.localdate()
    months = int(load_policy().elimination["long_stay_months"])
    return (
        cases_in_scope(user=user)
        .filter(stage=Stage.MONITORING, identified_on__lt=_months_ago(today, months))
        .order_by("identified_on")
    )


def _months_ago(day: dt.date, months: int) -> dt.date:
    total = day.year * 12 + day.month - 1 - months
    year, month = divmod(total, 12)
    return dt.date(year, month + 1, min(day.day, 28))
