import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from bangfu.monitoring.benchmark.runner import bench_monitor
from bangfu.monitoring.engines import ENGINES


def _say(message: str) -> None:
    sys.stderr.write(f"· {message}\n")


class Command(BaseCommand):
    help = "基准测试：bangfu bench monitor --households N [--engines duckdb,spark] [--json]"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="what", required=True)
        mon = sub.add_parser("monitor", help="批量监测：bangfu 对比手写 DuckDB SQL 和 pandas")
        mon.add_argument("--households", type=int, default=100_000)
        mon.add_argument("--engines", default="duckdb")
        mon.add_argument("--no-pandas", action="store_true")
        mon.add_argument("--keep", type=Path, help="保留合成数据的目录")
        mon.add_argument("--repeat", type=int, default=3, help="每个阶段运行次数，取中位数")
        mon.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        engines = [e.strip() for e in options["engines"].split(",") if e.strip()]
        unknown = set(engines) - set(ENGINES)
        if unknown or options["households"] <= 0:
            raise CommandError(f"引擎应为 {'、'.join(ENGINES)}；户数应为正数")
        report = bench_monitor(
            households=options["households"],
            engines=engines,
            keep=options["keep"],
            with_pandas=not options["no_pandas"],
            repeat=max(1, options["repeat"]),
            progress=_say,
        )
        self.stdout.write(
            json.dumps(report, ensure_ascii=False, indent=None if options["json"] else 2)
        )
