"""`bangfu template households|monitoring|feed DEPT`: the import templates of the registry,
of the existing caseload and of the department feeds (here, the lowest app that knows all)."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from bangfu.assistance.onboarding import monitoring_template
from bangfu.feeds.sources import FEEDS
from bangfu.feeds.templates import feed_template
from bangfu.registry.exporter import households_template


class Command(BaseCommand):
    help = (
        "写出导入模板：bangfu template households --out 农户导入模板.xlsx；"
        "bangfu template monitoring --out 监测对象导入模板.xlsx；"
        f"bangfu template feed DEPT --out F.xlsx（DEPT：{'、'.join(FEEDS)}）"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="kind", required=True)
        households = sub.add_parser("households", help="农户信息导入模板")
        households.add_argument("--out", required=True, type=Path)
        monitoring = sub.add_parser("monitoring", help="存量监测对象导入模板")
        monitoring.add_argument("--out", required=True, type=Path)
        feed = sub.add_parser("feed", help="部门数据导入模板")
        feed.add_argument("dept", choices=sorted(FEEDS))
        feed.add_argument("--out", required=True, type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["kind"] == "households":
            households_template(out=options["out"])
        elif options["kind"] == "monitoring":
            monitoring_template(out=options["out"])
        else:
            feed_template(spec=FEEDS[options["dept"]], out=options["out"])
        self.stdout.write(f"已写出模板：{options['out']}")
