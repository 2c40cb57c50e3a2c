import signal
import subprocess
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser


def worker_start() -> subprocess.Popen[bytes]:
    """`bangfu worker` in a child process: it runs the background jobs (imports, feed loads,
    monitoring runs started from the web) that the web server queues in the database."""
    return subprocess.Popen([sys.executable, "-m", "bangfu.cli", "worker", "--interval", "0.5"])


def _exit_on_term(signum: int, frame: object) -> None:
    raise SystemExit(0)


def serve(host: str, port: int, threads: int = 8, worker: bool = True) -> None:
    """Serve with waitress until interrupted or terminated; the worker, when started here,
    stops with the server (SIGTERM, as from a service manager, included)."""
    from waitress import serve as waitress_serve

    from bangfu.wsgi import application

    child = worker_start() if worker else None
    previous = signal.signal(signal.SIGTERM, _exit_on_term)
    try:
        waitress_serve(application, host=host, port=port, threads=threads, ident="bangfu")
    finally:
        signal.signal(signal.SIGTERM, previous)
        if child is not None:
            child.terminate()
            child.wait(timeout=30)


class Command(BaseCommand):
    help = "在 http://HOST:PORT 上提供服务（waitress），并启动后台任务进程（bangfu worker）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument(
            "--no-worker",
            action="store_true",
            help="不启动后台任务进程（另行运行 bangfu worker 时）",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"bangfu 服务地址：http://{options['host']}:{options['port']}/")
        serve(options["host"], options["port"], worker=not options["no_worker"])
