"""A worker killed mid-task (issue 11, finding 4): real processes on a fresh BANGFU_HOME. The
worker is SIGKILLed in the middle of an import and of a monitoring run; a new worker marks the
cut-off jobs failed with the reason and removes their uploads, nothing is half-written, and the
next monitoring run is accepted and runs."""

import csv
import os
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest

from tests.conftest import HEADERS, household_rows
from tests.jobs.test_serve import BANGFU

pytestmark = pytest.mark.slow

QUEUE_IMPORT = """
import sys
from bangfu.accounts.models import User
from bangfu.jobs.services import job_start
job = job_start(user=User.objects.get(username="county"), kind="household_import",
                upload=open(sys.argv[1], "rb"), file_name="big.csv")
print(job.pk)
"""
QUEUE_RUN = """
from bangfu.accounts.models import User
from bangfu.jobs.services import job_start
print(job_start(user=User.objects.get(username="county"), kind="monitoring_run").pk)
"""
STATE = """
from bangfu.jobs.models import Job
from bangfu.jobs.uploads import upload_folder
from bangfu.monitoring.models import MonitoringRun
from bangfu.registry.models import Household
job = Job.objects.get(pk={pk})
unfinished = MonitoringRun.objects.filter(finished_at__isnull=True).count()
print(job.status, upload_folder(job).exists(), Household.objects.count(), unfinished, sep="|")
print(job.error)
"""


@pytest.fixture
def home(tmp_path):
    env = {
        **os.environ,
        "BANGFU_HOME": str(tmp_path / "home"),
        "BANGFU_JOB_HEARTBEAT_SECONDS": "1",
        "BANGFU_JOB_STALE_SECONDS": "4",
    }
    env.pop("DATABASE_URL", None)

    def bangfu(*args: str) -> str:
        p = subprocess.run([BANGFU, *args], env=env, capture_output=True, text=True, timeout=600)  # noqa: S603
        assert p.returncode == 0, p.stderr[-3000:]
        return p.stdout.strip()

    bangfu("demo", "--households", "300", "--no-serve")
    return env, bangfu


def worker(env):
    return subprocess.Popen(  # noqa: S603
        [BANGFU, "worker", "--interval", "0.2"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def job_status(env, pk):
    """Read straight from the database file: a `bangfu shell` takes a second, too slow to
    catch a job while it runs."""
    db = sqlite3.connect(f"file:{Path(env['BANGFU_HOME'], 'bangfu.sqlite3')}?mode=ro", uri=True)
    try:
        (status,) = db.execute("SELECT status FROM jobs_job WHERE id = ?", (pk,)).fetchone()
    finally:
        db.close()
    return status


def kill_when_running(env, pk):
    """Start a worker, SIGKILL it as soon as the job runs, while it runs."""
    proc = worker(env)
    deadline = time.monotonic() + 120
    while (status := job_status(env, pk)) != "running":
        assert status == "queued" and time.monotonic() < deadline, status
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)


def state(bangfu, pk):
    first, _, error = bangfu("shell", "-v", "0", "-c", STATE.format(pk=pk)).partition("\n")
    status, upload, households, unfinished = first.split("|")
    return status, upload == "True", int(households), int(unfinished), error


def test_a_killed_worker_leaves_nothing_stuck(home, tmp_path):
    env, bangfu = home
    count_households = (
        "from bangfu.registry.models import Household; print(Household.objects.count())"
    )
    households = int(bangfu("shell", "-v", "0", "-c", count_households))
    big = tmp_path / "big.csv"
    with big.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(HEADERS)
        for i in range(4000):
            w.writerows(household_rows(f"KILL-{i:05d}", size=2))
    pk = int(bangfu("shell", "-v", "0", "-c", QUEUE_IMPORT.replace("sys.argv[1]", repr(str(big)))))
    kill_when_running(env, pk)
    status, upload, count, _unfinished, _error = state(bangfu, pk)
    assert status == "running" and upload  # killed: it could not say so itself
    # a new worker finds the job silent, marks it failed and removes its upload
    started = time.monotonic()
    proc = worker(env)
    try:
        while state(bangfu, pk)[0] == "running":
            assert time.monotonic() - started < 120, "the cut-off import was not recovered"
            time.sleep(0.5)
        status, upload, count, _unfinished, error = state(bangfu, pk)
        assert status == "failed" and not upload and "任务运行中停止" in error
        assert count == households  # all or nothing: the import wrote no household

        # a monitoring run killed mid-way holds nothing back either
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
        run = int(bangfu("shell", "-v", "0", "-c", QUEUE_RUN))
        kill_when_running(env, run)
        started = time.monotonic()
        proc = worker(env)
        while state(bangfu, run)[0] == "running":
            assert time.monotonic() - started < 120, "the cut-off run was not recovered"
            time.sleep(0.5)
        assert state(bangfu, run)[0] == "failed"
        nxt = int(bangfu("shell", "-v", "0", "-c", QUEUE_RUN))  # accepted: not 409
        assert time.monotonic() - started < 120
        while (s := state(bangfu, nxt))[0] in ("queued", "running"):
            assert time.monotonic() - started < 240, "the next run did not finish"
            time.sleep(0.5)
        assert s[0] == "succeeded" and s[3] == 0  # and no run row left unfinished
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
    assert Path(env["BANGFU_HOME"], "uploads").exists() is False or not any(
        Path(env["BANGFU_HOME"], "uploads").iterdir()
    )
