"""The village's monthly monitoring meeting (村级月度监测会议): its agenda from the data and,
for the village cadre, its minutes with a decision per case."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from bangfu.accounts.access import access_for
from bangfu.cases.meetings import (
    meeting_agenda,
    meeting_decisions_for_user,
    meeting_held,
    meeting_record,
)
from bangfu.core.errors import NotFound, Refused
from bangfu.regions.models import Level, Region
from bangfu.web.http import AuthedRequest, reader

DECISION = "decision_"


@login_required
@require_http_methods(["GET", "POST"])
def meeting(request: AuthedRequest) -> HttpResponse:
    """The agenda of the month's village meeting and, for the village cadre, its minutes."""
    user = reader(request)
    access = access_for(user)
    own = access.region if access.region and access.region.level == Level.VILLAGE else None
    code = own.code if own else request.GET.get("village", "")
    village = access.regions(Level.VILLAGE).filter(code=code).first() if code else None
    month = request.GET.get("month") or timezone.localdate().strftime("%Y-%m")
    if village is None:
        if code and Region.objects.filter(code=code, level=Level.VILLAGE).exists():
            raise NotFound  # another region's village
        villages = access.regions(Level.VILLAGE)
        return render(request, "web/meeting.html", {"villages": villages, "month": month})
    try:
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
            return redirect(f"{request.path}?month={month}&village={village.code}")
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
        return redirect(f"{request.path}?month={month}&village={village.code}")
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
