"""Cell-level parsing for the household spreadsheet. Each parser returns the Python value or
raises CellError with the reason for the cadre who typed it: a Reason (msgid and parameters),
so that a stored report is shown in its reader's language; `str()` is the active language's."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from bangfu.core.errors import Refused
from bangfu.core.idcard import IdNumberError, parse_id_number
from bangfu.core.tabular.columns import YES_NO, Column
from bangfu.core.tabular.reasons import Reason, reason_of
from bangfu.core.text import UNSAFE_REFUSED, has_unsafe_chars


@dataclass(frozen=True)
class RowError:
    row: int  # the spreadsheet's row number (the header is row 1; 0 is the file as a whole)
    column: str  # the file's own header, as it is written (never translated)
    why: Reason | str  # a Reason, or a text already in the active language

    @property
    def reason(self) -> str:
        """The reason in the active language."""
        return str(self.why)

    def __str__(self) -> str:
        return _("第{row}行，{column}列：{reason}").format(
            row=self.row, column=self.column, reason=self.reason
        )

    def stored(self) -> dict[str, Any]:
        """The reason's JSON form, for a job's result to render in its reader's language."""
        return reason_of(self.why).stored()


class CellError(Refused):
    """A cell's value refused; its one argument, a Reason, says why (row and column are the
    caller's). `str()` renders the reason in the active language."""

    def __init__(self, why: Reason | str) -> None:
        super().__init__(why)
        self.why = why


# ASCII digits only: full-width or other Unicode digits are folded first (NFKC) where a
# cadre may have typed them, and refused elsewhere.
_HOUSEHOLD_NO = re.compile(r"^[A-Za-z0-9-]{1,32}$")
_DIGITS = re.compile(r"^[0-9]{1,12}$")
_REGION = re.compile(r"^[0-9]{12}$")
_MOBILE = re.compile(r"^1[3-9][0-9]{9}$")
_LANDLINE = re.compile(r"^0[0-9]{2,3}-?[0-9]{7,8}$")
_GRID = re.compile(r"^(?:第)?([0-9]{1,3})(?:网格)?$")
_DATE = re.compile(r"^([0-9]{4})[-/.年]?([0-9]{1,2})[-/.月]?([0-9]{1,2})日?$")
_FOLDED = {"id", "phone", "date", "region", "int", "year", "money", "grid"}
MONEY_MAX = Decimal("9999999999.99")


def _choices(values: Iterable[str]) -> CellError:
    """The values a cell may hold (typed as they are, so never translated), listed."""
    return CellError(Reason(gettext_noop("应为以下之一：%(choices)s"), choices=list(values)))


def parse_money(text: str) -> Decimal:
    try:
        value = Decimal(text.replace(",", "").replace("，", ""))
    except InvalidOperation:
        raise CellError(Reason(gettext_noop("应为金额（元），如 12000 或 12000.50"))) from None
    if not value.is_finite():
        raise CellError(Reason(gettext_noop("应为金额（元）")))
    if value < 0:
        raise CellError(Reason(gettext_noop("金额不能为负数")))
    if value > MONEY_MAX:
        raise CellError(Reason(gettext_noop("金额过大")))
    if value != value.quantize(Decimal("0.01")):
        raise CellError(Reason(gettext_noop("金额最多保留两位小数")))
    return value.quantize(Decimal("0.01"))


def parse_date(text: str) -> dt.date:
    m = _DATE.match(text)
    if not m:
        raise CellError(Reason(gettext_noop("应为日期，如 1980-05-17")))
    try:
        return dt.date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        raise CellError(Reason(gettext_noop("日期不存在"))) from None


