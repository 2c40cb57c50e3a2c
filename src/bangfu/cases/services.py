"""Opening cases from the three channels, and moving them along the identification chain.
Every write checks the user's role and region, records a step (who, when, why) and an audit
event, and happens in one transaction: a refused action changes nothing."""

from __future__ import annotations

import datetime as dt
import re
import secrets
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from bangfu.accounts.access import access_for
from bangfu.accounts.models import Role, User
from bangfu.audit.models import AuditAction
from bangfu.audit.services import PUBLIC_CHANNEL, audit_channel, audit_record
from bangfu.cases.categories import proposed_category
from bangfu.cases.chain import (
    ACTIONS,
    CLOSING_STAGES,
    NOTICE_STAGES,
    OPEN_STAGES,
    STAGE_DEADLINE,
    Action,
    bulk_actions,
)
from bangfu.cases.models import (
    Case,
    Channel,
    DeclarationStatus,
    Objection,
    Referral,
    ReferralStatus,
    SelfDeclaration,
    Signal,
    Stage,
    Step,
)
from bangfu.core import clock
from bangfu.core.crypto import encrypt, lookup_hash
from bangfu.core.errors import Conflict, Forbidden, NotFound, Refused
from bangfu.core.idcard import parse_id_number
from bangfu.core.tabular.parsing import CellError, parse_money
from bangfu.core.text import UNSAFE_REFUSED, has_unsafe_chars
from bangfu.monitoring.models import RiskWarning, WarningStatus
from bangfu.monitoring.policy import RISK_TYPES, load_policy
from bangfu.monitoring.services import warning_set_status
from bangfu.regions.models import Level, Region
from bangfu.registry.models import Household, Member

PHONE = re.compile(r"^1[0-9]{10}$")


def _stored(text: Any) -> str:
    """Text kept as data (audit notes): in Chinese, whatever language the user works in."""
    with translation.override(None):
        return str(text)


def _today(today: dt.date | None) -> dt.date:
    return today or timezone.localdate()


def _deadlines() -> dict[str, int]:
    return load_policy().deadlines


def _risks(values: Iterable[str]) -> list[str]:
    risks = list(dict.fromkeys(v for v in values if v))
    unknown = set(risks) - RISK_TYPES
    if unknown:
        raise Refused(
            _("未知的风险类型：%(types)s")
            % {"types": pgettext("list separator", "、").join(sorted(unknown))}
        )
    return risks


# leads ------------------------------------------------------------------------------------
def lead_open(
    *,
    household: Household,
    channel: str,
    by: User | None,
    note: str = "",
    risk_types: Iterable[str] = (),
    warning: Any = None,
    declaration: SelfDeclaration | None = None,
    today: dt.date | None = None,
) -> tuple[Case, bool]:
    """Open a case for the household, or attach this signal to its open case (one open case
    per household). Returns the case and whether it was opened now."""
    risks = _risks(risk_types)
    for _attempt in range(2):
        try:
            with transaction.atomic():
                case = (
                    Case.objects.select_for_update()
                    .filter(household=household, closed_at__isnull=True)
                    .first()
                )
                created = case is None
                if case is None:
                    deadlines = _deadlines()
                    case = Case.objects.create(
                        household=household,
                        channel=channel,
                        opened_at=clock.stamp(today),
                        stage=Stage.LEAD,
                        due=_today(today) + dt.timedelta(days=deadlines["verify_days"]),
                        decision_due=_today(today) + dt.timedelta(days=deadlines["total_days"]),
                        risk_types=risks,
                        # back after its risk was eliminated: a relapse (返贫), recorded as such
                        relapse=Case.objects.filter(
                            household=household, stage=Stage.ELIMINATED
                        ).exists(),
                    )
                elif set(risks) - set(case.risk_types):
                    case.risk_types = list(dict.fromkeys([*case.risk_types, *risks]))
                    case.save(update_fields=["risk_types", "updated_at"])
                Signal.objects.create(
                    case=case,
                    channel=channel,
                    warning=warning,
                    declaration=declaration,
                    risk_types=risks,
                    note=note,
                    by=by,
                    at=clock.stamp(today),
                )
                audit_record(
                    actor=by,
                    action=AuditAction.CREATE if created else AuditAction.UPDATE,
                    obj=case,
                    region_code=household.village_id,
                    note=f"线索（{_stored(Channel(channel).label)}）"
                    + ("" if created else "并入正在办理的监测帮扶"),
                )
                return case, created
        except IntegrityError:  # another signal opened the case at the same moment: attach
            continue
    raise Refused(_("该户的监测帮扶正被同时修改，请重试"))


