from typing import Any

from django.core.management.base import BaseCommand, CommandParser


def serve(host: str, port: int, threads: int = 8) -> None:
    from waitress import serve as waitress_serve

    from bangfu.wsgi import application

    waitress_serve(application, host=host, port=port, threads=threads, ident="bangfu")


class Command(BaseCommand):
    help = "在 http://HOST:PORT 上提供服务（waitress）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"bangfu 服务地址：http://{options['host']}:{options['port']}/")
        serve(options["host"], options["port"])
