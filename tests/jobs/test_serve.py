"""`bangfu serve` as a county server runs it: real processes on a fresh BANGFU_HOME. The web
server starts the worker, a job queued in the database is run by it, and SIGTERM stops both."""

import csv
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from tests.conftest import HEADERS, household_rows

BANGFU = str(Path(sys.executable).with_name("bangfu"))

QUEUE = """
import io, sys
from bangfu.accounts.models import User
from bangfu.jobs.services import job_start
data = open(sys.argv[1], "rb")
job = job_start(user=User.objects.get(username="v"), kind="household_import", upload=data,
                file_name="h.csv")
print(job.pk)
"""
STATUS = "from bangfu.jobs.models import Job; print(Job.objects.get(pk={pk}).status)"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def test_serve_runs_the_worker_and_stops_it(tmp_path):
    env = {**os.environ, "BANGFU_HOME": str(tmp_path / "home")}
    env.pop("DATABASE_URL", None)

    def bangfu(*args: str) -> str:
        p = subprocess.run([BANGFU, *args], env=env, capture_output=True, text=True, timeout=300)  # noqa: S603
        assert p.returncode == 0, p.stderr
        return p.stdout.strip()

    bangfu("init")
    bangfu("regions", "load", "140123")
    bangfu(
        "user",
        "add",
        "v",
        "--role",
        "village_cadre",
        "--region",
        "140123100206",
        "--password",
        "a-long-test-password",
    )
    upload = tmp_path / "h.csv"
    with upload.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(HEADERS)
        w.writerows(household_rows("SERVE-1"))
    port = free_port()
    server = subprocess.Popen(  # noqa: S603
        [BANGFU, "serve", "--port", str(port)], env=env, stdout=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz") as r:
                    assert r.status == 200
                    break
            except OSError:
                assert time.monotonic() < deadline, "the server did not answer"
                time.sleep(0.3)
        (worker,) = children(server.pid)
        assert "worker" in Path(f"/proc/{worker}/cmdline").read_text()
        pk = bangfu("shell", "-v", "0", "-c", QUEUE.replace("sys.argv[1]", repr(str(upload))))
        deadline = time.monotonic() + 60
        while (status := bangfu("shell", "-v", "0", "-c", STATUS.format(pk=pk))) != "succeeded":
            assert status in ("queued", "running"), status
            assert time.monotonic() < deadline, "the worker did not run the job"
            time.sleep(0.5)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    assert not Path(f"/proc/{worker}").exists() or "Z" in Path(f"/proc/{worker}/stat").read_text()
