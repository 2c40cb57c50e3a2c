"""The village's monthly monitoring meeting (村级月度监测会议): its agenda from the data and,
for the village cadre, its minutes with a decision per case."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from bangfu.accounts.access import access_for
from bangfu.cases.meetings import (
    meeting_agenda,
    meeting_decisions_for_user,
    meeting_held,
    meeting_record,
)
from bangfu.cases.prints import meeting_paper
from bangfu.core.errors import BadParameter, NotFound, Refused
from bangfu.regions.models import Level, Region
from bangfu.web.downloads import send_pdf
from bangfu.web.http import AuthedRequest, reader

DECISION = "decision_"


def _village_month(request: AuthedRequest) -> tuple[Region | None, str]:
    """The meeting's village (the user's own, for a village's users, whatever the query asks;
    else `?village=` inside their region: NotFound for another region's) and month."""
    access = access_for(request.user)
    own = access.region if access.region and access.region.level == Level.VILLAGE else None
    code = own.code if own else request.GET.get("village", "")
    village = access.regions(Level.VILLAGE).filter(code=code).first() if code else None
    if village is None and code and Region.objects.filter(code=code, level=Level.VILLAGE).exists():
        raise NotFound  # another region's village
    return village, request.GET.get("month") or timezone.localdate().strftime("%Y-%m")


@login_required
@require_http_methods(["GET", "POST"])
def meeting(request: AuthedRequest) -> HttpResponse:
    """The agenda of the month's village meeting and, for the village cadre, its minutes."""
    user = reader(request)
    access = access_for(user)
    village, month = _village_month(request)
    if village is None:
        villages = access.regions(Level.VILLAGE)
        return render(request, "web/meeting.html", {"villages": villages, "month": month})
    try:
        # its lists and the decisions come with their households' heads (cases.meetings)
        agenda = meeting_agenda(user=user, village=village, month=month)
    except Refused as exc:
        messages.error(request, str(exc))
        return redirect("meeting")
    if request.method == "POST":
        decisions = {
            int(key.removeprefix(DECISION)): str(request.POST.get(key, ""))
            for key in request.POST
            if key.startswith(DECISION) and key.removeprefix(DECISION).isdigit()
        }
        try:
            held_on = dt.date.fromisoformat(request.POST.get("held_on", ""))
        except ValueError:
            messages.error(request, _("请填写会议日期"))
            return redirect(_page(request.path, month, village.code))
        try:
            meeting_record(
                user=user,
                village=village,
                month=month,
                held_on=held_on,
                attendees=request.POST.get("attendees", ""),
                minutes=request.POST.get("minutes", ""),
                decisions=decisions,
            )
        except Refused as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("会议纪要已保存。"))
        return redirect(_page(request.path, month, village.code))
    agenda_cases = {
        c.pk: c
        for key in ("leads", "steps_due", "evaluations_due", "exits_proposed")
        for c in agenda[key]
    }
    held = meeting_held(village=village, month=month)
    return render(
        request,
        "web/meeting.html",
        {
            "village": village,
            "month": month,
            "agenda": agenda,
            "agenda_cases": agenda_cases.values(),
            "held": held,
            "decisions": meeting_decisions_for_user(user=user, meeting=held) if held else [],
            "can_record": access.may_hold_meeting(village),
            "today": timezone.localdate(),
        },
    )


@login_required
@require_GET
def meeting_pdf(request: AuthedRequest) -> HttpResponse:
    """The month's agenda (before the meeting) or its minutes (after), on paper: for the same
    users, and of the same households, as the meeting page."""
    user = reader(request)
    village, month = _village_month(request)
    if village is None:
        raise BadParameter(_("请选择村"))
    try:
        data = meeting_paper(user=user, village=village, month=month, today=timezone.localdate())
    except Refused as exc:
        messages.error(request, str(exc))
        return redirect(_page(reverse("meeting"), month, village.code))
    name = f"村级会议-{village.name}-{month}.pdf"
    return send_pdf(data, name)


def _page(path: str, month: str, village: str) -> str:
    """The meeting page of a village and month, its query built (never a raw value in a
    Location header)."""
    return f"{path}?{urlencode({'month': month, 'village': village})}"
