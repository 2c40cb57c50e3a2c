"""`bangfu load_scheme FILE --user 用户名`: a county's assessment scheme (考核方案, TOML) loaded
or reloaded, by the county officer it is loaded as (the same service and refusals as the
API)."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from bangfu.accounts.models import User
from bangfu.assessment.scheme import MAX_BYTES
from bangfu.assessment.services import scheme_load
from bangfu.core.errors import Refused


class Command(BaseCommand):
    help = "载入考核方案（TOML，格式见 docs/supervision.md）：bangfu load_scheme FILE --user 用户名"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--user", required=True, help="载入人的用户名（本县县级干部）：记入审计日志"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"文件不存在：{path}")
        if path.stat().st_size > MAX_BYTES:
            raise CommandError("方案文件不能超过 100 KB")
        user = User.objects.filter(username=options["user"], is_active=True).first()
        if user is None:
            raise CommandError(f"用户不存在：{options['user']}")
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            raise CommandError("方案文件须为 UTF-8 编码") from exc
        try:
            scheme = scheme_load(user=user, text=text)
        except Refused as exc:
            raise CommandError(str(exc)) from exc
        indicators = sum(d.indicators.count() for d in scheme.dimensions.all())
        self.stdout.write(
            f"已载入考核方案：{scheme.name}（{scheme.dimensions.count()} 个考核方面，"
            f"{indicators} 个指标）"
        )
