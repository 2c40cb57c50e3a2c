"""Results (帮扶成效) per village and year, computed from the outcomes recorded on measures:
houses renovated and subsidies paid, pupils aided, jobs found, loans granted, consumption
assistance spent — one column per catalogue measure, as seed 002 reports them."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Sum
from openpyxl import Workbook
from openpyxl.styles import Font

from bangfu.accounts.access import access_for, code_q
from bangfu.accounts.models import User
from bangfu.assistance.models import Measure, MeasureKind, MeasureStatus, Outcome
from bangfu.regions.models import Region


@dataclass
class ResultRow:
    code: str
    name: str
    cells: dict[str, tuple[int, Decimal]] = field(default_factory=dict)  # kind -> (done, amount)


def results_table(
    *, user: User, year: int, prefix: str = ""
) -> tuple[list[MeasureKind], list[ResultRow]]:
    """Measures done in `year` in the user's region (or the part of it under `prefix`), by
    village and catalogue measure; the last row is the total."""
    access = access_for(user)
    if access.region is None or not access.may_read_registry:
        return [], []
    # the region's measures: a responsible person's results are the village's, as before
    done = access.within(
        Measure.objects.filter(status=MeasureStatus.DONE, done_on__year=year),
        "case__household__village__code",
    )
    if prefix:
        done = done.filter(code_q("case__household__village__code", prefix))
    tallies = done.values("case__household__village_id", "kind__code").annotate(
        n=Count("id"), amount=Sum("outcome_amount")
    )
    kinds = list(MeasureKind.objects.filter(code__in={t["kind__code"] for t in tallies}))
    names = dict(
        Region.objects.filter(
            code__in={t["case__household__village_id"] for t in tallies}
        ).values_list("code", "name")
    )
    rows: dict[str, ResultRow] = {}
    total = ResultRow("", "合计")
    for t in tallies:
        code = t["case__household__village_id"]
        row = rows.setdefault(code, ResultRow(code, names.get(code, code)))
        cell = (t["n"], t["amount"] or Decimal(0))
        row.cells[t["kind__code"]] = cell
        n, amount = total.cells.get(t["kind__code"], (0, Decimal(0)))
        total.cells[t["kind__code"]] = (n + cell[0], amount + cell[1])
    ordered = [rows[c] for c in sorted(rows)]
    return kinds, [*ordered, total] if ordered else []


def has_amount(kind: MeasureKind) -> bool:
    return kind.outcome in (Outcome.AMOUNT, Outcome.LOAN)


def results_xlsx(*, kinds: list[MeasureKind], rows: list[ResultRow], year: int) -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = f"{year}年帮扶成效"
    header = ["村", "区划代码"]
    for k in kinds:
        header.append(f"{k.name}（项）")
        if has_amount(k):
            header.append(f"{k.name}（{k.get_outcome_display()}）")
    ws.append(header)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        line: list[object] = [row.name, row.code]
        for k in kinds:
            n, amount = row.cells.get(k.code, (0, Decimal(0)))
            line.append(n)
            if has_amount(k):
                line.append(float(amount))
        ws.append(line)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
