import getpass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from bangfu.accounts.models import Department, Role
from bangfu.accounts.services import user_create
from bangfu.regions.models import Grid, Region


class Command(BaseCommand):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # set here, not on the class: argparse needs a plain string, translated at run time
        self.help = _(
            "用户：bangfu user add USERNAME --role ROLE --region CODE [--grid N] [--name 姓名]。"
            "角色：%(roles)s"
        ) % {"roles": ", ".join(f"{r.value}（{r.label}）" for r in Role)}

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add", help=_("新增用户（密码从终端读入，或 --password）"))
        add.add_argument("username")
        add.add_argument("--role", required=True, choices=[r.value for r in Role])
        add.add_argument("--region", required=True, help=_("12位区划代码"))
        add.add_argument("--grid", type=int, help=_("网格编号（网格员必填）"))
        add.add_argument(
            "--department",
            default="",
            choices=["", *[d.value for d in Department]],
            help=_("行业部门数据员的部门（civil 民政答复入户核查的救助转介）"),
        )
        add.add_argument("--name", default="")
        add.add_argument("--password", help=_("不推荐：会留在命令历史中"))

    def handle(self, *args: Any, **options: Any) -> None:
        code = options["region"].ljust(12, "0")
        region = Region.objects.filter(code=code).first()
        if region is None:
            raise CommandError(
                _("区划不存在：%(code)s（请先 bangfu regions load）") % {"code": code}
            )
        grid = None
        if options["grid"] is not None:
            grid = Grid.objects.filter(village=region, number=options["grid"]).first()
            if grid is None:
                raise CommandError(
                    _("%(village)s没有第%(grid)d网格")
                    % {"village": region.name, "grid": options["grid"]}
                )
        password = options["password"] or getpass.getpass(_("密码："))
        try:
            user = user_create(
                username=options["username"],
                password=password,
                role=Role(options["role"]),
                region=region,
                grid=grid,
                department=options["department"],
                display_name=options["name"],
            )
        except ValidationError as exc:
            raise CommandError(pgettext("list separator", "；").join(exc.messages)) from exc
        self.stdout.write(
            _("已创建用户 %(username)s：%(role)s（%(region)s）")
            % {"username": user.username, "role": user.get_role_display(), "region": region.name}
        )
