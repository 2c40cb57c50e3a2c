"""Benchmark: the dashboard on the demo county (default 10,000 households).

Builds the demo in a fresh BANGFU_HOME (SQLite unless --database-url is given): registry,
department feeds, one monitoring run, the demo village's cases. Then times, in one process,
each five times (median):
  baseline  the first page of the case list and its count, as the cases page shows them
  county    the county officer's dashboard (the whole county)
  village   the village cadre's dashboard (one village)
and prints the seconds and the ratios. The target (issue 5): a county user's dashboard in under
a second on the demo data.

    ./dev bench dashboard [--households 10000] [--database-url postgres://...] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import tempfile
import time
from collections.abc import Callable
from typing import Any


def median_seconds(fn: Callable[[], Any], runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--households", type=int, default=10_000)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    os.environ["BANGFU_HOME"] = tempfile.mkdtemp(prefix="bangfu-bench-")
    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url
    else:
        os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bangfu.settings")
    import django

    django.setup()
    from bangfu.cases.dashboard import dashboard
    from django.core.management import call_command
    from django.db import connection

    from bangfu.accounts.models import User
    from bangfu.cases.selectors import CaseFilters, case_list_for_user
    from bangfu.demo.cases import demo_cases
    from bangfu.demo.services import DEMO_VILLAGE, demo_build
    from bangfu.monitoring.services import monitor_run

    if args.database_url:  # a fresh schema: flush would keep the data migrations' rows away
        with connection.cursor() as cursor:
            cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    demo_build(households=args.households, seed=2026)
    monitor_run()
    demo_cases(village_code=DEMO_VILLAGE)
    build = time.perf_counter() - started
    county = User.objects.get(username="county")
    village = User.objects.get(username="village")

    def case_page() -> None:
        qs = case_list_for_user(user=county, filters=CaseFilters())
        list(qs[:30])
        qs.count()

    seconds = {
        "baseline_case_page": median_seconds(case_page),
        "county": median_seconds(lambda: dashboard(user=county, region=county.region)),
        "village": median_seconds(lambda: dashboard(user=village, region=village.region)),
    }
    data = dashboard(user=county, region=county.region)
    report = {
        "households": args.households,
        "database": connection.vendor,
        "build_seconds": round(build, 1),
        "pending_warnings": data["pending_warnings"],
        "monitored": data["monitored"],
        "seconds": {k: round(v, 3) for k, v in seconds.items()},
        "county_over_case_page": round(seconds["county"] / seconds["baseline_case_page"], 1),
        "target_met": seconds["county"] < 1.0,
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}",
    }
    if args.json:
        print(json.dumps(report, ensure_ascii=False))
    else:
        print(json.dumps(report, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
