"""A village's points as .xlsx and as its notice on paper (积分公示): the ranking's rows and
balances by construction (ties share a rank), the list with its state, an item named like a
formula kept as text, the scope of the ranking page (a grid worker their grid's rows, another
village's cadre 404), the heads' names on paper and no ID number, and the audit of every
export."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from bangfu.audit.models import AuditAction, AuditEvent
from bangfu.core.crypto import decrypt
from bangfu.core.errors import NotFound
from bangfu.regions.models import Region
from bangfu.registry.models import Member
from bangfu.supervision.models import PointItem, PointKind
from bangfu.supervision.points import ItemIn, entry_record, item_save, item_set_active
from bangfu.supervision.points import redemption_record as redeem
from bangfu.supervision.points_sheets import points_pdf, points_xlsx
from tests.conftest import VILLAGE, household_rows

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 20)
ON = dt.date(2026, 10, 8)
A, B, C, D = "1401231002069001", "1401231002069002", "1401231002069003", "1401231002069004"
FAR = "1401231002069005"  # a household of 官庄村's grid 2
HEADS = {A: "王大山", B: "李二旦", C: "张三妮", D: "赵四虎", FAR: "刘五斤"}


def _item(people: Any, name: str, points: int, kind: str = PointKind.EARN) -> PointItem:
    data = ItemIn(name=name, kind=kind, points=points, evidence_needed="村民小组长确认")
    return item_save(user=people["village"], data=data, village_code=VILLAGE)


def _earn(people: Any, item: PointItem, no: str) -> None:
    entry_record(
        user=people["village"], item=item, household_no=no, on=ON, evidence="签到表", today=TODAY
    )


@pytest.fixture
def village(people: Any, make_households: Any) -> Region:
    """官庄村 with A and C at 15 (rank 1, 1), B at 5 after 3 deducted and 7 redeemed and D at 5
    (rank 3, 3); a stopped item and one named like a formula on its list."""
    make_households(*(household_rows(no) for no in (A, B, C, D)))
    for no, name in HEADS.items():
        Member.objects.filter(household__household_no=no, relation="head").update(name=name)
    labour = _item(people, "参加义务劳动", 5)
    filial = _item(people, "孝老爱亲", 10)
    mess = _item(people, "乱堆乱放", 3, PointKind.DEDUCT)
    formula = _item(people, "=1+1", 1)
    for no, items in {A: [labour, filial], B: [filial, labour, mess], C: [filial, labour]}.items():
        for item in items:
            _earn(people, item, no)
    _earn(people, formula, D)
    _earn(people, _item(people, "清扫街巷", 4), D)
    redeem(user=people["village"], household_no=B, points=7, goods="食用油", on=ON, today=TODAY)
    item_set_active(user=people["village"], item=formula, active=False)
    return Region.objects.get(code=VILLAGE)


def _workbook(people: Any, village: Region, who: str = "village") -> Any:
    out = io.BytesIO()
    count = points_xlsx(user=people[who], village=village, out=out, today=TODAY)
    out.seek(0)
    wb = load_workbook(out)
    assert count == wb["积分排名"].max_row - 2  # the title and the header lines
    return wb


def _rows(sheet: Any) -> list[list[Any]]:
    return [list(row) for row in sheet.iter_rows(min_row=3, values_only=True)]


def _text(pdf: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_the_workbook_ranks_the_balances_and_lists_the_items(people, village):
    wb = _workbook(people, village)
    assert wb.sheetnames == ["积分排名", "积分清单"]
    ranking = wb["积分排名"]
    assert ranking["A1"].value == "官庄村积分排名    导出日期：2026-11-20"
    assert [c.value for c in ranking[2]] == [
        "名次",
        "户主",
        "户编号",
        "累计加分",
        "扣分",
        "已兑换",
        "积分余额",
    ]
    assert _rows(ranking) == [
        [1, "王大山", A, 15, 0, 0, 15],
        [1, "张三妮", C, 15, 0, 0, 15],
        [3, "李二旦", B, 15, 3, 7, 5],
        [3, "赵四虎", D, 5, 0, 0, 5],
    ]
    items = wb["积分清单"]
    assert [c.value for c in items[2]] == ["事项", "加分/扣分", "分值", "所需佐证", "状态"]
    evidence = "村民小组长确认"
    assert _rows(items) == [
        ["参加义务劳动", "加分", 5, evidence, "启用"],
        ["孝老爱亲", "加分", 10, evidence, "启用"],
        ["乱堆乱放", "扣分", 3, evidence, "启用"],
        ["清扫街巷", "加分", 4, evidence, "启用"],
        ["=1+1", "加分", 1, evidence, "已停用"],  # stopped: the active items first
    ]
    # the item named like a formula stays text, and the household numbers keep their digits
    assert items["A7"].data_type == "s"
    assert ranking["C3"].data_type == "s"


def test_the_exports_are_scoped_as_the_ranking_page(people, village, make_households):
    make_households(household_rows(FAR, grid=2))
    Member.objects.filter(household__household_no=FAR, relation="head").update(name=HEADS[FAR])
    _earn(people, _item(people, "带头致富", 20), FAR)
    # the township reads every row; the grid worker their grid's, with the village's ranks
    township = _rows(_workbook(people, village, "township")["积分排名"])
    assert [(r[0], r[2]) for r in township] == [(1, FAR), (2, A), (2, C), (4, B), (4, D)]
    grid = _rows(_workbook(people, village, "grid")["积分排名"])
    assert [(r[0], r[2]) for r in grid] == [(2, A), (2, C), (4, B), (4, D)]
    paper = _text(points_pdf(user=people["grid"], village=village, today=TODAY))
    assert HEADS[A] in paper and HEADS[FAR] not in paper and FAR not in paper
    for who in ("neighbour", "other_township", "dept"):
        with pytest.raises(NotFound):
            points_xlsx(user=people[who], village=village, out=io.BytesIO(), today=TODAY)
        with pytest.raises(NotFound):
            points_pdf(user=people[who], village=village, today=TODAY)


def test_the_notice_on_paper(people, village):
    pdf = points_pdf(user=people["village"], village=village, today=TODAY)
    assert pdf.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(pdf))
    assert reader.pages[0].mediabox.width < reader.pages[0].mediabox.height  # upright A4
    text = _text(pdf)
    assert "官庄村积分公示（截至2026年11月20日）" in text
    for no in (A, B, C, D):
        assert HEADS[no] in text and no in text
    assert "孝老爱亲" in text and "公示期间如有异议，请向村委会反映" in text
    members = Member.objects.filter(household__village=village)
    ids = [decrypt(m.id_enc) for m in members]
    assert len(ids) == 12 and not any(n in text for n in ids)


def test_an_empty_village_prints_its_notice(people, make_households):
    village = Region.objects.get(code=VILLAGE)
    text = _text(points_pdf(user=people["village"], village=village, today=TODAY))
    assert "暂无积分记录" in text and "本村尚未制定积分清单" in text


def test_every_export_is_audited(people, village):
    _workbook(people, village, "township")
    points_pdf(user=people["grid"], village=village, today=TODAY)
    events = AuditEvent.objects.filter(action=AuditAction.EXPORT).order_by("pk")
    assert list(events.values_list("object_type", "region_code", "actor", "note")) == [
        ("pointentry", VILLAGE, people["township"].pk, "导出官庄村积分排名（Excel）4 户"),
        ("pointentry", VILLAGE, people["grid"].pk, "导出官庄村积分排名（PDF）4 户"),
    ]


def test_the_pages(people, client, village):
    client.force_login(people["village"])
    page = client.get(f"/points/?village={VILLAGE}").content.decode()
    assert f'href="/points/{VILLAGE}/ranking.xlsx"' in page
    assert f'href="/points/{VILLAGE}/ranking.pdf"' in page
    r = client.get(f"/points/{VILLAGE}/ranking.xlsx")
    assert r.status_code == 200
    rows = _rows(load_workbook(io.BytesIO(b"".join(r.streaming_content)))["积分排名"])
    assert [row[2] for row in rows] == [A, C, B, D]
    r = client.get(f"/points/{VILLAGE}/ranking.pdf")
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    assert "王大山" in _text(r.content)
    client.force_login(people["neighbour"])
    for suffix in ("xlsx", "pdf"):
        assert client.get(f"/points/{VILLAGE}/ranking.{suffix}").status_code == 404
    # a township's code is no village: absent
    client.force_login(people["county"])
    assert client.get(f"/points/{VILLAGE[:9]}000/ranking.pdf").status_code == 404
