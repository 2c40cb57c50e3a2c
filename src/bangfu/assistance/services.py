"""Writes of plans and measures (一户一策): a cadre confirms the measures proposed from the
catalogue, each with a responsible person, target and deadline; that person records progress
and outcome; the county edits the catalogue. Each write owns its transaction and its audit
event."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bangfu.accounts.access import access_for
from bangfu.accounts.models import User
from bangfu.assistance.models import Measure, MeasureKind, MeasureStatus, Outcome
from bangfu.assistance.selectors import responsible_candidates
from bangfu.audit.models import AuditAction
from bangfu.audit.services import audit_record
from bangfu.cases.models import Case, Stage
from bangfu.cases.selectors import help_before_decision
from bangfu.core.errors import Forbidden, NotFound, Refused
from bangfu.core.tabular.parsing import CellError, parse_money
from bangfu.core.text import UNSAFE_REFUSED, has_unsafe_chars


def plan_confirm(
    *, user: User, case: Case, items: list[dict[str, Any]], today: dt.date | None = None
) -> list[Measure]:
    """The cadre's confirmed plan: for each item its catalogue `kind` (code), `responsible`
    (a user id), `target`, `deadline` and the `reason` it was proposed for. All or nothing."""
    access = access_for(user)
    if not access.admits(case.household):
        raise NotFound
    if not access.may_plan:
        raise Forbidden(_("只有村干部或乡镇干部可以制定帮扶计划"))
    provisional = case.stage != Stage.MONITORING
    if provisional and not help_before_decision(case=case):
        raise Refused(
            _("纳入监测后才能制定帮扶计划（突发严重困难或核查认定情况紧急的，可先帮后认）")
        )
    if not items:
        raise Refused(_("请至少选择一项措施"))
    if has_unsafe_chars(items):
        raise Refused(_(UNSAFE_REFUSED))
    today = today or timezone.localdate()
    allowed = {u.pk: u for u in responsible_candidates(case=case)}
    kinds = {k.code: k for k in MeasureKind.objects.filter(active=True)}
    made = []
    with transaction.atomic():
        for i, item in enumerate(items, start=1):
            kind = kinds.get(str(item.get("kind", "")))
            if kind is None:
                raise Refused(_("第%(i)d项：目录中没有这项措施") % {"i": i})
            who = allowed.get(int(item.get("responsible") or 0))
            if who is None:
                raise Refused(
                    _("第%(i)d项（%(kind)s）：请选择本村的帮扶责任人") % {"i": i, "kind": kind.name}
                )
            target = str(item.get("target", "")).strip()
            if not target:
                raise Refused(_("第%(i)d项（%(kind)s）：请填写目标") % {"i": i, "kind": kind.name})
            deadline = item.get("deadline")
            if not isinstance(deadline, dt.date) or deadline < today:
                raise Refused(
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
                provisional=provisional,
            )
            audit_record(
                actor=user,
                action=AuditAction.CREATE,
                obj=measure,
                region_code=case.household.village_id,
                note=f"{kind.name}，责任人 {who}" + ("（先帮后认）" if provisional else ""),
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
    access = access_for(user)
    if not access.admits(household) and user != measure.responsible:
        raise NotFound
    if user != measure.responsible and not access.may_plan:
        raise Forbidden(_("只有该措施的帮扶责任人或村干部可以登记进展"))
    if status not in MeasureStatus.values:
        raise Refused(_("未知的状态"))
    if has_unsafe_chars(text):
        raise Refused(_(UNSAFE_REFUSED))
    if measure.status in (MeasureStatus.DONE, MeasureStatus.CANCELLED):
        raise Refused(_("该措施已办结"))
    value: Decimal | None = None
    text = text.strip()
    if status == MeasureStatus.DONE:
        if measure.kind.outcome in (Outcome.AMOUNT, Outcome.LOAN):
            if not amount.strip():
                raise Refused(
                    _("请填写%(outcome)s") % {"outcome": measure.kind.get_outcome_display()}
                )
            try:  # the import's money rule: finite, not negative, at most 2 decimals, bounded
                value = parse_money(amount.strip())
            except CellError as exc:
                raise Refused(
                    _("%(outcome)s：%(reason)s")
                    % {"outcome": measure.kind.get_outcome_display(), "reason": exc}
                ) from None
            if value <= 0:
                raise Refused(_("金额应大于零"))
        elif not text:
            raise Refused(_("请填写%(outcome)s") % {"outcome": measure.kind.get_outcome_display()})
    if status == MeasureStatus.CANCELLED and not text:
        raise Refused(_("取消措施必须说明理由"))
    with transaction.atomic():
        old = measure.status
        measure.status, measure.outcome_text = status, text[:255]
        if value is not None:
            measure.outcome_amount = value
        if status == MeasureStatus.DONE:
            measure.done_on = today or timezone.localdate()
        measure.save()
        audit_record(
            actor=user,
            action=AuditAction.UPDATE,
            obj=measure,
            region_code=household.village_id,
            changes={"status": [old, status]},
            note=text,
        )
    return measure


CATALOGUE_FIELDS = ("name", "name_en", "group", "risk_types", "needs", "outcome", "active")


def measure_kind_update(*, user: User, kind: MeasureKind, values: dict[str, Any]) -> MeasureKind:
    """The county edits one catalogue entry (the fields validated by the catalogue form)."""
    access = access_for(user)
    if not access.may_edit_catalogue or access.region is None:
        raise NotFound
    if has_unsafe_chars(values):
        raise Refused(_(UNSAFE_REFUSED))
    with transaction.atomic():
        changes = {}
        for name in CATALOGUE_FIELDS:
            if name in values and getattr(kind, name) != values[name]:
                changes[name] = [getattr(kind, name), values[name]]
                setattr(kind, name, values[name])
        kind.save()
        audit_record(
            actor=user,
            action=AuditAction.UPDATE,
            obj=kind,
            region_code=access.region.code,
            changes=changes,
        )
    return kind
