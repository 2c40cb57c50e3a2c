"""Onboarding the existing caseload (存量监测对象): the template, the all-or-nothing import with
row and column errors, idempotence, relapses, measures, the page (as a job) and the CLI."""

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from bangfu.assistance.models import Measure, MeasureStatus
from bangfu.assistance.onboarding import COLUMNS, monitoring_import, monitoring_template
from bangfu.audit.models import AuditEvent
from bangfu.cases.models import Case, Channel, Stage
from bangfu.core.errors import Forbidden
from bangfu.core.tabular.sheets import Table, read_table
from bangfu.jobs.models import Job, JobStatus
from bangfu.registry.models import Household
from tests.conftest import household_rows

pytestmark = pytest.mark.django_db
HEADERS = [c.header for c in COLUMNS]
TODAY = dt.date(2026, 11, 30)


@pytest.fixture
def homes(make_households):
    poor = make_households(household_rows("P-1", formerly_poor="是"))[0]
    plain = make_households(household_rows("N-1"))[0]
    again = make_households(household_rows("R-1"))[0]
    return {"poor": poor, "plain": plain, "again": again}


def table(rows):
    return Table(HEADERS, [[str(c) for c in r] + [""] * (len(HEADERS) - len(r)) for r in rows], "t")


def rows_ok():
    return [
        ["P-1", "脱贫不稳定户", "因病、因残", "2025-03-10", "", "helper", "medical_aid、临时救助"],
        ["N-1", "边缘易致贫户", "因学", "2024-05-02", "2025-06-30"],
        ["R-1", "突发严重困难户", "因灾", "2023-08-01", "2024-03-01"],
        ["R-1", "突发严重困难户", "因意外事故", "2026-02-01"],
    ]


def test_the_template_has_the_columns_and_the_categories_as_a_list():
    buf = io.BytesIO()
    monitoring_template(out=buf)
    ws = load_workbook(io.BytesIO(buf.getvalue()))["监测对象"]
    assert [c.value.rstrip("*") for c in ws[1]] == HEADERS
    assert any(str(dv.sqref).startswith("B") for dv in ws.data_validations.dataValidation)


def test_rows_become_cases_in_monitoring_or_eliminated_with_their_history(people, homes):
    report = monitoring_import(table=table(rows_ok()), user=people["county"], today=TODAY)
    assert report.written, report.errors
    assert (report.cases_created, report.in_monitoring, report.eliminated) == (4, 2, 2)
    case = Case.objects.get(household=homes["poor"])
    assert (case.stage, case.channel, case.category) == (
        Stage.MONITORING,
        Channel.IMPORT,
        "unstable",
    )
    assert case.identified_on == dt.date(2025, 3, 10) and case.risk_types == ["因病", "因残"]
    step = case.steps.get()
    assert step.action == "import" and "2025-03-10" in step.note and step.by == people["county"]
    measures = Measure.objects.filter(case=case).order_by("kind__name")
    assert {m.kind.code for m in measures} == {"medical_aid", "temporary_relief"}
    assert all(
        m.responsible == people["helper"] and m.status == MeasureStatus.ACTIVE for m in measures
    )
    gone = Case.objects.get(household=homes["plain"])
    assert gone.stage == Stage.ELIMINATED and gone.closed_at.date() == dt.date(2025, 6, 30)
    assert [s.action for s in gone.steps.all()] == ["import", "import_exit"]
    # the category is the case's: in monitoring sets it, eliminated leaves none
    homes["poor"].refresh_from_db()
    homes["plain"].refresh_from_db()
    assert (homes["poor"].category, homes["plain"].category) == ("unstable", "")
    # back after its risk was eliminated: the later case is a relapse
    later, earlier = Case.objects.filter(household=homes["again"]).order_by("-identified_on")
    assert later.relapse and not earlier.relapse and later.stage == Stage.MONITORING
    assert AuditEvent.objects.filter(object_type="case", action="create").count() == 4


def test_the_same_file_again_changes_nothing(people, homes):
    monitoring_import(table=table(rows_ok()), user=people["county"], today=TODAY)
    before = (Case.objects.count(), Measure.objects.count(), AuditEvent.objects.count())
    again = monitoring_import(table=table(rows_ok()), user=people["county"], today=TODAY)
    assert again.written and again.cases_created == 0 and again.unchanged == 4
    assert (Case.objects.count(), Measure.objects.count(), AuditEvent.objects.count()) == before


