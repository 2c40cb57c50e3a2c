"""The problem list's import (template with drop-downs; row, column and reason; nothing
half-written; idempotent by the source's reference) and the ledger's export (台账 layout)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import Workbook, load_workbook

from bangfu.audit.models import AuditAction, AuditEvent
from bangfu.core.errors import Forbidden
from bangfu.core.tabular.sheets import read_table
from bangfu.supervision.models import Problem, ProblemStatus
from bangfu.supervision.selectors import ProblemFilters, problem_list_for_user
from bangfu.supervision.services import problem_verify
from bangfu.supervision.sheets import (
    EXPORT_HEADERS,
    problems_export,
    problems_import,
    problems_template,
)
from tests.supervision.conftest import TODAY
from tests.supervision.test_services import _ready

pytestmark = pytest.mark.django_db
HEAD = [
    "问题来源",
    "来源编号",
    "所在区划",
    "问题类别",
    "问题描述",
    "责任单位",
    "责任人",
    "整改时限",
    "整改措施",
]


def _file(rows: list[list[str]], head: list[str] = HEAD) -> io.BytesIO:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(head)
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    return buf


def _import(people, rows, who="county", head=HEAD):
    table = read_table(_file(rows, head), "清单.xlsx")
    return problems_import(user=people[who], table=table, today=TODAY)


GOOD = [
    [
        "国家考核评估",
        "GK-2026-01",
        "官庄村（140123100206）",
        "帮扶落实",
        "帮扶措施不精准",
        "官庄村村委会",
        "王某",
        "2026-12-31",
        "重新制定帮扶计划",
    ],
    [
        "审计",
        "SJ-7",
        "140123100000",
        "资金项目",
        "衔接资金拨付滞后",
        "娄烦镇人民政府",
        "",
        "2027-01-15",
        "",
    ],
]


def test_the_template_has_drop_downs_for_source_category_and_region(people):
    buf = io.BytesIO()
    problems_template(user=people["township"], out=buf)
    buf.seek(0)
    wb = load_workbook(buf)
    ws = wb["问题清单"]
    assert [c.value for c in ws[1]][:3] == ["问题来源*", "来源编号*", "所在区划*"]
    lists = {str(dv.sqref).split(":")[0]: dv.formula1 for dv in ws.data_validations.dataValidation}
    assert {"A2", "C2", "D2"} <= set(lists)
    codes = wb["代码表"]
    columns = {
        codes.cell(1, j).value: [codes.cell(i, j).value for i in range(2, codes.max_row + 1)]
        for j in range(1, codes.max_column + 1)
    }
    assert "群众反映/12317" in columns["问题来源"]
    assert "作风问题" in columns["问题类别"]
    assert "官庄村（140123100206）" in columns["所在区划"]
    assert "娄烦镇（140123100000）" in columns["所在区划"]
    assert not any(v and "静游镇" in v for v in columns["所在区划"])  # another township's


def test_import_writes_every_row_and_a_reimport_nothing_twice(people):
    report = _import(people, GOOD)
    assert (report.created, report.existing, report.errors) == (2, 0, [])
    first = Problem.objects.get(source="national", source_ref="GK-2026-01")
    assert first.region_id == "140123100206" and first.category == "assistance"
    assert first.deadline == dt.date(2026, 12, 31) and first.measures == "重新制定帮扶计划"
    assert Problem.objects.get(source_ref="SJ-7").region_id == "140123100000"
    again = _import(people, GOOD)
    assert (again.created, again.existing) == (0, 2)
    assert Problem.objects.count() == 2
    assert AuditEvent.objects.filter(object_type="problem", action=AuditAction.CREATE).count() == 2


def test_any_error_writes_nothing_and_says_row_column_reason(people):
    bad = [
        GOOD[0],
        [
            "中央巡视",
            "X-1",
            "官庄村（140123100206）",
            "帮扶落实",
            "描述",
            "单位",
            "",
            "2026-12-31",
            "",
        ],
        ["审计", "SJ-8", "静游镇（140123101000）", "资金项目", "描述", "单位", "", "明年", ""],
        ["审计", "SJ-8", "140123100206", "资金项目", "", "单位", "", "2026-12-31", ""],
    ]
    report = _import(people, bad, who="township")
    found = {(e.row, e.column) for e in report.errors}
    assert (3, "问题来源") in found
    assert (4, "所在区划") in found and (4, "整改时限") in found
    assert (5, "来源编号") in found and (5, "问题描述") in found
    assert report.created == 0 and Problem.objects.count() == 0
    assert "第3行，问题来源列" in str(next(e for e in report.errors if e.row == 3))


def test_an_unknown_column_and_a_role_that_may_not_register(people):
    report = _import(people, [], head=[*HEAD, "备注"])
    assert [(e.row, e.column) for e in report.errors] == [(1, "备注")]
    with pytest.raises(Forbidden):
        _import(people, GOOD, who="village")
    assert Problem.objects.count() == 0


def test_export_in_the_ledger_layout_audited(people, register):
    open_one = register(description="整改中的问题", deadline=dt.date(2026, 12, 31))
    register(description='=HYPERLINK("x")\x0b', responsible_unit="单位")
    closed = _ready(people, register(description="已销号的问题", ref="GK-9"))
    problem_verify(user=people["township"], problem=closed, today=dt.date(2026, 12, 2))
    problems = problem_list_for_user(user=people["county"], filters=ProblemFilters(), today=TODAY)
    buf = io.BytesIO()
    assert problems_export(user=people["county"], problems=problems, out=buf) == 3
    buf.seek(0)
    ws = load_workbook(buf)["台账"]
    rows = [[c.value for c in r] for r in ws.iter_rows()]
    assert rows[1] == EXPORT_HEADERS
    by_text = {r[2]: r for r in rows[2:]}
    assert by_text["整改中的问题"][1] == "国家考核评估"
    assert by_text["整改中的问题"][8] == "否" and by_text["整改中的问题"][9] in (None, "")
    done = by_text["已销号的问题"]
    assert done[8] == "是" and done[9] == "2026-12-02"
    assert "已落实" in done[7] and "已全部整改到位" in done[7]
    assert closed.status == ProblemStatus.CLOSED and open_one.status == ProblemStatus.REGISTERED
    event = AuditEvent.objects.get(action=AuditAction.EXPORT, object_type="problem")
    assert "3 行" in event.note
    assert '=HYPERLINK("x")' in by_text  # kept as text, the control character dropped
