"""A refused form comes back (400) with what was typed and every field's error beside its
field: the public self-declaration and a responsible person's measure update."""

import datetime as dt
import html as htmllib
import re

import pytest
from django.urls import reverse

from bangfu.assistance.models import Measure, MeasureKind, MeasureStatus
from bangfu.audit.models import AuditEvent
from bangfu.cases.models import Case, Channel, SelfDeclaration, Stage
from tests.conftest import VILLAGE, household_rows

pytestmark = pytest.mark.django_db


def field_errors(page: str, field_id: str) -> list[str]:
    """The errors Django renders beside one field (its `<ul class="errorlist" id=...>`)."""
    found = re.search(rf'<ul class="errorlist" id="{field_id}_error">(.*?)</ul>', page, re.S)
    return (
        [htmllib.unescape(e) for e in re.findall(r"<li>(.*?)</li>", found.group(1))]
        if found
        else []
    )


def test_a_refused_declaration_keeps_what_was_typed_and_says_why_per_field(client, db):
    typed = {
        "name": "",
        "id_number": "14012319700517",
        "phone": "139-12",
        "difficulty": "",
        "description": "房子漏雨，住不了人",
    }
    r = client.post(reverse("declare", args=[VILLAGE]), typed)
    assert r.status_code == 400
    page = r.content.decode()
    assert field_errors(page, "id_name") == ["这个字段是必填项。"]
    assert field_errors(page, "id_id_number") == ["身份证号应为18位：前17位数字，最后一位为数字或X"]
    assert field_errors(page, "id_phone") == ["手机号应为11位数字"]
    assert field_errors(page, "id_difficulty") == ["这个字段是必填项。"]
    # what was typed is still there, to correct rather than type again
    assert 'value="14012319700517"' in page and 'value="139-12"' in page
    assert "房子漏雨，住不了人</textarea>" in page
    assert "no-store" in r["Cache-Control"]  # it holds an ID number: never cached
    assert not SelfDeclaration.objects.exists()


def test_a_declaration_refused_by_the_check_digit_says_so_beside_the_number(client, db):
    typed = {
        "name": "李四",
        "id_number": "14012319700517001X",
        "phone": "13800000000",
        "difficulty": "因病",
    }
    r = client.post(reverse("declare", args=[VILLAGE]), typed)
    page = r.content.decode()
    assert r.status_code == 400
    assert field_errors(page, "id_id_number") == ["身份证号校验位错误"]
    assert field_errors(page, "id_phone") == [] and field_errors(page, "id_name") == []
    assert 'value="李四"' in page and 'value="13800000000"' in page
    assert '<option value="因病" selected>' in page


@pytest.fixture
def tasks(people, make_households):
    """Two measures the helper carries for one monitored household of 官庄村: a cash one
    (industry, an amount when done) and a job (where they work)."""
    (home,) = make_households(household_rows("FK-1"))
    case = Case.objects.create(
        household=home, channel=Channel.VISIT, stage=Stage.MONITORING, category="sudden"
    )

    def measure(code: str) -> Measure:
        return Measure.objects.create(
            case=case,
            kind=MeasureKind.objects.get(code=code),
            responsible=people["helper"],
            target=f"目标{code}",
            deadline=dt.date(2027, 3, 31),
            created_by=people["village"],
        )

    return measure("industry"), measure("migrant_work")


def test_a_refused_measure_update_keeps_the_input_beside_its_field(client, people, tasks):
    industry, job = tasks
    client.force_login(people["helper"])
    events = AuditEvent.objects.count()
    # done needs a positive amount: 0 is refused beside the amount, the note typed is kept
    r = client.post(
        reverse("measure_update", args=[industry.pk]),
        {"status": "done", "amount": "0", "text": "种了三亩花椒"},
    )
    assert r.status_code == 400
    page = r.content.decode()
    p = f"m{industry.pk}_"
    assert field_errors(page, f"{p}amount") == ["金额应大于零"]
    assert f'id="{p}amount"' in page and 'value="0"' in page and 'value="种了三亩花椒"' in page
    assert '<option value="done" selected>' in page
    # the other row's form is fresh, and the household is named by its head
    assert f'id="m{job.pk}_text"' in page and "测试FK-1-0" in page and "FK-1" in page
    # a malformed amount and a cancellation without a reason, each beside its own field
    r = client.post(
        reverse("measure_update", args=[industry.pk]), {"status": "done", "amount": "12.345"}
    )
    assert field_errors(r.content.decode(), f"{p}amount") == ["金额最多保留两位小数"]
    r = client.post(reverse("measure_update", args=[job.pk]), {"status": "cancelled", "text": ""})
    assert r.status_code == 400
    assert field_errors(r.content.decode(), f"m{job.pk}_text") == ["取消措施必须说明理由"]
    r = client.post(reverse("measure_update", args=[job.pk]), {"status": "planned"})
    assert r.status_code == 400 and field_errors(r.content.decode(), f"m{job.pk}_status")
    industry.refresh_from_db()
    job.refresh_from_db()
    assert industry.status == job.status == MeasureStatus.PLANNED
    assert AuditEvent.objects.count() == events  # nothing was recorded
    # and a valid update goes through, back to the tasks
    r = client.post(
        reverse("measure_update", args=[job.pk]), {"status": "done", "text": "太原某厂"}
    )
    assert r.status_code == 302
    job.refresh_from_db()
    assert job.status == MeasureStatus.DONE and job.outcome_text == "太原某厂"


def test_the_tasks_page_names_households_by_their_heads_in_few_queries(
    client, people, tasks, django_assert_max_num_queries
):
    client.force_login(people["helper"])
    with django_assert_max_num_queries(12):
        r = client.get(reverse("my_tasks"))
    page = r.content.decode()
    assert r.status_code == 200
    assert page.count('<a href="/households/FK-1/">测试FK-1-0</a>') == 2


def test_a_refused_case_action_comes_back_on_the_case_page_as_typed(
    client, people, make_households
):
    """The village cadre's home verification with no income: the case page again (400), the
    findings as typed, the income's error beside its field, and the case still a lead."""
    (home,) = make_households(household_rows("FK-2"))
    case = Case.objects.create(household=home, channel=Channel.VISIT, stage=Stage.LEAD)
    client.force_login(people["village"])
    typed = {
        "verify-findings": "房屋后墙开裂，雨季漏水",
        "verify-per_capita": "",
        "verify-food": "on",
    }
    r = client.post(reverse("case_act", args=[case.pk, "verify"]), typed)
    assert r.status_code == 400
    page = r.content.decode()
    assert "房屋后墙开裂，雨季漏水</textarea>" in page
    assert field_errors(page, "id_verify-per_capita") == ["请填写核实的家庭年人均纯收入（元）"]
    assert field_errors(page, "id_verify-findings") == []
    assert 'name="verify-food" id="id_verify-food" checked' in page
    case.refresh_from_db()
    assert case.stage == Stage.LEAD and not case.steps.exists()
