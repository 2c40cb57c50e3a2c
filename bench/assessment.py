"""Benchmark: the assessment's computed measures on the demo county (default 10,000 households).

Builds the whole demo in a fresh BANGFU_HOME (SQLite unless --database-url is given), as
`bangfu demo --no-serve` does: registry, feeds, one monitoring run, the demo village's cases,
problems, work teams, the year's three schemes with last quarter's assessments, and points.
Then times, in one process, each five times (median):
  floor       one grouped COUNT of the county's households by village: the registry scan
              that every measure needs at least
  measures    the 13 measures of `bangfu.assessment.indicators.MEASURES`, each called once
              for all the county's townships and villages (the village codes for the work
              teams' measures) over last quarter
  per_region  the same measures called once per code, what a naive implementation does (run
              once only when one run takes longer than --slow seconds)
  open        opening the village scheme's fourth-quarter assessment (`assessment_open`, its
              computed scores measured), on 2026-12-01, in a transaction rolled back
and prints the seconds (and each measure's alone), the queries of each, and the ratios
measures / floor, per_region / measures and open / measures. No target (issue 13): the
figures say what the grouped measures cost against the scan and against the naive way.

    ./dev bench assessment [--households 10000] [--database-url postgres://...] [--json]
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import io
import json
import os
import platform
import statistics
import tempfile
import time
from collections.abc import Callable
from typing import Any

TODAY = dt.date(2026, 12, 1)  # the day the Q4 assessment is opened on (inside its period)
RUNS = 5


def median_seconds(fn: Callable[[], Any], runs: int = RUNS) -> float:
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
    parser.add_argument("--slow", type=float, default=3.0, help="per_region: one run above this")
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
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.db.models import Count
    from django.test.utils import CaptureQueriesContext

    from bangfu.accounts.access import code_q
    from bangfu.accounts.models import User
    from bangfu.assessment.indicators import AREAS, MEASURES, measure
    from bangfu.assessment.models import Assessment, Method, Period, Scheme, Score, SubjectKind
    from bangfu.assessment.services import assessment_open, period_dates
    from bangfu.demo.services import DEMO_COUNTY
    from bangfu.regions.models import Level, Region
    from bangfu.registry.models import Household

    if args.database_url:  # a fresh schema: flush would keep the data migrations' rows away
        with connection.cursor() as cursor:
            cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    started = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()):  # the demo's words: stdout is the report's
        call_command("demo", households=args.households, no_serve=True)
    build = time.perf_counter() - started

    county = User.objects.get(username="county")
    region = Region.objects.get(level=Level.COUNTY, code__startswith=DEMO_COUNTY)
    published = Assessment.objects.filter(scheme__county=region, period=Period.QUARTER)
    quarter = max(published.values_list("quarter", flat=True))  # the demo's last quarter
    year = published.values_list("scheme__year", flat=True).first()
    assert year is not None
    start, end = period_dates(year, Period.QUARTER, quarter)
    regions = Region.objects.filter(code_q("code", DEMO_COUNTY))
    townships = list(regions.filter(level=Level.TOWNSHIP).values_list("code", flat=True))
    villages = list(regions.filter(level=Level.VILLAGE).values_list("code", flat=True))
    codes = {
        key: townships + villages if m.kinds == AREAS else villages for key, m in MEASURES.items()
    }
    scheme = Scheme.objects.get(county=region, year=year, subject_kind=SubjectKind.VILLAGE)

    def floor() -> None:
        households = Household.objects.filter(code_q("village__code", DEMO_COUNTY))
        list(households.values("village_id").annotate(n=Count("id")).order_by())

    def measures() -> None:
        for key in MEASURES:
            measure(key, codes=codes[key], start=start, end=end)

    def per_region() -> None:
        for key in MEASURES:
            for code in codes[key]:
                measure(key, codes=[code], start=start, end=end)

    opened: dict[str, int] = {}

    def open_q4() -> None:
        with transaction.atomic():
            assessment = assessment_open(
                user=county, scheme=scheme, period=Period.QUARTER, quarter=4, today=TODAY
            )
            if not opened:  # the first (untimed) run says what it opened
                scores = Score.objects.filter(subject__assessment=assessment)
                opened["subjects"] = assessment.subjects.count()
                computed = scores.filter(indicator__method=Method.COMPUTED)
                opened["computed_scores"] = computed.count()
            transaction.set_rollback(True)

    # the answers agree: the naive way and the grouped way measure the same
    grouped = {key: measure(key, codes=codes[key], start=start, end=end) for key in MEASURES}
    for key in MEASURES:
        for code in codes[key]:
            assert measure(key, codes=[code], start=start, end=end)[code] == grouped[key][code]

    queries = {}
    for name, fn in (("floor", floor), ("measures", measures), ("per_region", per_region)):
        with CaptureQueriesContext(connection) as captured:
            fn()
        queries[name] = len(captured)
    with CaptureQueriesContext(connection) as captured:
        open_q4()
    queries["open"] = len(captured) - 2  # less the two counts of what it opened

    seconds = {
        "floor": median_seconds(floor),
        "measures": median_seconds(measures),
    }
    once = median_seconds(per_region, runs=1)
    per_region_runs = 1 if once > args.slow else RUNS
    seconds["per_region"] = once if per_region_runs == 1 else median_seconds(per_region)
    seconds["open"] = median_seconds(open_q4)
    by_measure = {
        key: median_seconds(lambda key=key: measure(key, codes=codes[key], start=start, end=end))
        for key in MEASURES
    }
    report = {
        "households": Household.objects.filter(code_q("village__code", DEMO_COUNTY)).count(),
        "database": connection.vendor,
        "build_seconds": round(build, 1),
        "period": f"{start.isoformat()}..{end.isoformat()}",
        "townships": len(townships),
        "villages": len(villages),
        "measures": len(MEASURES),
        "calls_per_region": sum(len(c) for c in codes.values()),
        "per_region_runs": per_region_runs,
        "open_subjects": opened["subjects"],
        "open_computed_scores": opened["computed_scores"],
        "seconds": {k: round(v, 4) for k, v in seconds.items()},
        "queries": queries,
        "measures_seconds": {k: round(v, 4) for k, v in by_measure.items()},
        "measures_over_floor": round(seconds["measures"] / seconds["floor"], 1),
        "per_region_over_measures": round(seconds["per_region"] / seconds["measures"], 1),
        "open_over_measures": round(seconds["open"] / seconds["measures"], 2),
        "load_average": round(os.getloadavg()[0], 2),  # other work on the machine meanwhile
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}",
    }
    if connection.vendor == "sqlite":
        import sqlite3

        report["machine"] += f", SQLite {sqlite3.sqlite_version}"
    if args.json:
        print(json.dumps(report, ensure_ascii=False))
    else:
        print(json.dumps(report, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
