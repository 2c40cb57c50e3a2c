"""Importing a department feed: validate every cell, hash the ID numbers, match them to the
registry, and upsert into the analytical store. Nothing is written if any row is bad."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pyarrow as pa
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from bangfu.core.crypto import lookup_hash
from bangfu.core.idcard import mask_id_number
from bangfu.core.progress import Every, Progress, silent
from bangfu.core.tabular.parsing import RowError, columns_present, row_values
from bangfu.core.tabular.reasons import Reason
from bangfu.core.tabular.sheets import Table
from bangfu.feeds.sources.base import FeedSpec
from bangfu.feeds.store import feed_upsert
from bangfu.registry.models import Household, Member

CHUNK = 900


@dataclass
class FeedReport:
    encoding: str = ""
    rows: int = 0
    written: bool = False
    partitions: int = 0
    errors: list[RowError] = field(default_factory=list)
    unmatched: list[tuple[int, str, str]] = field(default_factory=list)  # row, record id, key

    def summary(self) -> str:
        matched = self.rows - len(self.unmatched)
        return _(
            "共 {rows} 条，匹配到农户 {matched} 条，未匹配 {unmatched} 条；写入 {partitions} 个分区"
        ).format(
            rows=self.rows,
            matched=matched,
            unmatched=len(self.unmatched),
            partitions=self.partitions,
        )


def _known(keys: list[str], by_person: bool) -> set[str]:
    found: set[str] = set()
    for i in range(0, len(keys), CHUNK):
        part = keys[i : i + CHUNK]
        if by_person:
            found |= set(Member.objects.filter(id_hash__in=part).values_list("id_hash", flat=True))
        else:
            found |= set(
                Household.objects.filter(household_no__in=part).values_list(
                    "household_no", flat=True
                )
            )
    return found


def feed_import(
    *, spec: FeedSpec, table: Table, today: dt.date | None = None, progress: Progress = silent
) -> FeedReport:
    today = today or dt.date.today()
    report = FeedReport(encoding=table.encoding)
    present, report.errors = columns_present(
        table.headers,
        spec.all_columns,
        unknown=Reason(gettext_noop("无法识别的列名，请使用该部门的导入模板")),
    )
    if report.errors:
        return report
    out: dict[str, list[Any]] = {f.name: [] for f in spec.arrow_schema()}
    seen: dict[str, int] = {}
    keys: list[tuple[int, str, str, str]] = []  # row, record id, stored key, shown key
    every = Every(progress, _("逐行校验"), len(table.rows))
    for n, cells in enumerate(table.rows, start=2):
        every.tick(n - 1)
        if not any(cells):
            continue
        report.rows += 1
        values, cell_errors = row_values(present, cells, n, today=today)
        report.errors += cell_errors
        rid = values.get("record_id")
        if rid is not None:
            if rid in seen:
                report.errors.append(
                    RowError(n, "记录编号", Reason(gettext_noop("与第{n}行重复"), n=seen[rid]))
                )
            seen[rid] = n
        date = values.get("event_date")
        if date is not None and date > today:
            report.errors.append(RowError(n, "日期", Reason(gettext_noop("日期不能晚于今天"))))
        if spec.keyed_by_person and "id_number" in values:
            ident = values.pop("id_number").value
            values["person_hash"] = lookup_hash(ident)
            keys.append((n, str(rid), values["person_hash"], mask_id_number(ident)))
        elif not spec.keyed_by_person and "household_no" in values:
            keys.append((n, str(rid), values["household_no"], values["household_no"]))
        if date is not None:
            values["period"] = f"{date:%Y-%m}"
        for name in out:
            value = values.get(name)
            out[name].append(float(value) if isinstance(value, Decimal) else value)
    if report.errors:
        report.errors.sort(key=lambda e: (e.row, e.column))
        return report
    progress(_("与农户信息匹配"), 0, 0)
    known = _known([k for _, _, k, _ in keys], spec.keyed_by_person)
    report.unmatched = [(n, rid, shown) for n, rid, k, shown in keys if k not in known]
    arrow = pa.table(out, schema=spec.arrow_schema())
    progress(_("写入分析库"), 0, 0)
    report.partitions = feed_upsert(spec, arrow) if arrow.num_rows else 0
    report.written = True
    return report