@pytest.mark.parametrize(
    ("row", "column", "reason"),
    [
        (["N-1", "脱贫不稳定户", "因病", "2025-01-01"], "监测对象类别", "不是原建档立卡脱贫户"),
        (["P-1", "边缘易致贫户", "因病", "2025-01-01"], "监测对象类别", "是原建档立卡脱贫户"),
        (["P-1", "一般户", "因病", "2025-01-01"], "监测对象类别", "应为以下之一"),
        (["P-1", "突发严重困难户", "因穷", "2025-01-01"], "风险类型", "未知的风险类型"),
        (["P-1", "突发严重困难户", "因病", "2027-01-01"], "纳入监测日期", "不能晚于今天"),
        (["P-1", "突发严重困难户", "因病", "2025-01-01", "2024-12-01"], "风险消除日期", "不能早于"),
        (["X-9", "突发严重困难户", "因病", "2025-01-01"], "户编号", "没有该户编号"),
        (["P-1", "突发严重困难户", "因病", "2025-01-01", "", "", "dibao"], "帮扶责任人", "须填写"),
        (
            ["P-1", "突发严重困难户", "因病", "2025-01-01", "", "helper", "买彩票"],
            "帮扶措施",
            "没有",
        ),
        (["P-1", "突发严重困难户", "因病", "2025-01-01", "", "dept"], "帮扶责任人", "不是该村"),
        (["P-1", "突发严重困难户", "", "2025-01-01"], "风险类型", "必填"),
    ],
)
def test_a_bad_row_is_refused_with_its_row_and_column_and_nothing_is_written(
    people, homes, row, column, reason
):
    rows = [rows_ok()[1], row]
    report = monitoring_import(table=table(rows), user=people["county"], today=TODAY)
    assert not report.written and Case.objects.count() == 0 and Measure.objects.count() == 0
    (error,) = report.errors
    assert (error.row, error.column) == (3, column) and reason in error.reason, error


def test_a_household_may_not_be_in_monitoring_twice_at_once(people, homes):
    rows = [
        ["R-1", "突发严重困难户", "因灾", "2023-08-01"],
        ["R-1", "突发严重困难户", "因病", "2024-08-01"],
    ]
    report = monitoring_import(table=table(rows), user=people["county"], today=TODAY)
    (error,) = report.errors
    assert (error.row, error.column) == (3, "纳入监测日期") and "尚未消除风险" in error.reason
    assert Case.objects.count() == 0


def test_a_household_with_a_case_open_in_bangfu_is_handled_on_its_page(people, homes):
    Case.objects.create(household=homes["plain"], channel=Channel.VISIT, stage=Stage.LEAD)
    report = monitoring_import(table=table(rows_ok()), user=people["county"], today=TODAY)
    assert not report.written and [e.row for e in report.errors] == [3]
    assert Case.objects.count() == 1


def test_only_the_county_imports_the_caseload(people, homes):
    for name in ("township", "village", "dept"):
        with pytest.raises(Forbidden):
            monitoring_import(table=table(rows_ok()), user=people[name], today=TODAY)
    assert Case.objects.count() == 0


def test_the_page_queues_a_job_that_imports_the_file(client, people, homes, run_worker):
    wb = Workbook()
    ws = wb.active
    ws.append(HEADERS)
    for r in rows_ok():
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    buf.name = "存量监测对象.xlsx"
    client.force_login(people["village"])
    assert client.get(reverse("monitoring_import")).status_code == 404
    client.force_login(people["county"])
    template = client.get(reverse("monitoring_template"))
    assert template.status_code == 200
    assert read_table(io.BytesIO(b"".join(template.streaming_content)), "t.xlsx").headers[:2] == [
        "户编号",
        "监测对象类别",
    ]
    r = client.post(reverse("monitoring_import"), {"file": buf})
    assert r.status_code == 302
    run_worker()
    job = Job.objects.get()
    assert job.status == JobStatus.SUCCEEDED and job.result["cases_created"] == 4
    assert Case.objects.filter(stage=Stage.MONITORING).count() == 2
    page = client.get(reverse("job", args=[job.pk])).content.decode()
    assert "导入完成" in page and "监测帮扶中 2" in page


def test_the_cli_writes_the_template_and_imports_a_file_made_from_it(people, homes, tmp_path):
    out = tmp_path / "监测对象.xlsx"
    call_command("template", "monitoring", out=out)
    wb = load_workbook(out)
    ws = wb["监测对象"]
    for r in rows_ok():
        ws.append(r)
    wb.save(out)
    call_command("import", "monitoring", str(out), user="county")
    assert Case.objects.count() == 4
    call_command("import", "monitoring", str(out), user="county")
    assert Case.objects.count() == 4 and Household.objects.filter(category="unstable").count() == 1
