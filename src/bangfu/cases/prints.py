"""What the village prints besides the cards: the pieces every printed paper shares (the CJK
font, an A4 sheet written from the top down, turned for a wide table, the signature lines) and
the monthly meeting's agenda (议程) and minutes (会议纪要). PDFs are drawn with ReportLab in a CJK
TrueType font from Debian (fonts-wqy-microhei, installed by ./dev setup) or BANGFU_CJK_FONT."""

from __future__ import annotations

import datetime as dt
import io
import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from bangfu.accounts.models import User
from bangfu.cases.meetings import meeting_agenda, meeting_decisions_for_user, meeting_held
from bangfu.cases.models import Case, Meeting, MeetingDecision
from bangfu.core.errors import Refused
from bangfu.monitoring.models import RiskWarning
from bangfu.regions.models import Region
from bangfu.regions.selectors import village_contact
from bangfu.registry.models import Household

FONT = "BangfuCJK"
FONT_PATHS = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
)
MARGIN = 20 * mm
TOP = 25 * mm
BOTTOM = 22 * mm
LINE = 1.4  # a table's line height, in font sizes


class PrintError(Refused):
    """Cannot print: the reason, in the active language."""


def cjk_font() -> str:
    """The registered CJK font's name (registered on first use)."""
    if FONT in pdfmetrics.getRegisteredFontNames():
        return FONT
    chosen = os.environ.get("BANGFU_CJK_FONT") or next(
        (p for p in FONT_PATHS if Path(p).exists()), None
    )
    if not chosen or not Path(chosen).exists():
        raise PrintError(
            _(
                "缺少中文字体：请安装 fonts-wqy-microhei（./dev setup 会安装），"
                "或设置 BANGFU_CJK_FONT"
            )
        )
    pdfmetrics.registerFont(TTFont(FONT, chosen, subfontIndex=0))
    return FONT


def chinese_date(day: dt.date) -> str:
    """2026年3月2日, as a notice or minutes is dated."""
    return f"{day.year}年{day.month}月{day.day}日"


