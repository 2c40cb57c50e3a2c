"""What each kind of job does, given its row and a progress listener; each returns the JSON
result the page and the API show. The services they call are the ones the CLI calls."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext as _

from bangfu.assistance.onboarding import monitoring_import
from bangfu.core.progress import Progress
from bangfu.core.tabular.sheets import SheetError, read_table
from bangfu.feeds.importer import feed_import
from bangfu.feeds.sources import FEEDS
from bangfu.jobs.models import Job, JobKind
from bangfu.jobs.uploads import upload_path
from bangfu.monitoring.services import monitor_run
from bangfu.registry.services import households_import_file, rejected_store

ERRORS_KEPT = 500  # errors a result lists (the count is always whole)
UNMATCHED_KEPT = 200


def _errors(errors: list[Any]) -> dict[str, Any]:
    return {
        "errors": [[e.row, e.column, e.reason] for e in errors[:ERRORS_KEPT]],
        "error_count": len(errors),
    }


def household_import(job: Job, progress: Progress) -> dict[str, Any]:
    with upload_path(job).open("rb") as source:
        report, headers = households_import_file(
            user=job.user,
            source=source,
            filename=job.file_name,
            skip_invalid=job.params.get("skip_invalid", False),
            progress=progress,
        )
    token = rejected_store(job.user.pk, report, headers) if report.rejected_rows else ""
    return {
        "written": report.written,
        "summary": report.summary() if report.written else "",
        "encoding": report.encoding,
        "rows": report.rows,
        "households_created": report.households_created,
        "households_updated": report.households_updated,
        "members_created": report.members_created,
        "members_updated": report.members_updated,
        "members_removed": report.members_removed,
        "rejected_rows": len(report.rejected_rows),
        "rejected_token": token,
        **_errors(report.errors),
    }


def _unreadable(exc: SheetError) -> dict[str, Any]:
    return {"written": False, "rows": 0, "errors": [[0, _("文件"), str(exc)]], "error_count": 1}


def feed_load(job: Job, progress: Progress) -> dict[str, Any]:
    spec = FEEDS[job.params["dept"]]
    base = {"dept": spec.code, "dept_title": spec.title, "department": spec.department}
    path = upload_path(job)
    try:
        table = read_table(path, job.file_name)
    except SheetError as exc:
        return base | _unreadable(exc)
    report = feed_import(spec=spec, table=table, progress=progress)
    return base | {
        "written": report.written,
        "summary": report.summary() if report.written else "",
        "encoding": report.encoding,
        "rows": report.rows,
        "partitions": report.partitions,
        "unmatched": [list(u) for u in report.unmatched[:UNMATCHED_KEPT]],
        "unmatched_count": len(report.unmatched),
        **_errors(report.errors),
    }


def monitoring_onboard(job: Job, progress: Progress) -> dict[str, Any]:
    try:
        table = read_table(upload_path(job), job.file_name)
    except SheetError as exc:
        return _unreadable(exc)
    report = monitoring_import(
        table=table, user=job.user, file_name=job.file_name, progress=progress
    )
    return {
        "written": report.written,
        "summary": report.summary() if report.written else "",
        "encoding": table.encoding,
        "rows": report.rows,
        "cases_created": report.cases_created,
        "in_monitoring": report.in_monitoring,
        "eliminated": report.eliminated,
        "unchanged": report.unchanged,
        **_errors(report.errors),
    }


def monitoring_run(job: Job, progress: Progress) -> dict[str, Any]:
    run, _result = monitor_run(period=job.params.get("period") or None, progress=progress)
    return {"written": True, "run_id": run.pk, **run.summary}


RUNNERS: dict[str, Callable[[Job, Progress], dict[str, Any]]] = {
    JobKind.HOUSEHOLD_IMPORT: household_import,
    JobKind.FEED_IMPORT: feed_load,
    JobKind.MONITORING_RUN: monitoring_run,
    JobKind.MONITORING_IMPORT: monitoring_onboard,
}