def visit_record(
    *,
    user: User,
    household: Household,
    note: str,
    risk_types: Iterable[str],
    today: dt.date | None = None,
) -> tuple[Case, bool]:
    """A cadre's or grid worker's visit (干部走访/网格排查) that found a difficulty."""
    access = access_for(user)
    if not access.may_visit:
        raise Refused(_("只有村干部、网格员和乡镇干部可以登记走访发现的困难"))
    if not access.admits(household):
        raise NotFound
    if not note.strip():
        raise Refused(_("请填写走访发现的情况"))
    return lead_open(
        household=household,
        channel=Channel.VISIT,
        by=user,
        note=note.strip(),
        risk_types=risk_types,
        today=today,
    )


# self-declaration ---------------------------------------------------------------------------
def declaration_submit(
    *,
    village: Region,
    name: str,
    id_number: str,
    phone: str,
    difficulty: str,
    description: str = "",
) -> SelfDeclaration:
    """A household's own declaration from the village page. Found in the village's registry,
    it becomes a lead at once; otherwise it waits for the village cadre. The caller shows only
    the reference: nothing personal is echoed back."""
    if village.level != Level.VILLAGE:
        raise NotFound
    name = name.strip()
    if not 1 <= len(name) <= 32:
        raise Refused(_("请填写姓名"))
    number = parse_id_number(id_number).value  # IdNumberError says why, in the user's language
    phone = re.sub(r"[^0-9]", "", unicodedata.normalize("NFKC", phone))  # １３８… is 138…
    if not PHONE.match(phone):
        raise Refused(_("手机号应为11位数字"))
    if difficulty not in RISK_TYPES:
        raise Refused(_("请选择困难类型"))
    id_hash = lookup_hash(number)
    with transaction.atomic(), audit_channel(PUBLIC_CHANNEL):  # the lead's events: the public's
        declaration = SelfDeclaration.objects.create(
            village=village,
            reference=secrets.token_hex(4).upper(),
            name_enc=encrypt(name),
            id_enc=encrypt(number),
            id_hash=id_hash,
            phone_enc=encrypt(phone),
            difficulty=difficulty,
            description=description.strip()[:2000],
        )
        member = (
            Member.objects.select_related("household")
            .filter(id_hash=id_hash, household__village=village)
            .first()
        )
        if member is not None:
            declaration.household = member.household
            declaration.status = DeclarationStatus.MATCHED
            declaration.save(update_fields=["household", "status"])
            lead_open(
                household=member.household,
                channel=Channel.SELF,
                by=None,
                note=f"自主申报（受理编号 {declaration.reference}）：{declaration.description}",
                risk_types=[difficulty],
                declaration=declaration,
            )
    return declaration


def declaration_handle(
    *, user: User, declaration: SelfDeclaration, household_no: str = "", reject_reason: str = ""
) -> SelfDeclaration:
    """The village cadre links an unmatched declaration to a household (a lead) or refuses it
    with a reason."""
    if not access_for(user).may_handle_declarations_of(declaration.village_id):
        raise NotFound
    if declaration.status != DeclarationStatus.NEW:
        raise Refused(_("该申报已处理"))
    with transaction.atomic():
        if household_no:
            household = Household.objects.filter(
                household_no=household_no.strip(), village=declaration.village
            ).first()
            if household is None:
                raise Refused(_("本村没有这个户编号"))
            declaration.household, declaration.status = household, DeclarationStatus.MATCHED
            lead_open(
                household=household,
                channel=Channel.SELF,
                by=user,
                note=f"自主申报（受理编号 {declaration.reference}）：{declaration.description}",
                risk_types=[declaration.difficulty],
                declaration=declaration,
            )
        elif reject_reason.strip():
            declaration.status = DeclarationStatus.REJECTED
        else:
            raise Refused(_("请填写户编号，或填写不予受理的理由"))
        declaration.handled_by, declaration.handled_note = user, reject_reason.strip()[:255]
        declaration.save(update_fields=["household", "status", "handled_by", "handled_note"])
        audit_record(
            actor=user,
            action=AuditAction.UPDATE,
            obj=declaration,
            region_code=declaration.village_id,
            changes={"status": [DeclarationStatus.NEW, declaration.status]},
        )
    return declaration


