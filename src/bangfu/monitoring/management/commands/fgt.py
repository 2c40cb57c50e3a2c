import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from bangfu.monitoring.management.commands.mpi import read_csv
from bangfu.monitoring.measures import fgt


class Command(BaseCommand):
    help = "FGT 贫困指数：bangfu fgt INPUT.csv --column C --line Z [--alpha A ...] --json"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("input", type=Path)
        parser.add_argument("--column", required=True)
        parser.add_argument("--line", type=float, required=True)
        parser.add_argument("--alpha", type=float, action="append", default=[])
        parser.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["line"] <= 0:
            raise CommandError("贫困线应大于0")
        t = read_csv(options["input"])
        if options["column"] not in t.columns:
            raise CommandError(f"输入文件缺少列：{options['column']}")
        t = t.drop_null([options["column"]])
        alphas = sorted({0.0, 1.0, 2.0, *options["alpha"]})
        if any(a < 0 for a in alphas):
            raise CommandError("alpha 不能为负数")
        row = fgt(t, options["column"], options["line"], alphas).execute().iloc[0].to_dict()
        result = {"n": int(row["n"]), "line": options["line"]}
        result |= {f"P{a:g}": float(row[f"P{a:g}"]) for a in alphas}
        if options["json"]:
            self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2))
        else:
            self.stdout.write("  ".join(f"{k}={v}" for k, v in result.items()))
