"""A village's points (积分制) in .xlsx and on paper: the ranking (名次, 户主, 户编号, the points
earned, deducted, redeemed and the balance) and the village's list (清单), the rows the ranking
page shows the user (`village_ranking`: a grid worker their grid's). The paper is the notice a
village posts on its board (积分公示, issue 13: the points made public so villagers can check
them; how often is the village's, the paper stands at the day it is printed), upright A4 like
the village's other notices, in Chinese whatever the page's language. Households are named by
their heads, never an ID number or a phone; each export audited with its count."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import IO, Any

from django.utils import timezone, translation
from openpyxl import Workbook
from reportlab.lib.units import mm

from bangfu.accounts.models import User
from bangfu.audit.models import AuditAction
from bangfu.audit.services import audit_event, audit_save
from bangfu.cases.prints import LINE, Sheet, chinese_date
from bangfu.core.tabular.sheets import table_sheet
from bangfu.regions.models import Region
from bangfu.regions.selectors import village_contact
from bangfu.supervision.points import village_items, village_ranking
from bangfu.supervision.team_sheets import Columns

RANKING_TITLE = "积分排名"
ITEMS_TITLE = "积分清单"
OBJECTION = "公示期间如有异议，请向村委会反映。"
# the columns fill an upright A4 between its margins (170 mm)
RANKING_COLUMNS: Columns = (
    ("名次", 6, 14),
    ("户主", 12, 30),
    ("户编号", 20, 46),
    ("累计加分", 10, 20),
    ("扣分", 8, 18),
    ("已兑换", 8, 20),
    ("积分余额", 10, 22),
)
ITEM_COLUMNS: Columns = (
    ("事项", 30, 60),
    ("加分/扣分", 10, 18),
    ("分值", 6, 14),
    ("所需佐证", 36, 60),
    ("状态", 8, 18),
)
PAPER_SIZE = 10  # a notice on the village's board is read standing: larger than a roster's 8


@dataclass
class Points:
    ranking: list[list[Any]]  # one per household the user reads, in the village's ranks
    items: list[list[Any]]  # the village's list, the active items first


def _state(active: bool) -> str:
    return "启用" if active else "已停用"


def points_rows(*, user: User, village: Region) -> Points:
    """The ranking's and the list's rows, as the points page shows them to the user."""
    # the households carry `village_balances`' annotations, which the model does not declare
    ranked: list[Any] = village_ranking(user=user, village=village)
    ranking = [
        [h.rank, h.head_name, h.household_no, h.earned, h.deducted, h.redeemed, h.balance]
        for h in ranked
    ]
    items = [
        [
            i.name,
            i.get_kind_display(),
            i.points,
            i.evidence_needed,
            "启用" if i.active else "已停用",
        ]
        for i in village_items(user=user, village=village)
    ]
    return Points(ranking=ranking, items=items)


def _audited(*, user: User, village: Region, count: int, what: str) -> None:
    audit_save(
        [
            audit_event(
                actor=user,
                action=AuditAction.EXPORT,
                object_type="pointentry",
                object_id="*",
                region_code=village.code,
                note=f"导出{village.name}{RANKING_TITLE}（{what}）{count} 户",
            )
        ]
    )


# the workbook -----------------------------------------------------------------------------
def points_xlsx(
    *, user: User, village: Region, out: IO[bytes], today: dt.date | None = None
) -> int:
    """The ranking (sheet 积分排名) and the list (sheet 积分清单); returns the ranking's rows."""
    today = today or timezone.localdate()
    with translation.override(None):
        points = points_rows(user=user, village=village)
        wb = Workbook(write_only=True)
        for title, columns, rows in (
            (RANKING_TITLE, RANKING_COLUMNS, points.ranking),
            (ITEMS_TITLE, ITEM_COLUMNS, points.items),
        ):
            caption = f"{village.name}{title}    导出日期：{today:%Y-%m-%d}"
            table_sheet(wb, title, caption, columns, rows)
        wb.save(out)
    _audited(user=user, village=village, count=len(points.ranking), what="Excel")
    return len(points.ranking)


# on paper ---------------------------------------------------------------------------------
def points_pdf(*, user: User, village: Region, today: dt.date | None = None) -> bytes:
    """The notice (积分公示): its title with the day it stands at, the ranking, the list, whom
    to raise an objection with, and the committee's sign-off."""
    today = today or timezone.localdate()
    with translation.override(None):
        points = points_rows(user=user, village=village)
        title = f"{village.name}积分公示（截至{chinese_date(today)}）"
        sheet = Sheet(title)
        sheet.heading(title)
        sheet.text("　　积分余额 = 累计加分 − 扣分 − 已兑换；余额相同的农户名次相同。", size=10)
        sheet.space(2 * mm)
        for heading, columns, rows, empty in (
            (RANKING_TITLE, RANKING_COLUMNS, points.ranking, "暂无积分记录。"),
            (ITEMS_TITLE, ITEM_COLUMNS, points.items, "本村尚未制定积分清单。"),
        ):
            sheet.room(13 * 2 + PAPER_SIZE * LINE * 4)  # the heading stays with its first rows
            sheet.heading(heading, size=13)
            if rows:
                sheet.table(
                    [header for header, _width, _paper in columns],
                    [paper * mm for _header, _width, paper in columns],
                    rows,
                    size=PAPER_SIZE,
                )
            else:
                sheet.text(empty, size=PAPER_SIZE)
            sheet.space(4 * mm)
        sheet.text("　　" + OBJECTION)
        sheet.space(8 * mm)
        sheet.right([village_contact(village).office, chinese_date(today)])
        data = sheet.done()
    _audited(user=user, village=village, count=len(points.ranking), what="PDF")
    return data
