"""Where a job keeps its uploaded file while it waits and runs (it holds personal data: the
folder is the service's only, and is removed when the job ends or expires)."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings

from bangfu.jobs.models import Job


def upload_folder(job: Job) -> Path:
    return Path(settings.HOME) / "uploads" / str(job.pk)


def upload_path(job: Job) -> Path:
    return upload_folder(job) / ("upload" + Path(job.file_name).suffix.lower())
