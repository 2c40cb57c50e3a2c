"""Cases for the demo village in every stage of the identification chain, taken by the demo
users through the same services as the pages, so that a new user can click through the loop."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from bangfu.accounts.models import User
from bangfu.assistance.selectors import measures_propose
from bangfu.assistance.services import measure_update, plan_confirm
from bangfu.cases.categories import proposed_category
from bangfu.cases.evaluation import evaluation_record
from bangfu.cases.meetings import meeting_record
from bangfu.cases.models import Case, Channel, Stage
from bangfu.cases.services import (
    case_act,
    lead_open,
    objection_add,
    warning_decide,
)
from bangfu.monitoring.models import RiskWarning, WarningStatus
from bangfu.monitoring.policy import load_policy
from bangfu.regions.models import Region
from bangfu.registry.models import Household

# how far each of the first warned households of the demo village is taken
PLAN = [  # every stage first, then more of the common ones
    Stage.LEAD,
    Stage.VERIFIED,
    Stage.APPRAISED,
    Stage.NOTICE,
    Stage.TOWNSHIP,
    Stage.COUNTY,
    Stage.MONITORING,
    Stage.NOT_IDENTIFIED,
    Stage.MONITORING,
    Stage.MONITORING,
    Stage.LEAD,
    Stage.COUNTY,
    Stage.TOWNSHIP,
]


def demo_cases(*, village_code: str) -> dict[str, int]:
    users = {
        u.username: u
        for u in User.objects.filter(username__in=["village", "township", "county", "helper"])
    }
    village, township, county = users["village"], users["township"], users["county"]
    warned = (
        RiskWarning.objects.filter(
            household__village_id=village_code, status=WarningStatus.NEW, watch=False
        )
        .exclude(household__in=Case.objects.filter(closed_at__isnull=True).values("household"))
        .order_by("household__household_no", "rule_id")
        .select_related("household")
    )
    seen: set[int] = set()
    picked = []
    for w in warned:
        if w.household_id not in seen:
            seen.add(w.household_id)
            picked.append(w)
        if len(picked) == len(PLAN):
            break
    today = timezone.localdate()
    start = today - dt.timedelta(days=14)  # the chain began two weeks ago (15 days allowed)
    # a village's monthly list is short: the other leads of the walk-through were found by the
    # grid worker's and cadres' visits (干部走访/网格排查)
    visited = (
        Household.objects.filter(village_id=village_code, cases__isnull=True)
        .exclude(pk__in=seen)
        .order_by("household_no")[: max(0, len(PLAN) - len(picked))]
    )
    found: list[Any] = list(picked)
    for household in visited:
        lead_open(
            household=household,
            channel=Channel.VISIT,
            by=village,
            note="网格员走访发现家庭成员患病，医疗支出较大",
            risk_types=["因病"],
            today=start,
        )
        seen.add(household.pk)
        found.append(_FakeWarning("网格员走访：因病支出较大", "VISIT", household))
    for warning, target in zip(found, PLAN, strict=False):
        if isinstance(warning, RiskWarning):
            warning_decide(user=village, warning=warning, status=WarningStatus.LEAD, reason="演示")
        case = Case.objects.get(household=warning.household, closed_at__isnull=True)
        deadlines = load_policy().deadlines
        Case.objects.filter(pk=case.pk).update(
            due=start + dt.timedelta(days=deadlines["verify_days"]),
            decision_due=start + dt.timedelta(days=deadlines["total_days"]),
        )
        case.refresh_from_db()
        _advance(case, target, warning, village, township, county, start, today)
    _plans(village_code, village, users["helper"], today)
    _exits(village_code, users, today, exclude=seen)
    _meeting(village_code, village, today)
    counts: dict[str, int] = {}
    for stage in Case.objects.filter(household__village_id=village_code).values_list(
        "stage", flat=True
    ):
        counts[stage] = counts.get(stage, 0) + 1
    return counts


def _advance(
    case: Case,
    target: Stage,
    warning: Any,  # a RiskWarning, or what _advance reads of one
    village: User,
    township: User,
    county: User,
    start: dt.date,
    today: dt.date,
) -> None:
    if target == Stage.LEAD:
        return
    pc = float(warning.evidence[0].get("value", 0)) if warning.rule_id in ("R01", "R02") else 6800
    case = case_act(
        user=village,
        case=case,
        action="verify",
        today=start + dt.timedelta(days=2),
        data={
            "findings": f"入户核实：{warning.rule_title}，情况属实",
            "per_capita": pc,
            "food": True,
            "clothing": True,
            "education": True,
            "medical": True,
            "housing": True,
            "water": True,
            "also_serves": ["临时救助"] if pc < 7300 else [],
            # the same visit assesses social assistance: a low income is referred to 民政
            "social_need": ["低保"] if pc < 5000 else [],
            "social_figures": f"核实家庭年人均纯收入 {pc:.0f} 元，无大额存款和车辆"
            if pc < 5000
            else "",
        },
    )
    if target == Stage.VERIFIED:
        return
    meeting = {
        "meeting_on": str(start + dt.timedelta(days=4)),
        "attendees": "村两委、驻村工作队、村民代表",
    }
    if target == Stage.NOT_IDENTIFIED:
        case_act(
            user=village,
            case=case,
            action="appraise_reject",
            note="核实后家庭收入稳定，不存在返贫致贫风险",
            data=meeting,
            today=start + dt.timedelta(days=4),
        )
        return
    case = case_act(
        user=village, case=case, action="appraise", data=meeting, today=start + dt.timedelta(days=4)
    )
    if target == Stage.APPRAISED:
        return
    if target == Stage.NOTICE:  # published today: the notice is running
        case = case_act(user=village, case=case, action="publish", today=today)
        objection_add(user=township, case=case, text="群众反映该户有家庭成员在外务工收入未计入")
        return
    case = case_act(user=village, case=case, action="publish", today=start + dt.timedelta(days=5))
    ends = case.notice_ends
    assert ends is not None
    case = case_act(user=village, case=case, action="close_notice", today=ends)
    if target == Stage.TOWNSHIP:
        return
    case = case_act(
        user=township, case=case, action="township_approve", today=ends + dt.timedelta(days=2)
    )
    if target == Stage.COUNTY:
        return
    case_act(
        user=county,
        case=case,
        action="county_approve",
        data={"category": proposed_category(case), "risk_types": case.risk_types},
        today=ends + dt.timedelta(days=3),
    )


def _plans(village_code: str, village: User, helper: User, today: dt.date) -> None:
    """Plans for the cases in monitoring: the first two proposals each, carried by the demo's
    responsible person, the first of the first plan already done."""
    for n, case in enumerate(
        Case.objects.filter(household__village_id=village_code, stage=Stage.MONITORING)
    ):
        proposals = measures_propose(case=case)[:2]
        if not proposals:
            continue
        made = plan_confirm(
            user=village,
            case=case,
            items=[
                {
                    "kind": p.kind.code,
                    "responsible": helper.pk,
                    "target": "当年实现稳定增收" if p.kind.group == "development" else "应保尽保",
                    "deadline": today + dt.timedelta(days=60 + 30 * i),
                    "reason": p.reason,
                }
                for i, p in enumerate(proposals)
            ],
            today=today,
        )
        if n == 0:
            first = made[0]
            outcome = first.kind.outcome
            measure_update(
                user=helper,
                measure=first,
                status="done",
                amount="3000" if outcome in ("amount", "loan") else "",
                text="" if outcome in ("amount", "loan") else "已落实",
                today=today,
            )


EXIT_PLAN = [
    Stage.EXIT_VERIFIED,
    Stage.EXIT_APPRAISED,
    Stage.EXIT_NOTICE,
    Stage.EXIT_TOWNSHIP,
    Stage.EXIT_COUNTY,
    Stage.ELIMINATED,
    "relapse",
]
ALL_SECURED = {"education": True, "medical": True, "housing": True, "water": True}


def _exits(village_code: str, users: dict[str, User], today: dt.date, exclude: set[int]) -> None:
    """Households identified eight months ago, assisted, evaluated and on their way out of
    monitoring — one eliminated, and one back again after elimination (a relapse)."""
    village, township, county, helper = (
        users["village"],
        users["township"],
        users["county"],
        users["helper"],
    )
    others = (
        Household.objects.filter(village_id=village_code)
        .exclude(pk__in=exclude)
        .exclude(cases__isnull=False)
        .order_by("household_no")[: len(EXIT_PLAN)]
    )
    start = today - dt.timedelta(days=250)

    def day(n: int) -> dt.date:
        return today - dt.timedelta(days=n)

    for household, target in zip(others, EXIT_PLAN, strict=False):
        case, _ = lead_open(
            household=household,
            channel=Channel.VISIT,
            by=village,
            note="入户走访发现家庭成员患病住院",
            risk_types=["因病"],
            today=start,
        )
        fake = _FakeWarning("因病致贫风险", "R10")
        _advance(case, Stage.MONITORING, fake, village, township, county, start, start)
        case.refresh_from_db()
        proposals = measures_propose(case=case)[:1] or []
        if proposals:
            (measure,) = plan_confirm(
                user=village,
                case=case,
                items=[
                    {
                        "kind": proposals[0].kind.code,
                        "responsible": helper.pk,
                        "target": "稳定增收",
                        "deadline": today,
                        "reason": proposals[0].reason,
                    }
                ],
                today=today,
            )
            outcome = measure.kind.outcome
            measure_update(
                user=helper,
                measure=measure,
                status="done",
                amount="3000" if outcome in ("amount", "loan") else "",
                text="" if outcome in ("amount", "loan") else "已落实",
                today=day(20),
            )
        for n, income in ((45, "9400"), (15, "9800")):  # above the range twice in a row
            evaluation_record(
                user=helper, case=case, per_capita=income, secured=ALL_SECURED, today=day(n)
            )
        meeting = {"meeting_on": str(day(13)), "attendees": "村两委、驻村工作队、村民代表"}
        case = case_act(user=village, case=case, action="propose_exit", today=day(14))
        if target == Stage.EXIT_VERIFIED:
            continue
        case = case_act(
            user=village, case=case, action="exit_appraise", data=meeting, today=day(13)
        )
        if target == Stage.EXIT_APPRAISED:
            continue
        if target == Stage.EXIT_NOTICE:
            case_act(user=village, case=case, action="exit_publish", today=today)
            continue
        case = case_act(user=village, case=case, action="exit_publish", today=day(12))
        ends = case.notice_ends
        assert ends is not None
        case = case_act(user=village, case=case, action="exit_close_notice", today=ends)
        if target == Stage.EXIT_TOWNSHIP:
            continue
        case = case_act(user=township, case=case, action="exit_township_approve", today=day(5))
        if target == Stage.EXIT_COUNTY:
            continue
        case_act(user=county, case=case, action="exit_county_approve", today=day(4))
        if target == "relapse":  # a new shock after elimination brings it back
            lead_open(
                household=household,
                channel=Channel.VISIT,
                by=users["village"],
                note="房屋受灾，家庭财产损失较大",
                risk_types=["因灾"],
                today=today,
            )


class _FakeWarning:
    """What _advance reads of a warning, for households found by a visit."""

    def __init__(self, title: str, rule_id: str, household: Household | None = None) -> None:
        self.rule_title, self.rule_id, self.evidence = title, rule_id, [{"value": 6800}]
        self.household = household


def _meeting(village_code: str, village: User, today: dt.date) -> None:
    """Last month's village meeting, with a decision on the first open lead."""
    first = today.replace(day=1) - dt.timedelta(days=1)
    lead = Case.objects.filter(household__village_id=village_code, stage=Stage.LEAD).first()
    meeting_record(
        user=village,
        village=Region.objects.get(code=village_code),
        month=first.strftime("%Y-%m"),
        held_on=first.replace(day=25),
        attendees="村两委、驻村第一书记、网格员、村民代表",
        minutes="逐户研究本月预警和线索，部署入户核查和帮扶措施落实。",
        decisions={lead.pk: "三日内完成入户核查"} if lead else {},
    )
