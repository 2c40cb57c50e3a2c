"""The registry's pages: households (list, card, export, import template), members' whole ID
numbers (audited), income readings and the rejected rows of an import (the audit log is
web/views/audit.py)."""

from __future__ import annotations

import io
from typing import Any

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.db.models import QuerySet
from django.http import FileResponse, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_POST

from bangfu.accounts.access import access_for
from bangfu.accounts.models import User
from bangfu.cases.cards import CARD_STAGES
from bangfu.cases.selectors import household_facts
from bangfu.core.errors import NotFound, Refused
from bangfu.core.tabular.sheets import XLSX
from bangfu.regions.models import Grid, Level
from bangfu.registry.exporter import households_export, households_template
from bangfu.registry.models import Household
from bangfu.registry.selectors import (
    HouseholdFilters,
    household_get_for_user,
    household_list_for_user,
    households_in_scope,
    member_get_for_user,
    member_id_unmasked,
)
from bangfu.registry.services import reading_record, rejected_take
from bangfu.supervision.points import household_balance
from bangfu.web.forms.cases import VisitForm
from bangfu.web.forms.registry import HouseholdFilterForm, ReadingForm
from bangfu.web.http import AuthedRequest, reader
from bangfu.web.paging import page_of
from bangfu.web.throttle import attempts

PAGE_SIZE = 25


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def _filter_form(request: AuthedRequest, user: User) -> HouseholdFilterForm:
    access = access_for(user)
    villages = list(access.regions(Level.VILLAGE).values_list("code", "name"))
    grids_qs = access.within(Grid.objects.all(), "village__code")
    if user.grid_id:
        grids_qs = grids_qs.filter(pk=user.grid_id)
    village = request.GET.get("village", "")
    if village:
        grids_qs = grids_qs.filter(village_id=village)
    grids = [
        (g.pk, f"{g.village_id[-3:]} {g.name}") for g in grids_qs.order_by("village_id", "number")
    ]
    return HouseholdFilterForm(request.GET or None, villages=villages, grids=grids)


def _filtered_households(
    request: AuthedRequest, user: User
) -> tuple[HouseholdFilterForm, QuerySet[Household]]:
    form = _filter_form(request, user)
    filters = form.filters() if form.is_valid() else HouseholdFilters()
    return form, household_list_for_user(user=user, filters=filters)


@login_required
@require_GET
def household_list(request: AuthedRequest) -> HttpResponse:
    user = reader(request)
    form, households = _filtered_households(request, user)
    page, query = page_of(request, households, PAGE_SIZE)
    context = {"form": form, "page": page, "query": query}
    template = "web/_household_results.html" if request.htmx else "web/household_list.html"
    return render(request, template, context)


@login_required
@require_GET
def household_detail(request: AuthedRequest, household_no: str) -> HttpResponse:
    user = reader(request)
    household = household_get_for_user(user=user, household_no=household_no)
    access = access_for(user)
    context = {
        "household": household,
        "head_name": household.head_name,  # the title names the household by its head
        # members, incomes, readings, chart, guarantees, phone: as the case page shows them
        **household_facts(household=household),
        "reading_form": ReadingForm() if access.may_record_readings else None,
        "cases": list(household.cases.order_by("-opened_at")),
        "can_print": access.may_print
        and household.cases.filter(closed_at__isnull=True, stage__in=CARD_STAGES).exists(),
        "visit_form": VisitForm() if access.may_visit else None,
        "points": household_balance(user=user, household=household),  # 积分 of its village
    }
    return render(request, "web/household_detail.html", context)


@login_required
@require_POST
def member_unmask(request: AuthedRequest, household_no: str, member_id: int) -> HttpResponse:
    user = reader(request)
    member = member_get_for_user(user=user, member_id=member_id)
    if member.household.household_no != household_no:
        raise NotFound
    number = member_id_unmasked(user=user, member=member)
    return render(request, "web/_id_number.html", {"number": number})


@login_required
@require_POST
def reading_add(request: AuthedRequest, household_no: str) -> HttpResponse:
    user = reader(request)
    household = household_get_for_user(user=user, household_no=household_no)
    form = ReadingForm(request.POST)
    if not access_for(user).may_record_readings:
        raise NotFound
    if form.is_valid():
        try:
            reading_record(user=user, household=household, **form.cleaned_data)
        except Refused as exc:
            form.add_error(None, str(exc))
        else:
            return redirect("household", household_no=household_no)
    return render(
        request, "web/reading_form_page.html", {"household": household, "form": form}, status=400
    )


@login_required
@require_GET
def import_rejected(request: AuthedRequest, token: str) -> HttpResponse:
    """The rejected rows of the user's own import, once: the file is deleted when fetched."""
    data = rejected_take(user=reader(request), token=token)
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, "被拒绝的行.xlsx")
    return response


@login_required
@require_GET
def household_template(request: AuthedRequest) -> FileResponse:
    buf = io.BytesIO()
    households_template(out=buf)
    buf.seek(0)
    return FileResponse(
        buf, as_attachment=True, filename="农户信息导入模板.xlsx", content_type=XLSX
    )


@login_required
@require_GET
def household_export(request: AuthedRequest) -> FileResponse:
    user = reader(request)
    _form, households = _filtered_households(request, user)
    buf = io.BytesIO()
    households_export(
        households=households_in_scope(user=user).filter(pk__in=households.values("pk")),
        out=buf,
        unmask=access_for(user).may_unmask,
        actor=user,
        region_code=user.region.code if user.region else "",
        note=request.GET.urlencode(),
    )
    buf.seek(0)
    name = f"农户信息-{user.region.name if user.region else ''}-{timezone.localdate():%Y%m%d}.xlsx"
    return FileResponse(buf, as_attachment=True, filename=name, content_type=XLSX)


class CappedLoginView(auth_views.LoginView):
    """The login page, refusing (429) an address after LOGIN_FAILURES_PER_ADDRESS failed
    logins within the hour, whatever usernames they tried (axes locks one username)."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if attempts("login", request) >= settings.LOGIN_FAILURES_PER_ADDRESS:
            return render(request, "web/locked_out.html", status=429)
        return super().post(request, *args, **kwargs)
