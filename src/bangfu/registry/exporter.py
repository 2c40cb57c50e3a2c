"""Exporting households in the import template's own format (an export imports back)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from django.db.models import Prefetch, QuerySet

from bangfu.audit.models import AuditAction
from bangfu.audit.services import audit_event, audit_save
from bangfu.core.crypto import decrypt
from bangfu.core.idcard import mask_id_number, mask_phone
from bangfu.core.tabular.columns import Column
from bangfu.core.tabular.sheets import write_workbook
from bangfu.registry.columns import COLUMNS, HOUSEHOLD_COLUMNS, INCOME_COLUMNS, MEMBER_COLUMNS
from bangfu.registry.models import Household, IncomeRecord, Member, Relation

HELP = [
    "一行一名家庭成员，同一户的成员户编号相同；户级和收支列可只在户主行填写。",
    "带 * 的列必填；编码列请从下拉列表中选择。",
    "同一文件重复导入不会产生重复记录（按户编号和身份证号更新）。",
]


# Columns whose cell is not a plain attribute of the row's object.
_DERIVED = {"village", "grid", "phone", "id_number", "member_phone"}


def _format(col: Column, value: Any) -> Any:
    if value is None or value == "":
        return ""
    if col.kind == "code":
        return col.label_of(value)
    if col.kind == "bool":
        return "是" if value else "否"
    if col.kind == "sex":
        return "男" if value == "M" else "女"
    if col.kind == "money":
        return float(value)
    if col.kind == "date":
        return value.isoformat()
    return value


def export_rows(households: QuerySet[Household], *, unmask: bool) -> Iterator[list[Any]]:
    members = Member.objects.order_by("id")
    latest = IncomeRecord.objects.order_by("-year")
    qs = (
        households.order_by("household_no")
        .select_related("grid")
        .prefetch_related(
            Prefetch("members", queryset=members), Prefetch("incomes", queryset=latest)
        )
    )
    for h in qs.iterator(chunk_size=2000):
        incomes = h.incomes.all()
        income = incomes[0] if incomes else None
        phone = decrypt(h.phone_enc) if h.phone_enc else ""
        base: dict[str, Any] = {
            c.key: getattr(h, c.key) for c in HOUSEHOLD_COLUMNS if c.key not in _DERIVED
        }
        base.update(
            village=h.village_id,
            grid=h.grid.number if h.grid else None,
            phone=phone if unmask else mask_phone(phone),
        )
        if income is not None:
            base.update((c.key, getattr(income, c.key)) for c in INCOME_COLUMNS)
        for m in sorted(h.members.all(), key=lambda m: (m.relation != Relation.HEAD, m.id)):
            ident = decrypt(m.id_enc)
            mphone = decrypt(m.phone_enc) if m.phone_enc else ""
            values = base | {
                c.key: getattr(m, c.key) for c in MEMBER_COLUMNS if c.key not in _DERIVED
            }
            values.update(
                id_number=ident if unmask else mask_id_number(ident),
                member_phone=mphone if unmask else mask_phone(mphone),
            )
            yield [_format(c, values.get(c.key)) for c in COLUMNS]


def households_export(
    *,
    households: QuerySet[Household],
    out: Path | IO[bytes],
    unmask: bool,
    actor: Any,
    note: str = "",
    region_code: str,
) -> int:
    """Write the households to `out`; the export itself is audited (with the count and whether
    the full ID numbers were included). Returns the number of member rows."""
    count = 0

    def counted() -> Iterator[list[Any]]:
        nonlocal count
        for row in export_rows(households, unmask=unmask):
            count += 1
            yield row

    write_workbook(COLUMNS, counted(), out, help_lines=HELP)
    audit_save(
        [
            audit_event(
                actor=actor,
                action=AuditAction.EXPORT,
                object_type="household",
                object_id="*",
                region_code=region_code,
                note=(
                    f"导出 {count} 名成员"
                    + ("（含完整身份证号）" if unmask else "（脱敏）")
                    + (f"；条件：{note}" if note else "")
                )[:255],
            )
        ]
    )
    return count


def households_template(*, out: Path | IO[bytes]) -> None:
    write_workbook(COLUMNS, [], out, help_lines=HELP)
