"""Messages made in Python code follow the user's language: in Chinese by default, in English
when English is active. What is kept as data (audit notes, the values a cell may hold) stays in
Chinese whatever the language."""

import datetime as dt

import pytest
from django.utils import translation

from bangfu.audit.models import AuditEvent
from bangfu.cases.models import Channel
from bangfu.cases.services import case_act, lead_open
from bangfu.core.errors import Forbidden, Refused
from bangfu.core.tabular.parsing import CellError, parse_cell
from bangfu.registry.columns import COLUMNS
from tests.conftest import household_rows

D = dt.date(2026, 11, 2)
VERIFY = {"findings": "户主住院", "per_capita": 5200}
COLUMN = {c.key: c for c in COLUMNS}


@pytest.fixture
def case(make_households, people):
    (household,) = make_households(household_rows("H-EN"))
    opened, _ = lead_open(household=household, channel=Channel.VISIT, by=people["grid"], today=D)
    return opened


def refusal(**kwargs):
    with pytest.raises(Refused) as caught:
        case_act(today=D, **kwargs)
    return caught.value


@pytest.mark.django_db
def test_a_refusal_at_the_wrong_stage_is_in_the_users_language(case, people):
    wrong_stage = {"user": people["county"], "case": case, "action": "county_approve"}
    assert str(refusal(**wrong_stage)) == "本案当前环节为“待入户核查”，不能“县级审定：纳入监测”"
    with translation.override("en"):
        assert str(refusal(**wrong_stage)) == (
            "This case is at the stage “Awaiting home verification”: "
            "“County decision: into monitoring” is not possible"
        )


@pytest.mark.django_db
def test_a_refusal_for_the_wrong_role_is_in_the_users_language(case, people):
    wrong_role = {"user": people["grid"], "case": case, "action": "verify", "data": VERIFY}
    exc = refusal(**wrong_role)
    assert isinstance(exc, Forbidden)
    assert str(exc) == "只有村干部/驻村工作队可以“登记入户核查结果”"
    with translation.override("en"):
        assert str(refusal(**wrong_role)) == (
            "Only the role “Village cadre / resident work team” may take the step "
            "“Record the home-visit findings”"
        )


@pytest.mark.django_db
def test_the_audit_note_stays_chinese_when_the_user_works_in_english(case, people):
    with translation.override("en"):
        case_act(user=people["village"], case=case, action="verify", data=VERIFY, today=D)
    notes = list(
        AuditEvent.objects.filter(object_type="case", object_id=str(case.pk))
        .order_by("pk")
        .values_list("note", flat=True)
    )
    assert notes == ["线索（干部走访/网格排查）", "登记入户核查结果"]


def cell_error(key, text):
    with pytest.raises(CellError) as caught:
        parse_cell(COLUMN[key], text, today=D)
    return str(caught.value)


def test_a_cell_error_is_in_the_users_language():
    assert cell_error("wage", "一万") == "应为金额（元），如 12000 或 12000.50"
    with translation.override("en"):
        assert cell_error("wage", "一万") == "Must be an amount in yuan, e.g. 12000 or 12000.50"


def test_the_values_a_cell_may_hold_stay_as_typed_in_the_file():
    assert cell_error("sex", "M") == "应填“男”或“女”"
    assert cell_error("relation", "父亲").startswith("应为以下之一：户主、配偶、")
    with translation.override("en"):
        assert cell_error("sex", "M") == "Must be “男” (male) or “女” (female)"
        assert cell_error("relation", "父亲").startswith("Must be one of: 户主, 配偶, ")


def test_department_feeds_and_their_jobs_are_named_in_english(client, people):
    client.force_login(people["county"])
    client.cookies["django_language"] = "en"
    page = client.get("/import/feeds/").content.decode()
    assert "Medical insurance settlements（Medical Security Bureau）" in page
    assert "医保结算" not in page
    client.cookies["django_language"] = "zh-hans"
    assert "医保结算（医疗保障局）" in client.get("/import/feeds/").content.decode()


def test_risk_types_are_shown_in_the_readers_language():
    from django.utils import translation

    from bangfu.web.templatetags.bangfu import risks

    assert risks(["因病", "因学"]) == "因病、因学"
    assert risks([]) == "—"
    with translation.override("en"):
        assert risks(["因病", "因学"]) == "Illness, Schooling costs"
