"""Writing the audit log. Values of personal fields are never written here in clear."""

from __future__ import annotations

import getpass
from collections.abc import Iterable
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import models

from bangfu.audit.models import AuditAction, AuditEvent
from bangfu.core.idcard import redact_personal_numbers

# Who acted: a user, or None for the command line (the operator's login name is kept).
Actor = AbstractBaseUser | None


def actor_label(actor: Actor) -> str:
    if actor is None:
        try:
            return f"命令行 ({getpass.getuser()})"
        except Exception:  # no user name in some containers
            return "命令行"
    return actor.get_username()


def audit_event(
    *,
    actor: Actor,
    action: AuditAction,
    object_type: str,
    object_id: str,
    region_code: str,
    changes: dict[str, list[Any]] | None = None,
    note: str = "",
) -> AuditEvent:
    """An unsaved event; `audit_save` writes many at once. The note never holds an ID or mobile
    number in full (a search typed into a filter, a cadre's words): they are masked."""
    return AuditEvent(
        actor_id=actor.pk if actor is not None else None,
        actor_label=actor_label(actor),
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        region_code=region_code,
        changes=changes or {},
        note=redact_personal_numbers(note)[:255],
    )


def audit_save(events: Iterable[AuditEvent]) -> None:
    AuditEvent.objects.bulk_create(list(events), batch_size=2000)


def audit_record(
    *,
    actor: Actor,
    action: AuditAction,
    obj: models.Model,
    region_code: str,
    changes: dict[str, list[Any]] | None = None,
    note: str = "",
) -> AuditEvent:
    event = audit_event(
        actor=actor,
        action=action,
        object_type=obj._meta.model_name or "",
        object_id=str(obj.pk),
        region_code=region_code,
        changes=changes,
        note=note,
    )
    event.save()
    return event
