"""Department feeds and monitoring runs started from the web, their progress, and failures."""

import csv
import io
import subprocess
import sys

import pytest
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from bangfu.core.errors import Conflict, Forbidden
from bangfu.core.tabular.sheets import Table
from bangfu.feeds.sources import FEEDS
from bangfu.feeds.store import feed_read
from bangfu.jobs.models import Job, JobKind, JobStatus
from bangfu.jobs.progress import JobProgress, job_progress
from bangfu.jobs.services import job_start
from bangfu.jobs.uploads import upload_path
from bangfu.monitoring.models import MonitoringRun
from bangfu.registry.importer import households_import
from tests.conftest import HEADERS, KEYS, household_rows, person_id

pytestmark = pytest.mark.django_db
MED = FEEDS["medical"]


@pytest.fixture(autouse=True)
def _home(settings, tmp_path):
    settings.HOME = tmp_path


def feed_file(rows):
    buf = io.StringIO(newline="")
    w = csv.writer(buf)
    w.writerow([c.header for c in MED.all_columns])
    w.writerows(rows)
    f = io.BytesIO(buf.getvalue().encode("utf-8-sig"))
    f.name = "med.csv"
    return f


def job_of(response):
    assert response.status_code == 302, response.content.decode()[:300]
    return Job.objects.get(pk=int(response["Location"].rstrip("/").rsplit("/", 1)[1]))


def test_a_department_feed_is_loaded_by_the_worker(client, people, make_households, run_worker):
    rows = household_rows("FJ-1")
    make_households(rows)
    ident = rows[0][KEYS.index("id_number")]
    client.force_login(people["dept"])
    assert client.get(reverse("feed_import")).status_code == 200
    template = client.get(reverse("feed_template", args=["medical"]))
    assert template.status_code == 200 and template["Content-Type"].startswith("application/vnd")
    records = [
        ["M-1", ident, "2026-03-02", "9000", "3000", "否", "县医院"],
        ["M-2", person_id(), "2026-04-10", "500", "200", "否", ""],
    ]
    job = job_of(
        client.post(reverse("feed_import"), {"dept": "medical", "file": feed_file(records)})
    )
    assert job.kind == JobKind.FEED_IMPORT and job.params == {"dept": "medical"}
    run_worker()
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED
    assert job.result["written"] and job.result["rows"] == 2
    assert job.result["unmatched_count"] == 1 and job.result["unmatched"][0][:2] == [3, "M-2"]
    assert feed_read(MED).num_rows == 2
    page = client.get(reverse("job", args=[job.pk])).content.decode()
    assert "1 条记录未匹配到农户" in page and "医保" in page
    assert ident not in page  # the unmatched are listed masked, and the matched not at all


def test_a_bad_feed_writes_nothing_and_lists_the_cells(client, people, run_worker):
    client.force_login(people["county"])
    bad = [["M-1", "123", "2026-13-02", "x", "3000", "否", ""]]
    job = job_of(client.post(reverse("feed_import"), {"dept": "medical", "file": feed_file(bad)}))
    run_worker()
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.result["written"] is False
    assert "未导入任何数据" in job.error and job.error == job.result["refused"]
    assert {e[1] for e in job.result["errors"]} >= {"身份证号", "日期"}
    assert all(e[0] == 2 for e in job.result["errors"])
    assert feed_read(MED).num_rows == 0


def test_only_the_county_loads_feeds(client, people):
    for who in ("village", "township", "grid", "helper", "auditor"):
        client.force_login(people[who])
        assert client.get(reverse("feed_import")).status_code == 404
        r = client.post(reverse("feed_import"), {"dept": "medical", "file": feed_file([])})
        assert r.status_code == 404
    assert not Job.objects.exists()


