"""The working day's Excel exports: the warnings list per household, the roster of monitoring
objects (监测对象花名册) and the measures; scoped and filtered as their pages, ID numbers masked
per role, bounded, audited."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from bangfu.assistance import exports
from bangfu.assistance.models import Measure, MeasureKind, MeasureStatus
from bangfu.audit.models import AuditAction, AuditEvent
from bangfu.cases.models import Case, Channel, Stage
from bangfu.core.crypto import decrypt
from bangfu.monitoring.models import WarningStatus
from tests.cases.test_triage import second_warning
from tests.conftest import NEIGHBOUR, household_rows, housing_warning

pytestmark = pytest.mark.django_db

A, B, C = "1401231002069101", "1401231002069102", "1401231002069103"
THEIRS = "1401231002079101"


@pytest.fixture
def county(people, make_households):
    a, b, c, theirs = make_households(
        household_rows(A),
        household_rows(B, size=4),
        household_rows(C),
        household_rows(THEIRS, village=NEIGHBOUR),
    )
    ca = Case.objects.create(
        household=a,
        channel=Channel.IMPORT,
        stage=Stage.MONITORING,
        category="edge",
        risk_types=["因病", "因学"],
        identified_on=dt.date(2026, 3, 1),
    )
    cb = Case.objects.create(
        household=b,
        channel=Channel.IMPORT,
        stage=Stage.ELIMINATED,
        category="unstable",
        risk_types=["因灾"],
        identified_on=dt.date(2025, 1, 5),
        closed_at=timezone.make_aware(dt.datetime(2026, 6, 30, 12)),
    )
    Case.objects.create(household=c, channel=Channel.VISIT, stage=Stage.LEAD)
    Case.objects.create(
        household=theirs,
        channel=Channel.IMPORT,
        stage=Stage.MONITORING,
        category="edge",
        identified_on=dt.date(2026, 2, 1),
    )
    kind = MeasureKind.objects.get(code="migrant_work")
    Measure.objects.create(
        case=ca,
        kind=kind,
        responsible=people["helper"],
        target="=HYPERLINK(1)",  # typed like a formula: stays text
        deadline=dt.date(2026, 12, 31),
        created_by=people["village"],
    )
    Measure.objects.create(
        case=cb,
        kind=kind,
        responsible=people["village"],
        target="稳定务工",
        deadline=dt.date(2026, 5, 31),
        status=MeasureStatus.DONE,
        outcome_amount=Decimal("1200.00"),
        outcome_text="已在县内务工",
        created_by=people["village"],
    )
    for h in (a, c, theirs):
        housing_warning(h)
    second_warning(a)
    second_warning(c, status=WarningStatus.DISMISSED)
    return {"a": a, "b": b, "c": c, "theirs": theirs}


def sheet(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    wb = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    (ws,) = wb.worksheets
    values = [list(r) for r in ws.iter_rows(values_only=True)]
    return ws, values[0][0], values[1], values[2:]


def exported(kind):
    return AuditEvent.objects.filter(action=AuditAction.EXPORT, object_type=kind)


def test_the_warnings_export_is_the_list_one_row_per_household(client, people, county):
    client.force_login(people["village"])
    ws, title, headers, rows = sheet(client.get(reverse("warning_export")))
    assert ws.title == "监测预警" and title.startswith("官庄村监测预警（一户一行）")
    assert headers == ["户编号", "户主", "乡镇", "村", "规则", "优先级", "证据", "状态", "名单"]
    assert ws.column_dimensions["E"].width == 36
    by_no = {r[0]: r for r in rows}
    assert set(by_no) == {A, C}  # not 三元村's
    assert by_no[A][1:5] == [
        f"测试{A}-0",
        "娄烦镇",
        "官庄村",
        "R07 住房安全无保障、R14 未参加基本医疗保险",
    ]
    assert by_no[A][7:] == ["待处理 2", "线索"]
    assert by_no[C][7] == "待处理 1、已排除 1"
    # the list's filters: the new ones only, of one rule
    _ws, _t, _h, rows = sheet(
        client.get(reverse("warning_export"), {"rule": "R14", "status": "new"})
    )
    assert [(r[0], r[4]) for r in rows] == [(A, "R14 未参加基本医疗保险")]
    event = exported("riskwarning").latest("pk")
    assert event.actor == people["village"] and "导出预警农户 1 行" in event.note
    assert "规则=R14" in event.note


def test_the_roster_lists_the_monitoring_objects_with_id_numbers_per_role(client, people, county):
    client.force_login(people["village"])
    ws, title, headers, rows = sheet(client.get(reverse("case_export")))
    assert ws.title == "监测对象花名册" and "含完整身份证号" in title
    assert headers == [
        "序号",
        "乡镇",
        "村",
        "户编号",
        "户主",
        "户主身份证号",
        "家庭人口",
        "监测对象类别",
        "风险类型",
        "纳入监测日期",
        "当前环节",
        "帮扶责任人",
        "风险消除日期",
    ]
    # identified households only (the lead of C is not on the roster), not 三元村's
    assert [r[3] for r in rows] == [A, B]
    head = county["a"].members.get(relation="head")
    assert rows[0] == [
        1,
        "娄烦镇",
        "官庄村",
        A,
        f"测试{A}-0",
        decrypt(head.id_enc),  # the village cadre may read it whole
        3,
        "边缘易致贫户",
        "因病、因学",
        "2026-03-01",
        "监测帮扶中",
        str(people["helper"]),
        None,
    ]
    assert rows[1][6:] == [
        4,
        "脱贫不稳定户",
        "因灾",
        "2025-01-05",
        "风险已消除",
        "village",
        "2026-06-30",
    ]
    assert "（含完整身份证号）" in exported("case").latest("pk").note
    # the grid worker reads it masked, and so does the file
    client.force_login(people["grid"])
    _ws, title, _h, rows = sheet(client.get(reverse("case_export")))
    assert "身份证号已脱敏" in title
    assert rows[0][5] == head.id_masked and "*" in rows[0][5]
    assert decrypt(head.id_enc) not in str(rows)
    assert "（脱敏）" in exported("case").latest("pk").note
    # a stage, as the case list asks for it
    client.force_login(people["village"])
    ws, _t, _h, rows = sheet(client.get(reverse("case_export"), {"stage": "lead"}))
    assert [r[3] for r in rows] == [C] and ws.title == "监测帮扶（待入户核查）"


def test_the_tasks_export_is_ones_own_for_a_helper_and_the_regions_for_others(
    client, people, county
):
    client.force_login(people["helper"])
    ws, _t, headers, rows = sheet(client.get(reverse("task_export")))
    assert ws.title == "帮扶任务"
    assert headers == ["户编号", "户主", "村", "措施", "责任人", "目标", "完成时限", "状态", "结果"]
    assert rows == [
        [
            A,
            f"测试{A}-0",
            "官庄村",
            "就业帮扶：组织外出务工",
            str(people["helper"]),
            "=HYPERLINK(1)",
            "2026-12-31",
            "待实施",
            None,
        ]
    ]
    assert ws["F3"].data_type == "s"  # text, not a formula
    client.force_login(people["township"])
    _ws, _t, _h, rows = sheet(client.get(reverse("task_export")))
    assert [r[0] for r in rows] == [A, B]
    assert rows[1][4:] == [
        "village",
        "稳定务工",
        "2026-05-31",
        "已完成",
        "1200.00 元；已在县内务工",
    ]
    assert "导出帮扶措施 2 行" in exported("measure").latest("pk").note


def test_exports_answer_only_readers_of_the_registry(client, people, county):
    client.force_login(people["dept"])
    for name in ("warning_export", "case_export", "task_export"):
        assert client.get(reverse(name)).status_code == 404
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()
    client.force_login(people["other_township"])  # 静游镇: nothing of 娄烦镇
    _ws, _t, _h, rows = sheet(client.get(reverse("case_export")))
    assert rows == []


def test_an_export_over_the_limit_goes_back_with_the_reason(client, people, county, monkeypatch):
    monkeypatch.setattr(exports, "MAX_ROWS", 1)
    client.force_login(people["village"])
    r = client.get(reverse("case_export"), {"village": "140123100206"})
    assert r.status_code == 302 and r["Location"] == reverse("cases") + "?village=140123100206"
    (message,) = [str(m) for m in get_messages(r.wsgi_request)]
    assert "共 2 行，超过一次导出的上限 1 行" in message
    assert not exported("case").exists()
    r = client.get(reverse("task_export"))  # the village's two measures: over it too
    assert r.status_code == 302 and r["Location"] == reverse("my_tasks")
