"""The "导出 Excel" links of the warnings list, the cases and the tasks: the page's own filters
(its query string), for the roles that read the registry (404 to the others, as the
households' export). An export over the row limit goes back to its page with the reason."""

from __future__ import annotations

import io
from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpResponseBase
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone, translation
from django.views.decorators.http import require_GET

from bangfu.assistance.exports import cases_export, tasks_export, warnings_export
from bangfu.core.errors import Refused
from bangfu.core.tabular.sheets import XLSX
from bangfu.monitoring.selectors import WarningFilters
from bangfu.web.forms.cases import CaseFilterForm
from bangfu.web.forms.warnings import WarningFilterForm
from bangfu.web.http import AuthedRequest, reader


def send_xlsx(
    request: AuthedRequest, title: str, page: str, write: Callable[[io.BytesIO], object]
) -> HttpResponseBase:
    """The workbook `write` makes, as a download named by its title, region and day; a refused
    export (over its row limit) goes back to `page` (with the same query) with the reason."""
    buf = io.BytesIO()
    try:
        write(buf)
    except Refused as exc:
        messages.error(request, str(exc))
        query = request.GET.urlencode()
        return redirect(reverse(page) + (f"?{query}" if query else ""))
    buf.seek(0)
    region = request.user.region.name if request.user.region else ""
    name = f"{title}-{region}-{timezone.localdate():%Y%m%d}.xlsx"
    return FileResponse(buf, as_attachment=True, filename=name, content_type=XLSX)


def filters_note(form: forms.Form) -> str:
    """The export's conditions as the audit log keeps them (in Chinese, whatever the reader's
    language): the valid filters by their labels, never the raw query string (unreadable, and
    whatever a client sent)."""
    if not form.is_valid():
        return ""
    with translation.override(None):
        return "；".join(
            f"{form.fields[k].label}={v}"
            for k, v in form.cleaned_data.items()
            if v not in ("", None, False)
        )


@login_required
@require_GET
def warning_export(request: AuthedRequest) -> HttpResponseBase:
    user = reader(request)
    form = WarningFilterForm(request.GET or None, user=user)
    filters = form.filters() if form.is_valid() else WarningFilters()
    note = filters_note(form)
    return send_xlsx(
        request,
        "监测预警",
        "warnings",
        lambda out: warnings_export(user=user, filters=filters, out=out, note=note),
    )


@login_required
@require_GET
def case_export(request: AuthedRequest) -> HttpResponseBase:
    user = reader(request)
    form = CaseFilterForm(request.GET or None, user=user)
    filters = form.filters()
    note = filters_note(form)
    return send_xlsx(
        request,
        "监测对象花名册",
        "cases",
        lambda out: cases_export(user=user, filters=filters, out=out, note=note),
    )


@login_required
@require_GET
def task_export(request: AuthedRequest) -> HttpResponseBase:
    user = reader(request)
    return send_xlsx(request, "帮扶任务", "my_tasks", lambda out: tasks_export(user=user, out=out))