def test_a_monitoring_run_from_the_web(client, people, make_households, run_worker):
    make_households(household_rows("MJ-1"), household_rows("MJ-2"))
    client.force_login(people["county"])
    job = job_of(client.post(reverse("monitoring_runs"), {"period": "2026-10"}))
    # one at a time: a second start while the first waits is refused with the reason
    again = client.post(reverse("monitoring_runs"), {"period": "2026-10"})
    assert again.status_code == 400 and "已有一次批量监测在排队或运行" in again.content.decode()
    run_worker()
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED, job.error
    run = MonitoringRun.objects.get(pk=job.result["run_id"])
    assert run.period == "2026-10" and run.summary["households_scanned"] == 2
    assert job.result["warnings"] == run.summary["warnings"]
    runs = client.get(reverse("monitoring_runs")).content.decode()
    assert "2026-10" in runs and run.policy_version in runs
    # others see the runs but cannot start one
    client.force_login(people["village"])
    assert client.get(reverse("monitoring_runs")).status_code == 200
    assert client.post(reverse("monitoring_runs"), {"period": "2026-10"}).status_code == 404
    bad = client.force_login(people["county"]) or client.post(
        reverse("monitoring_runs"), {"period": "2026-13"}
    )
    assert bad.status_code == 400 and "YYYY-MM" in bad.content.decode()


def test_a_job_that_breaks_is_marked_failed_without_internals(people, run_worker):
    job = job_start(
        user=people["village"],
        kind=JobKind.HOUSEHOLD_IMPORT,
        upload=io.BytesIO(b"x"),
        file_name="h.csv",
    )
    upload_path(job).unlink()  # the upload vanished before the worker came
    run_worker()
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert (
        "任务意外中止（FileNotFoundError）" in job.error and str(upload_path(job)) not in job.error
    )
    assert DBTaskResult.objects.get(id=job.task_id).status == "FAILED"


def test_job_start_refusals(people):
    with pytest.raises(Forbidden):
        job_start(user=people["village"], kind=JobKind.MONITORING_RUN)
    with pytest.raises(Forbidden):
        job_start(user=people["grid"], kind=JobKind.HOUSEHOLD_IMPORT, upload=io.BytesIO(b""))
    with pytest.raises(Conflict, match="请选择要导入的文件"):
        job_start(user=people["village"], kind=JobKind.HOUSEHOLD_IMPORT)
    with pytest.raises(Conflict, match="未知的部门数据"):
        job_start(
            user=people["county"],
            kind=JobKind.FEED_IMPORT,
            params={"dept": "x"},
            upload=io.BytesIO(),
        )
    assert not Job.objects.exists()


def test_an_import_reports_each_stage_and_counts_up_to_its_total(db):
    heard = []
    rows = [r for n in range(7) for r in household_rows(f"P-{n}")]
    households_import(
        table=Table(HEADERS, rows, "test"),
        actor=None,
        scope_prefix="",
        progress=lambda stage, done=0, total=0: heard.append((stage, done, total)),
    )
    stages = list(dict.fromkeys(s for s, _, _ in heard))
    assert stages == [
        "逐行校验",
        "核对管辖范围和已有记录",
        "写入农户",
        "写入家庭成员",
        "写入收支",
        "写入审计记录",
    ]
    checked = [(d, t) for s, d, t in heard if s == "逐行校验"]
    assert checked[0] == (0, len(rows)) and checked[-1] == (len(rows), len(rows))
    members = [(d, t) for s, d, t in heard if s == "写入家庭成员"]
    assert members[-1] == (7, 7)


def test_job_progress_is_shared_through_the_cache(people):
    job = job_start(
        user=people["village"],
        kind=JobKind.HOUSEHOLD_IMPORT,
        upload=io.BytesIO(),
        file_name="a.csv",
    )
    assert job_progress(job) == {"stage": "", "done": 0, "total": 0, "percent": None}
    JobProgress(job)("写入家庭成员", 50, 200)
    assert job_progress(job) == {"stage": "写入家庭成员", "done": 50, "total": 200, "percent": 25}


def test_the_cli_reports_progress_by_stage(tmp_path):
    path = tmp_path / "h.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(HEADERS)
        w.writerows(household_rows("CLI-P1"))
    env = {"BANGFU_HOME": str(tmp_path / "home"), "PATH": "/usr/bin:/bin"}
    bangfu = [sys.executable, "-m", "bangfu.cli"]
    subprocess.run([*bangfu, "init"], env=env, check=True, capture_output=True)  # noqa: S603
    subprocess.run([*bangfu, "regions", "load", "140123"], env=env, check=True, capture_output=True)  # noqa: S603
    p = subprocess.run(  # noqa: S603
        [*bangfu, "import", "households", str(path)], env=env, capture_output=True, text=True
    )
    assert p.returncode == 0, p.stderr
    # not a terminal: one line per stage instead of a bar
    assert "· 逐行校验" in p.stderr and "· 写入家庭成员" in p.stderr


