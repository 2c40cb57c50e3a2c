"""Reads of cases, always through the user's region (as for the registry: out of scope is 404)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from bangfu.accounts.access import access_for
from bangfu.accounts.models import User
from bangfu.cases.chain import OPEN_STAGES, STAGE_LEVEL, Action, actions_from
from bangfu.cases.models import (
    Case,
    DeclarationStatus,
    Objection,
    Referral,
    SelfDeclaration,
    Stage,
)
from bangfu.core.crypto import decrypt
from bangfu.core.errors import NotFound
from bangfu.core.idcard import mask_name, mask_phone
from bangfu.regions.models import Level
from bangfu.registry.models import Category


def cases_in_scope(*, user: User) -> QuerySet[Case]:
    """The cases the user may read (the access layer's rule)."""
    return (
        access_for(user)
        .filter(Case.objects.all())
        .select_related("household", "household__village")
    )


def overdue_q(today: dt.date) -> Q:
    """Cases waiting past their step's deadline or past the whole chain's (policy total_days:
    from the lead, or the exit's proposal, to the county's decision)."""
    return Q(stage__in=OPEN_STAGES) & (Q(due__lt=today) | Q(decision_due__lt=today))


@dataclass(frozen=True)
class CaseFilters:
    stage: str = ""
    village: str = ""
    overdue: bool = False


def case_list_for_user(
    *, user: User, filters: CaseFilters, today: dt.date | None = None
) -> QuerySet[Case]:
    qs = cases_in_scope(user=user)
    if filters.stage:
        qs = qs.filter(stage=filters.stage)
    if filters.village:
        qs = qs.filter(household__village_id=filters.village)
    if filters.overdue:
        qs = qs.filter(overdue_q(today or timezone.localdate()))
    return qs.order_by("due", "household__household_no")


def case_get_for_user(*, user: User, pk: int) -> Case:
    try:
        return cases_in_scope(user=user).get(pk=pk)
    except Case.DoesNotExist:
        raise NotFound from None


def objection_get_for_user(*, user: User, pk: int) -> Objection:
    """An objection to a case in the user's scope."""
    found = Objection.objects.select_related("case__household").filter(pk=pk).first()
    if found is None or not cases_in_scope(user=user).filter(pk=found.case_id).exists():
        raise NotFound
    return found


def overdue_for_user(*, user: User, today: dt.date | None = None) -> QuerySet[Case]:
    """Steps past their deadline that the levels below this user's are to take: the township
    sees its villages' overdue steps, the county its townships' and villages'."""
    access = access_for(user)
    if not access.may_see_overdue or access.region is None:
        return Case.objects.none()
    mine = Level(access.region.level)
    below = [s for s in OPEN_STAGES if STAGE_LEVEL[s] > mine]
    return (
        cases_in_scope(user=user)
        .filter(overdue_q(today or timezone.localdate()), stage__in=below)
        .order_by("due")
    )


def actions_for_user(*, user: User, case: Case) -> list[Action]:
    """The actions this user may take on this case now (the pages offer only these)."""
    access = access_for(user)
    return [a for a in actions_from(case.stage) if access.is_role(a.role)]


def declarations_for_user(*, user: User) -> QuerySet[SelfDeclaration]:
    """Unmatched self-declarations of the village cadre's own village."""
    access = access_for(user)
    if access.region is None or not access.may_handle_declarations_of(access.region.code):
        return SelfDeclaration.objects.none()
    return SelfDeclaration.objects.filter(village=access.region, status=DeclarationStatus.NEW)


def declaration_rows(pending: QuerySet[SelfDeclaration]) -> list[dict[str, Any]]:
    """The declarations as the cadre's list shows them: name and phone masked."""
    return [
        {
            "d": d,
            "name": mask_name(decrypt(d.name_enc)),
            "phone": mask_phone(decrypt(d.phone_enc)),
        }
        for d in pending
    ]


# the identification's stages, before the county's decision
IDENTIFYING = (
    Stage.LEAD,
    Stage.VERIFIED,
    Stage.APPRAISED,
    Stage.NOTICE,
    Stage.TOWNSHIP,
    Stage.COUNTY,
)


def help_before_decision(*, case: Case) -> bool:
    """先帮后认: help may start before the county's decision when the difficulty is a sudden
    severe one (a warning of that category) or the home verification marked it urgent."""
    if case.stage not in IDENTIFYING:
        return False
    if case.signals.filter(warning__category=Category.SUDDEN).exists():
        return True
    verified = case.steps.filter(action="verify").order_by("-at", "-pk").first()
    return bool(verified and verified.data.get("urgent"))


def referrals_for_user(*, user: User) -> QuerySet[Referral]:
    """Civil affairs (民政) sees the referrals of its region; the cadres those of the cases they
    may read."""
    access = access_for(user)
    if access.may_answer_referrals:
        qs = access.within(Referral.objects.all(), "case__household__village__code")
    else:
        qs = Referral.objects.filter(case__in=cases_in_scope(user=user))
    return qs.select_related("case__household__village", "answered_by")


def referral_get_for_user(*, user: User, pk: int) -> Referral:
    found = referrals_for_user(user=user).filter(pk=pk).first()
    if found is None:
        raise NotFound
    return found


def stage_counts(*, user: User) -> dict[str, int]:
    counts = {s.value: 0 for s in Stage}
    for row in cases_in_scope(user=user).values("stage").annotate(n=Count("id")).order_by():
        counts[row["stage"]] = row["n"]
    return counts
