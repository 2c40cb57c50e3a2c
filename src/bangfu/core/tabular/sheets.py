"""Reading and writing the spreadsheets county offices already keep (.xlsx and .csv)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.utils.translation import gettext_noop
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from python_calamine import CalamineWorkbook

from bangfu.core.errors import Refused
from bangfu.core.tabular.columns import Column
from bangfu.core.tabular.reasons import Reason

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"  # its media type
DATA_SHEET = "农户信息"
CODES_SHEET = "代码表"
HELP_SHEET = "填表说明"
VALIDATION_ROWS = 200_000


class SheetError(Refused):
    """The file as a whole cannot be read (format, encoding, missing sheet or header). Its one
    argument, a Reason, says why; `str()` renders it in the active language."""

    def __init__(self, why: Reason | str) -> None:
        super().__init__(why)
        self.why = why


@dataclass
class Table:
    headers: list[str]
    rows: list[list[str]]  # cells as text, "" for blank
    encoding: str  # "xlsx", "UTF-8", "UTF-8 (BOM)", "GB18030/GBK"


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def _read_at_most(source: Path | IO[bytes], limit: int) -> bytes:
    """The file's bytes, reading at most one byte more than `limit` (a CSV over it is refused;
    an .xlsx is compressed, so its own file may be up to `limit` as well)."""
    if isinstance(source, Path):
        with source.open("rb") as f:
            return f.read(limit + 1)
    return source.read(limit + 1)


def decode_csv(data: bytes) -> tuple[str, str]:
    """UTF-8 (with or without BOM) or GB18030, of which GBK is a subset.

    GBK text is practically never valid UTF-8, so a strict UTF-8 attempt decides.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8"), "UTF-8 (BOM)"
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030"), "GB18030/GBK"
    except UnicodeDecodeError as exc:
        raise SheetError(
            Reason(
                gettext_noop(
                    "无法识别文件编码（支持 UTF-8、GBK、GB18030），第 %(byte)d 字节附近无法解码"
                ),
                byte=exc.start,
            )
        ) from None


@dataclass(frozen=True)
class Caps:
    """What a spreadsheet may hold (settings MAX_SHEET_*): its unpacked content in bytes (an
    .xlsx is a zip: 2 MB may unpack to 700), its data rows, its cells."""

    content: int
    rows: int
    cells: int

    @classmethod
    def from_settings(cls) -> Caps:
        return cls(
            content=int(settings.MAX_SHEET_MB * 1024 * 1024),
            rows=settings.MAX_SHEET_ROWS,
            cells=settings.MAX_SHEET_CELLS,
        )


def _mb(size: int) -> str:
    return f"{size / 1024 / 1024:.2f}".rstrip("0").rstrip(".") + " MB"


def _too_much(what: str, cap: str) -> SheetError:
    """`what` a msgid (gettext_noop), rendered with the rest in the reader's language."""
    return SheetError(
        Reason(
            gettext_noop("文件超过上限：%(what)s超过 %(cap)s，请分批导入"),
            what=Reason(what),
            cap=cap,
        )
    )


def _content_check(data: bytes, caps: Caps) -> None:
    """An .xlsx's entries, unpacked, within `caps.content`: the sizes the zip declares first
    (a bomb is refused at once), then the bytes actually inflated, chunk by chunk (a zip that
    lies about its sizes fails its checksum), never holding more than a chunk."""
    mb = _mb(caps.content)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            entries = zf.infolist()
            if sum(e.file_size for e in entries) > caps.content:
                raise _too_much(gettext_noop("解压后的内容"), mb)
            total = 0
            for entry in entries:
                with zf.open(entry) as f:
                    while chunk := f.read(1 << 20):
                        total += len(chunk)
                        if total > caps.content:
                            raise _too_much(gettext_noop("解压后的内容"), mb)
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError):
        raise SheetError(Reason(gettext_noop("无法读取该 Excel 文件，请确认文件未损坏"))) from None


def _bounded(rows: Iterable[list[str]], caps: Caps) -> list[list[str]]:
    """The rows, refused as soon as there are more rows or cells than the caps allow."""
    out: list[list[str]] = []
    cells = 0
    for row in rows:
        out.append(row)
        cells += len(row)
        if len(out) > caps.rows + 1:  # the header row is not a data row
            raise _too_much(gettext_noop("数据行数"), f"{caps.rows:,}")
        if cells > caps.cells:
            raise _too_much(gettext_noop("单元格数"), f"{caps.cells:,}")
    return out


