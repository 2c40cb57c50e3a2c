"""Thin views: validate input, call one selector or service, render."""

from __future__ import annotations

import io
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from bangfu.accounts.models import Role
from bangfu.audit.selectors import audit_events_for_user
from bangfu.audit.services import audit_event, audit_save
from bangfu.cases.cards import CARD_STAGES
from bangfu.jobs.models import JobKind
from bangfu.jobs.services import job_kinds_for
from bangfu.regions.models import Grid, Level, Region
from bangfu.registry.exporter import households_export, households_template
from bangfu.registry.models import Guarantee
from bangfu.registry.selectors import (
    HouseholdFilters,
    household_get_for_user,
    household_list_for_user,
    household_phone_masked,
    households_in_scope,
    member_get_for_user,
    member_id_unmasked,
)
from bangfu.registry.services import reading_record, rejected_path
from bangfu.registry.sheets import XLSX
from bangfu.web.case_views import VisitForm
from bangfu.web.forms import HouseholdFilterForm, ReadingForm
from bangfu.web.paging import page_of

PAGE_SIZE = 25


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def _registry_user(request: HttpRequest) -> Any:
    if not request.user.can_read_registry:  # type: ignore[union-attr]
        raise Http404
    return request.user


def _filter_form(request: HttpRequest, user: Any) -> HouseholdFilterForm:
    prefix = user.region.prefix
    villages = list(
        Region.objects.filter(code__startswith=prefix, level=Level.VILLAGE).values_list(
            "code", "name"
        )
    )
    grids_qs = Grid.objects.filter(village__code__startswith=prefix)
    if user.grid_id:
        grids_qs = grids_qs.filter(pk=user.grid_id)
    village = request.GET.get("village", "")
    if village:
        grids_qs = grids_qs.filter(village_id=village)
    grids = [
        (g.pk, f"{g.village_id[-3:]} {g.name}") for g in grids_qs.order_by("village_id", "number")
    ]
    return HouseholdFilterForm(request.GET or None, villages=villages, grids=grids)


def _filtered_households(request: HttpRequest, user: Any) -> tuple[HouseholdFilterForm, Any]:
    form = _filter_form(request, user)
    filters = form.filters() if form.is_valid() else HouseholdFilters()
    return form, household_list_for_user(user=user, filters=filters)


@login_required
@require_GET
def household_list(request: HttpRequest) -> HttpResponse:
    user = _registry_user(request)
    form, households = _filtered_households(request, user)
    page, query = page_of(request, households, PAGE_SIZE)
    context = {"form": form, "page": page, "query": query}
    template = "web/_household_results.html" if request.htmx else "web/household_list.html"  # type: ignore[attr-defined]
    return render(request, template, context)


@login_required
@require_GET
def household_detail(request: HttpRequest, household_no: str) -> HttpResponse:
    user = _registry_user(request)
    household = household_get_for_user(user=user, household_no=household_no)
    members = list(household.members.all())
    incomes = list(household.incomes.order_by("year"))
    readings = list(household.readings.order_by("period"))
    today = timezone.localdate()
    chart = {
        "years": [str(r.year) for r in incomes],
        "per_capita": [float(r.per_capita_net) for r in incomes],
        "readings": [r.period for r in readings],
        "reading_per_capita": [float(r.per_capita_net) for r in readings],
    }
    guarantees = [
        (label, value, Guarantee(value).label)
        for label, value in (
            (_("义务教育"), household.education_secured),
            (_("基本医疗"), household.medical_secured),
            (_("住房安全"), household.housing_secured),
            (_("饮水安全"), household.water_secured),
        )
    ]
    context = {
        "household": household,
        "members": [(m, m.age_on(today)) for m in members],
        "incomes": incomes,
        "readings": readings,
        "chart": chart,
        "guarantees": guarantees,
        "phone": household_phone_masked(household=household),
        "reading_form": ReadingForm() if user.can_record_readings else None,
        "cases": list(household.cases.order_by("-opened_at")),
        "can_print": user.role in (Role.VILLAGE_CADRE, Role.TOWNSHIP_CADRE, Role.COUNTY_OFFICER)
        and household.cases.filter(closed_at__isnull=True, stage__in=CARD_STAGES).exists(),
        "visit_form": VisitForm()
        if user.role in (Role.VILLAGE_CADRE, Role.GRID_WORKER, Role.TOWNSHIP_CADRE)
        else None,
    }
    return render(request, "web/household_detail.html", context)


