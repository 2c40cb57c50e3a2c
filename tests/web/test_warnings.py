import pytest
from django.urls import reverse

from bangfu.audit.models import AuditEvent
from bangfu.monitoring.models import RiskWarning
from bangfu.monitoring.services import monitor_run
from tests.conftest import KEYS, NEIGHBOUR, household_rows

pytestmark = pytest.mark.django_db


def poor(no, village="140123100206"):
    rows = household_rows(
        no, village=village, year=2025, wage=3000, business=2000, production_costs=500
    )
    rows[1][KEYS.index("medical_insured")] = "否"
    return rows


@pytest.fixture
def warned(settings, tmp_path, make_households):
    settings.HOME = tmp_path
    make_households(poor("1401231002060001"), poor("1401231002070001", village=NEIGHBOUR))
    monitor_run(period="2026-10")
    return {
        "mine": RiskWarning.objects.get(household__household_no="1401231002060001", rule_id="R01"),
        "theirs": RiskWarning.objects.get(
            household__household_no="1401231002070001", rule_id="R01"
        ),
        "insurance": RiskWarning.objects.get(
            household__household_no="1401231002060001", rule_id="R14"
        ),
    }


def test_list_is_scoped_and_filterable(client, people, warned):
    client.force_login(people["village"])
    r = client.get(reverse("warnings"))
    shown = {w.pk for w in r.context["page"].object_list}
    assert warned["mine"].pk in shown and warned["theirs"].pk not in shown
    r = client.get(reverse("warnings"), {"rule": "R14"})
    assert {w.rule_id for w in r.context["page"].object_list} == {"R14"}
    r = client.get(reverse("warnings"), {"risk": "因病"})
    assert {w.rule_id for w in r.context["page"].object_list} == {"R14"}
    client.force_login(people["township"])
    r = client.get(reverse("warnings"), {"village": NEIGHBOUR})
    assert {w.household.village_id for w in r.context["page"].object_list} == {NEIGHBOUR}


def test_detail_shows_evidence_and_clause_and_is_scoped(client, people, warned):
    client.force_login(people["village"])
    page = client.get(reverse("warning", args=[warned["mine"].pk])).content.decode()
    assert "人均纯收入低于监测范围" in page and "监测范围（元）" in page
    assert "1500.00" in page and "7300.00" in page  # (3000 + 2000 - 500) / 3
    assert "家庭年人均纯收入低于当年监测范围" in page  # the policy clause
    page = client.get(reverse("warning", args=[warned["insurance"].pk])).content.decode()
    assert "测试1401231002060001-1" in page and "**********" in page  # member named, ID masked
    assert client.get(reverse("warning", args=[warned["theirs"].pk])).status_code == 404


def test_dismiss_needs_a_reason_and_a_lead_is_handed_over(client, people, warned):
    client.force_login(people["village"])
    url = reverse("warning_status", args=[warned["mine"].pk])
    r = client.post(url, {"status": "dismissed", "reason": ""})
    assert r.status_code == 400 and "理由" in r.content.decode()
    r = client.post(url, {"status": "lead", "reason": "入户核查"})
    assert r.status_code == 302
    w = RiskWarning.objects.get(pk=warned["mine"].pk)
    assert (w.status, w.status_by) == ("lead", people["village"])
    assert AuditEvent.objects.filter(object_type="riskwarning", object_id=str(w.pk)).exists()
    r = client.post(url, {"status": "dismissed", "reason": "again"})
    assert r.status_code == 400  # already handled


def test_only_cadres_in_scope_can_act(client, people, warned):
    url = reverse("warning_status", args=[warned["mine"].pk])
    for who in ("grid", "helper", "auditor", "neighbour"):
        client.force_login(people[who])
        assert client.post(url, {"status": "lead", "reason": "x"}).status_code == 404
    assert RiskWarning.objects.get(pk=warned["mine"].pk).status == "new"
