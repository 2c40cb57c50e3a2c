"""The "导出 Excel" links of the warnings list, the cases and the tasks: the page's own filters
(its query string), for the roles that read the registry (404 to the others, as the
households' export). An export over the row limit goes back to its page with the reason."""

from __future__ import annotations

import io
from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpResponseBase
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from bangfu.assistance.exports import cases_export, tasks_export, warnings_export
from bangfu.core.errors import Refused
from bangfu.core.tabular.sheets import XLSX
from bangfu.monitoring.selectors import WarningFilters
from bangfu.web.forms.cases import CaseFilterForm
from bangfu.web.forms.warnings import WarningFilterForm
from bangfu.web.http import AuthedRequest, reader


def _send(
    request: AuthedRequest, title: str, page: str, write: Callable[[io.BytesIO], object]
) -> HttpResponseBase:
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


@login_required
@require_GET
def warning_export(request: AuthedRequest) -> HttpResponseBase:
    user = reader(request)
    form = WarningFilterForm(request.GET or None, user=user)
    filters = form.filters() if form.is_valid() else WarningFilters()
    note = request.GET.urlencode()
    return _send(
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
    note = request.GET.urlencode()
    return _send(
        request,
        "监测对象花名册",
        "cases",
        lambda out: cases_export(user=user, filters=filters, out=out, note=note),
    )


@login_required
@require_GET
def task_export(request: AuthedRequest) -> HttpResponseBase:
    user = reader(request)
    return _send(request, "帮扶任务", "my_tasks", lambda out: tasks_export(user=user, out=out))
