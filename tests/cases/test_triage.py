"""Deciding all of a household's new warnings at once (cases/triage.py): every new warning of
each chosen household, each audited, leads as signals on the household's one case; all or
nothing."""

import pytest

from bangfu.audit.models import AuditEvent
from bangfu.cases.models import Case, Channel, Signal, Stage
from bangfu.cases.triage import warning_decide_with_household, warnings_decide_for_households
from bangfu.core.errors import Conflict, NotFound, Refused
from bangfu.monitoring.models import RiskWarning, WarningStatus
from tests.conftest import NEIGHBOUR, household_rows, housing_warning

pytestmark = pytest.mark.django_db


def second_warning(household, status=WarningStatus.NEW, period="2026-11"):
    return RiskWarning.objects.create(
        household=household,
        period=period,
        rule_id="R14",
        rule_kind="not_insured",
        rule_title="未参加基本医疗保险",
        risk_types=["因病"],
        category="edge",
        policy_version="t",
        evidence=[],
        status=status,
    )


@pytest.fixture
def homes(make_households):
    a, b, theirs = make_households(
        household_rows("1401231002068001"),
        household_rows("1401231002068002"),
        household_rows("1401231002078001", village=NEIGHBOUR),
    )
    for h in (a, b, theirs):
        housing_warning(h)
        second_warning(h)
    return {"a": a, "b": b, "theirs": theirs}


def test_leads_for_each_household_with_all_their_new_warnings(people, homes):
    a, b = homes["a"], homes["b"]
    old = second_warning(a, period="2026-09")  # an older period's warning left open
    done = second_warning(b, status=WarningStatus.DISMISSED, period="2026-08")
    decisions = warnings_decide_for_households(
        user=people["village"], household_ids=[b.pk, a.pk, a.pk], status="lead", reason="入户"
    )
    assert [d.household for d in decisions] == [a, b]
    assert [len(d.warnings) for d in decisions] == [3, 2]
    assert all(d.opened and d.case is not None for d in decisions)
    assert decisions[0].case.stage == Stage.LEAD and decisions[0].case.household == a
    assert RiskWarning.objects.get(pk=old.pk).status == WarningStatus.LEAD
    assert RiskWarning.objects.get(pk=done.pk).status == WarningStatus.DISMISSED  # untouched
    assert Signal.objects.filter(case=decisions[0].case, channel=Channel.WARNING).count() == 3
    decided = RiskWarning.objects.filter(household__in=[a, b], status=WarningStatus.LEAD)
    events = AuditEvent.objects.filter(object_type="riskwarning")
    assert set(events.values_list("object_id", flat=True)) == {str(w.pk) for w in decided}
    assert not RiskWarning.objects.filter(household=homes["theirs"]).exclude(status="new")


def test_leads_join_a_household_case_already_open(people, homes):
    a = homes["a"]
    case = Case.objects.create(household=a, channel=Channel.VISIT, stage=Stage.LEAD)
    (decision,) = warnings_decide_for_households(
        user=people["village"], household_ids=[a.pk], status="lead", reason=""
    )
    assert decision.case == case and not decision.opened
    assert Case.objects.filter(household=a).count() == 1
    assert Signal.objects.filter(case=case).count() == 2


def test_a_dismissal_needs_a_reason_and_leaves_no_case(people, homes):
    a = homes["a"]
    with pytest.raises(Refused, match="理由"):
        warnings_decide_for_households(
            user=people["village"], household_ids=[a.pk], status="dismissed", reason="  "
        )
    (decision,) = warnings_decide_for_households(
        user=people["village"], household_ids=[a.pk], status="dismissed", reason="已核实无风险"
    )
    assert decision.case is None and not decision.opened
    assert set(RiskWarning.objects.filter(household=a).values_list("status", "status_reason")) == {
        ("dismissed", "已核实无风险")
    }
    assert not Case.objects.exists()


def test_any_refusal_refuses_every_household(people, homes):
    a, b, theirs = homes["a"], homes["b"], homes["theirs"]
    with pytest.raises(Refused, match="不在您所辖区域内"):
        warnings_decide_for_households(
            user=people["village"], household_ids=[a.pk, theirs.pk], status="lead", reason=""
        )
    RiskWarning.objects.filter(household=b).update(status=WarningStatus.ATTACHED)
    with pytest.raises(Conflict, match=f"户 {b.household_no}：没有待处理的预警"):
        warnings_decide_for_households(
            user=people["village"], household_ids=[a.pk, b.pk], status="lead", reason=""
        )
    with pytest.raises(Refused, match="请至少选择一户"):
        warnings_decide_for_households(
            user=people["village"], household_ids=[], status="lead", reason=""
        )
    with pytest.raises(Refused):
        warnings_decide_for_households(
            user=people["village"], household_ids=[a.pk], status="attached", reason=""
        )
    assert RiskWarning.objects.filter(household=a, status="new").count() == 2
    assert not Case.objects.exists() and not AuditEvent.objects.filter(object_type="riskwarning")


def test_roles_that_may_not_decide_are_answered_not_found(people, homes):
    for who in ("grid", "helper", "auditor", "dept"):
        with pytest.raises(NotFound):
            warnings_decide_for_households(
                user=people[who], household_ids=[homes["a"].pk], status="lead", reason=""
            )
    # the township decides for its villages, the neighbouring village not for 官庄村
    warnings_decide_for_households(
        user=people["township"],
        household_ids=[homes["a"].pk, homes["theirs"].pk],
        status="lead",
        reason="",
    )
    with pytest.raises(Refused):
        warnings_decide_for_households(
            user=people["neighbour"], household_ids=[homes["b"].pk], status="lead", reason=""
        )


def test_the_warning_pages_decision_takes_the_households_other_new_warnings(people, homes):
    a = homes["a"]
    housing = RiskWarning.objects.get(household=a, rule_id="R07")
    decision = warning_decide_with_household(
        user=people["village"], warning=housing, status="lead", reason=""
    )
    assert {w.rule_id for w in decision.warnings} == {"R07", "R14"} and decision.opened
    housing.refresh_from_db()
    with pytest.raises(Conflict, match="已处理"):
        warning_decide_with_household(
            user=people["village"], warning=housing, status="dismissed", reason="x"
        )
