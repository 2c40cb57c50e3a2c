"""Reads of the registry, always through the user's region (a village cadre never sees
another village). Out-of-scope objects answer 404, as if they did not exist."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404

from bangfu.accounts.models import Role, User
from bangfu.audit.services import audit_record
from bangfu.core.crypto import decrypt, lookup_hash
from bangfu.core.idcard import IdNumberError, mask_phone, parse_id_number
from bangfu.registry.models import Household, Member


def in_region_scope(*, user: User, household: Household) -> bool:
    """The region part of the scope, for one household already loaded: inside the user's
    region, and for a grid worker inside their grid. Services check it before a write, then
    refuse by role with a reason; reads (`households_in_scope`) also narrow a responsible
    person to the households they assist."""
    return bool(
        user.is_authenticated
        and user.region is not None
        and user.region.contains(household.village_id)
        and (user.role != Role.GRID_WORKER or household.grid_id == user.grid_id)
    )


def households_in_scope(*, user: User) -> QuerySet[Household]:
    """What `in_region_scope` admits, as a query (and the responsible persons' narrowing)."""
    if not user.is_authenticated or not user.can_read_registry or user.region is None:
        return Household.objects.none()
    qs = Household.objects.filter(village__code__startswith=user.region.prefix)
    if user.role == Role.GRID_WORKER:
        qs = qs.filter(grid=user.grid)
    if user.role == Role.RESPONSIBLE_PERSON:  # 帮扶责任人: only the households they assist
        qs = qs.filter(pk__in=Household.objects.filter(cases__measures__responsible=user))
    return qs


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
    heads = Member.objects.filter(relation="head").only("id", "name", "household_id")
    return (
        qs.select_related("village", "village__parent", "grid")
        .prefetch_related(Prefetch("members", queryset=heads, to_attr="heads"))
        .order_by("household_no")
    )


def household_get_for_user(*, user: User, household_no: str) -> Household:
    try:
        return (
            households_in_scope(user=user)
            .select_related("village", "grid")
            .get(household_no=household_no)
        )
    except Household.DoesNotExist:
        raise Http404 from None


def member_get_for_user(*, user: User, member_id: int) -> Member:
    try:
        return Member.objects.select_related("household").get(
            pk=member_id, household__in=households_in_scope(user=user)
        )
    except Member.DoesNotExist:
        raise Http404 from None


def member_id_unmasked(*, user: User, member: Member) -> str:
    """The whole ID number, for roles that may see it; every call is audited."""
    if not user.can_unmask:
        raise Http404
    audit_record(
        actor=user,
        action="unmask",
        obj=member,
        region_code=member.household.village_id,
        note="查看完整身份证号",
    )
    return decrypt(member.id_enc)


def household_phone_masked(*, household: Household) -> str:
    return mask_phone(decrypt(household.phone_enc)) if household.phone_enc else ""