class Sheet:
    """An A4 paper written from the top down: headings, lines wrapped at the margin, rows of
    cells, tables (cells wrapped within their columns, the headers repeated on every page),
    and a new page whenever the next line would cross the bottom margin."""

    def __init__(self, title: str) -> None:
        self.font = cjk_font()
        self._out = io.BytesIO()
        self.canvas = Canvas(self._out, pagesize=A4)
        self.canvas.setTitle(title)
        self.width, self.height = A4
        self.y = self.height - TOP
        self.pages = 1

    def new_page(self) -> None:
        self.canvas.showPage()
        self.pages += 1
        self.y = self.height - TOP

    def room(self, height: float) -> None:
        """Start a new page unless `height` more fits above the bottom margin."""
        if self.y - height < BOTTOM:
            self.new_page()

    def space(self, height: float) -> None:
        self.y -= height

    def heading(self, text: str, size: float = 16) -> None:
        self.room(size * 2)
        self.canvas.setFont(self.font, size)
        self.canvas.drawCentredString(self.width / 2, self.y, text)
        self.y -= size * 2

    def wrap(self, text: str, size: float, width: float) -> list[str]:
        """`text` cut into lines no wider than `width` (character by character: Chinese has
        no spaces to break at), its own line breaks kept."""
        lines: list[str] = []
        for para in text.splitlines() or [""]:
            line = ""
            for ch in para:
                if line and pdfmetrics.stringWidth(line + ch, self.font, size) > width:
                    lines.append(line)
                    line = ""
                line += ch
            lines.append(line)
        return lines

    def text(self, text: str, size: float = 11, indent: float = 0, hang: float = 0) -> None:
        """A paragraph from the left margin (plus `indent`); lines after the first start
        `hang` further in (a numbered item's text under its text, not under its number)."""
        left = MARGIN + indent
        width = self.width - MARGIN - left
        for i, line in enumerate(self.wrap(text, size, width - hang)):
            self.room(size * 1.6)
            self.canvas.setFont(self.font, size)
            self.canvas.drawString(left + (hang if i else 0), self.y, line)
            self.y -= size * 1.6

    def row(self, cells: Sequence[tuple[float, str]], size: float = 10) -> None:
        """One line of cells, each at its offset from the left margin."""
        self.room(size * 1.8)
        self.canvas.setFont(self.font, size)
        for x, value in cells:
            self.canvas.drawString(MARGIN + x, self.y, value)
        self.y -= size * 1.8

    def right(self, lines: Iterable[str], size: float = 11) -> None:
        """Lines against the right margin (the sign-off of a notice: committee and date)."""
        for line in lines:
            self.room(size * 1.8)
            self.canvas.setFont(self.font, size)
            self.canvas.drawRightString(self.width - MARGIN - 10 * mm, self.y, line)
            self.y -= size * 1.8

    def signatures(self, labels: Sequence[str], size: float = 11) -> None:
        """Signature lines side by side (主持人：______), kept on one page."""
        self.room(size * 4)
        self.y -= size
        self.canvas.setFont(self.font, size)
        step = (self.width - 2 * MARGIN) / len(labels)
        for i, label in enumerate(labels):
            x = MARGIN + i * step
            self.canvas.drawString(x, self.y, f"{label}：")
            start = x + pdfmetrics.stringWidth(f"{label}：", self.font, size)
            self.canvas.line(start, self.y - 2, x + step - 8 * mm, self.y - 2)
        self.y -= size * 2

    def table(
        self,
        headers: Sequence[str],
        widths: Sequence[float],
        rows: Iterable[Sequence[Any]],
        size: float = 8,
    ) -> None:
        """Rows under the headers, each cell wrapped within its column's width; a row that
        does not fit starts a new page, the headers repeated."""
        self._headers(headers, widths, size)
        for row in rows:
            lines = self._lines(row, widths, size)
            if self.y - len(lines[0]) * size * LINE < BOTTOM:
                self.new_page()
                self._headers(headers, widths, size)
            self._cells(row, widths, size)

    def _headers(self, headers: Sequence[str], widths: Sequence[float], size: float) -> None:
        self.room(size * LINE * 3)  # never a header alone at the foot of a page
        top = self.y + size * LINE
        self.canvas.line(MARGIN, top, MARGIN + sum(widths), top)
        self._cells(headers, widths, size)

    def _lines(self, row: Sequence[Any], widths: Sequence[float], size: float) -> list[list[str]]:
        """Each cell's lines, the first list padded to the row's height."""
        cells = [self.wrap(str(v), size, w - 2 * mm) for v, w in zip(row, widths, strict=True)]
        height = max(len(c) for c in cells)
        cells[0] += [""] * (height - len(cells[0]))
        return cells

    def _cells(self, row: Sequence[Any], widths: Sequence[float], size: float) -> None:
        cells = self._lines(row, widths, size)
        self.canvas.setFont(self.font, size)
        x = MARGIN
        for lines, width in zip(cells, widths, strict=True):
            for i, line in enumerate(lines):
                self.canvas.drawString(x + 1 * mm, self.y - i * size * LINE, line)
            x += width
        bottom = self.y - (len(cells[0]) - 1) * size * LINE - size * 0.6
        self.canvas.line(MARGIN, bottom, x, bottom)
        self.y = bottom - size * LINE

    def done(self) -> bytes:
        self.canvas.save()
        return self._out.getvalue()


class LandscapeSheet(Sheet):
    """The A4 sheet turned, for tables too wide to stand upright (an assessment's ranking with
    a column per dimension, the work teams' roster)."""

    def __init__(self, title: str) -> None:
        super().__init__(title)
        self.width, self.height = landscape(A4)
        self.canvas.setPageSize((self.width, self.height))
        self.y = self.height - TOP


def named(household: Household) -> str:
    """A household as lists name it: the head, the number beside (张三（1401…0001）)."""
    return f"{household.head_name}（{household.household_no}）"


