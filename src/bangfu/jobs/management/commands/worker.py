"""`bangfu worker`: the background worker (django-tasks' db_worker) with recovery: at its start
it marks failed the jobs a killed worker left running and removes leftover uploads; while it
runs it beats (the pages warn when no worker beats) and repeats the sweep."""

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from bangfu.jobs.heartbeat import WORKER_KEY, Heartbeat
from bangfu.jobs.services import jobs_expire, uploads_sweep


class Command(BaseCommand):
    help = "运行后台任务进程：启动时清理中断的任务和遗留的上传文件，运行中定时报告心跳"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--interval", type=float, default=0.5, help="无任务时的轮询间隔（秒）")
        parser.add_argument("--batch", action="store_true", help="运行完队列中的任务后退出")

    def handle(self, *args: Any, **options: Any) -> None:
        expired, swept = jobs_expire(), uploads_sweep()
        if expired or swept:
            self.stdout.write(f"已标记中断的任务 {expired} 个，清理遗留上传 {swept} 个")
        with Heartbeat(WORKER_KEY, also=jobs_expire):
            call_command(
                "db_worker",
                interval=options["interval"],
                batch=options["batch"],
                startup_delay=False,
            )
