"""The API's imports, feeds, monitoring runs, jobs, plans and measures: the same services,
scope and refusals as the pages."""

import csv
import datetime as dt
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bangfu.api.models import ApiToken
from bangfu.assistance.models import Measure
from bangfu.cases.models import Case, Channel, Stage
from bangfu.jobs.models import Job, JobStatus
from bangfu.monitoring.models import MonitoringRun
from bangfu.registry.models import Household
from tests.conftest import HEADERS, NEIGHBOUR, household_rows

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _home(settings, tmp_path):
    settings.HOME = tmp_path


def bearer(user):
    _, token = ApiToken.issue(user=user)
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def csv_file(rows, name="h.csv"):
    buf = io.StringIO(newline="")
    w = csv.writer(buf)
    w.writerow(HEADERS)
    w.writerows(rows)
    f = io.BytesIO(buf.getvalue().encode("utf-8"))
    f.name = name
    return f


def test_an_import_through_the_api_is_a_job_to_poll(client, people, run_worker):
    auth = bearer(people["village"])
    r = client.post(
        "/api/v1/imports/households", {"file": csv_file(household_rows("API-1"))}, **auth
    )
    assert r.status_code == 202, r.content
    job = r.json()
    assert job["status"] == "queued" and job["kind"] == "household_import"
    assert job["file_name"] == "h.csv" and job["user"] == "village"
    run_worker()
    done = client.get(f"/api/v1/jobs/{job['id']}", **auth).json()
    assert done["status"] == "succeeded" and done["result"]["households_created"] == 1
    assert Household.objects.filter(household_no="API-1").exists()
    # the same job, and only it, in the user's list; others outside the village see nothing
    assert [j["id"] for j in client.get("/api/v1/jobs", **auth).json()["items"]] == [job["id"]]
    other = bearer(people["neighbour"])
    assert client.get(f"/api/v1/jobs/{job['id']}", **other).status_code == 404
    assert client.get("/api/v1/jobs", **other).json()["count"] == 0


def test_an_import_out_of_scope_is_reported_and_writes_nothing(client, people, run_worker):
    auth = bearer(people["village"])
    rows = household_rows("API-2", village=NEIGHBOUR)
    job = client.post("/api/v1/imports/households", {"file": csv_file(rows)}, **auth).json()
    run_worker()
    done = client.get(f"/api/v1/jobs/{job['id']}", **auth).json()
    assert done["status"] == "failed" and done["result"]["written"] is False
    assert done["result"]["errors"][0][1] == "村区划代码"
    assert done["error"] == done["result"]["refused"] and "未导入任何数据" in done["error"]
    assert not Household.objects.filter(household_no="API-2").exists()


def test_jobs_refused_by_role_say_why(client, people):
    grid = bearer(people["grid"])
    r = client.post("/api/v1/imports/households", {"file": csv_file([])}, **grid)
    assert r.status_code == 403 and "不能启动此任务" in r.json()["detail"]
    village = bearer(people["village"])
    assert (
        client.post("/api/v1/feeds/medical", {"file": csv_file([])}, **village).status_code == 403
    )
    r = client.post("/api/v1/monitoring/runs", {}, content_type="application/json", **village)
    assert r.status_code == 403
    assert not Job.objects.exists()


def test_feeds_are_listed_with_their_columns(client, people):
    feeds = client.get("/api/v1/feeds", **bearer(people["dept"])).json()
    medical = next(f for f in feeds if f["code"] == "medical")
    assert medical["department"] and "身份证号" in medical["columns"]


def test_a_monitoring_run_through_the_api(client, people, make_households, run_worker):
    make_households(household_rows("API-R1"))
    auth = bearer(people["county"])
    body = {"period": "2026-10"}
    r = client.post("/api/v1/monitoring/runs", body, content_type="application/json", **auth)
    assert r.status_code == 202
    again = client.post("/api/v1/monitoring/runs", body, content_type="application/json", **auth)
    assert again.status_code == 409 and "已有一次批量监测" in again.json()["detail"]
    bad = {"period": "2026-13"}
    assert (
        client.post("/api/v1/monitoring/runs", bad, content_type="application/json", **auth)
    ).status_code == 422
    run_worker()
    job = client.get(f"/api/v1/jobs/{r.json()['id']}", **auth).json()
    assert job["status"] == "succeeded"
    runs = client.get("/api/v1/monitoring/runs", **auth).json()
    assert runs["count"] == 1 and runs["items"][0]["id"] == job["result"]["run_id"]
    run = MonitoringRun.objects.get()
    one = client.get(f"/api/v1/monitoring/runs/{run.pk}", **auth).json()
    assert one["summary"]["households_scanned"] == 1 and one["period"] == "2026-10"


def test_job_list_queries_do_not_grow_with_the_jobs(client, people):
    from bangfu.jobs.models import JobKind
    from bangfu.jobs.services import job_start

    auth = bearer(people["village"])
    client.get("/api/v1/regions", **auth)  # the token's first use is recorded (a write) once

    def count_for(n):
        while Job.objects.count() < n:
            job_start(
                user=people["village"],
                kind=JobKind.HOUSEHOLD_IMPORT,
                upload=io.BytesIO(b""),
                file_name="a.csv",
            )
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/api/v1/jobs", **auth).json()["count"] == n
        return len(ctx.captured_queries)

    assert count_for(2) == count_for(10)


