from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from bangfu.accounts.models import User
from bangfu.audit.models import AuditEvent


def audit_events_for_user(*, user: User) -> QuerySet[AuditEvent]:
    """The log of the user's region; only auditors and the county office may read it."""
    if not user.can_read_audit or user.region is None:
        raise Http404
    return AuditEvent.objects.filter(region_code__startswith=user.region.prefix)
