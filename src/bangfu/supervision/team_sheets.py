"""The roster of the resident work teams (驻村工作队花名册) as the county files it, in .xlsx and
on paper (PDF): one row per member of every team in the user's region, with the days they
logged this year (驻村天数) and whether the village is a weak one (重点帮扶村), then the weak
villages still without a first secretary on post (应派尽派, seed 004: “确保贫困村、后进村第一书记
应派尽派”). In Chinese whatever the page's language; only office phones are kept (a mobile is
refused on entry) and no ID number; bounded in rows; each export audited with its count."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import IO, Any

from django.utils import timezone, translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from reportlab.lib.units import mm

from bangfu.accounts.access import access_for
from bangfu.accounts.models import User
from bangfu.assistance.exports import MAX_ROWS
from bangfu.audit.models import AuditAction
from bangfu.audit.services import audit_event, audit_save
from bangfu.cases.prints import LINE, LandscapeSheet
from bangfu.core.errors import Refused
from bangfu.core.tabular.sheets import table_sheet
from bangfu.regions.models import Region
from bangfu.supervision.models import TeamMember
from bangfu.supervision.teams import (
    active_q,
    days_on_post_in_scope,
    teams_in_scope,
    villages_lacking_first_secretary,
    weak_villages_in_scope,
)

TITLE = "驻村工作队花名册"
LACKING_TITLE = "应派尽派：尚无在岗第一书记的重点帮扶村"
Columns = Sequence[tuple[str, int, int]]  # header, width in the sheet (characters), on paper (mm)
# the fourteen columns fill a landscape A4 between its margins (257 mm)
ROSTER_COLUMNS: Columns = (
    ("序号", 6, 9),
    ("乡镇", 12, 18),
    ("村", 12, 18),
    ("派出单位", 28, 30),
    ("层级", 6, 9),
    ("姓名", 10, 15),
    ("职务", 10, 15),
    ("工作单位及职务", 28, 34),
    ("办公电话", 16, 24),
    ("到岗日期", 12, 18),
    ("离岗日期", 12, 18),
    ("驻村天数", 10, 15),
    ("重点帮扶村", 10, 17),
    ("是否在岗", 10, 15),
)
LACKING_COLUMNS: Columns = (
    ("序号", 6, 12),
    ("乡镇", 14, 40),
    ("村", 14, 40),
    ("区划代码", 16, 40),
    ("认定日期", 12, 30),
    ("文件编号", 24, 60),
)


@dataclass
class Roster:
    rows: list[list[Any]]  # one per member (a team without members: one row, its own)
    lacking: list[list[Any]]  # the weak villages without a first secretary on post


def _yes(value: bool) -> str:
    return "是" if value else "否"


def _day(value: dt.date | None) -> str:
    return value.isoformat() if value else ""


def _place(village: Region) -> list[str]:
    return [village.parent.name if village.parent else "", village.name]


def team_roster(*, user: User, today: dt.date) -> Roster:
    """The roster's rows in the teams' order (by village), members first secretary first; days
    on post counted from 1 January of `today`'s year. Refused over the export's row limit."""
    members = access_for(user).filter(TeamMember.objects.all()).count()
    count = members + teams_in_scope(user=user).filter(members=None).count()
    if count > MAX_ROWS:
        raise Refused(
            _("共 %(count)d 行，超过一次导出的上限 %(max)d 行，请缩小查询范围后再导出")
            % {"count": count, "max": MAX_ROWS}
        )
    teams = teams_in_scope(user=user).select_related("village__parent")
    teams = teams.order_by("village_id", "-term_start", "pk")
    days = days_on_post_in_scope(user=user, start=today.replace(month=1, day=1), end=today)
    weak = set(weak_villages_in_scope(user=user).values_list("village_id", flat=True))
    on_post = set(
        access_for(user)
        .filter(TeamMember.objects.filter(active_q(today), team__active=True))
        .values_list("pk", flat=True)
    )
    rows: list[list[Any]] = []
    for team in teams:
        place = [*_place(team.village), team.sending_unit, team.get_unit_level_display()]
        marked = _yes(team.village_id in weak)
        for m in team.members.all():
            person = [m.name, m.get_role_display(), m.post, m.phone, _day(m.term_start)]
            logged = [_day(m.term_end), days.get(m.pk, 0), marked, _yes(m.pk in on_post)]
            rows.append([len(rows) + 1, *place, *person, *logged])
        if not team.members.all():
            rows.append([len(rows) + 1, *place, *[""] * 7, marked, ""])
    lacking = [
        [n, *_place(v), v.code, _day(v.weak_mark.decided_on), v.weak_mark.document_no]
        for n, v in enumerate(villages_lacking_first_secretary(user=user, today=today), start=1)
    ]
    return Roster(rows=rows, lacking=lacking)


def _caption(user: User, title: str, today: dt.date) -> str:
    region = user.region.name if user.region else ""
    return f"{region}{title}    导出日期：{today:%Y-%m-%d}"


def _audited(*, user: User, count: int, what: str) -> None:
    audit_save(
        [
            audit_event(
                actor=user,
                action=AuditAction.EXPORT,
                object_type="workteam",
                object_id="*",
                region_code=user.region.code if user.region else "",
                note=f"导出{TITLE}（{what}）{count} 行",
            )
        ]
    )


# the workbook -----------------------------------------------------------------------------
def roster_xlsx(*, user: User, out: IO[bytes], today: dt.date | None = None) -> int:
    """The roster (sheet 花名册) and the weak villages lacking a first secretary (sheet 应派尽派);
    returns the roster's rows."""
    today = today or timezone.localdate()
    with translation.override(None):
        roster = team_roster(user=user, today=today)
        wb = Workbook(write_only=True)
        table_sheet(wb, "花名册", _caption(user, TITLE, today), ROSTER_COLUMNS, roster.rows)
        table_sheet(
            wb, "应派尽派", _caption(user, LACKING_TITLE, today), LACKING_COLUMNS, roster.lacking
        )
        wb.save(out)
    _audited(user=user, count=len(roster.rows), what="Excel")
    return len(roster.rows)


# on paper ---------------------------------------------------------------------------------
def paper_table(sheet: LandscapeSheet, columns: Columns, rows: list[list[Any]]) -> None:
    """The columns' rows on the turned sheet, each column as wide as the paper's mm."""
    headers = [header for header, _width, _paper in columns]
    sheet.table(headers, [paper * mm for _header, _width, paper in columns], rows)


def roster_pdf(*, user: User, today: dt.date | None = None) -> bytes:
    """The roster on landscape A4, then the weak villages lacking a first secretary."""
    today = today or timezone.localdate()
    with translation.override(None):
        roster = team_roster(user=user, today=today)
        region = user.region.name if user.region else ""
        sheet = LandscapeSheet(f"{region}{TITLE}")
        sheet.heading(f"{region}{TITLE}")
        sheet.text(f"导出日期：{today:%Y-%m-%d}", size=10)
        sheet.space(2 * mm)
        paper_table(sheet, ROSTER_COLUMNS, roster.rows)
        sheet.space(6 * mm)
        sheet.room(13 * 2 + 8 * LINE * 4)  # the heading stays with its table's first rows
        sheet.heading(LACKING_TITLE, size=13)
        if roster.lacking:
            paper_table(sheet, LACKING_COLUMNS, roster.lacking)
        else:
            sheet.text("重点帮扶村均已选派第一书记。", size=10)
        data = sheet.done()
    _audited(user=user, count=len(roster.rows), what="PDF")
    return data
