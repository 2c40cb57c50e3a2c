"""Reads of cases, always through the user's region (as for the registry: out of scope is 404)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet, prefetch_related_objects
from django.utils import timezone
from django.utils.translation import gettext as _

from bangfu.accounts.access import access_for
from bangfu.accounts.models import User
from bangfu.cases.categories import (
    CATEGORY_PREFETCH,
    proposed_category,
    suggesting_warning,
    verified_income,
)
from bangfu.cases.chain import OPEN_STAGES, STAGE_LEVEL, Action, action_hold, actions_from
from bangfu.cases.models import (
    Case,
    Channel,
    DeclarationStatus,
    Objection,
    Referral,
    SelfDeclaration,
    Signal,
    Stage,
)
from bangfu.core.crypto import decrypt
from bangfu.core.errors import NotFound
from bangfu.core.idcard import mask_name, mask_phone
from bangfu.monitoring.models import RiskWarning
from bangfu.monitoring.policy import load_policy
from bangfu.monitoring.selectors import warning_evidence
from bangfu.regions.models import Level
from bangfu.registry.models import Category, Guarantee, Household
from bangfu.registry.selectors import household_phone_masked


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


def actions_held_for_user(
    *, user: User, case: Case, today: dt.date | None = None
) -> list[tuple[Action, str]]:
    """The user's actions on this case with why each cannot be taken yet ("" when it can): the
    case page offers the ready ones and shows the held ones disabled, with the reason and the
    day from which they can be taken (公示期满后可办理（2026-12-08 起）)."""
    day = today or timezone.localdate()
    return [(a, action_hold(a, case, day)) for a in actions_for_user(user=user, case=case)]


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


def own_steps_for_user(
    *, user: User, overdue: bool = False, today: dt.date | None = None
) -> QuerySet[Case]:
    """The steps waiting for this user's own level (本级待办): the open stages from which the
    user's role takes an action (the village cadre's verifications and notices, the township's
    reviews, the county's approvals), in scope. `overdue`: only those past their step's or the
    whole chain's deadline (本级逾期), which `overdue_for_user` shows only to the levels above."""
    access = access_for(user)
    stages = [s for s in OPEN_STAGES if any(access.is_role(a.role) for a in actions_from(s))]
    qs = cases_in_scope(user=user).filter(stage__in=stages)
    if overdue:
        qs = qs.filter(overdue_q(today or timezone.localdate()))
    return qs.order_by("due", "household__household_no")


# the household behind a case -----------------------------------------------------------------
def household_facts(*, household: Household, today: dt.date | None = None) -> dict[str, Any]:
    """What the household page shows of a household and the case page summarises: members with
    their ages (ID numbers masked), the annual incomes and the grid workers' readings (with the
    chart's series), the 3+1 guarantees and the phone, masked. One place, for both pages."""
    day = today or timezone.localdate()
    members = list(household.members.all())
    incomes = list(household.incomes.order_by("year"))
    readings = list(household.readings.order_by("period"))
    guarantees = [
        (label, value, Guarantee(value).label)
        for label, value in (
            (_("义务教育"), household.education_secured),
            (_("基本医疗"), household.medical_secured),
            (_("住房安全"), household.housing_secured),
            (_("饮水安全"), household.water_secured),
        )
    ]
    return {
        "members": [(m, m.age_on(day)) for m in members],
        "incomes": incomes,
        "readings": readings,
        "chart": {
            "years": [str(r.year) for r in incomes],
            "per_capita": [float(r.per_capita_net) for r in incomes],
            "readings": [r.period for r in readings],
            "reading_per_capita": [float(r.per_capita_net) for r in readings],
        },
        "guarantees": guarantees,
        "phone": household_phone_masked(household=household),
    }


@dataclass(frozen=True)
class CategoryReason:
    """The case's monitoring category and why: decided by the county, or proposed by the facts
    (`categories.proposed_category`), with the facts that make it so."""

    category: str
    label: str
    decided: bool
    reason: str


def category_reason(*, case: Case) -> CategoryReason:
    """The category as the case page shows it, with the guidance's definition that fits and the
    household's facts behind it: the income the home verification found against the
    monitoring range, and whether the household was registered poor (建档立卡)."""
    # the facts the proposal reads, fetched once for it and for the reason
    prefetch_related_objects([case], *CATEGORY_PREFETCH)
    category = case.category or proposed_category(case)
    household = case.household
    facts = [_("原建档立卡脱贫户") if household.formerly_poor else _("非原建档立卡脱贫户")]
    income = verified_income(case)
    line = load_policy().line
    if income is not None:
        facts.append(
            _("入户核查人均纯收入 %(income)s 元，监测范围 %(line)s 元")
            % {"income": f"{income:.0f}", "line": f"{line:.0f}"}
        )
    else:
        suggested = suggesting_warning(case, category)
        if suggested is not None:
            facts.append(
                _("尚未入户核查，部门筛查预警 %(rule)s 建议此类别") % {"rule": suggested.rule_id}
            )
        else:
            facts.append(_("尚未入户核查，按是否原建档立卡脱贫户建议"))
    rule = {
        Category.UNSTABLE: _("脱贫不稳定户：原建档立卡脱贫户，收入在监测范围内"),
        Category.EDGE: _("边缘易致贫户：非原建档立卡脱贫户，收入在监测范围内"),
        Category.SUDDEN: _("突发严重困难户：收入高于监测范围，因病因灾等突发严重困难"),
    }.get(Category(category), "")
    sep = "；"
    return CategoryReason(
        category=category,
        label=str(Category(category).label),
        decided=bool(case.category),
        reason=sep.join([*facts, rule] if rule else facts),
    )


OUTCOME_ACTIONS = ("county_approve", "county_reject", "township_reject", "appraise_reject")


def household_summary(
    *, user: User, case: Case, today: dt.date | None = None, warnings: int = 10
) -> dict[str, Any]:
    """The household behind a case, for the cadre deciding on it without leaving the page: the
    household page's facts, its department records as the latest warnings cite them (the
    evidence: which record, what value), the visits that found a difficulty, and its earlier
    cases with their outcome (closed: the step that closed it and why)."""
    household = (
        Household.objects.select_related("village", "village__parent", "grid")
        .prefetch_related("members")
        .get(pk=case.household_id)
    )
    recent = list(
        RiskWarning.objects.filter(household=household).order_by("-period", "-priority", "rule_id")[
            :warnings
        ]
    )
    for w in recent:
        w.household = household  # the evidence names members: one prefetch for all
    # the earlier cases and visits the user may read (a responsible person: only the cases
    # they carry a measure on)
    readable = cases_in_scope(user=user)
    earlier = list(
        readable.filter(household=household)
        .exclude(pk=case.pk)
        .order_by("-opened_at")
        .prefetch_related(Prefetch("steps", to_attr="trail"))
    )
    previous = [
        {
            "case": c,
            "closed": c.closed_at is not None,
            "last": c.trail[-1] if c.trail else None,
        }
        for c in earlier
    ]
    from_channels = (Channel.VISIT, Channel.SELF)
    visits = (
        Signal.objects.filter(
            case__in=readable.filter(household=household), channel__in=from_channels
        )
        .select_related("by", "case")
        .order_by("-at")
    )
    return {
        "household": household,
        **household_facts(household=household, today=today),
        "warnings": [(w, warning_evidence(warning=w)) for w in recent],
        "visits": list(visits),
        "previous": previous,
        "category": category_reason(case=case),
    }
