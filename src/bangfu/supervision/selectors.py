"""Reading the problem ledger, always through the access layer: the problems of the user's
region (out of scope is absent), the overdue ones listed to the level above, those waiting for
the user's verification, and the statistics per source, category and region."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from bangfu.accounts.access import access_for
from bangfu.accounts.models import User
from bangfu.core.errors import NotFound
from bangfu.regions.models import PREFIX_LENGTH, Level, Region
from bangfu.supervision.models import (
    Problem,
    ProblemCategory,
    ProblemEvidence,
    ProblemStatus,
    Source,
)
from bangfu.supervision.rules import sees, why_not_verify


def problems_in_scope(*, user: User) -> QuerySet[Problem]:
    return access_for(user).filter(Problem.objects.select_related("region", "registered_by"))


def overdue_q(today: dt.date) -> Q:
    """Overdue: the deadline has passed and the problem is not closed."""
    return Q(deadline__lt=today) & ~Q(status=ProblemStatus.CLOSED)


@dataclass(frozen=True)
class ProblemFilters:
    source: str = ""
    category: str = ""
    status: str = ""
    region: str = ""  # a division code: the problems inside it
    overdue: bool = False


def problem_list_for_user(
    *, user: User, filters: ProblemFilters, today: dt.date
) -> QuerySet[Problem]:
    qs = problems_in_scope(user=user)
    if filters.source:
        qs = qs.filter(source=filters.source)
    if filters.category:
        qs = qs.filter(category=filters.category)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.region:
        region = access_for(user).region_inside(filters.region)
        qs = qs.filter(region__code__startswith=region.prefix) if region else qs.none()
    if filters.overdue:
        qs = qs.filter(overdue_q(today))
    return qs.order_by("deadline", "pk")


def problem_get_for_user(*, user: User, pk: int) -> Problem:
    found = Problem.objects.select_related("region", "registered_by", "case").filter(pk=pk).first()
    if found is None or not sees(user, found):
        raise NotFound
    return found


def problems_overdue_below(*, user: User, today: dt.date) -> QuerySet[Problem]:
    """Overdue problems of the levels below the user's: what the level above follows up."""
    access = access_for(user)
    if not access.may_see_overdue or access.region is None:
        return Problem.objects.none()
    return (
        problems_in_scope(user=user)
        .filter(overdue_q(today), region__level__gt=access.region.level)
        .order_by("deadline", "pk")
    )


def problems_to_verify(*, user: User) -> list[Problem]:
    """The close-out requests the user may verify."""
    waiting = problems_in_scope(user=user).filter(status=ProblemStatus.CLOSEOUT_REQUESTED)
    return [p for p in waiting.order_by("deadline", "pk") if not why_not_verify(user, p)]


def evidence_get_for_user(*, user: User, pk: int) -> ProblemEvidence:
    found = ProblemEvidence.objects.select_related("problem__region").filter(pk=pk).first()
    if found is None or not sees(user, found.problem):
        raise NotFound
    return found


@dataclass
class StatRow:
    """One line of the statistics: found, rectified (closed), on time, overdue, reopened."""

    key: str
    label: str
    found: int = 0
    rectified: int = 0
    on_time: int = 0
    overdue: int = 0
    reopened: int = 0


BY = ("source", "category", "region")


def problem_stats(
    *, user: User, by: str, today: dt.date, problems: QuerySet[Problem] | None = None
) -> list[StatRow]:
    """Rows per source, category, or region (the regions directly under the user's; a problem
    of the user's own level counts as the region itself), with a total row last."""
    qs = problems if problems is not None else problems_in_scope(user=user)
    labels: dict[str, str]
    if by == "source":
        labels = {k: str(v) for k, v in Source.choices}
    elif by == "category":
        labels = {k: str(v) for k, v in ProblemCategory.choices}
    else:
        labels = _region_labels(user)
    rows = {k: StatRow(k, str(v)) for k, v in labels.items()}
    total = StatRow("", _("合计"))
    for p in qs:
        key = {"source": p.source, "category": p.category}.get(by) or _region_key(user, p)
        row = rows.setdefault(key, StatRow(key, key))
        for r in (row, total):
            _count(r, p, today)
    return [*(r for r in rows.values() if r.found), total]


def _count(row: StatRow, p: Problem, today: dt.date) -> None:
    row.found += 1
    if p.status == ProblemStatus.CLOSED:
        row.rectified += 1
        if p.closed_on is not None and p.closed_on <= p.deadline:
            row.on_time += 1
    elif p.deadline < today:
        row.overdue += 1
    if p.reopened:
        row.reopened += 1


def _region_labels(user: User) -> dict[str, str]:
    region = user.region
    if region is None:
        return {}
    labels = {region.code: region.name}
    if region.level < Level.VILLAGE:
        below: Iterable[Region] = Region.objects.filter(parent=region).order_by("code")
        labels |= {r.code: r.name for r in below}
    return labels


def _region_key(user: User, p: Problem) -> str:
    region = user.region
    if region is None or region.level >= Level.VILLAGE:
        return p.region_id
    n = PREFIX_LENGTH[region.level + 1]
    child = p.region_id[:n].ljust(12, "0")
    return region.code if child == region.code[:12] or p.region_id == region.code else child
