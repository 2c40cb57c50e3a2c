"""The one task the worker runs: a job, by its row."""

from __future__ import annotations

import logging
import shutil

from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from bangfu.jobs.heartbeat import Heartbeat, job_key
from bangfu.jobs.models import Job, JobStatus
from bangfu.jobs.progress import JobProgress
from bangfu.jobs.runners import RUNNERS
from bangfu.jobs.uploads import upload_folder

logger = logging.getLogger(__name__)


@task()
def job_run(job_id: int) -> str:
    """Run job `job_id` in its user's language; its row says how it went. Errors the user can
    act on (a bad period, a policy file that does not parse) are shown as they are; anything
    else is shown by its kind only, and the worker's own record keeps the traceback."""
    job = Job.objects.select_related("user__region").get(pk=job_id)
    Job.objects.filter(pk=job_id).update(status=JobStatus.RUNNING, started_at=timezone.now())
    progress = JobProgress(job)
    try:
        with translation.override(job.language), Heartbeat(job_key(job.pk)):
            progress(_("开始"), 0, 0)
            result = RUNNERS[job.kind](job, progress)
    except Exception as exc:
        with translation.override(job.language):
            reason = (
                str(exc)
                if isinstance(exc, ValueError)
                else _("任务意外中止（{kind}），请联系系统管理员").format(kind=type(exc).__name__)
            )
        Job.objects.filter(pk=job_id).update(
            status=JobStatus.FAILED, finished_at=timezone.now(), error=reason
        )
        logger.warning("job %s (%s) failed: %s", job_id, job.kind, type(exc).__name__)
        raise
    else:
        # an import that wrote nothing ran to its end but failed: its result says why
        refused = str(result.get("refused", ""))
        status = JobStatus.FAILED if refused else JobStatus.SUCCEEDED
        Job.objects.filter(pk=job_id).update(
            status=status, finished_at=timezone.now(), result=result, error=refused
        )
        return status
    finally:
        shutil.rmtree(upload_folder(job), ignore_errors=True)
