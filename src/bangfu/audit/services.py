"""Writing the audit log. Values of personal fields are never written here in clear."""

from __future__ import annotations

import getpass
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import models
from django.utils.translation import gettext_noop

from bangfu.audit.models import AuditAction, AuditEvent
from bangfu.core.idcard import redact_personal_numbers

# Who acted: a user, or None for the command line (the operator's login name is kept).
Actor = AbstractBaseUser | None

# The channels that act without a user, by the label the log keeps (and translates when shown).
PUBLIC_CHANNEL = gettext_noop("公众自主申报（扫码）")  # a household, from the village's QR code

_channel: ContextVar[str] = ContextVar("audit_channel", default="")


@contextmanager
def audit_channel(label: str) -> Iterator[None]:
    """Events written inside without a user are the channel's (`PUBLIC_CHANNEL`), not the
    command line's: a public service that calls shared services (a declaration opens a lead)
    says once who acted, however deep the event is written."""
    token = _channel.set(label)
    try:
        yield
    finally:
        _channel.reset(token)


def actor_label(actor: Actor, channel: str = "") -> str:
    """Who acted, as the log keeps it: the user's name, else the channel, else the command
    line with the operator's login name."""
    if actor is not None:
        return actor.get_username()
    if channel or _channel.get():
        return channel or _channel.get()
    try:
        return f"命令行 ({getpass.getuser()})"
    except Exception:  # no user name in some containers
        return "命令行"


def audit_event(
    *,
    actor: Actor,
    action: AuditAction,
    object_type: str,
    object_id: str,
    region_code: str,
    changes: dict[str, list[Any]] | None = None,
    note: str = "",
    channel: str = "",
) -> AuditEvent:
    """An unsaved event; `audit_save` writes many at once. The note never holds an ID or mobile
    number in full (a search typed into a filter, a cadre's words): they are masked."""
    return AuditEvent(
        actor_id=actor.pk if actor is not None else None,
        actor_label=actor_label(actor, channel),
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
    channel: str = "",
) -> AuditEvent:
    """Write one event about `obj`; `channel` names who acted when no user did."""
    event = audit_event(
        actor=actor,
        action=action,
        object_type=obj._meta.model_name or "",
        object_id=str(obj.pk),
        region_code=region_code,
        changes=changes,
        note=note,
        channel=channel,
    )
    event.save()
    return event
