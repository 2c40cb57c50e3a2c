import json
import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from bangfu.core.errors import Refused
from bangfu.monitoring.errors import PolicyError
from bangfu.monitoring.policy import load_policy
from bangfu.monitoring.services import vulnerability_fit
from bangfu.monitoring.vulnerability import ModelMissing, VulnerabilityModel


def _say(msg: str) -> None:
    sys.stderr.write(f"· {msg}\n")


class Command(BaseCommand):
    help = "脆弱性模型：bangfu model fit [--period YYYY-MM] [--policy F.toml] [--json] | show"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        fit = sub.add_parser("fit", help="用收入历史训练脆弱性模型，并以最后一年留出检验")
        fit.add_argument("--period", help="截至期间 YYYY-MM（默认本月）")
        fit.add_argument("--policy", type=Path, help="政策文件（默认演示省份的当年政策）")
        fit.add_argument("--json", action="store_true", help="以 JSON 输出模型及检验结果")
        show = sub.add_parser("show", help="显示已训练的模型及其检验结果")
        show.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["action"] == "fit":
                model = vulnerability_fit(
                    period=options["period"],
                    policy=load_policy(options["policy"]),
                    progress=_say,
                )
            else:
                model = VulnerabilityModel.load(Path(settings.HOME) / "store" / "models")
        except (PolicyError, Refused, ModelMissing) as exc:
            raise CommandError(str(exc)) from exc
        if options["json"]:
            self.stdout.write(json.dumps(model.__dict__, ensure_ascii=False))
            return
        self.stdout.write(f"脆弱性模型 {model.label}：{model.observations} 个户-年观测")
        ev = model.evaluation
        if "all" not in ev:
            self.stdout.write(ev.get("skipped", "未做留出检验"))
            return
        self.stdout.write(
            f"留出检验：以 {ev['train_years']} 年的变化训练，预测 {ev['test_year']} 年"
            f"（监测范围 {ev['line']:g} 元，预警阈值 {ev['threshold']:.0%}）"
        )
        for key, title in (("all", "全部农户"), ("above_line", "当年收入不低于监测范围的农户")):
            part = ev[key]
            m, r = part["model"], part["rules"]
            self.stdout.write(
                f"  {title}：{part['n']} 户，次年 {part['fell_below_rate']:.1%} 低于监测范围"
            )
            for name, x in (("模型", m), ("收入规则", r)):
                self.stdout.write(
                    f"    {name}  AUC {x['auc']:.3f}  Brier {x['brier']:.4f}  "
                    f"预警 {x['flagged']} 户，其中次年低于标准 {x['fell_below']} 户"
                )
        self.stdout.write("  校准表，全部农户（预测概率区间：户数 / 平均预测 / 实际比例）")
        for row in ev["all"]["model"]["calibration"]:
            if row["n"]:
                self.stdout.write(
                    f"    {row['bin']}: {row['n']:>6} / {row['predicted']:.3f} / "
                    f"{row['observed']:.3f}"
                )
