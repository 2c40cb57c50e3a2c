"""The problem list as spreadsheets: the import template (drop-downs for the source, the
category and the region), the import of a list handed down by an assessment (row, column and
reason for every error; nothing written on any error; a problem already registered under the
same source and reference number is left as it is), and the export in the 台账 layout."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import IO, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font

from bangfu.accounts.access import access_for
from bangfu.accounts.models import User
from bangfu.audit.models import AuditAction
from bangfu.audit.services import audit_event, audit_save
from bangfu.core.errors import Forbidden
from bangfu.core.tabular.columns import Column
from bangfu.core.tabular.parsing import RowError, columns_present, row_values
from bangfu.core.tabular.reasons import Reason
from bangfu.core.tabular.sheets import Table, safe_cell, write_workbook
from bangfu.regions.models import Level, Region
from bangfu.supervision.models import Problem, ProblemCategory, ProblemStatus, Source, UpdateKind
from bangfu.supervision.services import ProblemIn, problem_register

SHEET = "问题清单"
HELP = [
    "问题清单导入：每行一个问题。问题来源、问题类别、所在区划请从下拉列表中选择（区划也可只填12位代码）。",
    "来源编号是反馈问题清单上的编号：同一来源、同一编号的问题只登记一次，重复导入不会重复登记。",
    "整改时限填日期，如 2026-12-31。有任何错误时不导入任何数据。",
]
EXPORT_HEADERS = [
    "序号",
    "问题来源",
    "问题描述",
    "整改措施",
    "责任单位",
    "责任人",
    "整改时限",
    "整改进展",
    "是否销号",
    "销号时间",
]


def _region_label(region: Region) -> str:
    return f"{region.name}（{region.code}）"


def _regions(user: User) -> list[Region]:
    access = access_for(user)
    if access.region is None:
        return []
    return [access.region, *access.regions(Level.TOWNSHIP), *access.regions(Level.VILLAGE)]


def columns_for(user: User) -> list[Column]:
    """The template's columns; the region's drop-down lists the user's own regions."""
    regions = tuple(
        dict.fromkeys(_region_label(r) for r in _regions(user) if r.level >= Level.COUNTY)
    )
    return [
        Column("问题来源", "source", "problem", "code", True, choices=Source),
        Column("来源编号", "source_ref", "problem", "text", True, max_length=64),
        Column("所在区划", "region", "problem", "text", True, options=regions, note="县、乡镇或村"),
        Column("问题类别", "category", "problem", "code", True, choices=ProblemCategory),
        Column("问题描述", "description", "problem", "text", True, max_length=2000),
        Column("责任单位", "responsible_unit", "problem", "text", True, max_length=100),
        Column("责任人", "responsible_person", "problem", "text", max_length=64),
        Column("整改时限", "deadline", "problem", "date", True, note="如 2026-12-31"),
        Column("整改措施", "measures", "problem", "text", max_length=2000),
    ]


def problems_template(*, user: User, out: IO[bytes]) -> None:
    write_workbook(columns_for(user), [], out, help_lines=HELP, sheet=SHEET)


@dataclass
class ProblemImport:
    created: int = 0
    existing: int = 0
    errors: list[RowError] = field(default_factory=list)


def problems_import(*, user: User, table: Table, today: dt.date | None = None) -> ProblemImport:
    """Every row checked first; on any error nothing is written."""
    today = today or timezone.localdate()
    if not access_for(user).may_register_problems:
        raise Forbidden(_("只有考核/审计、县级和乡镇干部可以登记问题"))
    columns = columns_for(user)
    present, errors = columns_present(
        table.headers, columns, unknown=Reason(gettext_noop("不是问题清单的列，请使用模板"))
    )
    report = ProblemImport(errors=errors)
    if errors:
        return report
    by_label = {_region_label(r): r.code for r in _regions(user)}
    codes = set(by_label.values())
    rows: list[tuple[int, ProblemIn]] = []
    seen: set[tuple[str, str]] = set()
    for n, cells in enumerate(table.rows, start=2):
        if not any(c.strip() for c in cells):
            continue
        values, row_errors = row_values(present, cells, n, today=today)
        region = str(values.get("region", ""))
        code = by_label.get(region, region if region in codes else "")
        if "region" in values and not code:
            row_errors.append(RowError(n, "所在区划", Reason(gettext_noop("不在您所辖的区划内"))))
        key = (str(values.get("source", "")), str(values.get("source_ref", "")))
        if key in seen:
            row_errors.append(RowError(n, "来源编号", Reason(gettext_noop("与前面的行重复"))))
        seen.add(key)
        if row_errors:
            report.errors += row_errors
            continue
        existing = Problem.objects.filter(source=key[0], source_ref=key[1]).first()
        if existing is not None:
            if not access_for(user).contains(existing.region_id):
                reason = Reason(gettext_noop("该编号的问题已在其他区域登记"))
                report.errors.append(RowError(n, "来源编号", reason))
            else:
                report.existing += 1
            continue
        rows.append((n, _problem_in(values, code)))
    if report.errors:
        return report
    with transaction.atomic():
        for _n, data in rows:
            problem_register(user=user, data=data, today=today)
        report.created = len(rows)
    return report


def _problem_in(values: dict[str, Any], code: str) -> ProblemIn:
    return ProblemIn(
        source=values["source"],
        source_ref=values["source_ref"],
        region_code=code,
        category=values["category"],
        description=values["description"],
        responsible_unit=values["responsible_unit"],
        responsible_person=values.get("responsible_person", ""),
        deadline=values["deadline"],
        measures=values.get("measures", ""),
    )


def _progress(problem: Problem) -> str:
    lines = [
        u.text or u.result
        for u in problem.updates.all()
        if u.kind in (UpdateKind.PROGRESS, UpdateKind.CLOSEOUT_REQUEST) and (u.text or u.result)
    ]
    return "；".join(lines)


def _cell(ws: Any, value: Any) -> Any:
    """Never a formula, no control characters (`safe_cell`), wrapped for long texts."""
    cell = safe_cell(ws, value)
    if isinstance(value, str) and value:
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    return cell


def problems_export(
    *, user: User, problems: Any, out: IO[bytes], note: str = "", title: str = "问题整改台账"
) -> int:
    """The ledger in the 台账 layout; the export is audited."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("台账")
    region = user.region.name if user.region else ""
    ws.append([f"{region}{title}    导出日期：{timezone.localdate():%Y-%m-%d}"])
    head = []
    for h in EXPORT_HEADERS:
        cell = WriteOnlyCell(ws, value=h)
        cell.font = Font(bold=True)
        head.append(cell)
    ws.append(head)
    count = 0
    for i, p in enumerate(problems.prefetch_related("updates"), start=1):
        closed = p.status == ProblemStatus.CLOSED
        ws.append(
            [
                i,
                _cell(ws, p.get_source_display()),
                _cell(ws, p.description),
                _cell(ws, p.measures),
                _cell(ws, p.responsible_unit),
                _cell(ws, p.responsible_person),
                p.deadline.isoformat(),
                _cell(ws, _progress(p)),
                "是" if closed else "否",
                p.closed_on.isoformat() if closed and p.closed_on else "",
            ]
        )
        count += 1
    wb.save(out)
    audit_save(
        [
            audit_event(
                actor=user,
                action=AuditAction.EXPORT,
                object_type="problem",
                object_id="*",
                region_code=user.region.code if user.region else "",
                note=(f"导出问题台账 {count} 行" + (f"；条件：{note}" if note else ""))[:255],
            )
        ]
    )
    return count
