from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from bangfu.accounts.models import User
from bangfu.api.models import ApiToken


class Command(BaseCommand):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # set here, not on the class: argparse needs a plain string, translated at run time
        self.help = _("接口令牌：bangfu token create USER [--label L]（令牌只显示一次）")

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create")
        create.add_argument("username")
        create.add_argument("--label", default="")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"], is_active=True).first()
        if user is None:
            raise CommandError(_("没有这个用户"))
        _token, token = ApiToken.issue(user=user, label=options["label"])
        self.stdout.write(token)
