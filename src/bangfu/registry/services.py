"""Writes to the registry. Each owns its transaction and writes its audit record."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import IO

from django.db import transaction
from django.http import Http404

from bangfu.accounts.models import User
from bangfu.audit.services import audit_record
from bangfu.registry.importer import ImportReport, RowError, households_import
from bangfu.registry.models import Household, IncomeReading
from bangfu.registry.sheets import SheetError, read_table


class RegistryPermissionError(PermissionError):
    pass


def households_import_file(
    *, user: User, source: Path | IO[bytes], filename: str, skip_invalid: bool = False
) -> tuple[ImportReport, list[str]]:
    """Import a spreadsheet uploaded by `user`, within the user's region.

    Returns the report and the file's headers (for writing the rejected rows back)."""
    if not user.can_write_registry or user.region is None:
        raise RegistryPermissionError("您的角色不能导入农户信息")
    try:
        table = read_table(source, filename)
    except SheetError as exc:
        return ImportReport(errors=[RowError(0, "文件", str(exc))]), []
    report = households_import(
        table=table, actor=user, scope_prefix=user.region.prefix, skip_invalid=skip_invalid
    )
    return report, table.headers


@transaction.atomic
def reading_record(
    *,
    user: User,
    household: Household,
    kind: str,
    period: str,
    income: Decimal,
    production_costs: Decimal,
    note: str = "",
) -> IncomeReading:
    """A grid worker's monthly or quarterly income reading (upsert by period)."""
    if not user.can_record_readings:
        raise Http404
    size = household.members.count()
    if size == 0:
        raise ValueError("该户没有家庭成员，无法计算人均收入")
    reading, created = IncomeReading.objects.get_or_create(
        household=household,
        period=period,
        defaults={
            "kind": kind,
            "household_size": size,
            "income": income,
            "production_costs": production_costs,
            "note": note,
            "recorded_by": user,
        },
    )
    changes: dict[str, list[object]] = {}
    if not created:
        for name, value in (
            ("kind", kind),
            ("household_size", size),
            ("income", income),
            ("production_costs", production_costs),
            ("note", note),
        ):
            old = getattr(reading, name)
            if old != value:
                changes[name] = [str(old), str(value)]
                setattr(reading, name, value)
        reading.recorded_by = user
        reading.save()
    else:
        changes = {"period": [None, period], "income": [None, str(income)]}
    audit_record(
        actor=user,
        action="create" if created else "update",
        obj=reading,
        region_code=household.village_id,
        changes=changes,
    )
    return reading
