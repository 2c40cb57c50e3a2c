"""The JSON API: tokens, the same region scope and refusals as the pages, masked ID numbers
with audited unmasking, pagination, a constant number of queries per list, and an OpenAPI
document that describes it."""

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bangfu.api.models import ApiToken
from bangfu.audit.models import AuditEvent
from bangfu.cases.cards import household_token, signed
from bangfu.cases.models import Case, Channel, Stage
from bangfu.core.crypto import decrypt
from bangfu.monitoring.models import RiskWarning
from tests.conftest import NEIGHBOUR, VILLAGE, household_rows

pytestmark = pytest.mark.django_db


def bearer(user):
    _, token = ApiToken.issue(user=user)
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


@pytest.fixture
def homes(make_households):
    return make_households(
        *[household_rows(f"H-A{i}") for i in range(6)], household_rows("H-FAR", NEIGHBOUR)
    )


def test_no_token_no_data_and_revoked_tokens_stop(client, people, homes):
    assert client.get("/api/v1/households").status_code == 401
    assert client.get("/api/v1/households", HTTP_AUTHORIZATION="Bearer nope").status_code == 401
    auth = bearer(people["village"])
    assert client.get("/api/v1/households", **auth).status_code == 200
    ApiToken.objects.update(revoked_at="2026-01-01T00:00:00Z")
    assert client.get("/api/v1/households", **auth).status_code == 401


def test_token_command_prints_a_working_token(client, people, capsys):
    call_command("token", "create", "village")
    token = capsys.readouterr().out.strip()
    assert token.startswith("bf_") and not ApiToken.objects.filter(key_hash=token).exists()
    r = client.get("/api/v1/households", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert r.status_code == 200


def test_households_are_scoped_paginated_and_masked(client, people, homes):
    auth = bearer(people["village"])
    body = client.get("/api/v1/households", **auth).json()
    assert body["count"] == 6 and {h["village"] for h in body["items"]} == {VILLAGE}
    page2 = client.get("/api/v1/households", {"page": 2}, **auth).json()
    assert page2["items"] == []  # 50 to a page
    assert client.get("/api/v1/households/H-FAR", **auth).status_code == 404
    detail = client.get("/api/v1/households/H-A0", **auth).json()
    member = detail["members"][0]
    number = decrypt(homes[0].members.get(pk=member["id"]).id_enc)
    assert number not in str(detail) and member["id_masked"].endswith(number[-4:])
    unmasked = client.post(f"/api/v1/households/H-A0/members/{member['id']}/id-number", **auth)
    assert unmasked.json() == {"id_number": number}
    assert AuditEvent.objects.filter(object_type="member", object_id=str(member["id"])).exists()
    grid = bearer(people["helper"])  # a responsible person may not unmask (and sees nothing here)
    assert (
        client.post(f"/api/v1/households/H-A0/members/{member['id']}/id-number", **grid).status_code
        == 404
    )


def test_lists_take_a_constant_number_of_queries(client, people, make_households):
    auth = bearer(people["county"])

    def queries(path):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(path, **auth).status_code == 200
        return len(ctx.captured_queries)

    def add(prefix, n):
        for h in make_households(*[household_rows(f"{prefix}{i}") for i in range(n)]):
            Case.objects.create(household=h, channel=Channel.VISIT, stage=Stage.LEAD)
            RiskWarning.objects.create(
                household=h,
                period="2026-11",
                rule_id="R01",
                rule_kind="income_below_line",
                rule_title="低收入",
                risk_types=["其他"],
                category="edge",
                policy_version="t",
                evidence=[],
            )

    add("H-Q", 2)
    client.get("/api/v1/regions", **auth)  # the token's first use is recorded (a write) once
    few = {p: queries(p) for p in ("/api/v1/households", "/api/v1/cases", "/api/v1/warnings")}
    add("H-QQ", 8)
    many = {p: queries(p) for p in few}
    assert many == few


def test_case_actions_go_through_the_same_rules(client, people, homes):
    case = Case.objects.create(household=homes[0], channel=Channel.VISIT, stage=Stage.LEAD)
    data = {"findings": "属实", "per_capita": 5000, "education": True}
    r = client.post(
        f"/api/v1/cases/{case.pk}/actions/verify",
        {"data": data},
        content_type="application/json",
        **bearer(people["township"]),
    )
    assert r.status_code == 403 and "只有村干部" in r.json()["detail"]
    r = client.post(
        f"/api/v1/cases/{case.pk}/actions/verify",
        {"data": data},
        content_type="application/json",
        **bearer(people["neighbour"]),
    )
    assert r.status_code == 404
    r = client.post(
        f"/api/v1/cases/{case.pk}/actions/verify",
        {"data": data},
        content_type="application/json",
        **bearer(people["village"]),
    )
    assert r.status_code == 200 and r.json()["stage"] == "verified"
    assert r.json()["steps"][0]["by"] == "village"


def test_warning_to_lead_and_qr_resolution(client, people, homes):
    w = RiskWarning.objects.create(
        household=homes[1],
        period="2026-11",
        rule_id="R07",
        rule_kind="housing_unsafe",
        rule_title="住房",
        risk_types=["住房安全"],
        category="edge",
        policy_version="t",
        evidence=[],
    )
    auth = bearer(people["village"])
    r = client.post(
        f"/api/v1/warnings/{w.pk}/status",
        {"status": "lead"},
        content_type="application/json",
        **auth,
    )
    assert r.status_code == 200 and r.json()["status"] == "lead"
    assert Case.objects.filter(household=homes[1], channel="warning").exists()
    value = signed(household_token(household=homes[1]))
    assert client.get(f"/api/v1/qr/{value}", **auth).json()["household_no"] == "H-A1"
    far = client.get(f"/api/v1/qr/{value}", **bearer(people["neighbour"])).json()
    assert far["household_no"] is None and far["village"] == VILLAGE
    assert client.get(f"/api/v1/qr/x{value}", **auth).status_code == 404


def test_openapi_document_describes_every_endpoint(client):
    doc = client.get("/api/v1/openapi.json").json()
    assert doc["info"]["version"] == "1"
    assert {
        "/api/v1/households",
        "/api/v1/cases/{case_id}/actions/{action}",
        "/api/v1/qr/{value}",
    } <= set(doc["paths"])
