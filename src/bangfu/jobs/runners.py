"""What each kind of job does, given its row and a progress listener; each returns the JSON
result the page and the API show. The services they call are the ones the CLI calls."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from bangfu.assistance.onboarding import monitoring_import
from bangfu.core.progress import Progress
from bangfu.core.tabular.parsing import RowError
from bangfu.core.tabular.reasons import Reason
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
        # each error's reason as msgid and parameters: the page shows it in its reader's language
        "error_reasons": [e.stored() for e in errors[:ERRORS_KEPT]],
        "error_count": len(errors),
    }


def _refused(result: dict[str, Any]) -> dict[str, Any]:
    """An import that wrote nothing (errors, or a file with only its header) fails its job:
    the result keeps every error and says why in `refused`, which the worker makes the job's
    error, so that the jobs list shows 失败 rather than a success that imported nothing."""
    if result["written"] and result["rows"]:
        return result
    if not result.get("errors"):
        empty = RowError(0, _("文件"), Reason(gettext_noop("文件中没有数据行")))
        result = result | _errors([empty])
    count = int(result["error_count"])
    row, column, reason = result["errors"][0]
    first = str(RowError(row, column, reason)) if row else f"{column}：{reason}"
    why = _("未导入任何数据：{first}").format(first=first)
    if count > 1:
        why = _("发现 {n} 处错误，未导入任何数据；{first}").format(n=count, first=first)
    return result | {"written": False, "summary": "", "refused": why}


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
    return _refused(
        {
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
    )


def _unreadable(exc: SheetError) -> dict[str, Any]:
    return _refused({"written": False, "rows": 0, **_errors([RowError(0, _("文件"), exc.why)])})


def feed_load(job: Job, progress: Progress) -> dict[str, Any]:
    spec = FEEDS[job.params["dept"]]
    base = {"dept": spec.code, "dept_title": spec.title, "department": spec.department}
    path = upload_path(job)
    try:
        table = read_table(path, job.file_name)
    except SheetError as exc:
        return base | _unreadable(exc)
    report = feed_import(spec=spec, table=table, progress=progress)
    return base | _refused(
        {
            "written": report.written,
            "summary": report.summary() if report.written else "",
            "encoding": report.encoding,
            "rows": report.rows,
            "partitions": report.partitions,
            "unmatched": [list(u) for u in report.unmatched[:UNMATCHED_KEPT]],
            "unmatched_count": len(report.unmatched),
            **_errors(report.errors),
        }
    )


def monitoring_onboard(job: Job, progress: Progress) -> dict[str, Any]:
    try:
        table = read_table(upload_path(job), job.file_name)
    except SheetError as exc:
        return _unreadable(exc)
    report = monitoring_import(
        table=table, user=job.user, file_name=job.file_name, progress=progress
    )
    return _refused(
        {
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
    )


def monitoring_run(job: Job, progress: Progress) -> dict[str, Any]:
    run, _result = monitor_run(period=job.params.get("period") or None, progress=progress)
    return {"written": True, "run_id": run.pk, **run.summary}


RUNNERS: dict[str, Callable[[Job, Progress], dict[str, Any]]] = {
    JobKind.HOUSEHOLD_IMPORT: household_import,
    JobKind.FEED_IMPORT: feed_load,
    JobKind.MONITORING_RUN: monitoring_run,
    JobKind.MONITORING_IMPORT: monitoring_onboard,
}
