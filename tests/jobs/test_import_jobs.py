"""Household imports from the web run as background jobs: the page queues the file, the worker
imports it, the job's page shows the progress and then the report."""

import csv
import io

import pytest
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from bangfu.core.tabular.sheets import read_table
from bangfu.jobs.models import Job, JobStatus
from bangfu.jobs.uploads import upload_folder
from bangfu.registry.models import Household
from tests.conftest import HEADERS, KEYS, NEIGHBOUR, household_rows

pytestmark = pytest.mark.django_db


def upload(rows, encoding="gbk", name="h.csv"):
    buf = io.StringIO(newline="")
    w = csv.writer(buf)
    w.writerow(HEADERS)
    w.writerows(rows)
    f = io.BytesIO(buf.getvalue().encode(encoding))
    f.name = name
    return f


def start(client, rows, **extra):
    r = client.post(reverse("household_import"), {"file": upload(rows), **extra})
    assert r.status_code == 302, r.content.decode()[:500]
    job = Job.objects.get(pk=int(r["Location"].rstrip("/").rsplit("/", 1)[1]))
    assert r["Location"] == reverse("job", args=[job.pk])
    return job


def test_the_import_is_queued_then_run_by_the_worker(client, people, run_worker):
    client.force_login(people["village"])
    job = start(client, household_rows("W-1"))
    # queued: nothing imported yet, the file waits in the job's folder, the page polls
    assert job.status == JobStatus.QUEUED and job.file_name == "h.csv"
    assert not Household.objects.filter(household_no="W-1").exists()
    assert any(upload_folder(job).iterdir())
    page = client.get(reverse("job", args=[job.pk])).content.decode()
    assert "排队中" in page and 'hx-trigger="every 1s"' in page
    run_worker()
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED and job.started_at and job.finished_at
    assert Household.objects.filter(household_no="W-1").exists()
    assert job.result["households_created"] == 1 and job.result["members_created"] == 3
    assert job.result["encoding"] == "GB18030/GBK"
    # the worker's own record says the same, and the upload is gone (it held personal data)
    assert DBTaskResult.objects.get(id=job.task_id).status == "SUCCESSFUL"
    assert not upload_folder(job).exists()
    # what htmx polls: the finished status, which stops polling
    part = client.get(reverse("job", args=[job.pk]), HTTP_HX_REQUEST="true")
    html = part.content.decode()
    assert "导入完成" in html and "hx-trigger" not in html and "<html" not in html


def test_errors_are_listed_with_row_and_column_and_nothing_is_written(client, people, run_worker):
    client.force_login(people["village"])
    rows = household_rows("W-2") + household_rows("W-3", village=NEIGHBOUR)
    rows[1][KEYS.index("id_number")] = rows[1][KEYS.index("id_number")][:-1] + "Y"
    job = start(client, rows)
    run_worker()
    job.refresh_from_db()
    # the job ran to its end, but a file that imported nothing is a failed job, with the reason
    assert job.status == JobStatus.FAILED
    assert job.result["written"] is False and job.result["error_count"] == 2
    assert [(e[0], e[1]) for e in job.result["errors"]] == [(3, "身份证号"), (5, "村区划代码")]
    assert job.error == job.result["refused"]
    assert job.error.startswith("发现 2 处错误，未导入任何数据；第3行，身份证号列：")
    page = client.get(reverse("job", args=[job.pk])).content.decode()
    assert "未导入任何数据" in page and "该村不在您的管辖范围内" in page  # every error listed
    listed = client.get(reverse("jobs")).content.decode()
    assert "失败" in listed and "发现 2 处错误，未导入任何数据" in listed
    assert not Household.objects.filter(household_no__in=["W-2", "W-3"]).exists()
    # the worker's task itself ended normally: only the job failed
    assert DBTaskResult.objects.get(id=job.task_id).status == "SUCCESSFUL"


def test_a_file_without_data_rows_fails_with_that_reason(client, people, run_worker):
    client.force_login(people["village"])
    job = start(client, [])
    run_worker()
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.result["written"] is False
    assert job.result["errors"] == [[0, "文件", "文件中没有数据行"]]
    assert job.error == "未导入任何数据：文件：文件中没有数据行"
    page = client.get(reverse("job", args=[job.pk])).content.decode()
    assert "文件中没有数据行" in page and "导入完成" not in page


def test_skip_invalid_offers_the_rejected_rows_to_their_owner_only(client, people, run_worker):
    client.force_login(people["village"])
    rows = household_rows("W-4") + household_rows("W-5", village=NEIGHBOUR)
    job = start(client, rows, skip_invalid="on")
    run_worker()
    job.refresh_from_db()
    assert Household.objects.filter(household_no="W-4").exists()
    url = reverse("import_rejected", args=[job.result["rejected_token"]])
    assert url in client.get(reverse("job", args=[job.pk])).content.decode()
    download = client.get(url)
    assert download.status_code == 200
    rejected = read_table(io.BytesIO(download.content), "r.xlsx")
    assert rejected.headers[-1] == "错误原因"
    assert [r[0] for r in rejected.rows] == ["W-5"] * 3
    assert "管辖范围" in rejected.rows[0][-1]
    assert client.get(url).status_code == 404  # once
    client.force_login(people["neighbour"])
    assert client.get(reverse("job", args=[job.pk])).status_code == 404  # not their job


def test_who_sees_a_job(client, people):
    client.force_login(people["village"])
    job = start(client, household_rows("W-7"))
    seen = {}
    for who in ("village", "township", "county", "neighbour", "other_township", "grid"):
        client.force_login(people[who])
        seen[who] = client.get(reverse("job", args=[job.pk])).status_code
        listed = client.get(reverse("jobs")).content.decode()
        assert (f"#{job.pk}<" in listed) == (seen[who] == 200), who
    assert seen == {
        "village": 200,
        "township": 200,
        "county": 200,
        "neighbour": 404,
        "other_township": 404,
        "grid": 404,
    }


def test_roles_without_write_rights_cannot_import(client, people):
    for who in ("grid", "helper", "auditor", "dept"):
        client.force_login(people[who])
        r = client.post(reverse("household_import"), {"file": upload(household_rows("W-6"))})
        assert r.status_code == 404
    assert not Job.objects.exists()


def test_a_file_of_another_type_is_refused_on_the_form(client, people):
    client.force_login(people["village"])
    f = io.BytesIO(b"%PDF-1.4")
    f.name = "h.pdf"
    r = client.post(reverse("household_import"), {"file": f})
    assert r.status_code == 400 and "仅支持 .xlsx 和 .csv 文件" in r.content.decode()
    assert not Job.objects.exists()


def test_template_download(client, people):
    client.force_login(people["village"])
    r = client.get(reverse("household_template"))
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxml")
