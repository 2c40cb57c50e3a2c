"""Through the web pages, as each role: a department warning becomes a lead, goes up the chain
and ends in monitoring; illegal and out-of-scope actions are refused. The public
self-declaration page never shows back what was typed and is rate-limited."""

import datetime as dt

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from bangfu.cases.models import Case, Channel, DeclarationStatus, SelfDeclaration, Stage
from bangfu.monitoring.models import RiskWarning
from bangfu.registry.models import Household
from tests.conftest import KEYS, VILLAGE, household_rows, person_id

pytestmark = pytest.mark.django_db


@pytest.fixture
def warned(make_households):
    (household,) = make_households(household_rows("H-WEB"))
    warning = RiskWarning.objects.create(
        household=household,
        period="2026-10",
        rule_id="R05",
        rule_kind="medical_burden",
        rule_title="医疗自付费用过高",
        risk_types=["因病", "收入骤减或支出骤增"],
        category="sudden",
        policy_version="t",
        evidence=[{"value": 24000, "reference": 30000, "detail": "M1", "source": "medical"}],
    )
    return household, warning


def as_(client, user):
    client.force_login(user)
    return client


def act(client, case, action, **fields):
    data = {f"{action}-{k}": v for k, v in fields.items()}
    return client.post(reverse("case_act", args=[case.pk, action]), data, follow=True)


def test_from_a_department_warning_to_monitoring_through_the_pages(client, people, warned):
    household, warning = warned
    c = as_(client, people["village"])
    c.post(reverse("warning_status", args=[warning.pk]), {"status": "lead", "reason": "核实"})
    case = Case.objects.get(household=household)
    assert case.channel == Channel.WARNING and case.risk_types == warning.risk_types
    page = c.get(reverse("case", args=[case.pk])).content.decode()
    assert "登记入户核查结果" in page and "R05 医疗自付费用过高" in page

    # the township cannot verify; a neighbouring village cannot even see the case
    as_(client, people["township"])
    r = act(client, case, "verify", findings="x", per_capita="1", visited_on="2026-11-01")
    assert "只有村干部" in r.content.decode()
    as_(client, people["neighbour"])
    assert client.get(reverse("case", args=[case.pk])).status_code == 404
    assert act(client, case, "verify", findings="x", per_capita="1").status_code == 404

    as_(client, people["village"])
    act(
        client,
        case,
        "verify",
        findings="户主住院",
        per_capita="5200",
        education="on",
        medical="on",
        housing="on",
        also_serves="医疗救助",
        visited_on="2026-11-01",
    )
    act(client, case, "appraise", meeting_on="2026-11-03", attendees="村两委、村民代表")
    act(client, case, "publish")
    case.refresh_from_db()
    assert case.stage == Stage.NOTICE
    r = act(client, case, "close_notice")
    assert "期满后方可报乡镇审核" in r.content.decode()
    # the notice period passes
    Case.objects.filter(pk=case.pk).update(notice_ends=timezone.localdate() - dt.timedelta(1))
    act(client, case, "close_notice")
    as_(client, people["township"])
    act(client, case, "township_approve", note="同意")
    as_(client, people["county"])
    batch_page = client.get(reverse("case_batch")).content.decode()
    assert household.household_no in batch_page
    client.post(reverse("case_batch"), {"case": [case.pk], "note": "县级审定"})
    case.refresh_from_db()
    household.refresh_from_db()
    # the warning suggested 突发严重困难, but the verified income (5,200) is within the range:
    # an ordinary household within the range is 边缘易致贫 (the guidance's definitions)
    assert case.stage == Stage.MONITORING and household.category == "edge"
    assert [s.by.username for s in case.steps.all()] == [
        "village",
        "village",
        "village",
        "village",
        "township",
        "county",
    ]
    assert case.steps.last().batch
    trail = client.get(reverse("case", args=[case.pk])).content.decode()
    assert "户主住院" in trail and "监测帮扶中" in trail


