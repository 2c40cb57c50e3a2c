"""Evaluation and exit: regular evaluations of a household in monitoring, the statement of
whether it meets the policy file's risk-elimination criteria (and if not, why not), the
evaluations that are due, and the households kept in monitoring too long."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Max, Q, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from bangfu.accounts.access import access_for
from bangfu.accounts.models import User
from bangfu.audit.models import AuditAction
from bangfu.audit.services import audit_record
from bangfu.cases.elimination import GUARANTEES, NO_LABOUR, elimination_gaps, gap_text
from bangfu.cases.models import Case, Evaluation, Stage
from bangfu.cases.selectors import cases_in_scope
from bangfu.core.errors import NotFound, Refused
from bangfu.core.tabular.parsing import CellError, parse_money
from bangfu.monitoring.policy import load_policy
from bangfu.registry.models import Assistance, Labour


def evaluation_reasons(evaluation: Evaluation) -> list[str]:
    """The evaluation's unmet criteria in the active language (evaluations recorded before the
    codes were kept: their Chinese text)."""
    if evaluation.gaps:
        return [gap_text(code, figures) for code, figures in evaluation.gaps]
    return list(evaluation.reasons)


def evaluation_record(
    *,
    user: User,
    case: Case,
    per_capita: str,
    secured: dict[str, bool],
    note: str = "",
    today: dt.date | None = None,
) -> Evaluation:
    """Record an evaluation (income and the 3+1) and state whether the criteria are met."""
    access = access_for(user)
    if not access.admits(case.household) and not case.measures.filter(responsible=user).exists():
        raise NotFound
    if not access.may_evaluate:
        raise Refused(_("只有村干部、乡镇干部或帮扶责任人可以登记评估"))
    if case.stage != Stage.MONITORING:
        raise Refused(_("只有监测帮扶中的农户需要评估"))
    if not str(per_capita).strip():
        raise Refused(_("请填写评估的人均纯收入（元）"))
    try:  # the import's money rule: finite, not negative, at most 2 decimals, bounded
        income = parse_money(str(per_capita).strip())
    except CellError as exc:
        raise Refused(_("评估的人均纯收入（元）：%(reason)s") % {"reason": exc}) from None
    today = today or timezone.localdate()
    evaluation = Evaluation(
        case=case,
        on=today,
        by=user,
        per_capita=income,
        secured={k: bool(secured.get(k)) for k in GUARANTEES},
        note=note.strip(),
    )
    # the codes are kept for every reader's language; the text (and the audit note) in Chinese,
    # as the record
    gaps = elimination_gaps(case=case, evaluation=evaluation, today=today)
    evaluation.gaps = [[code, figures] for code, figures in gaps]
    with translation.override(None):
        evaluation.reasons = [gap_text(code, figures) for code, figures in gaps]
    evaluation.meets = not gaps
    with transaction.atomic():
        evaluation.save()
        audit_record(
            actor=user,
            action=AuditAction.CREATE,
            obj=evaluation,
            region_code=case.household.village_id,
            note="符合风险消除条件" if evaluation.meets else "；".join(evaluation.reasons),
        )
    return evaluation


def evaluations_due(*, user: User, today: dt.date | None = None) -> QuerySet[Case]:
    """Cases in monitoring whose last evaluation (or identification) is older than the
    policy's interval."""
    today = today or timezone.localdate()
    months = int(load_policy().elimination["evaluation_months"])
    cutoff = _months_ago(today, months)
    qs = cases_in_scope(user=user).filter(stage=Stage.MONITORING)
    qs = qs.annotate(last=Max("evaluations__on"))
    return qs.filter(Q(last__lt=cutoff) | Q(last__isnull=True, identified_on__lt=cutoff)).order_by(
        "identified_on"
    )


def long_stays(*, user: User, today: dt.date | None = None) -> QuerySet[Case]:
    """In monitoring longer than the policy allows without elimination: nobody is kept there
    forever by oversight."""
    today = today or timezone.localdate()
    months = int(load_policy().elimination["long_stay_months"])
    return (
        cases_in_scope(user=user)
        .filter(stage=Stage.MONITORING, identified_on__lt=_months_ago(today, months))
        .order_by("identified_on")
    )


def held_for_follow_up(*, user: User) -> QuerySet[Case]:
    """Households in monitoring whose risk is not marked eliminated while no member can work
    and social protection carries them (暂不标注风险消除): followed up, listed for the level
    above (when the policy's hold_without_labour is on)."""
    if not load_policy().elimination["hold_without_labour"]:
        return Case.objects.none()
    able = [value for value in Labour.values if value not in NO_LABOUR]  # rests_on_protection's
    return (
        cases_in_scope(user=user)
        .filter(
            stage=Stage.MONITORING,
            household__assistance__in=[Assistance.DIBAO, Assistance.TEKUN],
            household__members__isnull=False,
        )
        .exclude(household__members__labour__in=able)
        .distinct()
        .order_by("identified_on")
    )


def _months_ago(day: dt.date, months: int) -> dt.date:
    total = day.year * 12 + day.month - 1 - months
    year, month = divmod(total, 12)
    return dt.date(year, month + 1, min(day.day, 28))
