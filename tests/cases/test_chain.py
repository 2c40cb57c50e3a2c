"""The identification chain: every step by the permitted role at the right level, deadlines
from the policy file, overdue steps for the level above, one open case per household, and
batch approval recorded per case."""

import datetime as dt

import pytest

from bangfu.audit.models import AuditEvent
from bangfu.cases.models import Case, Channel, Stage, Step
from bangfu.cases.selectors import actions_for_user, overdue_for_user
from bangfu.cases.services import (
    case_act,
    case_bulk_act,
    lead_open,
    objection_add,
    objection_resolve,
)
from bangfu.core.errors import NotFound, Refused
from bangfu.monitoring.errors import PolicyError
from bangfu.monitoring.policy import load_policy
from tests.conftest import household_rows

pytestmark = pytest.mark.django_db
D = dt.date(2026, 11, 2)
VERIFY = {
    "findings": "户主住院，家庭收入骤减",
    "per_capita": 5200,
    "food": True,
    "education": True,
    "medical": True,
    "housing": True,
    "water": False,
    "also_serves": ["医疗救助"],
}
MEETING = {"meeting_on": "2026-11-05", "attendees": "村两委、驻村工作队、村民代表7人"}


@pytest.fixture
def household(make_households):
    (h,) = make_households(household_rows("H-CASE"))
    return h


def through_notice(case, people, day=D):
    case = case_act(user=people["village"], case=case, action="verify", data=VERIFY, today=day)
    case = case_act(user=people["village"], case=case, action="appraise", data=MEETING, today=day)
    return case_act(user=people["village"], case=case, action="publish", today=day)


def test_the_whole_chain_by_the_right_roles_leaves_a_trail(household, people):
    case, created = lead_open(
        household=household, channel=Channel.VISIT, by=people["grid"], note="走访", today=D
    )
    assert created and case.stage == Stage.LEAD and case.due == D + dt.timedelta(days=3)
    assert case.decision_due == D + dt.timedelta(days=15)  # from the lead to the decision
    case = through_notice(case, people)
    assert case.stage == Stage.NOTICE and case.notice_ends == D + dt.timedelta(days=5)
    assert case.due == case.notice_ends + dt.timedelta(days=1)
    objection = objection_add(user=people["township"], case=case, text="收入核实有出入")
    end = case.notice_ends
    with pytest.raises(Refused, match="期满后"):
        case_act(
            user=people["village"], case=case, action="close_notice", today=end - dt.timedelta(1)
        )
    with pytest.raises(Refused, match="异议尚未处理"):
        case_act(user=people["village"], case=case, action="close_notice", today=end)
    objection_resolve(user=people["village"], objection=objection, resolution="复核无误")
    case = case_act(user=people["village"], case=case, action="close_notice", today=end)
    case = case_act(user=people["township"], case=case, action="township_approve", today=end)
    assert case.stage == Stage.COUNTY
    case = case_act(
        user=people["county"],
        case=case,
        action="county_approve",
        data={"category": "sudden", "risk_types": ["因病", "收入骤减或支出骤增"]},
        today=end,
    )
    household.refresh_from_db()
    assert case.stage == Stage.MONITORING and case.due is None and case.closed_at is None
    assert household.category == "sudden" and case.risk_types == ["因病", "收入骤减或支出骤增"]
    trail = [(s.action, s.by.username) for s in case.steps.all()]
    assert trail == [
        ("verify", "village"),
        ("appraise", "village"),
        ("publish", "village"),
        ("close_notice", "village"),
        ("township_approve", "township"),
        ("county_approve", "county"),
    ]
    first = case.steps.first()
    assert first.data["per_capita"] == 5200.0 and first.data["secured"]["water"] is False
    assert first.data["also_serves"] == ["医疗救助"]
    # 两不愁 is recorded beside the 3+1 (a flag not sent is not assured)
    assert first.data["assured"] == {"food": True, "clothing": False}
    changes = AuditEvent.objects.filter(object_type="case", object_id=str(case.pk))
    assert changes.count() == 7  # the lead and six steps


@pytest.mark.parametrize(
    ("who", "action", "error"),
    [
        ("grid", "verify", Refused),  # a grid worker records visits, not verifications
        ("township", "verify", Refused),  # the wrong level
        ("county", "county_approve", Refused),  # the wrong stage
        ("neighbour", "verify", NotFound),  # another village: as if it did not exist
        ("auditor", "verify", Refused),
    ],
)
def test_illegal_or_out_of_scope_actions_are_refused_and_change_nothing(
    household, people, who, action, error
):
    case, _ = lead_open(household=household, channel=Channel.VISIT, by=people["grid"], today=D)
    with pytest.raises(error):
        case_act(user=people[who], case=case, action=action, data=VERIFY, today=D)
    case.refresh_from_db()
    assert case.stage == Stage.LEAD and not case.steps.exists()