def test_a_run_cut_off_mid_way_does_not_hold_back_the_next(client, people, settings):
    """A worker that dies mid-task cannot mark its job: once its heartbeat has been silent
    for JOB_STALE_SECONDS the job is failed with the reason, and a new monitoring run may
    start; while it beats, it holds the next one back."""
    import datetime as dt
    import time

    from django.core.cache import cache
    from django.utils import timezone

    from bangfu.jobs.heartbeat import beat, job_key

    first = job_start(user=people["county"], kind=JobKind.MONITORING_RUN)
    Job.objects.filter(pk=first.pk).update(
        status=JobStatus.RUNNING, started_at=timezone.now() - dt.timedelta(hours=5)
    )
    beat(job_key(first.pk))  # long-running, but alive
    with pytest.raises(Conflict):
        job_start(user=people["county"], kind=JobKind.MONITORING_RUN)
    cache.set(job_key(first.pk), time.time() - settings.JOB_STALE_SECONDS - 1)  # silent
    second = job_start(user=people["county"], kind=JobKind.MONITORING_RUN)
    first.refresh_from_db()
    assert first.status == JobStatus.FAILED and "任务运行中停止" in first.error
    assert second.status == JobStatus.QUEUED
    client.force_login(people["county"])
    client.cookies["django_language"] = "en"
    page = client.get(reverse("job", args=[first.pk]))
    assert "stopped while the job was running" in page.content.decode()


def test_reading_a_job_writes_nothing_unless_a_job_went_stale(client, people):
    """The job page is polled every second while a job writes; on SQLite a write from the page
    would wait for the job's transaction, so reading one must not write."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    job = job_start(
        user=people["village"],
        kind=JobKind.HOUSEHOLD_IMPORT,
        upload=io.BytesIO(),
        file_name="a.csv",
    )
    Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, started_at=job.created_at)
    client.force_login(people["village"])
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("job", args=[job.pk]), HTTP_HX_REQUEST="true").status_code == 200
    writes = [q["sql"] for q in ctx.captured_queries if not q["sql"].lstrip().startswith("SELECT")]
    assert writes == []


def test_the_database_allows_one_monitoring_run_at_a_time(people):
    """Two requests at the same moment both pass any check made before the insert; the
    database's constraint refuses the second."""
    Job.objects.create(
        kind=JobKind.MONITORING_RUN,
        status=JobStatus.QUEUED,
        user=people["county"],
        region=people["county"].region,
    )
    with pytest.raises(Conflict, match="已有一次批量监测"):
        job_start(user=people["county"], kind=JobKind.MONITORING_RUN)
    assert Job.objects.count() == 1
    Job.objects.update(status=JobStatus.SUCCEEDED)
    assert job_start(user=people["county"], kind=JobKind.MONITORING_RUN).status == JobStatus.QUEUED


def test_an_expired_job_loses_its_upload(people, settings):
    import datetime as dt

    from django.utils import timezone

    from bangfu.jobs.services import jobs_expire
    from bangfu.jobs.uploads import upload_folder

    job = job_start(
        user=people["village"],
        kind=JobKind.HOUSEHOLD_IMPORT,
        upload=io.BytesIO(b"x"),
        file_name="h.csv",
    )
    assert upload_folder(job).exists()
    Job.objects.filter(pk=job.pk).update(
        status=JobStatus.RUNNING, started_at=timezone.now() - dt.timedelta(minutes=2)
    )  # and never beat: its worker died at once
    assert jobs_expire() == 1
    assert not upload_folder(job).exists()


def test_a_period_in_fullwidth_digits_is_refused(client, people):
    client.force_login(people["county"])
    r = client.post(reverse("monitoring_runs"), {"period": "２０２６-10"})
    assert r.status_code == 400
    with pytest.raises(Conflict):
        job_start(
            user=people["county"], kind=JobKind.MONITORING_RUN, params={"period": "２０２６-10"}
        )
    assert not Job.objects.exists()
