"""The warnings pages: a list per region, a warning with its evidence and policy clause, and
the hand-over (dismiss with a reason, or turn into a lead for the identification chain)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from bangfu.accounts.access import access_for
from bangfu.cases.services import warning_decide
from bangfu.core.errors import NotFound, Refused
from bangfu.monitoring.models import WarningStatus
from bangfu.monitoring.selectors import (
    WarningFilters,
    warning_evidence,
    warning_get_for_user,
    warning_list_for_user,
    warnings_alongside,
)
from bangfu.web.forms.warnings import StatusForm, WarningFilterForm
from bangfu.web.http import AuthedRequest, reader
from bangfu.web.paging import page_of


@login_required
@require_GET
def warning_list(request: AuthedRequest) -> HttpResponse:
    user = reader(request)
    form = WarningFilterForm(request.GET or None, user=user)
    filters = form.filters() if form.is_valid() else WarningFilters()
    page, query = page_of(request, warning_list_for_user(user=user, filters=filters), 30)
    return render(request, "web/warning_list.html", {"form": form, "page": page, "query": query})


@login_required
@require_GET
def warning_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    user = reader(request)
    warning = warning_get_for_user(user=user, pk=pk)
    return render(
        request,
        "web/warning_detail.html",
        {
            "warning": warning,
            "evidence": warning_evidence(warning=warning),
            "form": StatusForm()
            if access_for(user).may_write_registry and warning.status == WarningStatus.NEW
            else None,
            "others": warnings_alongside(warning=warning),
        },
    )


@login_required
@require_POST
def warning_status(request: AuthedRequest, pk: int) -> HttpResponse:
    user = reader(request)
    warning = warning_get_for_user(user=user, pk=pk)
    form = StatusForm(request.POST)
    if not form.is_valid():
        raise NotFound
    try:
        warning_decide(
            user=user,
            warning=warning,
            status=form.cleaned_data["status"],
            reason=form.cleaned_data["reason"],
        )
    except Refused as exc:
        messages.error(request, str(exc))
        return render(
            request,
            "web/warning_detail.html",
            {
                "warning": warning,
                "evidence": warning_evidence(warning=warning),
                "form": form,
                "others": [],
            },
            status=400,
        )
    messages.success(request, str(_("已处理。")))
    return redirect("warning", pk=pk)