# the chain ----------------------------------------------------------------------------------
def _check(user: User, case: Case, action: Action) -> None:
    access = access_for(user)
    if not access.admits(case.household):
        raise NotFound
    if not access.is_role(action.role):
        raise Forbidden(
            _("只有%(role)s可以“%(action)s”")
            % {"role": Role(action.role).label, "action": action.label}
        )
    if case.stage != action.source:
        raise Refused(
            _("本案当前环节为“%(stage)s”，不能“%(action)s”")
            % {"stage": case.get_stage_display(), "action": action.label}
        )


def case_act(
    *,
    user: User,
    case: Case,
    action: str,
    note: str = "",
    data: dict[str, Any] | None = None,
    today: dt.date | None = None,
    batch: str = "",
) -> Case:
    """Take one step of the chain, as its declaration in `chain.ACTIONS` says: refused (NotFound
    out of scope, Forbidden for another role, Refused with the reason) unless the user has the
    action's role in the household's region, the case is in the action's stage, the fields
    are valid and the checks hold. Records the step and the audit event; one transaction."""
    spec = ACTIONS.get(action)
    if spec is None:
        raise Refused(_("未知的操作"))
    if has_unsafe_chars(note) or has_unsafe_chars(data):
        raise Refused(_(UNSAFE_REFUSED))
    stamp = clock.stamp(today)
    today = _today(today)
    note = note.strip()
    with transaction.atomic():
        case = Case.objects.select_for_update().select_related("household").get(pk=case.pk)
        _check(user, case, spec)
        if spec.note_required and not note:
            raise Refused(_("“%(action)s”必须填写理由") % {"action": spec.label})
        record = spec.clean(data or {}, today)
        for check in spec.checks:
            record |= check(case, record, today)
        deadlines = _deadlines()
        Step.objects.create(
            case=case,
            action=spec.name,
            from_stage=case.stage,
            to_stage=spec.target,
            by=user,
            note=note,
            data=record,
            batch=batch,
            overdue=case.due is not None and today > case.due,
            at=stamp,
        )
        old = case.stage
        case.stage = spec.target
        if spec.opens_notice:
            case.notice_ends = today + dt.timedelta(days=deadlines["notice_days"])
            case.due = case.notice_ends + dt.timedelta(days=deadlines["close_notice_days"])
        elif spec.target in OPEN_STAGES:
            case.due = today + dt.timedelta(days=deadlines[STAGE_DEADLINE[spec.target]])
        else:
            case.due = None
        if spec.starts_chain:
            case.decision_due = today + dt.timedelta(days=deadlines["total_days"])
        elif spec.target not in OPEN_STAGES:
            case.decision_due = None
        if spec.target in CLOSING_STAGES:
            case.closed_at = stamp
        for effect in spec.effects:
            effect(case, record, today)
        case.save()
        audit_record(
            actor=user,
            action=AuditAction.UPDATE,
            obj=case,
            region_code=case.household.village_id,
            changes={"stage": [old, case.stage]},
            note=note or _stored(spec.label),
        )
    return case


def case_bulk_act(
    *,
    user: User,
    cases: Sequence[Case],
    action: str,
    note: str = "",
    today: dt.date | None = None,
    categories: Mapping[int, str] | None = None,
) -> str:
    """The same step for a list of cases (e.g. the county approving a township's batch), each
    recorded as its own step under one batch id. All or nothing: one refusal refuses the
    batch, naming the household. `categories` (case id → category) is what the county chose
    for each row of its approval; a row without one takes the case's category, else the
    proposed one."""
    if action not in bulk_actions():
        raise Refused(_("只有审核、审批可以批量办理"))
    if not cases:
        raise Refused(_("请至少选择一户"))
    batch = timezone.now().strftime("%Y%m%d%H%M%S") + secrets.token_hex(2)
    with transaction.atomic():
        for case in cases:
            data = {"category": case.category, "risk_types": case.risk_types}
            if action == "county_approve" and not case.category:
                data["category"] = proposed_category(case)
            if categories and categories.get(case.pk):
                data["category"] = categories[case.pk]
            try:
                case_act(
                    user=user,
                    case=case,
                    action=action,
                    note=note,
                    data=data,
                    today=today,
                    batch=batch,
                )
            except Refused as exc:
                raise Refused(
                    # Translators: the household number, then why its case was refused
                    _("户 %(no)s：%(error)s") % {"no": case.household.household_no, "error": exc}
                ) from None
    return batch


