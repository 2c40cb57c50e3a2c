"""A running job's progress: what it last said, kept in the cache (shared by the worker and
the web server) for the page and the API to poll."""

from __future__ import annotations

import time
from typing import Any

from django.core.cache import cache

from bangfu.jobs.models import Job, JobStatus

PROGRESS_TTL = 24 * 3600


def _progress_key(task_id: str) -> str:
    return f"bangfu:job:{task_id}:progress"


def job_progress(job: Job) -> dict[str, Any]:
    """What the job last said: stage, done, total and percent (None when not known)."""
    seen = cache.get(_progress_key(job.task_id)) or {}
    done, total = int(seen.get("done", 0)), int(seen.get("total", 0))
    percent = None
    if job.status == JobStatus.SUCCEEDED:
        percent = 100
    elif total:
        percent = min(100, round(100 * done / total))
    return {"stage": seen.get("stage", ""), "done": done, "total": total, "percent": percent}


class JobProgress:
    """The `Progress` a running job reports to: kept in the cache (shared by the worker and the
    web server), written when the stage changes and at most four times a second otherwise."""

    def __init__(self, job: Job, interval: float = 0.25) -> None:
        self.key = _progress_key(job.task_id)
        self.interval = interval
        self.stage = ""
        self.last = 0.0

    def __call__(self, stage: str, done: int = 0, total: int = 0) -> None:
        now = time.monotonic()
        if stage == self.stage and now - self.last < self.interval and done != total:
            return
        self.stage, self.last = stage, now
        cache.set(self.key, {"stage": stage, "done": done, "total": total}, PROGRESS_TTL)
