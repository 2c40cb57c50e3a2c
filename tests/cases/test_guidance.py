"""Identification as the county guidance states it (docs/cases.md): from the day a lead is
found to the county's decision at most `total_days` (15), past which the case is overdue even
when its step is not; the category agrees with the household's history; the public notice
never shows health status."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from bangfu.assistance.dashboard import dashboard
from bangfu.assistance.services import measure_update, plan_confirm
from bangfu.cases.cards import notice_risks
from bangfu.cases.categories import proposed_category
from bangfu.cases.chain import ACTIONS
from bangfu.cases.evaluation import evaluation_record
from bangfu.cases.models import Case, Channel, Stage
from bangfu.cases.selectors import CaseFilters, case_list_for_user, overdue_for_user
from bangfu.cases.services import case_act, lead_open
from bangfu.core.errors import Refused
from bangfu.monitoring.policy import load_policy
from bangfu.web.forms.cases import ActionForm
from tests.cases.test_cards import text_of
from tests.cases.test_chain import MEETING, VERIFY
from tests.conftest import VILLAGE, household_rows

D = dt.date(2026, 11, 2)
ALL = {"education": True, "medical": True, "housing": True, "water": True}


def to_county(case, people, day=D):
    """Through the chain, each step on its day, to the county's decision."""
    village, township = people["village"], people["township"]
    case = case_act(user=village, case=case, action="verify", data=VERIFY, today=day)
    case = case_act(user=village, case=case, action="appraise", data=MEETING, today=day)
    case = case_act(user=village, case=case, action="publish", today=day)
    end = case.notice_ends
    case = case_act(user=village, case=case, action="close_notice", today=end)
    return case_act(user=township, case=case, action="township_approve", today=end)


@pytest.fixture
def homes(make_households):
    return make_households(
        household_rows("H-G1", formerly_poor="否"), household_rows("H-G2", formerly_poor="是")
    )


def test_past_the_whole_chain_is_overdue_though_the_step_is_not(homes, people):
    case, _ = lead_open(household=homes[0], channel=Channel.VISIT, by=people["grid"], today=D)
    assert case.decision_due == D + dt.timedelta(days=15)
    # the step's own deadline far away (a step late by itself is the other half of the rule)
    Case.objects.filter(pk=case.pk).update(due=D + dt.timedelta(days=40))
    on_time, late = D + dt.timedelta(days=15), D + dt.timedelta(days=16)
    assert not overdue_for_user(user=people["township"], today=on_time).exists()
    assert list(overdue_for_user(user=people["township"], today=late)) == [case]
    listed = case_list_for_user(
        user=people["village"], filters=CaseFilters(overdue=True), today=late
    )
    assert list(listed) == [case]
    county = people["county"]
    region = county.region
    assert dashboard(user=county, region=region, today=late)["overdue_steps"] == 1
    assert dashboard(user=county, region=region, today=on_time)["overdue_steps"] == 0


def test_the_decision_ends_the_clock_and_an_exit_proposal_starts_a_new_one(homes, people):
    case, _ = lead_open(household=homes[0], channel=Channel.VISIT, by=people["grid"], today=D)
    case = to_county(case, people)
    case = case_act(
        user=people["county"],
        case=case,
        action="county_approve",
        data={"category": "edge", "risk_types": ["因病"]},
        today=D + dt.timedelta(days=8),
    )
    assert case.stage == Stage.MONITORING and case.decision_due is None
    # half a year later the risk is gone: the exit's chain has its own 15 days
    Case.objects.filter(pk=case.pk).update(identified_on=D - dt.timedelta(days=200))
    case.refresh_from_db()
    month_ago = timezone.localdate() - dt.timedelta(days=30)
    evaluation_record(
        user=people["village"], case=case, per_capita="9800", secured=ALL, today=month_ago
    )
    # no plan was made: the policy asks for measures done, so the proposal is refused ...
    with pytest.raises(Refused, match="尚未制定帮扶措施"):
        case_act(user=people["village"], case=case, action="propose_exit", today=D)
    assert Case.objects.get(pk=case.pk).decision_due is None
    # ... and once the measure is done, the proposal starts the clock
    (measure,) = plan_confirm(
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
    measure_update(user=people["helper"], measure=measure, status="done", amount="2000")
    evaluation_record(user=people["village"], case=case, per_capita="9800", secured=ALL)
    exit_day = timezone.localdate()
    case = case_act(user=people["village"], case=case, action="propose_exit", today=exit_day)
    assert case.stage == Stage.EXIT_VERIFIED
    assert case.decision_due == exit_day + dt.timedelta(days=15)


def test_the_category_must_agree_with_the_households_history(homes, people):
    ordinary, formerly_poor = homes
    # 脱贫不稳定户 only if formerly poor, 边缘易致贫户 only if not; 突发严重困难户 for either
    for household, wrong, right, reason in (
        (ordinary, "unstable", "edge", "不是原建档立卡脱贫户"),
        (formerly_poor, "edge", "sudden", "是原建档立卡脱贫户"),
    ):
        case, _ = lead_open(household=household, channel=Channel.VISIT, by=people["grid"], today=D)
        case = to_county(case, people)
        decide = {"user": people["county"], "case": case, "action": "county_approve", "today": D}
        with pytest.raises(Refused, match=reason):
            case_act(**decide, data={"category": wrong, "risk_types": ["因病"]})
        assert Case.objects.get(pk=case.pk).stage == Stage.COUNTY  # nothing written
        assert (
            case_act(**decide, data={"category": right, "risk_types": ["因病"]}).category == right
        )
        household.refresh_from_db()
        assert household.category == right


def test_the_notice_never_shows_health_status(homes, people, client):
    case = Case.objects.create(
        household=homes[0],
        channel=Channel.VISIT,
        stage=Stage.NOTICE,
        risk_types=["因病", "因学", "因残"],
        notice_ends=D + dt.timedelta(days=5),
    )
    assert notice_risks(case, load_policy()) == ["因学"]
    client.force_login(people["village"])
    text = text_of(client.get(reverse("notice_pdf", args=[VILLAGE])).content)
    assert "因学" in text and "因病" not in text and "因残" not in text


def test_the_verified_income_and_the_history_propose_the_category(homes, people):
    ordinary, formerly_poor = homes
    for household, income, expected in (
        (ordinary, 5200, "edge"),  # within the range, never poor: 边缘易致贫户
        (formerly_poor, 5200, "unstable"),  # within the range, formerly poor: 脱贫不稳定户
        (ordinary, 9000, "sudden"),  # above the range, a severe difficulty: 突发严重困难户
    ):
        Case.objects.filter(household=household).delete()
        case, _ = lead_open(household=household, channel=Channel.VISIT, by=people["grid"], today=D)
        assert proposed_category(case) == ("unstable" if household.formerly_poor else "edge")
        verify = VERIFY | {"per_capita": income}
        case = case_act(user=people["village"], case=case, action="verify", data=verify, today=D)
        assert proposed_category(case) == expected
        # the county's form starts from it
        form = ActionForm(action=ACTIONS["county_approve"], case=case)
        assert form.initial["category"] == expected
