"""Starting background jobs, reading them back within the user's scope, and their progress."""

from __future__ import annotations

import datetime as dt
import shutil
import time
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import get_language, gettext_noop
from django.utils.translation import gettext as _

from bangfu.accounts.models import Role, User
from bangfu.feeds.sources import FEEDS
from bangfu.jobs.models import Job, JobKind, JobStatus
from bangfu.monitoring.services import MonitoringError, period_check

PROGRESS_TTL = 24 * 3600
# Roles that see every job of their region, not only their own.
OVERSEERS = {Role.COUNTY_OFFICER, Role.TOWNSHIP_CADRE}


class JobRefused(PermissionError):
    """The user may not start this job (the role, or the region's level)."""


class JobConflict(ValueError):
    """The job cannot start now, or with these parameters; the message says why."""


def job_kinds_for(user: User) -> list[JobKind]:
    """The jobs `user` may start: imports within their region; department feeds and monitoring
    runs concern the whole registry, so they are the county's."""
    if not user.is_authenticated or user.region is None:
        return []
    kinds = []
    if user.can_write_registry:
        kinds.append(JobKind.HOUSEHOLD_IMPORT)
    if user.can_load_feeds:
        kinds.append(JobKind.FEED_IMPORT)
    if user.role == Role.COUNTY_OFFICER:
        kinds.append(JobKind.MONITORING_RUN)
    return kinds


def upload_folder(job: Job) -> Path:
    return Path(settings.HOME) / "uploads" / str(job.pk)


def upload_path(job: Job) -> Path:
    return upload_folder(job) / ("upload" + Path(job.file_name).suffix.lower())


def _params(kind: JobKind, params: dict[str, Any]) -> dict[str, Any]:
    if kind == JobKind.HOUSEHOLD_IMPORT:
        return {"skip_invalid": bool(params.get("skip_invalid", False))}
    if kind == JobKind.FEED_IMPORT:
        dept = str(params.get("dept", ""))
        if dept not in FEEDS:
            raise JobConflict(_("未知的部门数据：{dept}").format(dept=dept))
        return {"dept": dept}
    period = str(params.get("period") or "")
    if period:
        try:
            period_check(period)
        except MonitoringError as exc:
            raise JobConflict(str(exc)) from None
    return {"period": period}


CUT_OFF = gettext_noop("后台任务进程在任务运行中停止，任务没有完成，请重新提交")


def jobs_expire(now: dt.datetime | None = None) -> int:
    """Mark failed the jobs still running `JOB_STALE_HOURS` after they started: their worker
    was stopped or the machine went down (a worker that dies mid-task cannot say so itself).
    Returns how many."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(hours=settings.JOB_STALE_HOURS)
    stale = Job.objects.filter(status=JobStatus.RUNNING, started_at__lt=cutoff)
    # read first: on SQLite a write would wait for the worker's transaction (a page that polls
    # a running import must not)
    if not stale.exists():
        return 0
    expired = list(stale)
    for job in expired:  # their uploads hold personal data
        shutil.rmtree(upload_folder(job), ignore_errors=True)
    return Job.objects.filter(pk__in=[j.pk for j in expired]).update(
        status=JobStatus.FAILED, finished_at=now, error=CUT_OFF
    )


def job_start(
    *,
    user: User,
    kind: JobKind | str,
    params: dict[str, Any] | None = None,
    upload: IO[bytes] | None = None,
    file_name: str = "",
) -> Job:
    """Queue a job for the worker: imports take the uploaded file (kept, readable by the
    service only, until the job ends). A county runs one monitoring run at a time."""
    from bangfu.jobs.tasks import job_run

    kind = JobKind(kind)
    if kind not in job_kinds_for(user):
        raise JobRefused(_("您的角色不能启动此任务：{kind}").format(kind=kind.label))
    clean = _params(kind, params or {})
    needs_file = kind != JobKind.MONITORING_RUN
    if needs_file and upload is None:
        raise JobConflict(_("请选择要导入的文件"))
    assert user.region is not None
    jobs_expire()
    busy = _("已有一次批量监测在排队或运行，请等它结束")
    with transaction.atomic():
        try:
            with transaction.atomic():
                job = Job.objects.create(
                    kind=kind,
                    user=user,
                    region=user.region,
                    language=get_language() or settings.LANGUAGE_CODE,
                    params=clean,
                    file_name=Path(file_name).name[:255] if needs_file else "",
                )
        except IntegrityError:  # the constraint: another run is queued or running
            raise JobConflict(busy) from None
        try:
            if upload is not None:
                folder = upload_folder(job)
                folder.mkdir(parents=True, exist_ok=True, mode=0o700)
                with upload_path(job).open("wb") as out:
                    shutil.copyfileobj(upload, out)
            job.task_id = str(job_run.enqueue(job.pk).id)
            job.save(update_fields=["task_id"])
        except BaseException:
            shutil.rmtree(upload_folder(job), ignore_errors=True)
            raise
    return job


def jobs_for_user(user: User) -> QuerySet[Job]:
    """A user's own jobs; county officers and township cadres also see the others' in their
    region. Nobody sees a job outside their region."""
    if not user.is_authenticated or user.region is None:
        return Job.objects.none()
    jobs = Job.objects.filter(region__code__startswith=user.region.prefix)
    if user.role not in OVERSEERS:
        jobs = jobs.filter(Q(user=user))
    return jobs.select_related("user", "region")


def job_get_for_user(user: User, pk: int) -> Job:
    jobs_expire()
    job = jobs_for_user(user).filter(pk=pk).first()
    if job is None:
        raise Http404
    return job


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