def read_table(source: Path | IO[bytes], filename: str, caps: Caps | None = None) -> Table:
    """The first (or the 农户信息) sheet of an .xlsx, or a CSV, as text cells, within `caps`
    (the settings' by default): a file over a cap is refused with the cap it broke."""
    caps = caps or Caps.from_settings()
    suffix = Path(filename).suffix.lower()
    if suffix not in {".csv", ".xlsx", ".xlsm", ".xls"}:
        raise SheetError(Reason(gettext_noop("仅支持 .xlsx 和 .csv 文件")))
    data = _read_at_most(source, caps.content)
    if len(data) > caps.content:
        raise _too_much(gettext_noop("文件大小"), _mb(caps.content))
    if suffix == ".csv":
        text, encoding = decode_csv(data)
        del data
        try:
            reader = ([c.strip() for c in r] for r in csv.reader(io.StringIO(text, newline="")))
            rows = _bounded(reader, caps)
        except csv.Error as exc:
            raise SheetError(
                Reason(
                    gettext_noop("CSV 文件格式错误（%(error)s），请检查引号和超长单元格"),
                    error=str(exc),
                )
            ) from None
    else:
        encoding = "xlsx"
        if suffix != ".xls":
            _content_check(data, caps)
        try:
            book = CalamineWorkbook.from_filelike(io.BytesIO(data))
            if not book.sheet_names:
                raise SheetError(Reason(gettext_noop("该 Excel 文件没有工作表")))
            name = DATA_SHEET if DATA_SHEET in book.sheet_names else book.sheet_names[0]
            sheet = book.get_sheet_by_name(name)
            if sheet.height > caps.rows + 1:
                raise _too_much(gettext_noop("数据行数"), f"{caps.rows:,}")
            if sheet.height * sheet.width > caps.cells:
                raise _too_much(gettext_noop("单元格数"), f"{caps.cells:,}")
            rows = _bounded(([_cell_text(c) for c in r] for r in sheet.iter_rows()), caps)
        except SheetError:
            raise
        except Exception:
            raise SheetError(
                Reason(gettext_noop("无法读取该 Excel 文件，请确认文件未损坏"))
            ) from None
    while rows and not any(rows[-1]):
        rows.pop()
    if not rows:
        raise SheetError(Reason(gettext_noop("文件是空的：没有表头")))
    headers = [h.strip().rstrip("*").strip() for h in rows[0]]
    return Table(headers=headers, rows=rows[1:], encoding=encoding)


_HEAD_FILL = PatternFill("solid", fgColor="FFE8F0FE")
_REQUIRED_FONT = Font(bold=True, color="FFC00000")
_TEXT_KINDS = {"text", "id", "phone", "region"}


