"""The ledger's pages: the list with filters and statistics, a problem with its history and
the actions (disabled with the reason for those who may not), registering, evidence upload
and download (audited, scoped), the import and export pages, and the to-do home."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from bangfu.audit.models import AuditAction, AuditEvent
from bangfu.supervision.models import Problem, ProblemStatus
from tests.conftest import OTHER_TOWNSHIP_VILLAGE, VILLAGE
from tests.supervision.conftest import png
from tests.supervision.test_services import _ready

pytestmark = pytest.mark.django_db


def _as(client, people, who):
    client.force_login(people[who])
    return client


def test_the_list_filters_and_counts(client, people, register):
    register(description="官庄村帮扶不到位", source="audit")
    register(description="官庄村档案不全", source="national", category="groundwork")
    register(by="county", region=OTHER_TOWNSHIP_VILLAGE, description="静游镇的问题")
    page = _as(client, people, "township").get("/problems/").content.decode()
    assert "官庄村帮扶不到位" in page and "官庄村档案不全" in page
    assert "静游镇的问题" not in page
    filtered = client.get("/problems/?source=audit").content.decode()
    assert "官庄村帮扶不到位" in filtered and "官庄村档案不全" not in filtered
    assert "导入问题清单" in filtered  # the township registers
    village = _as(client, people, "village").get("/problems/").content.decode()
    assert "导入问题清单" not in village and "官庄村档案不全" in village


def test_the_statistics_table_is_on_the_list(client, people, register):
    register(source="audit")
    register(source="audit", deadline=dt.date(2020, 1, 1))
    page = _as(client, people, "county").get("/problems/?by=source").content.decode()
    stats = page.split('id="stats"', 1)[1].split("</table>", 1)[0]
    # the first column names what its rows are (each phone card's label)
    row = stats.split('<td data-label="问题来源">审计</td>', 1)[1].split("</tr>", 1)[0]
    cells = [c.split(">")[-1] for c in row.split("</td>")[:-1]]
    assert cells == ["2", "0", "0", "1", "0"]


def test_the_detail_shows_history_and_the_allowed_actions(client, people, register):
    problem = register(description="危房改造未完成")
    page = _as(client, people, "village").get(f"/problems/{problem.pk}/").content.decode()
    assert "危房改造未完成" in page and "登记" in page
    assert f'action="/problems/{problem.pk}/progress"' in page
    assert 'capture="environment"' in page
    assert "该问题尚未申请销号" in page  # verification: disabled, with the reason
    township = _as(client, people, "township").get(f"/problems/{problem.pk}/").content.decode()
    assert f'action="/problems/{problem.pk}/progress"' not in township
    assert "只有问题所在地（官庄村）的干部可以整改和申请销号" in township


def test_progress_with_evidence_then_closeout_and_verify_through_the_pages(
    client, people, register
):
    problem = register()
    _as(client, people, "village")
    r = client.post(f"/problems/{problem.pk}/progress", {"text": "已修缮", "evidence": [png()]})
    assert r.status_code == 302
    assert problem.evidence.count() == 1
    client.post(f"/problems/{problem.pk}/closeout", {"result": ""})
    assert Problem.objects.get(pk=problem.pk).status == ProblemStatus.RECTIFYING
    client.post(f"/problems/{problem.pk}/closeout", {"result": "已修缮完毕"})
    assert Problem.objects.get(pk=problem.pk).status == ProblemStatus.CLOSEOUT_REQUESTED
    client.post(f"/problems/{problem.pk}/verify", {"reason": ""})
    assert Problem.objects.get(pk=problem.pk).status == ProblemStatus.CLOSEOUT_REQUESTED
    home = _as(client, people, "township").get("/").content.decode()
    assert "待验收销号的问题" in home
    client.post(f"/problems/{problem.pk}/verify", {"reason": "现场核实"})
    closed = Problem.objects.get(pk=problem.pk)
    assert closed.status == ProblemStatus.CLOSED and closed.closed_on == timezone.localdate()


def test_evidence_download_is_scoped_and_audited(client, people, register):
    problem = _ready(people, register())
    evidence = problem.evidence.get()
    r = _as(client, people, "auditor").get(f"/problems/evidence/{evidence.pk}")
    assert r.status_code == 200 and r["Content-Type"] == "image/png"
    assert r["X-Content-Type-Options"] == "nosniff"
    assert AuditEvent.objects.filter(
        action=AuditAction.EXPORT, object_type="problemevidence", object_id=str(evidence.pk)
    ).exists()
    assert (
        _as(client, people, "other_township").get(f"/problems/evidence/{evidence.pk}").status_code
        == 404
    )


def test_a_problem_of_another_township_is_absent(client, people, register):
    outside = register(by="county", region=OTHER_TOWNSHIP_VILLAGE)
    _as(client, people, "township")
    assert client.get(f"/problems/{outside.pk}/").status_code == 404
    assert client.post(f"/problems/{outside.pk}/progress", {"text": "x"}).status_code == 404
    assert _as(client, people, "dept").get("/problems/").status_code == 404


def test_registering_a_problem(client, people):
    _as(client, people, "township")
    form = client.get("/problems/new/").content.decode()
    assert "官庄村" in form and "静游镇" not in form
    r = client.post(
        "/problems/new/",
        {
            "source": "unannounced",
            "source_ref": "AF-3",
            "region": VILLAGE,
            "category": "conduct",
            "description": "入户走访记录造假",
            "responsible_unit": "官庄村村委会",
            "deadline": "2026-12-15",
        },
    )
    problem = Problem.objects.get(source_ref="AF-3")
    assert r.status_code == 302 and r["Location"] == f"/problems/{problem.pk}/"
    assert problem.registered_by == people["township"] and problem.category == "conduct"
    assert _as(client, people, "village").get("/problems/new/").status_code == 404


def test_import_page_shows_errors_and_writes_nothing(client, people):
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["问题来源", "来源编号", "所在区划", "问题类别", "问题描述", "责任单位", "整改时限"])
    ws.append(["审计", "S-1", VILLAGE, "资金项目", "描述", "单位", "不是日期"])
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    buf.name = "清单.xlsx"
    r = _as(client, people, "county").post("/problems/import/", {"file": buf})
    page = r.content.decode()
    assert r.status_code == 400 and "第2行" in page and "整改时限" in page
    assert Problem.objects.count() == 0
    template = client.get("/problems/template.xlsx")
    assert "问题清单" in load_workbook(io.BytesIO(b"".join(template.streaming_content))).sheetnames


def test_export_page(client, people, register):
    register(description="要导出的问题")
    r = _as(client, people, "township").get("/problems/export.xlsx")
    ws = load_workbook(io.BytesIO(b"".join(r.streaming_content)))["台账"]
    assert ws.cell(3, 3).value == "要导出的问题" and ws.cell(2, 1).value == "序号"


def test_overdue_problems_appear_on_the_home_of_the_level_above(client, people, register):
    register(description="逾期的整改", deadline=dt.date(2020, 1, 1))
    home = _as(client, people, "township").get("/").content.decode()
    assert "逾期未整改的问题" in home and "逾期的整改" in home
    village = _as(client, people, "village").get("/").content.decode()
    assert "逾期未整改的问题" not in village
