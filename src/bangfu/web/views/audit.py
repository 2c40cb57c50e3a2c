"""The audit log (审计日志) for auditors and the county office: filtered by who, what, which kind
of object, where and when, shown in words (bangfu.audit.display) with links to the objects'
pages, and exported as the filtered rows (itself audited)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import Model, QuerySet
from django.http import HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from bangfu.accounts.models import User
from bangfu.accounts.selectors import AuditFilters, audit_events_for_user
from bangfu.assistance.models import Measure
from bangfu.audit.display import EventRow, event_rows
from bangfu.audit.exports import audit_log_export
from bangfu.audit.models import AuditEvent
from bangfu.cases.models import Case
from bangfu.monitoring.models import RiskWarning
from bangfu.registry.models import Household
from bangfu.web.forms.audit import AuditFilterForm
from bangfu.web.http import AuthedRequest
from bangfu.web.paging import page_of
from bangfu.web.views.exports import filters_note, send_xlsx

PAGE_SIZE = 50


def _filtered(request: AuthedRequest) -> tuple[AuditFilterForm, QuerySet[AuditEvent]]:
    """The reader's log narrowed by the filter (all of it while the filter is invalid, which
    then says why beside the field); NotFound for those who may not read it."""
    user = request.user
    form = AuditFilterForm(request.GET, user=user)
    filters = form.filters() if form.is_valid() else AuditFilters()
    return form, audit_events_for_user(user=user, filters=filters).select_related("actor")


# how each object type links to its page: (the model, the path to its household number, the
# page's URL from the object's pk and the row's values)
Linker = tuple[type[Model], str, Callable[[int, Any], str]]
LINKS: dict[str, Linker] = {
    "household": (Household, "household_no", lambda pk, no: reverse("household", args=[no])),
    "case": (Case, "household__household_no", lambda pk, no: reverse("case", args=[pk])),
    "riskwarning": (
        RiskWarning,
        "household__household_no",
        lambda pk, no: reverse("warning", args=[pk]),
    ),
}


def describe(rows: list[EventRow]) -> None:
    """Name the objects the rows are about as their pages do (a household by its number, a
    case or a warning beside its household's) and link them: one query per type shown."""
    ids: dict[str, set[int]] = {}
    for r in rows:
        linked = r.event.object_type in LINKS or r.event.object_type == "measure"
        if linked and r.event.object_id.isdigit():
            ids.setdefault(r.event.object_type, set()).add(int(r.event.object_id))
    found: dict[str, dict[int, tuple[str, str]]] = {}
    for kind, pks in ids.items():
        if kind == "measure":
            found[kind] = {
                pk: (f"{pk}（{no}）", reverse("case", args=[case]))
                for pk, case, no in Measure.objects.filter(pk__in=pks).values_list(
                    "pk", "case_id", "case__household__household_no"
                )
            }
            continue
        model, path, url = LINKS[kind]
        found[kind] = {
            pk: (no if kind == "household" else f"{pk}（{no}）", url(pk, no))
            for pk, no in model._default_manager.filter(pk__in=pks).values_list("pk", path)
        }
    for r in rows:
        shown = found.get(r.event.object_type, {})
        if r.event.object_id.isdigit() and int(r.event.object_id) in shown:
            r.object_id, r.link = shown[int(r.event.object_id)]


@login_required
@require_GET
def audit_log(request: AuthedRequest) -> HttpResponse:
    form, events = _filtered(request)
    page, query = page_of(request, events, PAGE_SIZE)
    rows = event_rows(list(page))
    describe(rows)
    context = {"form": form, "page": page, "rows": rows, "query": query}
    return render(request, "web/audit_log.html", context)


@login_required
@require_GET
def audit_export(request: AuthedRequest) -> HttpResponseBase:
    """The filtered log as .xlsx, for the same readers as the page; the export is audited with
    its filter, and one over the limit goes back to the log with the reason."""
    user: User = request.user
    form, events = _filtered(request)
    return send_xlsx(
        request,
        str(_("审计日志")),
        "audit_log",
        lambda out: audit_log_export(
            events=events,
            out=out,
            actor=user,
            region_code=user.region.code if user.region else "",
            note=filters_note(form),
            describe=describe,
        ),
    )