def write_workbook(
    columns: Sequence[Column],
    rows: Iterable[Sequence[Any]],
    out: Path | IO[bytes],
    *,
    help_lines: Sequence[str] = (),
    sheet: str = DATA_SHEET,
) -> None:
    """An .xlsx with Chinese headers, drop-downs for coded columns from a code sheet, text
    format for numbers that must keep their digits (ID numbers), and a help sheet."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(sheet)
    codes = wb.create_sheet(CODES_SHEET)
    help_ws = wb.create_sheet(HELP_SHEET)

    coded = [(i, c) for i, c in enumerate(columns) if c.labels()]
    for i, c in enumerate(columns):
        ws.column_dimensions[get_column_letter(i + 1)].width = 22 if c.kind == "id" else 14
    for j, (i, c) in enumerate(coded):
        letter = get_column_letter(j + 1)
        n = len(c.labels())
        dv = DataValidation(
            type="list",
            formula1=f"={CODES_SHEET}!${letter}$2:${letter}${n + 1}",
            allow_blank=not c.required,
            showErrorMessage=True,
            errorTitle="输入值无效",
            error=f"请从下拉列表中选择{c.header}",
        )
        col = get_column_letter(i + 1)
        dv.add(f"{col}2:{col}{VALIDATION_ROWS}")
        ws.data_validations.append(dv)

    header_cells = []
    for c in columns:
        cell = WriteOnlyCell(ws, value=c.header + ("*" if c.required else ""))
        cell.fill = _HEAD_FILL
        cell.alignment = Alignment(horizontal="center")
        if c.required:
            cell.font = _REQUIRED_FONT
        header_cells.append(cell)
    ws.append(header_cells)
    text_cols = {i for i, c in enumerate(columns) if c.kind in _TEXT_KINDS}
    for row in rows:
        out_row: list[Any] = []
        for i, v in enumerate(row):
            if i in text_cols and v not in (None, ""):
                v = str(v)
            out_row.append(safe_cell(ws, v, text=i in text_cols))
        ws.append(out_row)

    codes.append([c.header for _, c in coded])
    longest = max((len(c.labels()) for _, c in coded), default=0)
    for k in range(longest):
        codes.append([(c.labels()[k] if k < len(c.labels()) else None) for _, c in coded])
    codes.sheet_state = "hidden"

    help_ws.append(["列名", "必填", "说明", "可选值"])
    for c in columns:
        help_ws.append([c.header, "是" if c.required else "", c.note, "、".join(c.labels())])
    for line in help_lines:
        help_ws.append([line])
    wb.save(out)


def write_csv(headers: Sequence[str], rows: Iterable[Sequence[Any]], out: IO[str]) -> None:
    w = csv.writer(out)
    w.writerow(headers)
    w.writerows(rows)


def write_plain_workbook(
    headers: Sequence[str], rows: Iterable[Sequence[Any]], out: Path | IO[bytes]
) -> None:
    """A one-sheet workbook (e.g. the rejected rows with their reasons)."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("被拒绝的行")
    ws.append([safe_cell(ws, h) for h in headers])
    for r in rows:
        ws.append([safe_cell(ws, v) for v in r])
    wb.save(out)


def safe_cell(ws: Any, value: Any, *, text: bool = False) -> Any:
    """A value for a write-only sheet's row. Strings stay strings: a name typed as
    "=HYPERLINK(...)" must not become a formula in the county's spreadsheet (nor lose its value
    on the way back); control characters a spreadsheet cannot hold (a stray \\x0b in a
    note) are dropped rather than failing the whole export."""
    if not isinstance(value, str) or value == "":
        return value
    cell = WriteOnlyCell(ws, value=ILLEGAL_CHARACTERS_RE.sub("", value))
    cell.data_type = "s"
    if text:
        cell.number_format = "@"
    return cell


# the look of the offices' exports (a title line, then a header line), shared by every writer
_EXPORT_TITLE_FONT = Font(bold=True, size=14)
_EXPORT_HEAD_FONT = Font(bold=True)
_EXPORT_HEAD_FILL = PatternFill("solid", fgColor="DDEBF7")


def _text_cell(ws: Any, value: str) -> Any:
    """A cell to style: `safe_cell`'s, or an empty one (safe_cell leaves "" a bare value)."""
    return safe_cell(ws, value) if value else WriteOnlyCell(ws, value=value)


def title_row(ws: Any, text: str) -> list[Any]:
    """A write-only sheet's title line (the report's name, its period, the export's date), in
    bold; formula-safe, since a title carries a scheme's or a region's name."""
    cell = _text_cell(ws, text)
    cell.font = _EXPORT_TITLE_FONT
    return [cell]


def header_row(ws: Any, values: Iterable[str]) -> list[Any]:
    """A write-only sheet's header line, bold on blue, centred; formula-safe, since some
    headers are the county's own text (an assessment's dimensions)."""
    cells = []
    for value in values:
        cell = _text_cell(ws, value)
        cell.font, cell.fill = _EXPORT_HEAD_FONT, _EXPORT_HEAD_FILL
        cell.alignment = Alignment(horizontal="center")
        cells.append(cell)
    return cells


def table_sheet(
    wb: Any,
    title: str,
    caption: str,
    columns: Sequence[tuple[str, int, int]],
    rows: Iterable[Sequence[Any]],
) -> int:
    """One sheet of a write-only workbook: its columns' widths (header, width in characters,
    width on paper — the last unused here), the title line, the headers, the rows, each cell
    formula-safe. Returns the rows written."""
    ws = wb.create_sheet(title[:31])
    for i, (_header, width, _paper) in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.append(title_row(ws, caption))
    ws.append(header_row(ws, [header for header, _width, _paper in columns]))
    count = 0
    for row in rows:
        ws.append([safe_cell(ws, v) for v in row])
        count += 1
    return count
