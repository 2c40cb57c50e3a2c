"""A village's contact details (村委会联系方式), which its printed papers give: who may edit them
(the village's cadre and the township and county above it, the users who print) and the one
write, audited. The model and the reading with its defaults are the regions app's."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from bangfu.accounts.access import access_for
from bangfu.accounts.models import User
from bangfu.audit.models import AuditAction
from bangfu.audit.services import audit_record
from bangfu.core.errors import NotFound, Refused
from bangfu.core.text import UNSAFE_REFUSED, has_unsafe_chars
from bangfu.regions.models import Level, Region, RegionContact

CONTACT_FIELDS = ("office", "phone", "supervision_phone", "address")


def contact_village_for_user(*, user: User, code: str) -> Region:
    """The village whose contact details the user keeps: one inside their region, for a role
    that prints; NotFound otherwise (another village's is as absent as a missing one)."""
    access = access_for(user)
    village = access.regions(Level.VILLAGE).filter(code=code).first() if access.may_print else None
    if village is None:
        raise NotFound
    return village


def region_contact_get(village: Region) -> RegionContact:
    """The village's stored contact details, or blank ones not yet saved."""
    return RegionContact.objects.filter(region=village).first() or RegionContact(region=village)


def village_contact_save(*, user: User, village: Region, values: dict[str, str]) -> RegionContact:
    """Save the village's contact details (the fields validated by the form); the audit event
    lists what changed."""
    contact_village_for_user(user=user, code=village.code)
    if has_unsafe_chars(values):
        raise Refused(_(UNSAFE_REFUSED))
    with transaction.atomic():
        contact, created = RegionContact.objects.select_for_update().get_or_create(region=village)
        changes: dict[str, list[str]] = {}
        for name in CONTACT_FIELDS:
            new = values.get(name, "").strip()
            if getattr(contact, name) != new:
                changes[name] = [getattr(contact, name), new]
                setattr(contact, name, new)
        contact.save()
        audit_record(
            actor=user,
            action=AuditAction.CREATE if created else AuditAction.UPDATE,
            obj=contact,
            region_code=village.code,
            changes=changes,
            note="村委会联系方式",
        )
    return contact
