"""Benchmark: importing N member rows (default 100,000) from an .xlsx made from the template.

Runs in a fresh BANGFU_HOME (SQLite unless --database-url is given) and times, in one process:
  read      reading the file alone (calamine)                      -- the floor
  baseline  bulk_create of the same members with no validation, no encryption, no audit
  bangfu    the real import: validation, ID check digits, encryption, keyed hashes, upsert, audit
  again     importing the same file a second time (nothing changes)
and prints the seconds and the ratios. The target (issue 2): bangfu < 60 s for 100,000 rows on
the project's 2-core machine.

    ./dev bench import_households [--rows 100000] [--database-url postgres://...] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    home = Path(tempfile.mkdtemp(prefix="bangfu-bench-"))
    os.environ["BANGFU_HOME"] = str(home)
    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url
    else:
        os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bangfu.settings")
    import django

    django.setup()
    from bangfu.registry.sheets import read_table, write_workbook
    from django.core.management import call_command
    from django.db import connection

    from bangfu.demo.generator import Generator, load_calibration
    from bangfu.regions.models import Level, Region
    from bangfu.regions.services import regions_load
    from bangfu.registry.columns import COLUMNS
    from bangfu.registry.importer import households_import
    from bangfu.registry.models import Household, Member

    if args.database_url:  # a fresh schema on the given server
        call_command("flush", interactive=False, verbosity=0)
    call_command("migrate", verbosity=0)
    regions_load(code="140123")
    county = Region.objects.get(code="140123000000")
    villages = list(
        Region.objects.filter(code__startswith="140123", level=Level.VILLAGE).select_related(
            "parent"
        )
    )
    gen = Generator(county=county, seed=1, calibration=load_calibration())
    rows: list[list[object]] = []
    serial = 0
    while len(rows) < args.rows:
        serial += 1
        village = villages[serial % len(villages)]
        h = gen.household(village=village, grid=1 + serial % 3, serial=serial, quintile=serial % 5)
        rows.extend(h.rows)
    rows = rows[: args.rows]
    # a household cut at the end would lack its head: drop its rows
    last_no = rows[-1][0]
    if not any(
        r[0] == last_no
        and r[COLUMNS.index(next(c for c in COLUMNS if c.key == "relation"))] == "户主"
        for r in rows[-10:]
    ):
        rows = [r for r in rows if r[0] != last_no]
    path = home / "households.xlsx"
    write_workbook(COLUMNS, rows, path)

    times: dict[str, float] = {}
    t = time.perf_counter()
    table = read_table(path, path.name)
    times["read"] = time.perf_counter() - t

    # baseline: the same members, bulk-inserted with none of the work an import must do
    t = time.perf_counter()
    first = table.rows[0]
    h = Household.objects.create(household_no="BASELINE", village_id=first[1])
    Member.objects.bulk_create(
        [
            Member(
                household=h,
                name=r[21],
                id_enc=r[22],
                id_hash=f"baseline-{i}",
                id_tail=r[22][-4:],
                id_area=r[22][:4],
                relation="other",
                sex="M",
                birth_date="1970-01-01",
            )
            for i, r in enumerate(table.rows)
        ],
        batch_size=2000,
    )
    times["baseline"] = time.perf_counter() - t
    Member.objects.filter(household=h).delete()
    h.delete()

    t = time.perf_counter()
    table = read_table(path, path.name)
    report = households_import(table=table, actor=None, scope_prefix="")
    times["bangfu"] = time.perf_counter() - t
    assert report.written and report.members_created == len(table.rows), report.errors[:3]

    t = time.perf_counter()
    again = households_import(table=read_table(path, path.name), actor=None, scope_prefix="")
    times["again"] = time.perf_counter() - t
    assert again.members_created == 0 and again.members_updated == 0

    result = {
        "rows": len(table.rows),
        "households": report.households_created,
        "database": connection.vendor,
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}",
        "seconds": {k: round(v, 2) for k, v in times.items()},
        "rows_per_second": round(len(table.rows) / times["bangfu"]),
        "ratio_bangfu_to_read": round(times["bangfu"] / times["read"], 2),
        "ratio_bangfu_to_baseline": round(times["bangfu"] / times["baseline"], 2),
        "target_seconds": 60,
        "meets_target": times["bangfu"] < 60,
    }
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        for k, v in result.items():
            print(f"{k:>26}: {v}")
    sys.exit(0 if result["meets_target"] else 1)


if __name__ == "__main__":
    main()