def parse_cell(col: Column, text: str, *, today: dt.date) -> Any:
    """The value of a non-blank cell."""
    kind = col.kind
    if kind in _FOLDED:
        text = unicodedata.normalize("NFKC", text).strip()
    if kind == "text":
        if has_unsafe_chars(text):
            raise CellError(Reason(UNSAFE_REFUSED))
        if len(text) > col.max_length:
            raise CellError(Reason(gettext_noop("不能超过%(n)d个字"), n=col.max_length))
        if col.key == "household_no" and not _HOUSEHOLD_NO.match(text):
            raise CellError(Reason(gettext_noop("户编号只能由字母、数字和短横线组成，最长32位")))
        return text
    if kind == "code":
        value = col.code_of(text)
        if value is None:
            raise _choices(col.labels())
        return value
    if kind == "choice":
        if text not in col.options:
            raise _choices(col.options)
        return text
    if kind == "bool":
        if text not in YES_NO:
            raise CellError(Reason(gettext_noop("应填“是”或“否”")))
        return YES_NO[text]
    if kind == "sex":
        if text not in ("男", "女"):
            raise CellError(Reason(gettext_noop("应填“男”或“女”")))
        return "M" if text == "男" else "F"
    if kind == "int":
        if not _DIGITS.match(text):
            raise CellError(Reason(gettext_noop("应为整数")))
        number = int(text)
        if col.options and text not in col.options:
            raise _choices(col.options)
        if col.key == "household_size" and not 1 <= number <= 30:
            raise CellError(Reason(gettext_noop("家庭人口应在1-30之间")))
        if col.key == "work_months" and number > 12:
            raise CellError(Reason(gettext_noop("务工月数应在0-12之间")))
        return number
    if kind == "money":
        return parse_money(text)
    if kind == "year":
        if not (_DIGITS.match(text) and 2000 <= int(text) <= today.year):
            raise CellError(Reason(gettext_noop("应为2000至%(year)d之间的年份"), year=today.year))
        return int(text)
    if kind == "id":
        try:
            # its messages are whole msgids without parameters: raised in the source language,
            # the message is its msgid, and the reason is rendered in the reader's language
            with translation.override(settings.LANGUAGE_CODE):
                return parse_id_number(text, today=today)
        except IdNumberError as exc:
            raise CellError(Reason(str(exc))) from None
    if kind == "phone":
        phone = text.replace(" ", "")
        if not (_MOBILE.match(phone) or _LANDLINE.match(phone)):
            raise CellError(Reason(gettext_noop("应为11位手机号或带区号的固定电话")))
        return phone
    if kind == "date":
        return parse_date(text)
    if kind == "region":
        if not _REGION.match(text):
            raise CellError(Reason(gettext_noop("应为12位村级统计用区划代码")))
        return text
    if kind == "grid":
        m = _GRID.match(text)
        if not m or int(m[1]) == 0:
            raise CellError(Reason(gettext_noop("应为网格编号，如 3 或 第3网格")))
        return int(m[1])
    raise AssertionError(kind)


def columns_present(
    headers: Sequence[str], columns: Sequence[Column], *, unknown: Reason
) -> tuple[list[tuple[Column, int]], list[RowError]]:
    """Each of `columns` that the header row holds, with its position; the header row's
    errors: a header that is none of them (`unknown` says what to use instead), a required
    column missing."""
    index = {h: i for i, h in enumerate(headers) if h}
    known = {c.header for c in columns}
    errors = [RowError(1, h, unknown) for h in headers if h and h not in known]
    errors += [
        RowError(1, c.header, Reason(gettext_noop("缺少必填列")))
        for c in columns
        if c.required and c.header not in index
    ]
    return [(c, index[c.header]) for c in columns if c.header in index], errors


def row_values(
    present: Sequence[tuple[Column, int]], cells: Sequence[str], row: int, *, today: dt.date
) -> tuple[dict[str, Any], list[RowError]]:
    """One row's non-blank cells parsed, by column key, and the errors of its cells (a blank
    required cell is one)."""
    values: dict[str, Any] = {}
    errors: list[RowError] = []
    for col, i in present:
        text = cells[i].strip() if i < len(cells) else ""
        if not text:
            if col.required:
                errors.append(RowError(row, col.header, Reason(gettext_noop("必填，不能为空"))))
            continue
        try:
            values[col.key] = parse_cell(col, text, today=today)
        except CellError as exc:
            errors.append(RowError(row, col.header, exc.why))
    return values, errors
