"""The audit log as a spreadsheet (.xlsx): the rows an auditor filtered, as the page shows
them, bounded, and itself audited as an export. Text stays text (a note typed as "=..." is no
formula in the auditor's spreadsheet)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from bangfu.audit.display import EventRow, event_rows
from bangfu.audit.models import AuditAction, AuditEvent
from bangfu.audit.services import Actor, audit_event, audit_save
from bangfu.core.errors import Refused
from bangfu.core.tabular.sheets import safe_cell

MAX_ROWS = 50_000  # the most events one export writes: narrow the filters for more
CHUNK = 1000
COLUMNS = (
    ("时间", 20),
    ("操作人", 16),
    ("操作", 10),
    ("对象类型", 14),
    ("对象", 22),
    ("区划", 14),
    ("变更", 60),
    ("说明", 40),
)


def _changes(row: EventRow) -> str:
    return "\n".join(f"{c.field}：{c.old} → {c.new}" for c in row.changes)


def audit_log_export(
    *,
    events: QuerySet[AuditEvent],
    out: Path | IO[bytes],
    actor: Actor,
    region_code: str,
    note: str = "",
    describe: Callable[[list[EventRow]], None] = lambda rows: None,
) -> int:
    """Write `events` (already scoped and filtered) to `out`, in the active language, and
    record the export. `describe` lets the caller name the objects (a household by its
    number) as its page does. Returns the number of rows."""
    count = events.count()
    if count > MAX_ROWS:
        raise Refused(
            _("共 %(count)d 条，超过一次导出的上限 %(max)d 条，请缩小查询范围后再导出")
            % {"count": count, "max": MAX_ROWS}
        )
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(_("审计日志"))
    for i, (_header, width) in enumerate(COLUMNS, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    heads = []
    for header, _width in COLUMNS:
        cell = WriteOnlyCell(ws, value=_(header))
        cell.font = Font(bold=True)
        heads.append(cell)
    ws.append(heads)

    def rows() -> Iterator[EventRow]:
        ids = list(events.values_list("pk", flat=True))
        for start in range(0, len(ids), CHUNK):
            chunk = events.filter(pk__in=ids[start : start + CHUNK]).select_related("actor")
            shown = event_rows(list(chunk))
            describe(shown)
            yield from shown

    for r in rows():
        values = [
            f"{r.at:%Y-%m-%d %H:%M:%S}",
            r.actor,
            r.action,
            r.object_type,
            r.object_id,
            r.region,
            _changes(r),
            r.note,
        ]
        ws.append([safe_cell(ws, v) for v in values])
    wb.save(out)
    audit_save(
        [
            audit_event(
                actor=actor,
                action=AuditAction.EXPORT,
                object_type=AuditEvent._meta.model_name or "auditevent",
                object_id="*",
                region_code=region_code,
                note=f"导出审计日志 {count} 条" + (f"；条件：{note}" if note else ""),
            )
        ]
    )
    return count
