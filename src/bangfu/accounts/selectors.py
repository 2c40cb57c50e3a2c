"""Reads about users and what they did: the audit log, as far as the user may read it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet

from bangfu.accounts.access import access_for, region_q
from bangfu.accounts.models import User
from bangfu.audit.models import AuditEvent
from bangfu.audit.services import PUBLIC_CHANNEL
from bangfu.core.errors import NotFound

PUBLIC = "public"  # AuditFilters.actor: the public's declarations (no user)
SYSTEM = "system"  # ... and the command line, the monitoring run, the demo


@dataclass(frozen=True)
class AuditFilters:
    """What an auditor narrows the log to. `actor` is a user's id, PUBLIC or SYSTEM; `region`
    a division code inside the reader's region (another region finds nothing)."""

    actor: str = ""
    action: str = ""
    object_type: str = ""
    region: str = ""
    since: dt.date | None = None
    until: dt.date | None = None


def audit_events_for_user(
    *, user: User, filters: AuditFilters | None = None
) -> QuerySet[AuditEvent]:
    """The log of the user's region; only auditors and the county office may read it."""
    access = access_for(user)
    if not access.may_read_audit:
        raise NotFound
    events = access.within(AuditEvent.objects.all(), "region_code")
    f = filters or AuditFilters()
    if f.actor == PUBLIC:
        events = events.filter(actor=None, actor_label=PUBLIC_CHANNEL)
    elif f.actor == SYSTEM:
        events = events.filter(actor=None).exclude(actor_label=PUBLIC_CHANNEL)
    elif f.actor.isdigit():
        events = events.filter(actor_id=int(f.actor))
    if f.action:
        events = events.filter(action=f.action)
    if f.object_type:
        events = events.filter(object_type=f.object_type)
    if f.region:
        region = access.region_inside(f.region)
        events = events.filter(region_q("region_code", region)) if region else events.none()
    if f.since:
        events = events.filter(at__date__gte=f.since)
    if f.until:
        events = events.filter(at__date__lte=f.until)
    return events


def audit_actors_for_user(*, user: User) -> QuerySet[User]:
    """The people who acted in the log the user may read, for its filter."""
    acted = audit_events_for_user(user=user).exclude(actor=None).values("actor_id")
    return User.objects.filter(pk__in=acted).order_by("username")


def audit_object_types_for_user(*, user: User) -> list[str]:
    """The object types in the log the user may read, for its filter."""
    types = audit_events_for_user(user=user).order_by().values_list("object_type", flat=True)
    return sorted(set(types.distinct()))
