"""Reads of cases, always through the user's region (as for the registry: out of scope is 404)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Case as SqlCase
from django.db.models import Count, IntegerField, QuerySet, Value, When
from django.http import Http404
from django.utils import timezone

from bangfu.accounts.models import Role, User
from bangfu.cases.chain import OPEN_STAGES, STAGE_LEVEL, Action, actions_from
from bangfu.cases.models import Case, DeclarationStatus, Measure, SelfDeclaration, Stage
from bangfu.regions.models import Level


def cases_in_scope(*, user: User) -> QuerySet[Case]:
    if not user.is_authenticated or not user.can_read_registry or user.region is None:
        return Case.objects.none()
    qs = Case.objects.filter(household__village__code__startswith=user.region.prefix)
    if user.role == Role.GRID_WORKER:
        qs = qs.filter(household__grid=user.grid)
    if user.role == Role.RESPONSIBLE_PERSON:
        qs = qs.filter(pk__in=Measure.objects.filter(responsible=user).values("case_id"))
    return qs.select_related("household", "household__village")


def tasks_for_user(*, user: User) -> QuerySet[Measure]:
    """The measures this user is responsible for, open ones first."""
    return (
        Measure.objects.filter(responsible=user)
        .select_related("kind", "case__household", "case__household__village")
        .order_by(_open_first(), "deadline")
    )


def _open_first() -> Any:
    return SqlCase(
        When(status__in=["planned", "active"], then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )


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
        qs = qs.filter(stage__in=OPEN_STAGES, due__lt=today or timezone.localdate())
    return qs.order_by("due", "household__household_no")


def case_get_for_user(*, user: User, pk: int) -> Case:
    try:
        return cases_in_scope(user=user).get(pk=pk)
    except Case.DoesNotExist:
        raise Http404 from None


def measure_get_for_user(*, user: User, pk: int) -> Measure:
    """A measure its responsible person may record, or one of a case in the user's scope; 404
    otherwise."""
    measure = (
        Measure.objects.select_related("case__household", "kind", "responsible")
        .filter(pk=pk)
        .first()
    )
    if measure is None:
        raise Http404
    if measure.responsible_id != user.pk:
        case_get_for_user(user=user, pk=measure.case_id)
    return measure


def overdue_for_user(*, user: User, today: dt.date | None = None) -> QuerySet[Case]:
    """Steps past their deadline that the levels below this user's are to take: the township
    sees its villages' overdue steps, the county its townships' and villages'."""
    if user.region is None or user.role not in (Role.TOWNSHIP_CADRE, Role.COUNTY_OFFICER):
        return Case.objects.none()
    mine = Level(user.region.level)
    below = [s for s in OPEN_STAGES if STAGE_LEVEL[s] > mine]
    return (
        cases_in_scope(user=user)
        .filter(stage__in=below, due__lt=today or timezone.localdate())
        .order_by("due")
    )


def actions_for_user(*, user: User, case: Case) -> list[Action]:
    """The actions this user may take on this case now (the pages offer only these)."""
    return [a for a in actions_from(case.stage) if a.role == user.role]


def declarations_for_user(*, user: User) -> QuerySet[SelfDeclaration]:
    """Unmatched self-declarations of the village cadre's own village."""
    if user.role != Role.VILLAGE_CADRE or user.region is None:
        return SelfDeclaration.objects.none()
    return SelfDeclaration.objects.filter(village=user.region, status=DeclarationStatus.NEW)


def stage_counts(*, user: User) -> dict[str, int]:
    counts = {s.value: 0 for s in Stage}
    for row in cases_in_scope(user=user).values("stage").annotate(n=Count("id")).order_by():
        counts[row["stage"]] = row["n"]
    return counts
