"""What every page's template may ask: the user's access (`{% if access.may_print %}`), and
whether a background worker is running for the users who start jobs."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from bangfu.accounts.access import access_for
from bangfu.jobs.heartbeat import worker_alive
from bangfu.jobs.services import job_kinds_for


def access(request: HttpRequest) -> dict[str, Any]:
    user = request.user
    starts_jobs = user.is_authenticated and bool(job_kinds_for(user))
    return {
        "access": access_for(user),
        # a banner: imports and runs would wait in the queue for nobody
        "worker_missing": starts_jobs and not worker_alive(),
    }