@login_required
@require_POST
def member_unmask(request: HttpRequest, household_no: str, member_id: int) -> HttpResponse:
    user = _registry_user(request)
    member = member_get_for_user(user=user, member_id=member_id)
    if member.household.household_no != household_no:
        raise Http404
    number = member_id_unmasked(user=user, member=member)
    return render(request, "web/_id_number.html", {"number": number})


@login_required
@require_POST
def reading_add(request: HttpRequest, household_no: str) -> HttpResponse:
    user = _registry_user(request)
    household = household_get_for_user(user=user, household_no=household_no)
    form = ReadingForm(request.POST)
    if not user.can_record_readings:
        raise Http404
    if form.is_valid():
        try:
            reading_record(user=user, household=household, **form.cleaned_data)
        except ValueError as exc:
            form.add_error(None, str(exc))
        else:
            return redirect("household", household_no=household_no)
    return render(
        request, "web/reading_form_page.html", {"household": household, "form": form}, status=400
    )


@login_required
@require_GET
def import_rejected(request: HttpRequest, token: str) -> HttpResponse:
    """The rejected rows of the user's own import, once: the file is deleted when fetched."""
    user = _registry_user(request)
    path = rejected_path(user.pk, token)
    if not user.can_write_registry or path is None or not path.exists():
        raise Http404
    response = HttpResponse(path.read_bytes(), content_type=XLSX)
    path.unlink()
    response["Content-Disposition"] = content_disposition_header(True, "被拒绝的行.xlsx")
    audit_save(
        [
            audit_event(
                actor=user,
                action="export",
                object_type="import",
                object_id=token,
                region_code=user.region.code,
                note="下载导入被拒绝的行",
            )
        ]
    )
    return response


@login_required
@require_GET
def household_template(request: HttpRequest) -> FileResponse:
    buf = io.BytesIO()
    households_template(out=buf)
    buf.seek(0)
    return FileResponse(
        buf, as_attachment=True, filename="农户信息导入模板.xlsx", content_type=XLSX
    )


@login_required
@require_GET
def household_export(request: HttpRequest) -> FileResponse:
    user = _registry_user(request)
    _form, households = _filtered_households(request, user)
    buf = io.BytesIO()
    households_export(
        households=households_in_scope(user=user).filter(pk__in=households.values("pk")),
        out=buf,
        unmask=user.can_unmask,
        actor=user,
        region_code=user.region.code,
        note=request.GET.urlencode(),
    )
    buf.seek(0)
    name = f"农户信息-{user.region.name}-{timezone.localdate():%Y%m%d}.xlsx"
    return FileResponse(buf, as_attachment=True, filename=name, content_type=XLSX)


@login_required
@require_GET
def audit_log(request: HttpRequest) -> HttpResponse:
    events = audit_events_for_user(user=request.user).select_related("actor")  # type: ignore[arg-type]
    page, query = page_of(request, events, 50)
    return render(request, "web/audit_log.html", {"page": page, "query": query})


def home(request: HttpRequest) -> HttpResponse:
    """Where a user starts (and lands after logging in): the households, or for a department
    officer, who has no access to the registry, the department feeds."""
    user = request.user
    if user.is_authenticated and not user.can_read_registry:  # type: ignore[union-attr]
        kinds = job_kinds_for(user)  # type: ignore[arg-type]
        return redirect("feed_import" if JobKind.FEED_IMPORT in kinds else "jobs")
    return redirect("households")
