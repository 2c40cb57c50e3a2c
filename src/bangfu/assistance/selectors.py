"""Reads of plans and measures (一户一策): the catalogue's proposals for a household, who may
carry a measure, a responsible person's tasks, and one measure within the user's scope."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Case as SqlCase
from django.db.models import IntegerField, QuerySet, Value, When
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy

from bangfu.accounts.access import access_for, carriers_of
from bangfu.accounts.models import User
from bangfu.assistance.models import OPEN_STATUSES, Measure, MeasureGroup, MeasureKind
from bangfu.cases.models import Case
from bangfu.core.errors import NotFound
from bangfu.registry.models import Guarantee, Household

ABLE = ("ordinary", "skilled")
NEED_LABELS = {
    "labour": gettext_lazy("家中有劳动力"),
    "weak_labour": gettext_lazy("家中有弱劳动力或半劳动力"),
    "no_labour": gettext_lazy("家中无劳动力"),
    "pupil": gettext_lazy("有义务教育阶段学生"),
    "student": gettext_lazy("有高中、中职或大学在读"),
    "elderly": gettext_lazy("有60岁以上成员"),
    "disabled": gettext_lazy("有残疾成员"),
    "ill": gettext_lazy("有慢性病或大病成员"),
    "housing": gettext_lazy("住房不安全"),
    "water": gettext_lazy("饮水不安全"),
}


@dataclass(frozen=True)
class Proposal:
    kind: MeasureKind
    reason: str


def household_facts(household: Household, today: dt.date | None = None) -> dict[str, int]:
    """How many members meet each of the catalogue's conditions."""
    today = today or timezone.localdate()
    members = list(household.members.all())
    facts = dict.fromkeys(NEED_LABELS, 0)
    for m in members:
        facts["labour"] += m.labour in ABLE
        facts["weak_labour"] += m.labour == "weak"
        facts["pupil"] += m.schooling == "compulsory"
        facts["student"] += m.schooling in ("high", "vocational", "university")
        facts["elderly"] += m.age_on(today) >= 60
        facts["disabled"] += m.health == "disabled" or bool(m.disability_grade)
        facts["ill"] += m.health in ("chronic", "serious")
    facts["no_labour"] = int(facts["labour"] == 0)
    facts["housing"] = int(household.housing_secured == Guarantee.NOT_SECURED)
    facts["water"] = int(household.water_secured == Guarantee.NOT_SECURED)
    return facts


def measures_propose(*, case: Case, today: dt.date | None = None) -> list[Proposal]:
    """Catalogue measures that address one of the case's risk types and whose conditions the
    household meets; able-to-work households get development measures first, the others
    social protection (兜底). Each with the reason it was proposed."""
    facts = household_facts(case.household, today)
    risks = set(case.risk_types)
    proposals = []
    for kind in MeasureKind.objects.filter(active=True):
        hit = sorted(risks & set(kind.risk_types))
        if not hit or not all(facts.get(n, 0) for n in kind.needs):
            continue
        because = [f"风险类型：{'、'.join(hit)}"]
        # the reason is kept with the measure (Measure.reason): in Chinese, as data
        with translation.override(None):
            because += [
                f"{NEED_LABELS[n]}" + (f"（{facts[n]}人）" if n in _COUNTED else "")
                for n in kind.needs
            ]
        proposals.append(Proposal(kind, "；".join(because)))
    development_first = facts["labour"] > 0
    proposals.sort(
        key=lambda p: (
            (p.kind.group == MeasureGroup.DEVELOPMENT) != development_first,
            p.kind.code,
        )
    )
    return proposals


_COUNTED = {"labour", "weak_labour", "pupil", "student", "elderly", "disabled", "ill"}


def responsible_candidates(*, case: Case) -> list[User]:
    """Who may carry a measure: responsible persons and village cadres of the village."""
    return list(carriers_of(case.household.village_id).order_by("role", "username"))


def tasks_for_user(*, user: User) -> QuerySet[Measure]:
    """The measures this user is responsible for, open ones first."""
    return (
        Measure.objects.filter(responsible=user)
        .select_related("kind", "case__household", "case__household__village")
        .order_by(_open_first(), "deadline")
    )


def _open_first() -> Any:
    return SqlCase(
        When(status__in=OPEN_STATUSES, then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )


def measure_get_for_user(*, user: User, pk: int) -> Measure:
    """A measure its responsible person may record, or one of a case in the user's scope;
    NotFound otherwise."""
    measure = (
        Measure.objects.select_related("case__household", "kind", "responsible")
        .filter(pk=pk)
        .first()
    )
    if measure is None:
        raise NotFound
    if measure.responsible_id != user.pk and not (
        access_for(user).filter(Case.objects.filter(pk=measure.case_id)).exists()
    ):
        raise NotFound
    return measure


def measure_kinds(*, active_only: bool = False) -> QuerySet[MeasureKind]:
    """The catalogue, as everyone who plans reads it."""
    kinds = MeasureKind.objects.all()
    return kinds.filter(active=True) if active_only else kinds
