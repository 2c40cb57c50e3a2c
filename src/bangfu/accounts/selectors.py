"""Reads about users and what they did: the audit log, as far as the user may read it."""

from __future__ import annotations

from django.db.models import QuerySet

from bangfu.accounts.access import access_for
from bangfu.accounts.models import User
from bangfu.audit.models import AuditEvent
from bangfu.core.errors import NotFound


def audit_events_for_user(*, user: User) -> QuerySet[AuditEvent]:
    """The log of the user's region; only auditors and the county office may read it."""
    access = access_for(user)
    if not access.may_read_audit:
        raise NotFound
    return access.within(AuditEvent.objects.all(), "region_code")
