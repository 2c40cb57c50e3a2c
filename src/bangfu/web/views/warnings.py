"""The warnings pages: the monthly list one row per household, a warning with its evidence and
policy clause, and the hand-over (dismiss with a reason, or turn into a lead for the
identification chain), which takes all of a household's new warnings at once."""

from __future__ import annotations

from collections.abc import Sequence

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from bangfu.accounts.access import access_for
from bangfu.cases.triage import (
    HouseholdDecision,
    warning_decide_with_household,
    warnings_decide_for_households,
)
from bangfu.core.errors import NotFound, Refused
from bangfu.monitoring.models import RiskWarning, WarningStatus
from bangfu.monitoring.selectors import (
    WarningFilters,
    warning_evidence,
    warning_get_for_user,
    warning_households_for_user,
    warning_rows,
    warnings_alongside,
    warnings_new_alongside,
)
from bangfu.web.forms.warnings import BulkDecisionForm, StatusForm, WarningFilterForm
from bangfu.web.http import AuthedRequest, local_path, reader
from bangfu.web.paging import page_of

PAGE_SIZE = 30
SORTS = ("", "household", "village")


@login_required
@require_GET
def warning_list(request: AuthedRequest) -> HttpResponse:
    user = reader(request)
    form = WarningFilterForm(request.GET or None, user=user)
    filters = form.filters() if form.is_valid() else WarningFilters()
    page, query = page_of(
        request, warning_households_for_user(user=user, filters=filters), PAGE_SIZE
    )
    page.object_list = warning_rows(user=user, filters=filters, groups=page.object_list)
    unsorted = request.GET.copy()
    for key in ("page", "sort"):
        unsorted.pop(key, None)
    sorts = {}
    for key in SORTS:
        q = unsorted.copy()
        if key:
            q["sort"] = key
        sorts[key or "priority"] = "?" + q.urlencode()
    return render(
        request,
        "web/warning_list.html",
        {
            "form": form,
            "page": page,
            "query": query,
            "sorts": sorts,
            "sort": filters.sort or "priority",
            "export_query": request.GET.urlencode(),
            "back": request.get_full_path(),
        },
    )


def _detail(warning: RiskWarning, form: StatusForm | None) -> dict[str, object]:
    return {
        "warning": warning,
        "evidence": warning_evidence(warning=warning),
        "form": form,
        "others": warnings_alongside(warning=warning),
        "pending": warnings_new_alongside(warning=warning) if form else [],
    }


@login_required
@require_GET
def warning_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    user = reader(request)
    warning = warning_get_for_user(user=user, pk=pk)
    decides = access_for(user).may_write_registry and warning.status == WarningStatus.NEW
    form = StatusForm() if decides else None
    return render(request, "web/warning_detail.html", _detail(warning, form))


def _told(decisions: Sequence[HouseholdDecision], status: str) -> SafeString:
    """The success message: how many warnings of how many households, and where the leads
    went (the case, or the list of new leads)."""
    warnings = sum(len(d.warnings) for d in decisions)
    if status == WarningStatus.DISMISSED:
        return format_html(
            "{}",
            _("已排除 %(households)d 户的 %(warnings)d 条预警。")
            % {"households": len(decisions), "warnings": warnings},
        )
    case = decisions[0].case if len(decisions) == 1 else None
    if case is not None:
        return format_html(
            '{} <a href="{}">{}</a>',
            _("已将户 %(no)s 的 %(warnings)d 条预警转为线索。")
            % {"no": decisions[0].household.household_no, "warnings": warnings},
            reverse("case", args=[case.pk]),
            _("查看监测帮扶"),
        )
    return format_html(
        '{} <a href="{}?stage=lead">{}</a>',
        _("已将 %(households)d 户的 %(warnings)d 条预警转为线索，新开 %(opened)d 件监测帮扶。")
        % {
            "households": len(decisions),
            "warnings": warnings,
            "opened": sum(d.opened for d in decisions),
        },
        reverse("cases"),
        _("查看待入户核查的线索"),
    )


def _after(decisions: Sequence[HouseholdDecision], status: str, back: str) -> HttpResponse:
    """One household's lead goes to its case; anything else back to where it was decided."""
    if status == WarningStatus.LEAD and len(decisions) == 1 and decisions[0].case is not None:
        return redirect("case", pk=decisions[0].case.pk)
    return redirect(back)


@login_required
@require_POST
def warning_status(request: AuthedRequest, pk: int) -> HttpResponse:
    """The warning page's decision: for this warning and all other new ones of its household."""
    user = reader(request)
    warning = warning_get_for_user(user=user, pk=pk)
    form = StatusForm(request.POST)
    if not form.is_valid():
        raise NotFound
    status = form.cleaned_data["status"]
    try:
        decision = warning_decide_with_household(
            user=user, warning=warning, status=status, reason=form.cleaned_data["reason"]
        )
    except Refused as exc:
        messages.error(request, str(exc))
        return render(request, "web/warning_detail.html", _detail(warning, form), status=400)
    messages.success(request, _told([decision], status))
    return _after([decision], status, reverse("warning", args=[pk]))


@login_required
@require_POST
def warning_bulk(request: AuthedRequest) -> HttpResponse:
    """The list's hand-over: all new warnings of each chosen household, all or nothing; a
    refusal goes back to the list with the reason."""
    user = reader(request)
    if not access_for(user).may_write_registry:
        raise NotFound
    back = local_path(request.POST.get("next", "")) or reverse("warnings")
    form = BulkDecisionForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(str(e) for e in errors))
        return redirect(back)
    status = form.cleaned_data["status"]
    try:
        decisions = warnings_decide_for_households(
            user=user,
            household_ids=form.cleaned_data["household"],
            status=status,
            reason=form.cleaned_data["reason"],
        )
    except Refused as exc:
        messages.error(request, str(exc))
        return redirect(back)
    messages.success(request, _told(decisions, status))
    return _after(decisions, status, back)
