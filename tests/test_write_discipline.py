"""Every write service owns its transaction and its audit event: a call leaves exactly the audit
events it must, each naming the object written, and when any of its audit writes fails the call
raises and nothing it wrote stays in the database (its transaction is rolled back whole).

Each case is a setup that prepares the data (through the services, as the app would) and returns
a zero-argument callable doing the one write under test, with the object types of the audit
events that write must leave, in the order written."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.conf import settings
from django.utils import timezone

from bangfu.accounts.models import Role, User
from bangfu.accounts.services import user_create
from bangfu.assistance.models import MeasureKind
from bangfu.assistance.services import measure_kind_update, measure_update, plan_confirm
from bangfu.audit.models import AuditEvent
from bangfu.cases.cards import household_token, token_revoke
from bangfu.cases.evaluation import evaluation_record
from bangfu.cases.meetings import meeting_record
from bangfu.cases.models import Case, Channel, Objection, Referral, SelfDeclaration, Stage
from bangfu.cases.services import (
    case_act,
    case_bulk_act,
    declaration_handle,
    declaration_submit,
    lead_open,
    objection_add,
    objection_resolve,
    referral_answer,
    visit_record,
    warning_decide,
)
from bangfu.monitoring.models import RiskWarning
from bangfu.monitoring.services import warning_set_status
from bangfu.regions.models import Region
from bangfu.registry.models import Household
from bangfu.registry.services import reading_record, rejected_path, rejected_take
from tests.conftest import COUNTY, KEYS, VILLAGE, household_rows

pytestmark = pytest.mark.django_db

Write = Callable[[], object]
Setup = Callable[[dict[str, User], Callable[..., list[Household]]], Write]
VERIFY = {
    "findings": "户主住院，家庭收入骤减",
    "per_capita": 5200,
    "education": True,
    "medical": True,
    "housing": True,
    "water": True,
}
ALL_SECURED = {"education": True, "medical": True, "housing": True, "water": True}


# the data each write needs ----------------------------------------------------------------------
def _household(make: Callable[..., list[Household]], no: str = "H-WD") -> Household:
    (household,) = make(household_rows(no))
    return household


def _case(household: Household, stage: Stage, **fields: Any) -> Case:
    return Case.objects.create(
        household=household,
        channel=Channel.VISIT,
        stage=stage,
        risk_types=["因病"],
        due=timezone.localdate() + dt.timedelta(days=7),
        **fields,
    )


def _warning(household: Household) -> RiskWarning:
    return RiskWarning.objects.create(
        household=household,
        period="2026-10",
        rule_id="R05",
        rule_kind="medical_cost",
        rule_title="医疗自付费用过高",
        risk_types=["因病"],
        category="sudden",
        policy_version="t",
        evidence=[],
    )


def _item(kind: str, who: User) -> dict[str, Any]:
    deadline = timezone.localdate() + dt.timedelta(days=30)
    return {"kind": kind, "responsible": who.pk, "target": "年增收3000元", "deadline": deadline}


# the writes -------------------------------------------------------------------------------------
def user_create_(people: dict[str, User], make: Any) -> Write:
    village = Region.objects.get(code=VILLAGE)
    return lambda: user_create(
        username="newcomer",
        password="a-long-test-password",
        role=Role.RESPONSIBLE_PERSON,
        region=village,
        actor=people["county"],
    )


def reading_record_new(people: dict[str, User], make: Any) -> Write:
    household = _household(make)
    return lambda: reading_record(
        user=people["grid"],
        household=household,
        kind="month",
        period="2026-10",
        income=Decimal("1200"),
        production_costs=Decimal("100"),
    )


def reading_record_again(people: dict[str, User], make: Any) -> Write:
    household = _household(make)
    reading_record(
        user=people["grid"],
        household=household,
        kind="month",
        period="2026-10",
        income=Decimal("1200"),
        production_costs=Decimal("100"),
    )
    return lambda: reading_record(  # the same period again: an update of the reading
        user=people["grid"],
        household=household,
        kind="month",
        period="2026-10",
        income=Decimal("900"),
        production_costs=Decimal("50"),
        note="复核",
    )


def rejected_take_(people: dict[str, User], make: Any) -> Write:
    user = people["village"]
    path = rejected_path(user.pk, "0123abcd")
    assert path is not None
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"rejected rows")
    return lambda: rejected_take(user=user, token="0123abcd")


def lead_open_new(people: dict[str, User], make: Any) -> Write:
    household = _household(make)
    return lambda: lead_open(
        household=household, channel=Channel.VISIT, by=people["grid"], risk_types=["因病"]
    )


def lead_open_attach(people: dict[str, User], make: Any) -> Write:
    household = _household(make)
    lead_open(household=household, channel=Channel.VISIT, by=people["grid"], risk_types=["因病"])
    return lambda: lead_open(  # joins the open case, adding a risk: the case's event
        household=household, channel=Channel.VISIT, by=people["village"], risk_types=["因灾"]
    )


def visit_record_(people: dict[str, User], make: Any) -> Write:
    household = _household(make)
    return lambda: visit_record(
        user=people["grid"], household=household, note="户主住院", risk_types=["因病"]
    )


def declaration_submit_matched(people: dict[str, User], make: Any) -> Write:
    rows = household_rows("H-WD")
    make(rows)
    id_number = rows[0][KEYS.index("id_number")]
    village = Region.objects.get(code=VILLAGE)
    # found in the registry: the declaration becomes a lead, whose event (on the case) is the
    # one the public, anonymous declaration leaves
    return lambda: declaration_submit(
        village=village,
        name="测试H-WD-0",
        id_number=id_number,
        phone="13800138000",
        difficulty="因病",
        description="看病花费大",
    )


def _unmatched_declaration(make: Callable[..., list[Household]]) -> SelfDeclaration:
    _household(make)
    return declaration_submit(
        village=Region.objects.get(code=VILLAGE),
        name="张三",
        id_number="110101199003074514",  # not in the registry: waits for the village cadre
        phone="13800138000",
        difficulty="因病",
    )


def declaration_handle_link(people: dict[str, User], make: Any) -> Write:
    declaration = _unmatched_declaration(make)
    # two events: the lead's (on the case it opens) and the declaration's own
    return lambda: declaration_handle(
        user=people["village"], declaration=declaration, household_no="H-WD"
    )


def declaration_handle_reject(people: dict[str, User], make: Any) -> Write:
    declaration = _unmatched_declaration(make)
    return lambda: declaration_handle(
        user=people["village"], declaration=declaration, reject_reason="非本村户籍"
    )


def case_act_verify(people: dict[str, User], make: Any) -> Write:
    case = _case(_household(make), Stage.LEAD)
    return lambda: case_act(user=people["village"], case=case, action="verify", data=VERIFY)


def case_act_verify_referral(people: dict[str, User], make: Any) -> Write:
    case = _case(_household(make), Stage.LEAD)
    need = VERIFY | {"social_need": ["低保"], "social_figures": "月人均收入 400 元"}
    # also refers the need to civil affairs (the effect `refer_to_civil_affairs`): one event
    return lambda: case_act(user=people["village"], case=case, action="verify", data=need)


def referral_answer_(people: dict[str, User], make: Any) -> Write:
    case = _case(_household(make), Stage.VERIFIED)
    referral = Referral.objects.create(case=case, programme="低保", figures="月人均收入 400 元")
    civil = user_create(
        username="civil",
        password="a-long-test-password",
        role=Role.DEPARTMENT_OFFICER,
        region=Region.objects.get(code=COUNTY),
        department="civil",
    )
    return lambda: referral_answer(user=civil, referral=referral, accepted=True, amount="450")


def case_act_county_approve(people: dict[str, User], make: Any) -> Write:
    case = _case(_household(make), Stage.COUNTY)
    # also writes the household's category (the effect `identify`): one event, on the case
    return lambda: case_act(
        user=people["county"],
        case=case,
        action="county_approve",
        data={"category": "sudden", "risk_types": ["因病"]},
    )


def case_bulk_act_(people: dict[str, User], make: Any) -> Write:
    households = make(household_rows("H-WD1"), household_rows("H-WD2"))
    cases = [_case(h, Stage.TOWNSHIP) for h in households]
    # one event per case of the batch
    return lambda: case_bulk_act(user=people["township"], cases=cases, action="township_approve")


def objection_add_(people: dict[str, User], make: Any) -> Write:
    case = _case(_household(make), Stage.NOTICE)
    return lambda: objection_add(user=people["township"], case=case, text="收入核实有出入")


def objection_resolve_(people: dict[str, User], make: Any) -> Write:
    case = _case(_household(make), Stage.NOTICE)
    objection = objection_add(user=people["township"], case=case, text="收入核实有出入")
    objection = Objection.objects.get(pk=objection.pk)
    return lambda: objection_resolve(
        user=people["village"], objection=objection, resolution="复核无误"
    )


def warning_decide_lead(people: dict[str, User], make: Any) -> Write:
    warning = _warning(_household(make))
    # two events: the warning's (its status) and the case's (the lead it opens)
    return lambda: warning_decide(user=people["village"], warning=warning, status="lead", reason="")


def warning_decide_dismiss(people: dict[str, User], make: Any) -> Write:
    warning = _warning(_household(make))
    return lambda: warning_decide(
        user=people["village"], warning=warning, status="dismissed", reason="已核实无风险"
    )


def warning_set_status_(people: dict[str, User], make: Any) -> Write:
    warning = _warning(_household(make))
    return lambda: warning_set_status(
        user=people["village"], warning=warning, status="dismissed", reason="已核实无风险"
    )


def evaluation_record_(people: dict[str, User], make: Any) -> Write:
    case = _case(
        _household(make),
        Stage.MONITORING,
        category="edge",
        identified_on=timezone.localdate() - dt.timedelta(days=40),
    )
    return lambda: evaluation_record(
        user=people["village"], case=case, per_capita="6000", secured=ALL_SECURED
    )


def meeting_record_(people: dict[str, User], make: Any) -> Write:
    case = _case(_household(make), Stage.VERIFIED)
    village = Region.objects.get(code=VILLAGE)
    # the minutes and their decisions: one event, on the meeting
    return lambda: meeting_record(
        user=people["village"],
        village=village,
        month=timezone.localdate().strftime("%Y-%m"),
        held_on=timezone.localdate(),
        attendees="村两委、驻村工作队",
        minutes="逐户研究",
        decisions={case.pk: "本周内完成评议"},
    )


def token_revoke_(people: dict[str, User], make: Any) -> Write:
    household = _household(make)
    household_token(household=household)
    # the event names the household whose code stops working
    return lambda: token_revoke(user=people["village"], household=household)


def plan_confirm_(people: dict[str, User], make: Any) -> Write:
    case = _case(_household(make), Stage.MONITORING, category="edge")
    items = [_item("industry", people["helper"]), _item("migrant_work", people["village"])]
    # one event per measure of the plan
    return lambda: plan_confirm(user=people["village"], case=case, items=items)


def measure_update_(people: dict[str, User], make: Any) -> Write:
    case = _case(_household(make), Stage.MONITORING, category="edge")
    (measure,) = plan_confirm(
        user=people["village"], case=case, items=[_item("temporary_relief", people["helper"])]
    )
    return lambda: measure_update(
        user=people["helper"], measure=measure, status="done", amount="2000"
    )


def measure_kind_update_(people: dict[str, User], make: Any) -> Write:
    kind = MeasureKind.objects.get(code="microcredit")
    return lambda: measure_kind_update(
        user=people["county"], kind=kind, values={"name": "小额信贷（改）", "active": False}
    )


@dataclass(frozen=True)
class WriteCase:
    setup: Setup
    events: tuple[str, ...]  # the object types of the audit events it leaves, in order


CASES: dict[str, WriteCase] = {
    "user_create": WriteCase(user_create_, ("user",)),
    "reading_record/new": WriteCase(reading_record_new, ("incomereading",)),
    "reading_record/again": WriteCase(reading_record_again, ("incomereading",)),
    "rejected_take": WriteCase(rejected_take_, ("import",)),
    "lead_open/new": WriteCase(lead_open_new, ("case",)),
    "lead_open/attach": WriteCase(lead_open_attach, ("case",)),
    "visit_record": WriteCase(visit_record_, ("case",)),
    "declaration_submit/matched": WriteCase(declaration_submit_matched, ("case",)),
    "declaration_handle/link": WriteCase(declaration_handle_link, ("case", "selfdeclaration")),
    "declaration_handle/reject": WriteCase(declaration_handle_reject, ("selfdeclaration",)),
    "case_act/verify": WriteCase(case_act_verify, ("case",)),
    "case_act/verify with a referral": WriteCase(case_act_verify_referral, ("case",)),
    "referral_answer": WriteCase(referral_answer_, ("referral",)),
    "case_act/county_approve": WriteCase(case_act_county_approve, ("case",)),
    "case_bulk_act": WriteCase(case_bulk_act_, ("case", "case")),
    "objection_add": WriteCase(objection_add_, ("objection",)),
    "objection_resolve": WriteCase(objection_resolve_, ("objection",)),
    "warning_decide/lead": WriteCase(warning_decide_lead, ("riskwarning", "case")),
    "warning_decide/dismiss": WriteCase(warning_decide_dismiss, ("riskwarning",)),
    "warning_set_status": WriteCase(warning_set_status_, ("riskwarning",)),
    "evaluation_record": WriteCase(evaluation_record_, ("evaluation",)),
    "meeting_record": WriteCase(meeting_record_, ("meeting",)),
    "token_revoke": WriteCase(token_revoke_, ("household",)),
    "plan_confirm": WriteCase(plan_confirm_, ("measure", "measure")),
    "measure_update": WriteCase(measure_update_, ("measure",)),
    "measure_kind_update": WriteCase(measure_kind_update_, ("measurekind",)),
}
# each audit write of each write, in turn, fails
FAILURES = [(name, n) for name, case in CASES.items() for n in range(1, len(case.events) + 1)]


# what the database (and the rejected-rows folder) holds -------------------------------------
def snapshot() -> dict[str, Any]:
    """Every row of every table, and the files the registry keeps for download: a failed
    write must leave all of it as it was."""
    state: dict[str, Any] = {
        model._meta.label: list(model._base_manager.order_by("pk").values_list())
        for model in apps.get_models()
        if model._meta.managed and not model._meta.proxy
    }
    rejected = Path(settings.HOME) / "rejected"
    state["files:rejected"] = sorted(str(p) for p in rejected.rglob("*") if p.is_file())
    return state


def changed(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    return [name for name in before if before[name] != after[name]]


def fail_audit(monkeypatch: pytest.MonkeyPatch, at: int) -> list[int]:
    """Let the first `at - 1` audit events be written, and refuse the `at`-th, whichever way
    it is written (one save, or a bulk insert). Returns the running count of events seen."""
    seen = [0]
    save, bulk_create = AuditEvent.save, AuditEvent.objects.bulk_create

    def refuse(events: int) -> None:
        first = seen[0] + 1
        seen[0] += events
        if first <= at <= seen[0]:
            raise RuntimeError("audit write refused")

    def failing_save(self: AuditEvent, *args: Any, **kwargs: Any) -> None:
        refuse(1)
        save(self, *args, **kwargs)

    def failing_bulk_create(objs: Any, *args: Any, **kwargs: Any) -> list[AuditEvent]:
        objs = list(objs)
        refuse(len(objs))
        return bulk_create(objs, *args, **kwargs)

    monkeypatch.setattr(AuditEvent, "save", failing_save)
    monkeypatch.setattr(AuditEvent.objects, "bulk_create", failing_bulk_create)
    return seen


MODELS = {m._meta.model_name: m for m in apps.get_models()}


@pytest.mark.parametrize("name", list(CASES))
def test_a_write_leaves_its_audit_events(name: str, people, make_households) -> None:
    case = CASES[name]
    write = case.setup(people, make_households)
    last = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    before = AuditEvent.objects.count()
    write()
    assert AuditEvent.objects.count() - before == len(case.events)
    new = list(AuditEvent.objects.filter(pk__gt=last).order_by("pk"))
    assert tuple(e.object_type for e in new) == case.events
    for event in new:  # each names an object that exists (an import is named by its token)
        model = MODELS.get(event.object_type)
        if model is not None:
            assert model._base_manager.filter(pk=event.object_id).exists(), event
        assert event.region_code, event


@pytest.mark.parametrize(("name", "at"), FAILURES, ids=[f"{n}-audit{i}" for n, i in FAILURES])
def test_a_write_whose_audit_fails_leaves_nothing(
    name: str, at: int, people, make_households, monkeypatch: pytest.MonkeyPatch
) -> None:
    write = CASES[name].setup(people, make_households)
    before = snapshot()
    seen = fail_audit(monkeypatch, at)
    with pytest.raises(RuntimeError, match="audit write refused"):
        write()
    assert seen[0] == at  # it failed at that event, and wrote no other after it
    monkeypatch.undo()
    assert changed(before, snapshot()) == []