@pytest.fixture
def monitored(make_households):
    (home,) = make_households(household_rows("API-P"))
    return Case.objects.create(
        household=home,
        channel=Channel.VISIT,
        stage=Stage.MONITORING,
        risk_types=["收入骤减或支出骤增"],
        category="sudden",
    )


def test_a_plan_through_the_api(client, people, monitored):
    cadre = bearer(people["village"])
    plan = client.get(f"/api/v1/cases/{monitored.pk}/plan", **cadre).json()
    assert plan["proposals"] and plan["measures"] == []
    helper = next(c for c in plan["candidates"] if c["username"] == "helper")
    kind = plan["proposals"][0]["kind_code"]
    later = (dt.date.today() + dt.timedelta(days=90)).isoformat()
    item = {"kind": kind, "responsible": helper["id"], "target": "年内增收", "deadline": later}
    r = client.post(
        f"/api/v1/cases/{monitored.pk}/plan",
        {"items": [item]},
        content_type="application/json",
        **cadre,
    )
    assert r.status_code == 200, r.content
    (measure,) = r.json()["measures"]
    assert measure["kind_code"] == kind and measure["responsible"] == "helper"
    # a grid worker may not plan (403: the role); a plan needs a target (409: the rules)
    grid = bearer(people["grid"])
    refused = client.post(
        f"/api/v1/cases/{monitored.pk}/plan",
        {"items": [item]},
        content_type="application/json",
        **grid,
    )
    assert refused.status_code == 403 and "只有村干部或乡镇干部" in refused.json()["detail"]
    blank = client.post(
        f"/api/v1/cases/{monitored.pk}/plan",
        {"items": [item | {"target": " "}]},
        content_type="application/json",
        **cadre,
    )
    assert blank.status_code == 409 and "请填写目标" in blank.json()["detail"]
    assert Measure.objects.count() == 1
    # the responsible person records it done, with the outcome the catalogue asks for
    mine = bearer(people["helper"])
    url = f"/api/v1/measures/{measure['id']}"
    empty = client.post(url, {"status": "done"}, content_type="application/json", **mine)
    assert empty.status_code == 409 and "请填写" in empty.json()["detail"]
    done = client.post(
        url,
        {"status": "done", "amount": "3000", "text": "已落实"},
        content_type="application/json",
        **mine,
    )
    assert done.status_code == 200 and done.json()["status"] == "done"
    assert Measure.objects.get().done_on is not None
    outsider = bearer(people["neighbour"])
    r = client.post(url, {"status": "done"}, content_type="application/json", **outsider)
    assert r.status_code == 404
    assert client.get(f"/api/v1/cases/{monitored.pk}/plan", **outsider).status_code == 404


def test_jobs_finished_status_matches_the_page(client, people, run_worker):
    client.force_login(people["village"])
    auth = bearer(people["village"])
    job = client.post(
        "/api/v1/imports/households", {"file": csv_file(household_rows("API-3"))}, **auth
    ).json()
    run_worker()
    assert Job.objects.get(pk=job["id"]).status == JobStatus.SUCCEEDED
    page = client.get(f"/jobs/{job['id']}/").content.decode()
    summary = client.get(f"/api/v1/jobs/{job['id']}", **auth).json()["result"]["summary"]
    assert summary and summary in page


def test_an_empty_or_missing_file_is_refused_with_the_reason(client, people):
    auth = bearer(people["village"])
    empty = io.BytesIO(b"")
    empty.name = "h.csv"
    r = client.post("/api/v1/imports/households", {"file": empty}, **auth)
    assert r.status_code == 409 and "请选择要导入的文件" in r.json()["detail"]
    r = client.post("/api/v1/imports/households", {}, **auth)
    assert r.status_code == 409
    county = bearer(people["county"])
    assert client.post("/api/v1/feeds/medical", {}, **county).status_code == 409
    assert not Job.objects.exists()


def test_odd_amounts_are_refused_with_the_reason(client, people, monitored):
    from bangfu.assistance.models import MeasureKind

    kind = MeasureKind.objects.filter(outcome="amount", active=True).first()
    measure = Measure.objects.create(
        case=monitored,
        kind=kind,
        responsible=people["helper"],
        target="t",
        deadline=dt.date.today(),
        created_by=people["village"],
    )
    mine = bearer(people["helper"])
    url = f"/api/v1/measures/{measure.pk}"
    for amount in ("NaN", "sNaN", "Infinity", "1e30", "-5", "12.345", "abc"):
        r = client.post(
            url, {"status": "done", "amount": amount}, content_type="application/json", **mine
        )
        assert r.status_code == 409, (amount, r.content)
        assert r.json()["detail"], amount
    assert Measure.objects.get().status != "done"


def test_a_token_records_its_use_without_a_write_on_every_request(client, people):
    auth = bearer(people["village"])
    assert client.get("/api/v1/jobs", **auth).status_code == 200
    assert ApiToken.objects.get().last_used_at is not None
    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/api/v1/jobs", **auth).status_code == 200
    assert not [q for q in ctx.captured_queries if q["sql"].lstrip().upper().startswith("UPDATE")]


def test_a_period_in_fullwidth_digits_is_refused_by_the_api(client, people):
    auth = bearer(people["county"])
    r = client.post(
        "/api/v1/monitoring/runs",
        {"period": "２０２６-10"},
        content_type="application/json",
        **auth,
    )
    assert r.status_code == 422 and not Job.objects.exists()