def objection_add(*, user: User, case: Case, text: str, today: dt.date | None = None) -> Objection:
    """An objection raised during the notice (公示), on `today` if it was raised another day."""
    access = access_for(user)
    if not access.may_object:
        raise Refused(_("只有村、乡镇、县级干部可以登记异议"))
    if not access.admits(case.household):
        raise NotFound
    if case.stage not in NOTICE_STAGES:
        raise Refused(_("只有公示期间可以登记异议"))
    if not text.strip():
        raise Refused(_("请填写异议内容"))
    with transaction.atomic():
        objection = Objection.objects.create(
            case=case, text=text.strip(), by=user, at=clock.stamp(today)
        )
        audit_record(
            actor=user,
            action=AuditAction.CREATE,
            obj=objection,
            region_code=case.household.village_id,
        )
    return objection


def objection_resolve(
    *, user: User, objection: Objection, resolution: str, today: dt.date | None = None
) -> Objection:
    """The objection's resolution, on `today` if it was resolved another day."""
    access = access_for(user)
    if not access.may_resolve:
        raise Refused(_("只有村干部或乡镇干部可以处理异议"))
    if not access.admits(objection.case.household):
        raise NotFound
    if objection.resolved_at is not None:
        raise Refused(_("该异议已处理"))
    if not resolution.strip():
        raise Refused(_("请填写处理结果"))
    with transaction.atomic():
        objection.resolution, objection.resolved_by = resolution.strip(), user
        objection.resolved_at = clock.stamp(today)
        objection.save()
        audit_record(
            actor=user,
            action=AuditAction.UPDATE,
            obj=objection,
            region_code=objection.case.household.village_id,
        )
    return objection


# social assistance: civil affairs answers the verification's referral ---------------------
def referral_answer(
    *, user: User, referral: Referral, accepted: bool, amount: str = "", reason: str = ""
) -> Referral:
    """Civil affairs accepts the referral (with the monthly amount) or refuses it (with the
    reason); no second home visit."""
    access = access_for(user)
    if not access.may_answer_referrals or not access.contains(referral.case.household.village_id):
        raise NotFound
    if referral.status != ReferralStatus.PENDING:
        raise Conflict(_("该转介已答复"))
    if has_unsafe_chars(reason):
        raise Refused(_(UNSAFE_REFUSED))
    value = None
    if accepted:
        try:
            value = parse_money(amount.strip())
        except CellError as exc:
            raise Refused(_("救助金额（元/月）：%(reason)s") % {"reason": exc}) from None
    elif not reason.strip():
        raise Refused(_("不予救助必须说明理由"))
    with transaction.atomic():
        old = referral.status
        referral.status = ReferralStatus.ACCEPTED if accepted else ReferralStatus.REFUSED
        referral.amount, referral.answer = value, reason.strip()[:255]
        referral.answered_by, referral.answered_at = user, timezone.now()
        referral.save()
        audit_record(
            actor=user,
            action=AuditAction.UPDATE,
            obj=referral,
            region_code=referral.case.household.village_id,
            changes={"status": [old, referral.status]},
        )
    return referral


# the hand-off from monitoring -----------------------------------------------------------------
def warning_decide(*, user: User, warning: RiskWarning, status: str, reason: str) -> RiskWarning:
    """Dismiss a warning (with a reason) or turn it into a lead for the identification chain:
    a case opens, or the signal joins the household's open case. One transaction."""
    with transaction.atomic():
        warning = warning_set_status(user=user, warning=warning, status=status, reason=reason)
        if warning.status == WarningStatus.LEAD:
            reason = warning.status_reason
            lead_open(
                household=warning.household,
                channel=Channel.WARNING,
                by=user,
                note=f"{warning.rule_id} {warning.rule_title}" + (f"：{reason}" if reason else ""),
                risk_types=warning.risk_types,
                warning=warning,
            )
    return warning
