from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from bangfu.accounts.access import code_q
from bangfu.regions.models import Region
from bangfu.registry.exporter import households_export
from bangfu.registry.models import Household


class Command(BaseCommand):
    help = (
        "导出农户信息（导入模板格式，含完整身份证号，记入审计日志）："
        "bangfu export households --out F.xlsx [--region CODE]"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=["households"])
        parser.add_argument("--out", required=True, type=Path)
        parser.add_argument("--region", default="", help="只导出该区划代码前缀下的农户")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["out"].suffix.lower() != ".xlsx":
            raise CommandError("导出文件应为 .xlsx")
        region = None
        if options["region"]:
            region = Region.objects.filter(code=options["region"].ljust(12, "0")).first()
            if region is None:
                raise CommandError(f"区划不存在：{options['region']}")
        prefix = region.prefix if region else ""
        qs = Household.objects.filter(code_q("village__code", prefix))
        n = households_export(
            households=qs,
            out=options["out"],
            unmask=True,
            actor=None,
            # the whole database is audited under the province codes it holds
            region_code=region.code if region else "",
        )
        self.stdout.write(f"已导出 {n} 名成员：{options['out']}")
