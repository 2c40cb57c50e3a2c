"""One household, one plan (一户一策): measures proposed from the catalogue for the household's
risks and people, confirmed by a cadre with a responsible person, target and deadline each, and
carried out and recorded by that person."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.http import Http404
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bangfu.accounts.models import Role, User
from bangfu.audit.services import audit_record
from bangfu.cases.models import (
    Case,
    Measure,
    MeasureGroup,
    MeasureKind,
    MeasureStatus,
    Outcome,
    Stage,
)
from bangfu.cases.services import CaseError, _in_scope
from bangfu.core.text import NUL_REFUSED, has_nul
from bangfu.registry.models import Guarantee, Household
from bangfu.registry.parsing import CellError, parse_money

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
PLANNERS = (Role.VILLAGE_CADRE, Role.TOWNSHIP_CADRE)


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
    return list(
        User.objects.filter(
            role__in=(Role.RESPONSIBLE_PERSON, Role.VILLAGE_CADRE),
            region_id=case.household.village_id,
            is_active=True,
        ).order_by("role", "username")
    )


def plan_confirm(
    *, user: User, case: Case, items: list[dict[str, Any]], today: dt.date | None = None
) -> list[Measure]:
    """The cadre's confirmed plan: for each item its catalogue `kind` (code), `responsible`
    (a user id), `target`, `deadline` and the `reason` it was proposed for. All or nothing."""
    if not _in_scope(user, case.household):
        raise Http404
    if user.role not in PLANNERS:
        raise CaseError(_("只有村干部或乡镇干部可以制定帮扶计划"))
    if case.stage != Stage.MONITORING:
        raise CaseError(_("纳入监测后才能制定帮扶计划"))
    if not items:
        raise CaseError(_("请至少选择一项措施"))
    if has_nul(items):
        raise CaseError(_(NUL_REFUSED))
    today = today or timezone.localdate()
    allowed = {u.pk: u for u in responsible_candidates(case=case)}
    kinds = {k.code: k for k in MeasureKind.objects.filter(active=True)}
    made = []
    with transaction.atomic():
        for i, item in enumerate(items, start=1):
            kind = kinds.get(str(item.get("kind", "")))
            if kind is None:
                raise CaseError(_("第%(i)d项：目录中没有这项措施") % {"i": i})
            who = allowed.get(int(item.get("responsible") or 0))
            if who is None:
                raise CaseError(
                    _("第%(i)d项（%(kind)s）：请选择本村的帮扶责任人") % {"i": i, "kind": kind.name}
                )
            target = str(item.get("target", "")).strip()
            if not target:
                raise CaseError(
                    _("第%(i)d项（%(kind)s）：请填写目标") % {"i": i, "kind": kind.name}
                )
            deadline = item.get("deadline")
            if not isinstance(deadline, dt.date) or deadline < today:
                raise CaseError(
                    _("第%(i)d项（%(kind)s）：完成时限应为今天或以后的日期")
                    % {"i": i, "kind": kind.name}
                )
            measure = Measure.objects.create(
                case=case,
                kind=kind,
                reason=str(item.get("reason", ""))[:255],
                responsible=who,
                target=target[:255],
                deadline=deadline,
                created_by=user,
            )
            audit_record(
                actor=user,
                action="create",
                obj=measure,
                region_code=case.household.village_id,
                note=f"{kind.name}，责任人 {who}",
            )
            made.append(measure)
    return made


def measure_update(
    *,
    user: User,
    measure: Measure,
    status: str,
    amount: str = "",
    text: str = "",
    today: dt.date | None = None,
) -> Measure:
    """The responsible person (or a cadre of the village) records progress. Done needs the
    outcome the catalogue asks for: an amount, a job, a school, a loan, or what was done."""
    household = measure.case.household
    if not _in_scope(user, household) and user != measure.responsible:
        raise Http404
    if user != measure.responsible and user.role not in PLANNERS:
        raise CaseError(_("只有该措施的帮扶责任人或村干部可以登记进展"))
    if status not in MeasureStatus.values:
        raise CaseError(_("未知的状态"))
    if has_nul(text):
        raise CaseError(_(NUL_REFUSED))
    if measure.status in (MeasureStatus.DONE, MeasureStatus.CANCELLED):
        raise CaseError(_("该措施已办结"))
    value: Decimal | None = None
    text = text.strip()
    if status == MeasureStatus.DONE:
        if measure.kind.outcome in (Outcome.AMOUNT, Outcome.LOAN):
            if not amount.strip():
                raise CaseError(
                    _("请填写%(outcome)s") % {"outcome": measure.kind.get_outcome_display()}
                )
            try:  # the import's money rule: finite, not negative, at most 2 decimals, bounded
                value = parse_money(amount.strip())
            except CellError as exc:
                raise CaseError(
                    _("%(outcome)s：%(reason)s")
                    % {"outcome": measure.kind.get_outcome_display(), "reason": exc}
                ) from None
            if value <= 0:
                raise CaseError(_("金额应大于零"))
        elif not text:
            raise CaseError(
                _("请填写%(outcome)s") % {"outcome": measure.kind.get_outcome_display()}
            )
    if status == MeasureStatus.CANCELLED and not text:
        raise CaseError(_("取消措施必须说明理由"))
    old = measure.status
    measure.status, measure.outcome_text = status, text[:255]
    if value is not None:
        measure.outcome_amount = value
    if status == MeasureStatus.DONE:
        measure.done_on = today or timezone.localdate()
    measure.save()
    audit_record(
        actor=user,
        action="update",
        obj=measure,
        region_code=household.village_id,
        changes={"status": [old, status]},
        note=text,
    )
    return measure