# the meeting -----------------------------------------------------------------------------
def _items(sheet: Sheet, title: str, lines: list[str]) -> None:
    sheet.space(2 * mm)
    sheet.text(f"{title}（{len(lines)}）", size=12)
    if not lines:
        sheet.text(_("无"), indent=6 * mm)
    for i, line in enumerate(lines, start=1):
        sheet.text(f"{i}. {line}", indent=6 * mm, hang=5 * mm)


def _due(case: Case, today: dt.date) -> str:
    if case.due is None:
        return ""
    late = _("（已逾期）") if case.due < today else ""
    return _("时限 %(date)s") % {"date": f"{case.due:%Y-%m-%d}"} + late


def _agenda_lines(agenda: dict[str, Any], today: dt.date) -> list[tuple[str, list[str]]]:
    """The agenda's five parts, each household with what the meeting has to do about it."""
    warnings: Iterable[RiskWarning] = agenda["warnings"]
    leads: Iterable[Case] = agenda["leads"]
    steps: Iterable[Case] = agenda["steps_due"]
    evaluations: Iterable[Case] = agenda["evaluations_due"]
    exits: Iterable[Case] = agenda["exits_proposed"]
    return [
        (
            _("一、新的预警"),
            [
                f"{named(w.household)}：{w.rule_id} {w.rule_title}，"
                + _("研判是否转为线索、入户核查")
                for w in warnings
            ],
        ),
        (
            _("二、待入户核查的线索"),
            [f"{named(c.household)}：" + _("安排入户核查") + "，" + _due(c, today) for c in leads],
        ),
        (
            _("三、本月到期或逾期的环节"),
            [f"{named(c.household)}：{c.get_stage_display()}，{_due(c, today)}" for c in steps],
        ),
        (
            _("四、到期应评估的农户"),
            [f"{named(c.household)}：" + _("帮扶成效评估") for c in evaluations],
        ),
        (
            _("五、提出风险消除的农户"),
            [f"{named(c.household)}：" + _("村级评议是否消除风险") for c in exits],
        ),
    ]


def _minutes(sheet: Sheet, held: Meeting, decisions: Iterable[MeetingDecision]) -> None:
    sheet.text(_("会议时间：") + chinese_date(held.held_on))
    sheet.text(_("参会人员：") + held.attendees, hang=22 * mm)
    sheet.space(2 * mm)
    sheet.text(_("会议纪要："), size=12)
    sheet.text(held.minutes, indent=6 * mm)
    lines = [f"{named(d.case.household)}：{d.text}" for d in decisions]
    _items(sheet, _("会议决定"), lines)


def meeting_paper(*, user: User, village: Region, month: str, today: dt.date) -> bytes:
    """The month's meeting on paper: before it, the agenda (what to look at, household by
    household, with blank lines for the date and place); once its minutes are recorded, the
    minutes and each decision per household. Signature lines for the chair and the recorder
    (主持人, 记录人) either way. What the user may read only, as on the meeting page."""
    agenda = meeting_agenda(user=user, village=village, month=month)
    held = meeting_held(village=village, month=month)
    year, mon = month.split("-")
    when = _("%(year)s年%(month)d月") % {"year": year, "month": int(mon)}
    office = village_contact(village).office
    if held is None:
        title = _("%(village)s%(when)s防止返贫动态监测村级会议议程") % {
            "village": village.name,
            "when": when,
        }
        sheet = Sheet(title)
        sheet.heading(title)
        sheet.text(_("会议时间：        年    月    日　　　　地点："))
        sheet.text(_("参会人员："))
        for part, lines in _agenda_lines(agenda, today):
            _items(sheet, part, lines)
    else:
        title = _("%(village)s%(when)s防止返贫动态监测村级会议纪要") % {
            "village": village.name,
            "when": when,
        }
        sheet = Sheet(title)
        sheet.heading(title)
        _minutes(sheet, held, meeting_decisions_for_user(user=user, meeting=held))
    sheet.space(6 * mm)
    sheet.signatures([_("主持人"), _("记录人")])
    sheet.right([office])
    return sheet.done()
