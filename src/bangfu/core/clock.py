"""When a record says it happened. Services take `today=` (the demo, work entered after the
visit); the timestamps they write follow it."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone


def stamp(today: dt.date | None) -> dt.datetime:
    """Now, unless the work is recorded for another day; then that day at the present local
    time of day, so that a trail reads on the days the work was done and the records of one
    day keep the order they were written in."""
    now = timezone.localtime()
    if today is None or today == now.date():
        return timezone.now()
    return now.replace(year=today.year, month=today.month, day=today.day)
