import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from bangfu.core.errors import Refused
from bangfu.core.progress import ProgressBar
from bangfu.monitoring.engines import ENGINES, EngineError
from bangfu.monitoring.errors import PolicyError
from bangfu.monitoring.policy import load_policy
from bangfu.monitoring.services import monitor_run


class Command(BaseCommand):
    help = (
        "批量监测：bangfu monitor run [--engine duckdb|spark] [--period YYYY-MM] "
        "[--policy F.toml] [--out F.csv] [--json]"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        run = sub.add_parser("run", help="按政策文件运行全部预警规则")
        run.add_argument("--engine", choices=ENGINES, default="duckdb")
        run.add_argument("--period", help="监测期间 YYYY-MM（默认本月）")
        run.add_argument("--policy", type=Path, help="政策文件（默认演示省份的当年政策）")
        run.add_argument("--spark-master", help="Spark 集群地址（默认 local[2]）")
        run.add_argument("--out", type=Path, help="预警及依据写入 CSV")
        run.add_argument("--json", action="store_true", help="以 JSON 输出汇总")

    def handle(self, *args: Any, **options: Any) -> None:
        quiet = options["json"]
        try:
            policy = load_policy(options["policy"])
            with ProgressBar() as bar:
                run, result = monitor_run(
                    engine=options["engine"],
                    period=options["period"],
                    policy=policy,
                    progress=bar,
                    spark_master=options["spark_master"],
                )
        except (PolicyError, Refused, EngineError) as exc:
            raise CommandError(str(exc)) from exc
        if options["out"]:
            frame = result.warnings.copy()
            titles = {r.id: r.title for r in policy.rules}
            risks = {r.id: "、".join(r.risk_types) for r in policy.rules}
            frame.insert(2, "rule_title", frame["rule_id"].map(titles))
            frame.insert(3, "risk_types", frame["rule_id"].map(risks))
            frame["policy_version"] = policy.version
            frame.to_csv(options["out"], index=False, encoding="utf-8-sig")
        summary = run.summary | {"run_id": run.pk}
        if quiet:
            self.stdout.write(json.dumps(summary, ensure_ascii=False))
        else:
            self.stdout.write(json.dumps(summary, ensure_ascii=False, indent=2))
