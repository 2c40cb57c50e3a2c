"""Work that takes a while (imports, department feeds, monitoring runs) is queued as a
background job; its page polls its progress and shows its result."""

from __future__ import annotations

import io
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from bangfu.assistance.onboarding import monitoring_template
from bangfu.core.errors import Conflict, Forbidden, NotFound
from bangfu.core.tabular.sheets import XLSX
from bangfu.feeds.sources import FEEDS
from bangfu.feeds.templates import feed_template
from bangfu.jobs.models import JobKind
from bangfu.jobs.progress import job_progress
from bangfu.jobs.services import job_get_for_user, job_kinds_for, job_start, jobs_for_user
from bangfu.monitoring.selectors import monitoring_runs_for_user
from bangfu.web.forms.jobs import FeedImportForm, ImportForm, MonitoringRunForm, UploadForm
from bangfu.web.http import AuthedRequest, reader
from bangfu.web.paging import page_of


def _may(request: AuthedRequest, kind: JobKind) -> None:
    if kind not in job_kinds_for(request.user):
        raise NotFound


def _start(
    request: AuthedRequest, form: Any, kind: JobKind, params: dict[str, Any]
) -> HttpResponse | None:
    """Queue the job and go to its page; a refusal the user can act on stays on the form."""
    upload = form.cleaned_data.get("file")
    try:
        job = job_start(
            user=request.user,
            kind=kind,
            params=params,
            upload=upload,
            file_name=upload.name if upload else "",
        )
    except Forbidden:
        raise NotFound from None
    except Conflict as exc:
        form.add_error(None, str(exc))
        return None
    return redirect("job", pk=job.pk)


def _recent(request: AuthedRequest, kind: JobKind) -> list[Any]:
    return list(jobs_for_user(request.user).filter(kind=kind)[:10])


@login_required
def household_import(request: AuthedRequest) -> HttpResponse:
    _may(request, JobKind.HOUSEHOLD_IMPORT)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        params = {"skip_invalid": form.cleaned_data["skip_invalid"]}
        started = _start(request, form, JobKind.HOUSEHOLD_IMPORT, params)
        if started is not None:
            return started
    context = {"form": form, "jobs": _recent(request, JobKind.HOUSEHOLD_IMPORT)}
    return render(request, "web/household_import.html", context, status=400 if form.errors else 200)


@login_required
def monitoring_import(request: AuthedRequest) -> HttpResponse:
    """存量监测对象导入: the caseload of the national system's list comes into the loop."""
    _may(request, JobKind.MONITORING_IMPORT)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        started = _start(request, form, JobKind.MONITORING_IMPORT, {})
        if started is not None:
            return started
    context = {"form": form, "jobs": _recent(request, JobKind.MONITORING_IMPORT)}
    return render(
        request, "web/monitoring_import.html", context, status=400 if form.errors else 200
    )


@login_required
@require_GET
def monitoring_template_download(request: AuthedRequest) -> FileResponse:
    _may(request, JobKind.MONITORING_IMPORT)
    buf = io.BytesIO()
    monitoring_template(out=buf)
    buf.seek(0)
    return FileResponse(
        buf, as_attachment=True, filename="监测对象导入模板.xlsx", content_type=XLSX
    )


@login_required
def feed_import(request: AuthedRequest) -> HttpResponse:
    _may(request, JobKind.FEED_IMPORT)
    form = FeedImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        started = _start(request, form, JobKind.FEED_IMPORT, {"dept": form.cleaned_data["dept"]})
        if started is not None:
            return started
    context = {
        "form": form,
        "feeds": list(FEEDS.values()),
        "jobs": _recent(request, JobKind.FEED_IMPORT),
    }
    return render(request, "web/feed_import.html", context, status=400 if form.errors else 200)


@login_required
@require_GET
def feed_template_download(request: AuthedRequest, dept: str) -> FileResponse:
    _may(request, JobKind.FEED_IMPORT)
    spec = FEEDS.get(dept)
    if spec is None:
        raise NotFound
    buf = io.BytesIO()
    feed_template(spec=spec, out=buf)
    buf.seek(0)
    name = f"{spec.title}数据导入模板.xlsx"
    return FileResponse(buf, as_attachment=True, filename=name, content_type=XLSX)


@login_required
def monitoring_runs(request: AuthedRequest) -> HttpResponse:
    """The monitoring runs so far (county-wide counts), and for the county, starting one."""
    user = reader(request)
    may_run = JobKind.MONITORING_RUN in job_kinds_for(user)
    form = MonitoringRunForm(request.POST or None) if may_run else None
    if request.method == "POST":
        if form is None:
            raise NotFound
        if form.is_valid():
            params = {"period": form.cleaned_data["period"]}
            started = _start(request, form, JobKind.MONITORING_RUN, params)
            if started is not None:
                return started
    page, query = page_of(request, monitoring_runs_for_user(user=user), 20)
    context = {
        "form": form,
        "page": page,
        "query": query,
        "jobs": _recent(request, JobKind.MONITORING_RUN) if may_run else [],
    }
    status = 400 if form is not None and form.errors else 200
    return render(request, "web/monitoring_runs.html", context, status=status)


@login_required
@require_GET
def job_list(request: AuthedRequest) -> HttpResponse:
    page, query = page_of(request, jobs_for_user(request.user), 25)
    return render(request, "web/job_list.html", {"page": page, "query": query})


@login_required
@require_GET
def job_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    """The job's page; htmx polls the status part of it every second until the job ends."""
    job = job_get_for_user(request.user, pk)
    context = {"job": job, "progress": job_progress(job), "feed": FEEDS.get(job.params.get("dept"))}
    if request.htmx:
        return render(request, "web/_job_status.html", context)
    return render(request, "web/job_detail.html", context)
