"""The jobs app's API routes: household imports, department feeds and monitoring runs are
queued as jobs (202 with the job); the jobs and the monitoring runs are read back."""

import datetime as dt
import enum
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Router, Schema, Status, UploadedFile
from ninja.pagination import paginate

from bangfu.accounts.api import ApiRequest
from bangfu.core.api import REFUSALS, Pages
from bangfu.core.errors import Conflict, Forbidden
from bangfu.feeds.sources import FEEDS
from bangfu.jobs.models import Job, JobKind
from bangfu.jobs.progress import job_progress
from bangfu.jobs.services import job_get_for_user, job_kinds_for, job_start, jobs_for_user
from bangfu.monitoring.models import MonitoringRun
from bangfu.monitoring.selectors import monitoring_run_get_for_user, monitoring_runs_for_user

router = Router(tags=["jobs"])


class JobOut(Schema):
    id: int
    kind: str
    status: str
    user: str
    region: str
    file_name: str
    params: dict[str, Any]
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    progress: dict[str, Any]
    result: dict[str, Any]
    error: str

    @staticmethod
    def resolve_user(obj: Any) -> str:
        return str(obj.user.username)

    @staticmethod
    def resolve_region(obj: Any) -> str:
        return str(obj.region_id)

    @staticmethod
    def resolve_error(obj: Any) -> str:
        return _(obj.error) if obj.error else ""

    @staticmethod
    def resolve_progress(obj: Any) -> dict[str, Any]:
        return job_progress(obj) if not obj.finished else {}


def _queued(
    request: ApiRequest, kind: JobKind, params: dict[str, Any], file: UploadedFile | None
) -> Status[Job]:
    if kind not in job_kinds_for(request.user):  # the role first: then what is missing
        raise Forbidden(_("您的角色不能启动此任务：{kind}").format(kind=kind.label))
    if kind != JobKind.MONITORING_RUN and (file is None or not file.size):
        raise Conflict(_("请选择要导入的文件（不能为空）"))
    job = job_start(
        user=request.user,
        kind=kind,
        params=params,
        upload=file,
        file_name=(file.name or "") if file is not None else "",
    )
    return Status(202, job)


JOB_ANSWERS = {202: JobOut, **REFUSALS}


@router.post("/imports/households", response=JOB_ANSWERS)
def import_households(
    request: ApiRequest, file: File[UploadedFile | None] = None, skip_invalid: Form[bool] = False
) -> Status[Job]:
    """Queue a household import (.xlsx or .csv, the import template's columns): 202 with the
    job; poll `/jobs/{id}` for its progress and report. Without a file, or an empty one, 409."""
    return _queued(request, JobKind.HOUSEHOLD_IMPORT, {"skip_invalid": skip_invalid}, file)


FeedCode = enum.Enum("FeedCode", {code: code for code in FEEDS}, type=str)  # type: ignore[misc]


@router.post("/feeds/{dept}", response=JOB_ANSWERS)
def feed_load(
    request: ApiRequest, dept: FeedCode, file: File[UploadedFile | None] = None
) -> Status[Job]:
    """Queue a department feed load (county officers and department officers at county
    level): 202 with the job."""
    return _queued(request, JobKind.FEED_IMPORT, {"dept": str(dept.value)}, file)


class RunIn(Schema):
    period: str = Field(
        "", pattern=r"^([0-9]{4}-(0[1-9]|1[0-2]))?$", description="YYYY-MM，默认本月"
    )


class RunOut(Schema):
    id: int
    period: str
    engine: str
    policy_version: str
    policy_digest: str
    started_at: dt.datetime
    finished_at: dt.datetime | None
    summary: dict[str, Any]


@router.post("/monitoring/runs", response=JOB_ANSWERS)
def monitoring_run_start(request: ApiRequest, body: RunIn) -> Status[Job]:
    """Queue a monitoring run (county officers; one at a time): 202 with the job."""
    return _queued(request, JobKind.MONITORING_RUN, {"period": body.period}, None)


@router.get("/monitoring/runs", response=list[RunOut])
@paginate(Pages, page_size=20)
def monitoring_runs(request: ApiRequest) -> QuerySet[MonitoringRun]:
    """The monitoring runs so far, newest first, with their county-wide counts."""
    return monitoring_runs_for_user(user=request.user)


@router.get("/monitoring/runs/{run_id}", response=RunOut)
def monitoring_run(request: ApiRequest, run_id: int) -> MonitoringRun:
    return monitoring_run_get_for_user(user=request.user, pk=run_id)


@router.get("/jobs", response=list[JobOut])
@paginate(Pages, page_size=50)
def jobs(request: ApiRequest) -> QuerySet[Job]:
    """The user's jobs (county officers and township cadres: their region's)."""
    return jobs_for_user(request.user)


@router.get("/jobs/{job_id}", response=JobOut)
def job(request: ApiRequest, job_id: int) -> Job:
    """A job: its status, its progress while it runs, its result when it has ended."""
    return job_get_for_user(request.user, job_id)
