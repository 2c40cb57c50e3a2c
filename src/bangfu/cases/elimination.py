"""The risk-elimination criteria (风险消除) as the policy file states them: which of them a
household in monitoring does not (yet) meet, as codes with their figures and as text in the
reader's language. The chain's propose_exit and every evaluation ask it."""

from __future__ import annotations

import calendar
import datetime as dt
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from bangfu.cases.models import Case, Evaluation
from bangfu.monitoring.models import RiskWarning, WarningStatus
from bangfu.monitoring.policy import load_policy
from bangfu.registry.models import Assistance, Household, Labour, ReadingKind

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


# the rules whose warnings are a large rigid expense (医疗、教育) not yet resolved
RIGID_EXPENSE_RULES = ("medical_burden", "schooling_burden")

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
    # income stably above the range: this evaluation and the readings before it since the
    # identification (coverage by social protection no longer counts as income)
    floor = line * (1 + rules["income_margin"])
    if float(evaluation.per_capita) < floor:
        gaps.append(("income", {"income": _plain(evaluation.per_capita), "floor": f"{floor:g}"}))
    else:
        needed = int(rules["stable_readings"])
        latest = income_points(case=case, evaluation=evaluation, since=since)[-needed:]
        if len(latest) < needed or any(value < floor for _on, value in latest):
            gaps.append(("income_unstable", {"needed": needed, "floor": f"{floor:g}"}))
    if rules["hold_without_labour"] and rests_on_protection(household):
        gaps.append(("protection_only", {}))
    # large rigid expenses stably resolved: no pending warning of a medical or schooling burden
    burdens = RiskWarning.objects.filter(
        household=household, status=WarningStatus.NEW, rule_kind__in=RIGID_EXPENSE_RULES
    )
    if burdens.exists():
        titles = sorted(set(burdens.values_list("rule_title", flat=True)))
        gaps.append(("rigid_expenses", {"rules": titles}))
    # no new risk: no signal (a warning, a visit, a declaration) since the identification (the
    # county's decision, or for a case without one on record its date) and since the evaluation
    # before this one — an evaluation that met a new signal reviewed it; the next may pass
    signals = case.signals.all()
    decided = case.steps.filter(action="county_approve").order_by("-at", "-pk").first()
    if decided is not None:
        signals = signals.filter(at__gt=decided.at)
    elif case.identified_on is not None:
        signals = signals.filter(at__date__gt=case.identified_on)
    previous = case.evaluations.exclude(pk=evaluation.pk).order_by("-created_at").first()
    if previous is not None:
        signals = signals.filter(at__gt=previous.created_at)
    fresh = signals.count()
    if fresh:
        gaps.append(("new_signal", {"n": fresh}))
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


def income_points(
    *, case: Case, evaluation: Evaluation, since: dt.date
) -> list[tuple[dt.date, float]]:
    """The household's per-capita net income since `since`, oldest first: each evaluation
    (this one included, saved or not) and each grid reading, a reading annualized (a month
    times 12, a quarter times 4) to compare with the yearly range."""
    points = [
        (e.on, float(e.per_capita))
        for e in case.evaluations.filter(on__gte=since).exclude(pk=evaluation.pk)
    ]
    for reading in case.household.readings.all():
        end = reading_end(reading.period)
        if since <= end <= evaluation.on:
            per_year = 4 if reading.kind == ReadingKind.QUARTERLY else 12
            points.append((end, float(reading.per_capita_net) * per_year))
    # one figure a day: two records of the same day are not two readings in a row (the
    # evaluation being recorded, appended last, stands for its day)
    by_day = dict(sorted(points, key=lambda point: point[0]))
    by_day[evaluation.on] = float(evaluation.per_capita)
    return sorted(by_day.items())


def reading_end(period: str) -> dt.date:
    """The last day of a reading's period (2026-03, or 2026-Q1)."""
    year = int(period[:4])
    month = int(period[-1]) * 3 if "Q" in period else int(period[5:7])
    return dt.date(year, month, calendar.monthrange(year, month)[1])


# 丧失劳动力 and 无劳动力: members who cannot work
NO_LABOUR = (Labour.LOST, Labour.NONE)


def rests_on_protection(household: Household) -> bool:
    """No member can work and the household lives on social protection (低保 or 特困): the
    guidance keeps such a household under follow-up rather than marking its risk eliminated
    (暂不标注风险消除)."""
    if household.assistance not in (Assistance.DIBAO, Assistance.TEKUN):
        return False
    labour = [m.labour for m in household.members.all()]
    return bool(labour) and all(x in NO_LABOUR for x in labour)


def gap_text(code: str, figures: dict[str, Any]) -> str:
    """One unmet criterion, in the active language."""
    if code == "months":
        return _("纳入监测 %(months)d 个月，未满 %(min)d 个月") % figures
    if code == "income":
        return _("人均纯收入 %(income)s 元，低于 %(floor)s 元") % figures
    if code == "income_unstable":
        return _("人均纯收入尚未连续 %(needed)d 次（评估或网格核查）不低于 %(floor)s 元") % figures
    if code == "rigid_expenses":
        rules = pgettext("list separator", "、").join(figures["rules"])
        return _("大额刚性支出尚未稳定解决：%(rules)s") % {"rules": rules}
    if code == "new_signal":
        return _("纳入监测后又发现 %(n)d 条新的风险线索，须核实处置") % figures
    if code == "protection_only":
        return _("家中无劳动能力成员、依靠兜底保障：暂不标注风险消除，继续跟踪帮扶")
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
