import time
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from bangfu.accounts.models import User
from bangfu.cases.models import Stage
from bangfu.core.management.commands.serve import serve
from bangfu.core.progress import ProgressBar
from bangfu.demo.assessment import demo_assessment
from bangfu.demo.cases import demo_cases
from bangfu.demo.points import demo_points
from bangfu.demo.problems import demo_problems
from bangfu.demo.services import DEMO_PASSWORD, DEMO_VILLAGE, demo_build, demo_exists
from bangfu.demo.teams import demo_teams
from bangfu.monitoring.services import monitor_run
from bangfu.supervision.models import ProblemStatus


class Command(BaseCommand):
    help = "生成演示县（娄烦县）的合成数据，打印演示账号并在 http://127.0.0.1:8000 提供服务"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--households", type=int, default=10000, help="户数（默认 10000）")
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--no-serve", action="store_true", help="只生成数据，不启动服务")
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("init", verbosity=0)
        if demo_exists():
            self.stdout.write("演示数据已存在，跳过生成（删除 BANGFU_HOME 可重新生成）")
        else:
            started = time.monotonic()
            result = demo_build(households=options["households"], seed=options["seed"])
            self.stdout.write(
                f"已生成 {len(result.households)} 户（{result.report.rows} 人），"
                f"用时 {time.monotonic() - started:.1f} 秒"
            )
            for code, feed in result.feeds.items():
                self.stdout.write(f"  部门数据 {code}：{feed.summary()}")
            with ProgressBar() as bar:
                run, _ = monitor_run(progress=bar)
            self.stdout.write(
                f"已运行批量监测（{run.period}）：{run.summary['warnings']} 条预警，"
                f"涉及 {run.summary['households_flagged']} 户"
            )
            stages = demo_cases(village_code=DEMO_VILLAGE)
            self.stdout.write(
                "演示村的监测帮扶："
                + "，".join(f"{s.label} {stages[s.value]} 户" for s in Stage if s.value in stages)
            )
            problems = demo_problems(village_code=DEMO_VILLAGE)
            self.stdout.write(
                "问题台账："
                + "，".join(
                    f"{s.label} {problems[s.value]} 个"
                    for s in ProblemStatus
                    if s.value in problems
                )
            )
            teams = demo_teams(village_code=DEMO_VILLAGE)
            self.stdout.write(
                f"驻村工作队：{teams['teams']} 支，驻村日志 {teams['logs']} 篇，"
                f"尚无第一书记的重点帮扶村 {teams['lacking']} 个"
            )
            scores = demo_assessment(village_code=DEMO_VILLAGE)
            self.stdout.write(
                f"考核测评：上季度 {scores['ranked']} 个乡镇和村已评分排名，"
                f"考核人员评分 {scores['scored']} 项，发现问题 {scores['problems']} 个已登记入台账"
            )
            points = demo_points(village_code=DEMO_VILLAGE)
            self.stdout.write(
                f"村级积分：清单 {points['items']} 项，积分记录 {points['entries']} 条，"
                f"兑换 {points['redemptions']} 次，{points['households']} 户上榜"
            )
        self.stdout.write(f"演示账号（密码均为 {DEMO_PASSWORD}）：")
        for username, role, region in _logins():
            self.stdout.write(f"  {username:<10} {role}（{region}）")
        if options["no_serve"]:
            return
        self.stdout.write(f"服务地址：http://{options['host']}:{options['port']}/  （Ctrl+C 退出）")
        serve(options["host"], options["port"], worker=True)


def _logins() -> list[tuple[str, str, str]]:
    return [
        (u.username, u.get_role_display(), u.region.name if u.region else "")
        for u in User.objects.exclude(role="").select_related("region").order_by("id")
    ]