def test_visit_opens_a_lead_or_joins_the_open_case(client, people, warned):
    household, _ = warned
    as_(client, people["grid"])
    r = client.post(
        reverse("visit_add", args=[household.household_no]),
        {"note": "家中房屋受损", "risk_types": ["因灾"]},
    )
    case = Case.objects.get(household=household)
    assert r.status_code == 302 and case.channel == Channel.VISIT
    as_(client, people["village"])
    client.post(reverse("visit_add", args=[household.household_no]), {"note": "复访"})
    assert Case.objects.filter(household=household).count() == 1
    assert case.signals.count() == 2
    as_(client, people["county"])  # the county does not record visits
    client.post(reverse("visit_add", args=[household.household_no]), {"note": "x"})
    assert case.signals.count() == 2


def test_overdue_page_lists_the_villages_late_steps_for_the_township(client, people, warned):
    household, _ = warned
    as_(client, people["grid"])
    client.post(reverse("visit_add", args=[household.household_no]), {"note": "走访"})
    Case.objects.update(due=timezone.localdate() - dt.timedelta(days=2))
    as_(client, people["township"])
    assert household.household_no in client.get(reverse("case_overdue")).content.decode()
    as_(client, people["other_township"])
    assert household.household_no not in client.get(reverse("case_overdue")).content.decode()


def declare(client, **values):
    data = {"name": "王小明", "phone": "13912345678", "difficulty": "因病", "description": "住院"}
    return client.post(reverse("declare", args=[VILLAGE]), data | values)


def test_self_declaration_of_a_registered_person_becomes_a_lead_and_echoes_nothing(
    client, make_households
):
    cache.clear()
    rows = household_rows("H-SELF")
    make_households(rows)
    number = rows[0][KEYS.index("id_number")]
    assert "自主申报" in client.get(reverse("declare", args=[VILLAGE])).content.decode()
    r = declare(client, id_number=number, name="测试H-SELF-0")
    body = r.content.decode()
    assert r.status_code == 200 and "受理编号" in body
    for secret in (number, "13912345678", "测试H-SELF-0", number[-6:]):
        assert secret not in body
    case = Case.objects.get(household=Household.objects.get(household_no="H-SELF"))
    assert case.channel == Channel.SELF and case.risk_types == ["因病"]
    d = SelfDeclaration.objects.get()
    assert d.status == DeclarationStatus.MATCHED and number not in d.id_enc


def test_self_declaration_refuses_bad_input_keeping_it_and_is_rate_limited(client, db):
    cache.clear()
    valid = person_id()
    wrong = valid[:17] + ("0" if valid[17] != "0" else "1")  # the check digit off
    r = declare(client, id_number=wrong)
    body = r.content.decode()
    # back to the one who typed it, to correct rather than type again, and never cached
    assert r.status_code == 400 and "校验" in body and f'value="{wrong}"' in body
    assert 'value="王小明"' in body and "no-store" in r["Cache-Control"]
    assert not SelfDeclaration.objects.exists()
    good = "11010519491231002X"
    for _ in range(9):  # the refused attempt above counted too (10 an hour)
        assert declare(client, id_number=good).status_code == 200
    assert declare(client, id_number=good).status_code == 429
    assert SelfDeclaration.objects.count() == 9
    assert client.get(reverse("declare", args=["140123100000"])).status_code == 404  # a township


def test_unmatched_declaration_waits_for_the_village_cadre_masked(client, people, make_households):
    cache.clear()
    (household,) = make_households(household_rows("H-LINK"))
    declare(client, id_number="11010519491231002X")
    d = SelfDeclaration.objects.get()
    assert d.status == DeclarationStatus.NEW and not Case.objects.exists()
    as_(client, people["neighbour"])
    assert "王小明" not in client.get(reverse("declarations")).content.decode()
    as_(client, people["village"])
    page = client.get(reverse("declarations")).content.decode()
    assert "王**" in page and "139****5678" in page and "王小明" not in page
    client.post(reverse("declarations"), {"declaration": d.pk, "household_no": "H-LINK"})
    d.refresh_from_db()
    assert d.status == DeclarationStatus.MATCHED
    assert Case.objects.get(household=household).channel == Channel.SELF


def test_a_phone_number_typed_in_fullwidth_digits_is_kept_as_ascii(client, make_households):
    from bangfu.core.crypto import decrypt

    rows = household_rows("H-WIDE")
    make_households(rows)
    r = declare(
        client, id_number=rows[0][KEYS.index("id_number")], phone="１３９ １２３４ ５６７８"
    )
    assert r.status_code == 200
    assert decrypt(SelfDeclaration.objects.get().phone_enc) == "13912345678"
