import json
from pathlib import Path
from typing import Any

import ibis
from django.core.management.base import BaseCommand, CommandError, CommandParser

from bangfu.monitoring.measures import SpecError, af_aggregates, af_result, af_scores, load_af_spec


class Command(BaseCommand):
    help = "多维贫困指数（Alkire-Foster）：bangfu mpi INPUT.csv --spec SPEC.toml --json"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("input", type=Path)
        parser.add_argument("--spec", type=Path, required=True)
        parser.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            spec = load_af_spec(options["spec"])
        except SpecError as exc:
            raise CommandError(str(exc)) from exc
        t = read_csv(options["input"])
        missing = [i.column for i in spec.indicators if i.column not in t.columns]
        if missing:
            raise CommandError(f"输入文件缺少列：{'、'.join(missing)}")
        complete = t.drop_null([i.column for i in spec.indicators])
        excluded = int(t.count().execute()) - int(complete.count().execute())
        row = af_aggregates(af_scores(complete, spec), spec).execute().iloc[0].to_dict()
        result = af_result(row, spec) | {"k": spec.k, "excluded_incomplete_rows": excluded}
        if options["json"]:
            self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2))
        else:
            self.stdout.write(
                f"n={result['n']} H={result['H']:.4f} A={result['A']:.4f} M0={result['M0']:.4f} "
                f"M1={result['M1']:.4f} M2={result['M2']:.4f}"
            )
            for col, v in result["indicators"].items():
                self.stdout.write(
                    f"  {col}: 删失人数比 {v['censored_headcount']:.4f}，"
                    f"贡献率 {v['contribution']:.2%}"
                )


def read_csv(path: Path) -> Any:
    if not path.exists():
        raise CommandError(f"文件不存在：{path}")
    return ibis.duckdb.connect().read_csv(str(path))
