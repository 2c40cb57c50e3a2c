"""Reads of the registry, always through the user's region (a village cadre never sees
another village). Out-of-scope objects answer 404, as if they did not exist."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import Prefetch, Q, QuerySet

from bangfu.accounts.access import access_for
from bangfu.accounts.models import User
from bangfu.audit.models import AuditAction
from bangfu.audit.services import audit_record
from bangfu.core.crypto import decrypt, lookup_hash
from bangfu.core.errors import NotFound
from bangfu.core.idcard import IdNumberError, mask_phone, parse_id_number
from bangfu.registry.models import Household, Member


def households_in_scope(*, user: User) -> QuerySet[Household]:
    """The households the user may read (the access layer's rule)."""
    return access_for(user).filter(Household.objects.all())


def household_in_scope(*, user: User | AnonymousUser, household: Household) -> bool:
    """Whether the user may read this household (a scanned QR code's card, or only the
    village's public side)."""
    return access_for(user).filter(Household.objects.filter(pk=household.pk)).exists()


@dataclass(frozen=True)
class HouseholdFilters:
    q: str = ""
    village: str = ""
    grid: int | None = None
    formerly_poor: bool | None = None
    category: str | None = None


def household_list_for_user(*, user: User, filters: HouseholdFilters) -> QuerySet[Household]:
    """Households in scope matching the filters; `q` is a name, a household number, the last
    digits of an ID number, or a whole ID number (looked up by its keyed hash)."""
    qs = households_in_scope(user=user)
    q = filters.q.strip()
    if q:
        cond = Q(household_no__icontains=q) | Q(members__name__icontains=q)
        if q[:-1].isdigit() and q[-1:].upper() in "0123456789X" and 1 <= len(q) <= 4:
            cond |= Q(members__id_tail__endswith=q.upper())
        if len(q) == 18:
            with contextlib.suppress(IdNumberError):
                cond |= Q(members__id_hash=lookup_hash(parse_id_number(q).value))
        qs = qs.filter(cond).distinct()
    if filters.village:
        qs = qs.filter(village_id=filters.village)
    if filters.grid is not None:
        qs = qs.filter(grid_id=filters.grid)
    if filters.formerly_poor is not None:
        qs = qs.filter(formerly_poor=filters.formerly_poor)
    if filters.category is not None:
        qs = qs.filter(category=filters.category)
    return (
        qs.select_related("village", "village__parent", "grid")
        .prefetch_related(household_heads())
        .order_by("household_no")
    )


def household_heads(path: str = "") -> Prefetch[Any]:
    """The prefetch that names a list's households by their heads (`Household.head_name`):
    `path` leads from the list's rows to the household ("household__" for cases or warnings,
    "case__household__" for measures)."""
    heads = Member.objects.filter(relation="head").only("id", "name", "household_id")
    return Prefetch(f"{path}members", queryset=heads, to_attr="heads")


def household_get_for_user(*, user: User, household_no: str) -> Household:
    try:
        return (
            households_in_scope(user=user)
            .select_related("village", "grid")
            .get(household_no=household_no)
        )
    except Household.DoesNotExist:
        raise NotFound from None


def member_get_for_user(*, user: User, member_id: int) -> Member:
    try:
        return Member.objects.select_related("household").get(
            pk=member_id, household__in=households_in_scope(user=user)
        )
    except Member.DoesNotExist:
        raise NotFound from None


def member_id_unmasked(*, user: User, member: Member) -> str:
    """The whole ID number, for roles that may see it; every call is audited."""
    if not access_for(user).may_unmask:
        raise NotFound
    audit_record(
        actor=user,
        action=AuditAction.UNMASK,
        obj=member,
        region_code=member.household.village_id,
        note="查看完整身份证号",
    )
    return decrypt(member.id_enc)


def household_phone_masked(*, household: Household) -> str:
    return mask_phone(decrypt(household.phone_enc)) if household.phone_enc else ""
