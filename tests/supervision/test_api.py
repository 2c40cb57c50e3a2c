"""`/api/v1/problems`: the list with filters, registering, progress, the close-out request,
verification or sending back, reopening; the same rules and scope as the pages."""

from __future__ import annotations

import pytest

from bangfu.api.models import ApiToken
from bangfu.supervision.models import Problem, ProblemStatus
from tests.conftest import OTHER_TOWNSHIP_VILLAGE, VILLAGE
from tests.supervision.conftest import png
from tests.supervision.services_helpers import evidence_for

pytestmark = pytest.mark.django_db
API = "/api/v1/problems"


def auth(user):
    _, token = ApiToken.issue(user=user)
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def test_the_whole_life_through_the_api(client, people):
    body = {
        "source": "cross",
        "source_ref": "JC-12",
        "region": VILLAGE,
        "category": "identification",
        "description": "应纳未纳",
        "responsible_unit": "官庄村村委会",
        "deadline": "2026-12-31",
    }
    r = client.post(API, body, content_type="application/json", **auth(people["auditor"]))
    assert r.status_code == 200, r.content
    pk = r.json()["id"]
    assert r.json()["status"] == "registered" and r.json()["updates"][0]["kind"] == "register"
    again = client.post(API, body, content_type="application/json", **auth(people["auditor"]))
    assert again.status_code == 409 and "JC-12" in again.json()["detail"]
    village = auth(people["village"])
    r = client.post(
        f"{API}/{pk}/closeout", {"result": "已纳入"}, content_type="application/json", **village
    )
    assert r.status_code == 409 and "佐证材料" in r.json()["detail"]
    r = client.post(
        f"{API}/{pk}/progress", {"text": "已核查"}, content_type="application/json", **village
    )
    assert r.status_code == 200 and r.json()["status"] == "rectifying"
    evidence_for(people["village"], Problem.objects.get(pk=pk), png())
    r = client.post(
        f"{API}/{pk}/closeout", {"result": "已纳入"}, content_type="application/json", **village
    )
    assert r.status_code == 200 and r.json()["status"] == "closeout_requested"
    r = client.post(
        f"{API}/{pk}/verify",
        {"approve": True},
        content_type="application/json",
        **auth(people["auditor"]),
    )
    assert r.status_code == 403
    township = auth(people["township"])
    r = client.post(
        f"{API}/{pk}/verify", {"approve": False}, content_type="application/json", **township
    )
    assert r.status_code == 409 and "原因" in r.json()["detail"]
    r = client.post(
        f"{API}/{pk}/verify",
        {"approve": True, "reason": "核实"},
        content_type="application/json",
        **township,
    )
    assert r.status_code == 200 and r.json()["status"] == "closed" and r.json()["closed_on"]
    r = client.post(
        f"{API}/{pk}/reopen",
        {"reason": "又发现"},
        content_type="application/json",
        **auth(people["county"]),
    )
    assert r.status_code == 200 and r.json()["reopened"] == 1
    assert Problem.objects.get(pk=pk).status == ProblemStatus.RECTIFYING


def test_the_list_is_scoped_and_filtered(client, people, register):
    inside = register(source="audit")
    register(source="national")
    outside = register(by="county", region=OTHER_TOWNSHIP_VILLAGE)
    ids = {p["id"] for p in client.get(API, **auth(people["township"])).json()["items"]}
    assert outside.pk not in ids and inside.pk in ids and len(ids) == 2
    audit = client.get(f"{API}?source=audit", **auth(people["county"])).json()["items"]
    assert [p["id"] for p in audit] == [inside.pk]
    assert client.get(f"{API}/{outside.pk}", **auth(people["township"])).status_code == 404
    assert client.get(API, **auth(people["dept"])).json()["items"] == []
