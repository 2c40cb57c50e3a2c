import getpass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from bangfu.accounts.models import Role
from bangfu.accounts.services import user_create
from bangfu.regions.models import Grid, Region


class Command(BaseCommand):
    help = (
        "用户：bangfu user add USERNAME --role ROLE --region CODE [--grid N] [--name 姓名]。"
        f"角色：{', '.join(f'{r.value}（{r.label}）' for r in Role)}"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add", help="新增用户（密码从终端读入，或 --password）")
        add.add_argument("username")
        add.add_argument("--role", required=True, choices=[r.value for r in Role])
        add.add_argument("--region", required=True, help="12位区划代码")
        add.add_argument("--grid", type=int, help="网格编号（网格员必填）")
        add.add_argument("--name", default="")
        add.add_argument("--password", help="不推荐：会留在命令历史中")

    def handle(self, *args: Any, **options: Any) -> None:
        code = options["region"].ljust(12, "0")
        region = Region.objects.filter(code=code).first()
        if region is None:
            raise CommandError(f"区划不存在：{code}（请先 bangfu regions load）")
        grid = None
        if options["grid"] is not None:
            grid = Grid.objects.filter(village=region, number=options["grid"]).first()
            if grid is None:
                raise CommandError(f"{region.name}没有第{options['grid']}网格")
        password = options["password"] or getpass.getpass("密码：")
        try:
            user = user_create(
                username=options["username"],
                password=password,
                role=Role(options["role"]),
                region=region,
                grid=grid,
                display_name=options["name"],
            )
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from exc
        self.stdout.write(f"已创建用户 {user.username}：{user.get_role_display()}（{region.name}）")
