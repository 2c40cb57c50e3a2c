"""The village's monthly monitoring meeting (seed 002): an agenda built from the data — new
warnings and leads, steps due or overdue, evaluations due, exits proposed — and the minutes,
with each decision recorded against its case."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from bangfu.accounts.access import access_for
from bangfu.accounts.models import User
from bangfu.audit.models import AuditAction
from bangfu.audit.services import audit_record
from bangfu.cases.chain import OPEN_STAGES, STAGE_LEVEL
from bangfu.cases.evaluation import evaluations_due
from bangfu.cases.models import Case, Meeting, MeetingDecision, Stage
from bangfu.core.errors import NotFound, Refused
from bangfu.monitoring.models import RiskWarning, WarningStatus
from bangfu.regions.models import Level, Region
from bangfu.registry.selectors import household_heads

MONTH = re.compile(r"^[0-9]{4}-(0[1-9]|1[0-2])$")


def _bounds(month: str) -> tuple[dt.date, dt.date]:
    if not MONTH.match(month):
        raise Refused(_("月份格式应为 YYYY-MM"))
    year, mon = int(month[:4]), int(month[5:])
    return dt.date(year, mon, 1), dt.date(year, mon, calendar.monthrange(year, mon)[1])


def meeting_agenda(*, user: User, village: Region, month: str) -> dict[str, Any]:
    """What the month's meeting has to look at, from the data: through the access layer, so
    that a grid worker sees their grid's households and a responsible person those they
    assist (the village cadre, the whole village)."""
    access = access_for(user)
    if not access.contains(village.code):
        raise NotFound
    first, last = _bounds(month)
    # households are named by their heads (one query for each list's heads)
    heads = household_heads("household__")
    cases = (
        access.filter(Case.objects.filter(household__village=village))
        .select_related("household")
        .prefetch_related(heads)
    )
    village_stages = [s for s in OPEN_STAGES if STAGE_LEVEL[s] == Level.VILLAGE]
    return {
        "warnings": access.filter(
            RiskWarning.objects.filter(
                household__village=village,
                status=WarningStatus.NEW,
                watch=False,
                created_at__date__lte=last,
            )
        )
        .select_related("household")
        .prefetch_related(heads)
        .order_by("household__household_no", "rule_id"),
        "leads": cases.filter(stage=Stage.LEAD).order_by("due"),
        "steps_due": cases.filter(stage__in=village_stages, due__lte=last)
        .exclude(stage=Stage.LEAD)
        .order_by("due"),
        "evaluations_due": evaluations_due(user=user, today=last)
        .filter(household__village=village)
        .select_related("household")
        .prefetch_related(heads),
        "exits_proposed": cases.filter(stage=Stage.EXIT_VERIFIED),
        "first": first,
        "last": last,
    }


def meeting_decisions_for_user(*, user: User, meeting: Meeting) -> QuerySet[MeetingDecision]:
    """The meeting's decisions on the households the user may see."""
    visible = access_for(user).filter(Case.objects.filter(decisions__meeting=meeting))
    return (
        meeting.decisions.filter(case__in=visible)
        .select_related("case__household")
        .prefetch_related(household_heads("case__household__"))
    )


def meeting_held(*, village: Region, month: str) -> Meeting | None:
    """The minutes recorded for the village's meeting of `month`, if any."""
    return Meeting.objects.filter(village=village, month=month).first()


def meeting_record(
    *,
    user: User,
    village: Region,
    month: str,
    held_on: dt.date,
    attendees: str,
    minutes: str,
    decisions: dict[int, str],
) -> Meeting:
    """The minutes of the month's meeting and its decisions, each against its case (a case of
    this village). One meeting a month; recording it again adds decisions and updates minutes."""
    if not access_for(user).may_hold_meeting(village):
        raise NotFound
    _bounds(month)
    if not attendees.strip() or not minutes.strip():
        raise Refused(_("请填写参会人员和会议纪要"))
    if held_on > timezone.localdate():
        raise Refused(_("会议日期不能晚于今天"))
    chosen = {pk: text.strip() for pk, text in decisions.items() if text.strip()}
    cases = {c.pk: c for c in Case.objects.filter(pk__in=chosen, household__village=village)}
    if set(chosen) - set(cases):
        raise Refused(_("决定只能针对本村的监测对象"))
    with transaction.atomic():
        meeting, _created = Meeting.objects.update_or_create(
            village=village,
            month=month,
            defaults={
                "held_on": held_on,
                "attendees": attendees.strip()[:500],
                "minutes": minutes.strip(),
                "by": user,
            },
        )
        MeetingDecision.objects.bulk_create(
            MeetingDecision(meeting=meeting, case=cases[pk], text=text[:500])
            for pk, text in chosen.items()
        )
        audit_record(
            actor=user,
            action=AuditAction.UPDATE,
            obj=meeting,
            region_code=village.code,
            note=f"{month} 村级监测会议，{len(chosen)} 项决定",
        )
    return meeting
