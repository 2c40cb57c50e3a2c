"""Writes to the registry. Each owns its transaction and writes its audit record."""

from __future__ import annotations

import time
import uuid
from decimal import Decimal
from pathlib import Path
from typing import IO

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from bangfu.accounts.access import access_for
from bangfu.accounts.models import User
from bangfu.audit.models import AuditAction
from bangfu.audit.services import audit_event, audit_record, audit_save
from bangfu.core.errors import Forbidden, NotFound, Refused
from bangfu.core.progress import Progress, silent
from bangfu.core.tabular.parsing import RowError
from bangfu.core.tabular.sheets import SheetError, read_table, write_plain_workbook
from bangfu.registry.importer import ImportReport, households_import, rejected_table
from bangfu.registry.models import Household, IncomeReading

REJECTED_TTL = 24 * 3600  # seconds a rejected-rows file is kept (it holds personal data)


def households_import_file(
    *,
    user: User,
    source: Path | IO[bytes],
    filename: str,
    skip_invalid: bool = False,
    progress: Progress = silent,
) -> tuple[ImportReport, list[str]]:
    """Import a spreadsheet uploaded by `user`, within the user's region.

    Returns the report and the file's headers (for writing the rejected rows back)."""
    access = access_for(user)
    if not access.may_write_registry or access.region is None:
        raise Forbidden(_("您的角色不能导入农户信息"))
    try:
        table = read_table(source, filename)
    except SheetError as exc:
        return ImportReport(errors=[RowError(0, _("文件"), exc.why)]), []
    report = households_import(
        table=table,
        actor=user,
        scope_prefix=access.region.prefix,
        skip_invalid=skip_invalid,
        progress=progress,
    )
    return report, table.headers


def rejected_path(user_pk: int, token: str) -> Path | None:
    """Where the rejected rows of a user's import are kept (None for a malformed token)."""
    if not token.isalnum():
        return None
    return Path(settings.HOME) / "rejected" / str(user_pk) / f"{token}.xlsx"


def rejected_store(user_pk: int, report: ImportReport, headers: list[str]) -> str:
    """Write the rows an import skipped, with their reasons, for the user to download once;
    files older than a day are deleted on the way. Returns the file's token."""
    token = uuid.uuid4().hex
    path = rejected_path(user_pk, token)
    assert path is not None
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    now = time.time()
    for old in path.parent.glob("*.xlsx"):
        if now - old.stat().st_mtime > REJECTED_TTL:
            old.unlink(missing_ok=True)
    head, rows = rejected_table(report, headers)
    write_plain_workbook(head, rows, path)
    return token


def rejected_take(*, user: User, token: str) -> bytes:
    """The rejected rows of the user's own import, once: the file is deleted when taken, and
    the download is recorded (it holds personal data)."""
    access = access_for(user)
    path = rejected_path(user.pk, token)
    if not access.may_write_registry or access.region is None or path is None:
        raise NotFound
    with transaction.atomic():
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            raise NotFound from None
        audit_save(
            [
                audit_event(
                    actor=user,
                    action=AuditAction.EXPORT,
                    object_type="import",
                    object_id=token,
                    region_code=access.region.code,
                    note="下载导入被拒绝的行",
                )
            ]
        )
    path.unlink(missing_ok=True)
    return data


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
    access = access_for(user)
    if not access.may_record_readings or not access.admits(household):
        raise NotFound
    size = household.members.count()
    if size == 0:
        raise Refused(_("该户没有家庭成员，无法计算人均收入"))
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
        action=AuditAction.CREATE if created else AuditAction.UPDATE,
        obj=reading,
        region_code=household.village_id,
        changes=changes,
    )
    return reading
