"""`bangfu import households|monitoring|feed ...`: one command for the imports. It lives in the
jobs app, the lowest that knows the registry, the caseload and the department feeds."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from bangfu.accounts.models import User
from bangfu.assistance.onboarding import monitoring_import
from bangfu.core.errors import Refused
from bangfu.core.progress import ProgressBar
from bangfu.core.tabular.sheets import (
    SheetError,
    Table,
    read_table,
    write_csv,
    write_plain_workbook,
)
from bangfu.feeds.importer import feed_import
from bangfu.feeds.sources import FEEDS
from bangfu.registry.importer import households_import, rejected_table


class Command(BaseCommand):
    help = (
        "导入（.xlsx 或 .csv，UTF-8/GBK/GB18030）。有错误时不写入任何数据。"
        "bangfu import households F [--skip-invalid [--rejected R]]；"
        "bangfu import monitoring F --user 用户名；"
        "bangfu import feed DEPT F"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="kind", required=True)
        households = sub.add_parser("households", help="农户信息")
        households.add_argument("file", type=Path)
        households.add_argument(
            "--skip-invalid", action="store_true", help="导入有效的户，跳过有错误的户"
        )
        households.add_argument(
            "--rejected", type=Path, help="被拒绝的行及原因写入此文件（.xlsx 或 .csv）"
        )
        monitoring = sub.add_parser("monitoring", help="存量监测对象")
        monitoring.add_argument("file", type=Path)
        monitoring.add_argument(
            "--user",
            required=True,
            help="导入人的用户名（县农业农村部门）：决定可导入的地区，并记入每户的办理记录",
        )
        feed = sub.add_parser("feed", help="部门数据")
        feed.add_argument("dept", choices=sorted(FEEDS))
        feed.add_argument("file", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        table = self._read(options["file"])
        if options["kind"] == "feed":
            self._feed(options["dept"], table)
        elif options["kind"] == "monitoring":
            self._monitoring(table, options)
        else:
            self._households(table, options)

    def _read(self, path: Path) -> Table:
        if not path.exists():
            raise CommandError(f"文件不存在：{path}")
        try:
            table = read_table(path, path.name)
        except SheetError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"文件编码：{table.encoding}；数据行：{sum(1 for r in table.rows if any(r))}"
        )
        return table

    def _fail(self, errors: list[Any]) -> None:
        for error in errors:
            self.stderr.write(str(error))
        raise CommandError(f"发现 {len(errors)} 处错误，未导入任何数据。")

    def _feed(self, dept: str, table: Table) -> None:
        with ProgressBar() as bar:
            report = feed_import(spec=FEEDS[dept], table=table, progress=bar)
        if not report.written:
            self._fail(report.errors)
        for row, rid, key in report.unmatched[:50]:
            self.stdout.write(f"未匹配：第{row}行 记录编号 {rid}（{key}）")
        if len(report.unmatched) > 50:
            self.stdout.write(f"……另有 {len(report.unmatched) - 50} 条未匹配")
        self.stdout.write(report.summary())

    def _monitoring(self, table: Table, options: dict[str, Any]) -> None:
        user = User.objects.filter(username=options["user"], is_active=True).first()
        if user is None:
            raise CommandError(f"没有该用户：{options['user']}")
        try:
            with ProgressBar() as bar:
                report = monitoring_import(
                    table=table, user=user, file_name=options["file"].name, progress=bar
                )
        except Refused as exc:
            raise CommandError(str(exc)) from exc
        if not report.written:
            self._fail(report.errors)
        self.stdout.write(report.summary())

    def _households(self, table: Table, options: dict[str, Any]) -> None:
        path: Path = options["file"]
        with ProgressBar() as bar:
            report = households_import(
                table=table,
                actor=None,
                scope_prefix="",
                skip_invalid=options["skip_invalid"],
                progress=bar,
            )
        if not report.written:
            self._fail(report.errors)
        for error in report.errors:
            self.stderr.write(str(error))
        if report.rejected_rows:
            out = options["rejected"] or path.with_name(path.stem + "-被拒绝的行.xlsx")
            head, rows = rejected_table(report, table.headers)
            if out.suffix.lower() == ".csv":
                with out.open("w", encoding="utf-8-sig", newline="") as f:
                    write_csv(head, rows, f)
            else:
                write_plain_workbook(head, rows, out)
            self.stdout.write(f"跳过 {len(report.rejected_rows)} 行，已写入：{out}")
        self.stdout.write(report.summary())
