from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from bangfu.regions.services import RegionCodeError, regions_load


class Command(BaseCommand):
    help = "行政区划：bangfu regions load CODE（省、市、县、乡镇或村的区划代码）"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        load = sub.add_parser("load", help="载入一个区划及其全部下级")
        load.add_argument("code", help="2、4、6、9 或 12 位区划代码，如 140123（娄烦县）")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            n = regions_load(code=options["code"])
        except RegionCodeError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"已载入 {n} 个区划")
