"""Heartbeats, kept in the cache (files under BANGFU_HOME, shared by the web server and the
worker, written without touching the database a job may hold): a running job beats every
JOB_HEARTBEAT_SECONDS, the worker too, busy or idle. A job whose beat stopped for
JOB_STALE_SECONDS was cut off (its worker was killed); no worker beat means no worker runs."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from types import TracebackType

from django.conf import settings
from django.core.cache import cache

WORKER_KEY = "bangfu:worker:beat"


def job_key(job_id: int) -> str:
    return f"bangfu:job:{job_id}:beat"


def last_beat(key: str) -> float | None:
    """When `key` last beat (time.time()), None if never (or too long ago to be kept)."""
    value = cache.get(key)
    return float(value) if value is not None else None


def beat(key: str) -> None:
    cache.set(key, time.time(), timeout=max(600, 10 * settings.JOB_STALE_SECONDS))


def worker_alive(now: float | None = None) -> bool:
    seen = last_beat(WORKER_KEY)
    return seen is not None and (now or time.time()) - seen < settings.JOB_STALE_SECONDS


class Heartbeat:
    """Beat `key` every `every` seconds from a daemon thread while the block runs (and once
    at its start); `also` runs at each beat (the worker's recovery sweep)."""

    def __init__(
        self, key: str, every: float | None = None, also: Callable[[], object] | None = None
    ) -> None:
        self.key = key
        self.every = every or settings.JOB_HEARTBEAT_SECONDS
        self.also = also
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"heartbeat {key}", daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            beat(self.key)
            if self.also is not None:
                self.also()

    def __enter__(self) -> Heartbeat:
        beat(self.key)
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
