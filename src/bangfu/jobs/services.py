"""Starting background jobs, reading them back within the user's scope, and their progress."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import get_language, gettext_noop
from django.utils.translation import gettext as _

from bangfu.accounts.access import access_for
from bangfu.accounts.models import User
from bangfu.core.errors import Conflict, Forbidden, NotFound, Refused
from bangfu.feeds.sources import FEEDS
from bangfu.jobs.heartbeat import job_key, last_beat
from bangfu.jobs.models import Job, JobKind, JobStatus
from bangfu.jobs.tasks import job_run
from bangfu.jobs.uploads import upload_folder, upload_path
from bangfu.monitoring.services import monitoring_runs_cut_off, period_check


def job_kinds_for(user: User) -> list[JobKind]:
    """The jobs `user` may start: imports within their region; department feeds and monitoring
    runs concern the whole registry, so they are the county's."""
    access = access_for(user)
    kinds = []
    if access.may_write_registry:
        kinds.append(JobKind.HOUSEHOLD_IMPORT)
    if access.may_load_feeds:
        kinds.append(JobKind.FEED_IMPORT)
    if access.may_run_monitoring:
        kinds.append(JobKind.MONITORING_RUN)
    if access.may_onboard_monitoring:
        kinds.append(JobKind.MONITORING_IMPORT)
    return kinds


def _params(kind: JobKind, params: dict[str, Any]) -> dict[str, Any]:
    if kind == JobKind.HOUSEHOLD_IMPORT:
        return {"skip_invalid": bool(params.get("skip_invalid", False))}
    if kind == JobKind.FEED_IMPORT:
        dept = str(params.get("dept", ""))
        if dept not in FEEDS:
            raise Conflict(_("未知的部门数据：{dept}").format(dept=dept))
        return {"dept": dept}
    if kind == JobKind.MONITORING_IMPORT:
        return {}
    period = str(params.get("period") or "")
    if period:
        try:
            period_check(period)
        except Refused as exc:
            raise Conflict(str(exc)) from None
    return {"period": period}


CUT_OFF = gettext_noop("后台任务进程在任务运行中停止，任务没有完成，请重新提交")


def jobs_expire(now: dt.datetime | None = None) -> int:
    """Mark failed the running jobs whose heartbeat stopped JOB_STALE_SECONDS ago (or never
    beat, that long after they started): their worker was killed or the machine went down,
    and a worker that dies mid-task cannot say so itself. Their uploads go (they hold
    personal data), and a monitoring run they left unfinished is marked failed. Returns how
    many jobs."""
    now = now or timezone.now()
    stale_after = dt.timedelta(seconds=settings.JOB_STALE_SECONDS)
    # read first: on SQLite a write would wait for the worker's transaction (a page that polls
    # a running import must not)
    running = list(Job.objects.filter(status=JobStatus.RUNNING))
    expired = []
    for job in running:
        seen = last_beat(job_key(job.pk))
        since = (
            dt.datetime.fromtimestamp(seen, tz=dt.UTC)
            if seen is not None
            else (job.started_at or job.created_at)
        )
        if now - since > stale_after:
            expired.append(job)
    if not expired:
        return 0
    for job in expired:
        shutil.rmtree(upload_folder(job), ignore_errors=True)
    Job.objects.filter(pk__in=[j.pk for j in expired], status=JobStatus.RUNNING).update(
        status=JobStatus.FAILED, finished_at=now, error=CUT_OFF
    )
    if any(j.kind == JobKind.MONITORING_RUN for j in expired):
        monitoring_runs_cut_off(before=now - stale_after, reason=CUT_OFF)
    return len(expired)


def uploads_sweep() -> int:
    """Remove the upload folders of jobs that ended or do not exist (a worker killed between
    a job's end and its clean-up, a machine restarted): at the worker's start. Returns how
    many."""
    root = Path(settings.HOME) / "uploads"
    if not root.exists():
        return 0
    waiting = set(
        Job.objects.filter(status__in=[JobStatus.QUEUED, JobStatus.RUNNING]).values_list(
            "pk", flat=True
        )
    )
    removed = 0
    for folder in root.iterdir():
        if not (folder.name.isdigit() and int(folder.name) in waiting):
            shutil.rmtree(folder, ignore_errors=True)
            removed += 1
    return removed


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
    kind = JobKind(kind)
    if kind not in job_kinds_for(user):
        raise Forbidden(_("您的角色不能启动此任务：{kind}").format(kind=kind.label))
    clean = _params(kind, params or {})
    needs_file = kind != JobKind.MONITORING_RUN
    if needs_file and upload is None:
        raise Conflict(_("请选择要导入的文件"))
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
            raise Conflict(busy) from None
        try:
            if upload is not None:
                folder = upload_folder(job)
                folder.mkdir(parents=True, exist_ok=True, mode=0o700)
                with upload_path(job).open("wb") as out:
                    shutil.copyfileobj(upload, out)
        except BaseException:
            shutil.rmtree(upload_folder(job), ignore_errors=True)
            raise
        # the worker may pick the task up at once: only once the job's row is committed
        transaction.on_commit(lambda: _enqueue(job))
    return job


def _enqueue(job: Job) -> None:
    job.task_id = str(job_run.enqueue(job.pk).id)
    Job.objects.filter(pk=job.pk).update(task_id=job.task_id)


def jobs_for_user(user: User) -> QuerySet[Job]:
    """A user's own jobs; county officers and township cadres also see the others' in their
    region. Nobody sees a job outside their region."""
    access = access_for(user)
    jobs = access.within(Job.objects.all(), "region__code")
    if not access.may_oversee_jobs:
        jobs = jobs.filter(user=user)
    return jobs.select_related("user", "region")


def job_get_for_user(user: User, pk: int) -> Job:
    jobs_expire()
    job = jobs_for_user(user).filter(pk=pk).first()
    if job is None:
        raise NotFound
    return job