def test_rejections_need_a_reason_and_close_the_case(household, people):
    case, _ = lead_open(household=household, channel=Channel.VISIT, by=people["grid"], today=D)
    case = case_act(user=people["village"], case=case, action="verify", data=VERIFY, today=D)
    with pytest.raises(Refused, match="理由"):
        case_act(user=people["village"], case=case, action="appraise_reject", data=MEETING)
    case = case_act(
        user=people["village"],
        case=case,
        action="appraise_reject",
        note="收入高于监测范围",
        data=MEETING,
        today=D,
    )
    assert case.stage == Stage.NOT_IDENTIFIED and case.closed_at is not None
    # a later signal opens a new case: the old one stays, closed, with its reason
    again, created = lead_open(household=household, channel=Channel.SELF, by=None, today=D)
    assert created and again.pk != case.pk


def test_one_open_case_per_household_signals_attach(household, people):
    first, created = lead_open(
        household=household, channel=Channel.WARNING, by=people["village"], risk_types=["因病"]
    )
    second, created_again = lead_open(
        household=household, channel=Channel.VISIT, by=people["grid"], risk_types=["因灾", "因病"]
    )
    assert created and not created_again and first.pk == second.pk
    assert Case.objects.filter(household=household).count() == 1
    assert second.risk_types == ["因病", "因灾"]
    assert [s.channel for s in second.signals.all()] == ["warning", "visit"]


def test_deadlines_come_from_the_policy_and_overdue_steps_go_to_the_level_above(
    household, people, settings, tmp_path
):
    text = (
        load_policy().path.read_text(encoding="utf-8").replace("verify_days = 3", "verify_days = 2")
    )
    policy_file = tmp_path / "p.toml"
    policy_file.write_text(text, encoding="utf-8")
    settings.BANGFU_POLICY = str(policy_file)
    case, _ = lead_open(household=household, channel=Channel.VISIT, by=people["grid"], today=D)
    assert case.due == D + dt.timedelta(days=2)
    late = D + dt.timedelta(days=3)
    assert list(overdue_for_user(user=people["township"], today=late)) == [case]
    assert list(overdue_for_user(user=people["county"], today=late)) == [case]
    assert not overdue_for_user(user=people["other_township"], today=late).exists()
    assert not overdue_for_user(user=people["village"], today=late).exists()
    assert not overdue_for_user(user=people["township"], today=D).exists()
    case = case_act(user=people["village"], case=case, action="verify", data=VERIFY, today=late)
    assert case.steps.get().overdue is True


def test_bulk_approval_is_recorded_per_case_and_is_all_or_nothing(make_households, people):
    households = make_households(*[household_rows(f"H-B{i}") for i in range(3)])
    cases = []
    for h in households:
        case, _ = lead_open(household=h, channel=Channel.VISIT, by=people["grid"], today=D)
        case = through_notice(case, people)
        end = case.notice_ends
        case = case_act(user=people["village"], case=case, action="close_notice", today=end)
        cases.append(case)
    # one case not yet at the township: the whole batch is refused, naming it
    laggard = cases[2]
    Case.objects.filter(pk=laggard.pk).update(stage=Stage.NOTICE)
    with pytest.raises(Refused, match=laggard.household.household_no):
        case_bulk_act(user=people["township"], cases=cases, action="township_approve")
    assert not Step.objects.filter(action="township_approve").exists()
    batch = case_bulk_act(user=people["township"], cases=cases[:2], action="township_approve")
    steps = Step.objects.filter(action="township_approve")
    assert steps.count() == 2 and {s.batch for s in steps} == {batch}
    assert {c.stage for c in Case.objects.filter(pk__in=[c.pk for c in cases[:2]])} == {
        Stage.COUNTY
    }


def test_pages_offer_each_user_only_their_actions(household, people):
    case, _ = lead_open(household=household, channel=Channel.VISIT, by=people["grid"], today=D)
    assert [a.name for a in actions_for_user(user=people["village"], case=case)] == ["verify"]
    assert actions_for_user(user=people["township"], case=case) == []
    assert actions_for_user(user=people["grid"], case=case) == []


def test_policy_identification_table_is_validated():
    from bangfu.monitoring.policy import parse_policy

    head = '[policy]\nprovince = "14"\nyear = 2026\nversion = "t"\nmonitoring_line = 7000\n'
    assert parse_policy(head).deadlines["notice_days"] == 5
    longer = parse_policy(head + "[identification]\nnotice_days = 7\ntotal_days = 17\n")
    assert longer.deadlines["notice_days"] == 7 and longer.deadlines["total_days"] == 17
    assert parse_policy(head).deadlines["total_days"] == 15
    for bad in ("notice_days = 0", "notice_days = 2.5", "speed_days = 3"):
        with pytest.raises(PolicyError):
            parse_policy(head + f"[identification]\n{bad}\n")
    # the village notice runs at least 5 days; the steps fit in the whole chain's 15
    with pytest.raises(PolicyError, match="不能少于 5 天"):
        parse_policy(head + "[identification]\nnotice_days = 4\n")
    with pytest.raises(PolicyError, match="超过 total_days"):
        parse_policy(head + "[identification]\nnotice_days = 7\n")
    with pytest.raises(PolicyError, match="各环节时限之和 16 天"):
        parse_policy(head + "[identification]\nverify_days = 4\n")
