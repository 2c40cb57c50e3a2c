"""The dashboard: a county sees its whole county and can drill down, a village only its
village; its numbers are the numbers of the case list, the warnings and the results export."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from bangfu.assistance.dashboard import dashboard, dashboard_region
from bangfu.assistance.models import Measure, MeasureKind
from bangfu.assistance.results import results_table
from bangfu.cases.models import Case, Channel, Stage
from bangfu.monitoring.models import RiskWarning
from tests.conftest import NEIGHBOUR, OTHER_TOWNSHIP_VILLAGE, VILLAGE, household_rows

pytestmark = pytest.mark.django_db


@pytest.fixture
def county(make_households, people):
    hs = make_households(
        household_rows("H-D1"),
        household_rows("H-D2"),
        household_rows("H-D3", NEIGHBOUR),
        household_rows("H-D4", OTHER_TOWNSHIP_VILLAGE),
    )
    today = timezone.localdate()
    for h, category in zip(hs, ["edge", "sudden", "edge", "unstable"], strict=True):
        h.category = category
        h.save()
    cases = [
        Case.objects.create(
            household=h,
            channel=Channel.VISIT,
            stage=Stage.MONITORING,
            risk_types=risks,
            identified_on=today,
        )
        for h, risks in zip(hs, [["因病"], ["因病", "因灾"], ["因学"], ["因病"]], strict=True)
    ]
    Case.objects.filter(pk=cases[3].pk).update(stage=Stage.LEAD, due=today - dt.timedelta(days=2))
    Measure.objects.create(
        case=cases[0],
        kind=MeasureKind.objects.get(code="housing_renovation"),
        responsible=people["helper"],
        target="t",
        deadline=today,
        status="done",
        outcome_amount=Decimal("20000"),
        done_on=today,
        created_by=people["village"],
    )
    RiskWarning.objects.create(
        household=hs[2],
        period="2026-11",
        rule_id="R05",
        rule_kind="medical_burden",
        rule_title="医疗",
        risk_types=["因病"],
        category="edge",
        policy_version="t",
        evidence=[{"source": "medical", "value": 1, "reference": 1, "detail": "M"}],
    )
    return hs


def test_county_sees_the_county_and_numbers_agree_with_lists_and_results(people, county):
    county_user = people["county"]
    data = dashboard(user=county_user, region=county_user.region)
    assert data["monitored"] == Case.objects.filter(stage=Stage.MONITORING).count() == 3
    assert data["by_category"] == {"脱贫不稳定户": 0, "边缘易致贫户": 2, "突发严重困难户": 1}
    assert data["by_risk"] == {"因病": 2, "因灾": 1, "因学": 1}
    assert data["pending_warnings"] == 1 and data["pending_by_source"] == {"医保": 1}
    assert data["overdue_steps"] == 1
    kinds, rows = results_table(user=county_user, year=timezone.localdate().year)
    assert data["results"]["total"] == {k.name: rows[-1].cells[k.code][0] for k in kinds}
    children = {c["name"]: (c["monitored"], c["open"], c["pending"]) for c in data["children"]}
    assert children == {"娄烦镇": (3, 3, 1), "静游镇": (0, 1, 0)}


def test_village_sees_only_its_village_and_cannot_drill_out(client, people, county):
    village = people["village"]
    data = dashboard(user=village, region=village.region)
    assert data["monitored"] == 2 and data["pending_warnings"] == 0 and data["children"] == []
    client.force_login(village)
    assert client.get(reverse("dashboard"), {"region": NEIGHBOUR}).status_code == 404
    page = client.get(reverse("dashboard")).content.decode()
    assert 'id="n-monitored">2<' in page and "chart-category" in page


def test_drill_down_from_county_to_village(client, people, county):
    client.force_login(people["county"])
    township = client.get(reverse("dashboard"), {"region": "140123100000"})
    assert township.context["data"]["monitored"] == 3  # 官庄村 2, 三元村 1
    assert {c["code"] for c in township.context["data"]["children"]} == {VILLAGE, NEIGHBOUR}
    village = client.get(reverse("dashboard"), {"region": VILLAGE})
    assert village.context["data"]["monitored"] == 2
    assert dashboard_region(user=people["county"], code=VILLAGE).code == VILLAGE


def test_the_dashboard_page_the_api_and_the_exports_give_the_same_numbers(client, people, county):
    """For each level: the page's figures = the API's dashboard = the API's lists = the
    results spreadsheet."""
    import io
    import re

    from openpyxl import load_workbook

    from bangfu.api.models import ApiToken

    for who in ("county", "township", "village"):
        user = people[who]
        _, token = ApiToken.issue(user=user)
        auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
        client.force_login(user)
        page = client.get(reverse("dashboard")).content.decode()
        shown = {k: int(v) for k, v in re.findall(r'id="n-([a-z]+)">(\d+)<', page)}
        api = client.get("/api/v1/dashboard", **auth).json()
        assert shown == {
            "monitored": api["monitored"],
            "pending": api["pending_warnings"],
            "overdue": api["overdue_steps"],
        }, who

        def total(path, auth=auth, **params):
            return client.get(path, params, **auth).json()["count"]

        assert api["monitored"] == total("/api/v1/cases", stage="monitoring"), who
        assert api["pending_warnings"] == total("/api/v1/warnings", status="new"), who
        assert api["overdue_steps"] == total("/api/v1/cases", overdue="true"), who
        assert sum(api["by_category"].values()) == api["monitored"], who
        measures = sum(n for by in api["measures"].values() for n in by.values())
        inside = Measure.objects.filter(
            case__household__village__code__startswith=user.region.prefix
        )
        assert measures == inside.count(), who
        sheet = load_workbook(
            io.BytesIO(client.get(reverse("results"), {"format": "xlsx"}).content)
        ).active
        header = [c.value for c in sheet[1]]
        last = [c.value for c in sheet[sheet.max_row]]
        for kind, n in api["results"]["total"].items():
            assert last[header.index(f"{kind}（项）")] == n, (who, kind)
    # the drill-down is the same region scope on both sides
    county_auth = {"HTTP_AUTHORIZATION": f"Bearer {ApiToken.issue(user=people['county'])[1]}"}
    assert (
        client.get("/api/v1/dashboard", {"region": VILLAGE}, **county_auth).json()["monitored"] == 2
    )
    village_auth = {"HTTP_AUTHORIZATION": f"Bearer {ApiToken.issue(user=people['village'])[1]}"}
    r = client.get("/api/v1/dashboard", {"region": NEIGHBOUR}, **village_auth)
    assert r.status_code == 404


def test_the_charts_are_labelled_in_the_readers_language(client, people, county):
    import json
    import re

    client.force_login(people["county"])

    def labels():
        page = client.get(reverse("dashboard")).content.decode()
        found = re.search(
            r'<script id="dashboard-labels" type="application/json">(.*?)</script>', page
        )
        return json.loads(found.group(1))

    zh = labels()
    assert zh["statuses"]["done"] == "已完成" and zh["risks"]["因病"] == "因病"
    client.cookies["django_language"] = "en"
    en = labels()
    assert en["statuses"]["done"] == "Done" and en["risks"]["因病"] == "Illness"
    assert en["exits"] == "Risk eliminated"
