from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "创建或迁移 BANGFU_HOME 下的数据库"

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write(f"数据库已就绪：{settings.DATABASES['default']['NAME']}")
        self.stdout.write(f"BANGFU_HOME = {settings.HOME}")
