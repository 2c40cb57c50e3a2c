"""先帮后认: for a sudden severe difficulty (or one the home verification marks urgent), help
starts before the county's decision; the decision confirms the measures, a refusal ends them.
Otherwise a plan waits for the decision."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from bangfu.assistance.models import Measure, MeasureStatus
from bangfu.assistance.services import plan_confirm
from bangfu.cases.models import Channel, Stage
from bangfu.cases.services import case_act, lead_open
from bangfu.core.errors import Refused
from bangfu.monitoring.models import RiskWarning
from tests.cases.test_chain import MEETING, VERIFY
from tests.conftest import household_rows

D = dt.date(2026, 11, 2)


@pytest.fixture
def household(make_households):
    (h,) = make_households(household_rows("H-FIRST"))
    return h


def plan(people, case):
    return plan_confirm(
        user=people["village"],
        case=case,
        items=[
            {
                "kind": "temporary_relief",
                "responsible": people["helper"].pk,
                "target": "渡过难关",
                "deadline": timezone.localdate() + dt.timedelta(days=30),
            }
        ],
    )


def sudden_lead(household, people):
    warning = RiskWarning.objects.create(
        household=household,
        period="2026-11",
        rule_id="R11",
        rule_kind="disaster_loss",
        rule_title="灾害损失",
        risk_types=["因灾"],
        category="sudden",
        policy_version="t",
        evidence=[],
    )
    case, _ = lead_open(
        household=household,
        channel=Channel.WARNING,
        by=people["village"],
        risk_types=["因灾"],
        warning=warning,
        today=D,
    )
    return case


def to_county(case, people):
    village = people["village"]
    case = case_act(user=village, case=case, action="appraise", data=MEETING, today=D)
    case = case_act(user=village, case=case, action="publish", today=D)
    case = case_act(user=village, case=case, action="close_notice", today=case.notice_ends)
    return case_act(user=people["township"], case=case, action="township_approve", today=D)


def test_a_sudden_difficulty_is_helped_first_and_the_decision_confirms(household, people):
    case = sudden_lead(household, people)
    (measure,) = plan(people, case)  # still a lead: help starts now
    assert measure.provisional and case.stage == Stage.LEAD
    case = case_act(user=people["village"], case=case, action="verify", data=VERIFY, today=D)
    case = to_county(case, people)
    case_act(
        user=people["county"],
        case=case,
        action="county_approve",
        data={"category": "sudden", "risk_types": ["因灾"]},
        today=D,
    )
    measure.refresh_from_db()
    assert not measure.provisional and measure.status == MeasureStatus.PLANNED


def test_marked_urgent_by_the_verifier_and_refused_by_the_county(household, people):
    case, _ = lead_open(household=household, channel=Channel.VISIT, by=people["grid"], today=D)
    with pytest.raises(Refused, match="纳入监测后才能制定帮扶计划"):
        plan(people, case)  # nothing says it is urgent yet
    assert not Measure.objects.exists()
    urgent = VERIFY | {"urgent": True}
    case = case_act(user=people["village"], case=case, action="verify", data=urgent, today=D)
    (measure,) = plan(people, case)
    assert measure.provisional
    case = to_county(case, people)
    case_act(user=people["county"], case=case, action="county_reject", note="收入达标", today=D)
    measure.refresh_from_db()
    assert measure.status == MeasureStatus.CANCELLED
    assert measure.outcome_text == "不予认定，先帮后认的措施随之结束"


def test_without_urgency_the_plan_waits_for_the_decision(household, people):
    case, _ = lead_open(household=household, channel=Channel.VISIT, by=people["grid"], today=D)
    case = case_act(user=people["village"], case=case, action="verify", data=VERIFY, today=D)
    with pytest.raises(Refused, match="纳入监测后"):
        plan(people, case)
    assert not Measure.objects.exists()


def test_the_case_page_offers_the_plan_before_the_decision_only_when_urgent(
    household, people, client, make_households
):
    case = sudden_lead(household, people)
    (other,) = make_households(household_rows("H-PLAIN"))
    plain, _ = lead_open(household=other, channel=Channel.VISIT, by=people["grid"], today=D)
    client.force_login(people["village"])
    page = client.get(reverse("case", args=[case.pk])).content.decode()
    assert "先帮后认" in page and reverse("plan_confirm", args=[case.pk]) in page
    page = client.get(reverse("case", args=[plain.pk])).content.decode()
    assert reverse("plan_confirm", args=[plain.pk]) not in page
