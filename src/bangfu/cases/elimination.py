"""The risk-elimination criteria (风险消除) as the policy file states them: which of them a
household in monitoring does not (yet) meet, as codes with their figures and as text in the
reader's language. The chain's propose_exit and every evaluation ask it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from bangfu.cases.models import Case, Evaluation
from bangfu.monitoring.policy import load_policy
from bangfu.registry.models import Assistance

GUARANTEES = {
    "education": gettext_lazy("义务教育"),
    "medical": gettext_lazy("基本医疗"),
    "housing": gettext_lazy("住房安全"),
    "water": gettext_lazy("饮水安全"),
}


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
        open_ = case.measures.open()
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
