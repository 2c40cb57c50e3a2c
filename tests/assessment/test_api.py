"""`/api/v1/assessments`: schemes, opening, the ranking, a scorecard, an assessor's score, the
problem found and publishing, with the same refusals and scope as the services."""

from __future__ import annotations

import pytest

from bangfu.api.models import ApiToken
from bangfu.assessment.models import Score
from tests.assessment.conftest import scheme_file
from tests.conftest import TOWNSHIP, VILLAGE

pytestmark = pytest.mark.django_db
API = "/api/v1/assessments"


def auth(user):
    _, token = ApiToken.issue(user=user)
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def post(client, url, body, user):
    return client.post(url, body, content_type="application/json", **auth(user))


def test_a_quarter_through_the_api(client, people, fake_measure):
    county, auditor = people["county"], people["auditor"]
    r = post(client, f"{API}/schemes", {"text": scheme_file("township")}, people["township"])
    assert r.status_code == 403
    bad = scheme_file("township").replace("points = 10\n", "points = 0\n", 1)
    r = post(client, f"{API}/schemes", {"text": bad}, county)
    assert r.status_code == 409 and "分值必须是正数" in r.json()["detail"]
    r = post(client, f"{API}/schemes", {"text": scheme_file("township")}, county)
    assert r.status_code == 200, r.content
    scheme = r.json()
    assert [d["name"] for d in scheme["dimensions"]] == [
        "识别认定",
        "帮扶落实",
        "风险消除",
        "问题整改",
        "基础工作",
    ]
    assert scheme["dimensions"][4]["indicators"][2]["ways"] == ["ledger"]
    r = client.get(f"{API}/schemes", **auth(people["village"]))
    assert [s["id"] for s in r.json()] == [scheme["id"]]
    assert client.get(f"{API}/schemes", **auth(people["dept"])).json() == []

    r = post(client, API, {"scheme": scheme["id"], "period": "quarter", "quarter": 3}, county)
    assert r.status_code == 200, r.content
    assessment = r.json()
    assert assessment["title"] == "第3季度测评" and len(assessment["ranking"]) == 7
    again = post(client, API, {"scheme": scheme["id"], "period": "quarter", "quarter": 3}, county)
    assert again.status_code == 409
    pk = assessment["id"]
    assert client.get(f"{API}/{pk}", **auth(people["village"])).status_code == 404  # open

    subject = next(s for s in assessment["ranking"] if s["region"] == TOWNSHIP)
    card = client.get(f"{API}/subjects/{subject['id']}", **auth(auditor)).json()
    assert card["of"] == 7 and len(card["dimensions"]) == 5
    lines = [line for d in card["dimensions"] for line in d["scores"]]
    computed = next(line for line in lines if line["computed"])
    r = post(client, f"{API}/scores/{computed['id']}", {"points": 1, "way": "ledger"}, auditor)
    assert r.status_code == 409 and "系统计算" in r.json()["detail"]
    files = next(line for line in lines if line["name"] == "档案资料完整规范")
    r = post(client, f"{API}/scores/{files['id']}", {"points": 4, "way": "ledger"}, auditor)
    assert r.status_code == 409 and "扣分说明" in r.json()["detail"]
    body = {"points": "4.5", "way": "ledger", "note": "1户档案缺入户核查记录"}
    # the township does not score itself, nor read its own draft scorecard while it is open
    r = post(client, f"{API}/scores/{files['id']}", body, people["township"])
    assert r.status_code == 404
    own = client.get(f"{API}/subjects/{subject['id']}", **auth(people["township"]))
    assert own.status_code == 404
    r = post(client, f"{API}/scores/{files['id']}", body, auditor)
    assert r.status_code == 200, r.content
    got = next(x for d in r.json()["dimensions"] for x in d["scores"] if x["id"] == files["id"])
    assert got["points"] == "4.50" and got["way"] == "ledger"

    found = {
        "description": "1户档案缺入户核查记录",
        "deadline": "2026-12-31",
        "responsible_unit": "娄烦镇人民政府",
        "category": "groundwork",
    }
    r = post(client, f"{API}/scores/{files['id']}/problem", found, auditor)
    assert r.status_code == 200, r.content
    assert r.json()["region"] == TOWNSHIP and r.json()["source"] == "self_check"
    assert post(client, f"{API}/scores/{files['id']}/problem", found, auditor).status_code == 409

    r = post(client, f"{API}/{pk}/publish", {}, county)
    assert r.status_code == 409 and "未评分" in r.json()["detail"]
    for score in Score.objects.filter(
        subject__assessment_id=pk, indicator__method="assessed", points__isnull=True
    ).select_related("indicator"):
        way = score.indicator.ways.split(",")[0]
        body = {"points": str(score.indicator.points), "way": way}
        assert post(client, f"{API}/scores/{score.pk}", body, auditor).status_code == 200
    r = post(client, f"{API}/{pk}/publish", {}, county)
    assert r.status_code == 200, r.content
    ranking = r.json()["ranking"]
    assert ranking[-1]["region"] == TOWNSHIP and ranking[-1]["rank"] == 7
    assert ranking[-1]["total"] == "99.50"
    mine = client.get(f"{API}/{pk}", **auth(people["township"])).json()["ranking"]
    assert [s["region"] for s in mine] == [TOWNSHIP]
    listed = client.get(API, **auth(people["village"])).json()["items"]
    assert [a["id"] for a in listed] == [pk]


def test_a_village_reads_its_own_scorecard_only(client, people, fake_measure):
    from tests.assessment.conftest import ONE_COMPUTED

    county = people["county"]
    scheme = post(client, f"{API}/schemes", {"text": ONE_COMPUTED}, county).json()
    body = {"scheme": scheme["id"], "period": "quarter", "quarter": 2}
    pk = post(client, API, body, county).json()["id"]
    assert post(client, f"{API}/{pk}/publish", {}, county).status_code == 200
    ranking = client.get(f"{API}/{pk}", **auth(people["village"])).json()["ranking"]
    assert [s["region"] for s in ranking] == [VILLAGE]
    other = client.get(f"{API}/{pk}", **auth(county)).json()["ranking"]
    theirs = next(s for s in other if s["region"] != VILLAGE)
    assert (
        client.get(f"{API}/subjects/{theirs['id']}", **auth(people["village"])).status_code == 404
    )
    card = client.get(f"{API}/subjects/{ranking[0]['id']}", **auth(people["village"])).json()
    assert card["total"] == "100.00" and card["rank"] == 1 and card["of"] == 116
