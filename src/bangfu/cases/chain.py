"""The identification and risk-elimination chain as data. Each action declares the stage it
starts from and leads to, the role that may take it, the facts it records (its fields, with
their validation), what must hold before it (checks) and what it changes besides the stage
(effects). The case page builds its form from the fields, the API documents its body from
them, and `services.case_act` validates and applies them: adding an action is one entry in
ACTIONS. Deadlines are keys of the policy file's [identification] table (STAGE_DEADLINE)."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any, Literal

from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from bangfu.accounts.models import Role
from bangfu.cases.categories import proposed_category
from bangfu.cases.elimination import elimination_check
from bangfu.cases.models import Case, Referral, Stage
from bangfu.core.errors import Refused
from bangfu.monitoring.policy import RISK_TYPES
from bangfu.regions.models import Level
from bangfu.registry.models import Category

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise as Label  # str, or translated when shown
FieldKind = Literal["text", "money", "flag", "date", "choice", "choices"]

# assistance the same home verification serves (不再重复入户)
ALSO_SERVES = ("低保", "特困供养", "临时救助", "医疗救助", "教育资助", "残疾人补贴")


def _risk_choices() -> list[tuple[str, Label]]:
    return [(r, gettext_lazy(r)) for r in sorted(RISK_TYPES)]  # the words: monitoring.policy


def _category_choices() -> list[tuple[str, Label]]:
    return [(str(c.value), c.label) for c in Category if c != Category.NONE]


def _today(case: Case) -> dt.date:
    return timezone.localdate()


SOCIAL_PROGRAMMES = ("低保", "特困供养", "临时救助")


def _social_choices() -> list[tuple[str, Label]]:
    return [(x, x) for x in SOCIAL_PROGRAMMES]


def _also_serves_choices() -> list[tuple[str, Label]]:
    return [(x, x) for x in ALSO_SERVES]


@dataclass(frozen=True)
class Field:
    """One fact an action records. `missing` is the refusal when a required field is absent;
    `group` gathers flags under one key of the record (the 3+1 under "secured")."""

    name: str
    label: Label
    kind: FieldKind
    required: bool = True
    missing: Label = ""
    unknown: Label = ""  # the refusal for options not offered, with %(types)s
    max_length: int = 0
    multiline: bool = False
    group: str = ""
    choices: Callable[[], list[tuple[str, Label]]] | None = None
    initial: Callable[[Case], Any] | None = None  # shown in the form

    def clean(self, raw: Any, today: dt.date) -> Any:
        """The value as the step records it, or Refused with the reason."""
        missing = self.missing or _("请填写%(field)s") % {"field": self.label}
        if self.kind == "flag":
            return _flag(raw)
        if self.kind == "date":
            return _date(raw, today, self.label)
        if self.kind == "choices":
            values = list(dict.fromkeys(str(v) for v in (raw or []) if str(v).strip()))
            allowed = {key for key, _label in self.choices()} if self.choices else set()
            unknown = sorted(set(values) - allowed)
            if unknown:
                listed = pgettext("list separator", "、").join(unknown)
                if self.unknown:
                    raise Refused(str(self.unknown) % {"types": listed})
                raise Refused(
                    _("%(field)s：未知的选项 %(values)s") % {"field": self.label, "values": listed}
                )
            if self.required and not values:
                raise Refused(missing)
            return values
        text = "" if raw is None else str(raw).strip()
        if not text:
            if self.required:
                raise Refused(missing)
            return ""
        if self.kind == "money":
            return _money(text, missing)
        if self.kind == "choice":
            allowed = {key for key, _label in self.choices()} if self.choices else set()
            if text not in allowed:
                raise Refused(missing)
            return text
        if self.max_length and len(text) > self.max_length:
            raise Refused(
                _("%(field)s不能超过 %(n)d 个字") % {"field": self.label, "n": self.max_length}
            )
        return text

    def describe(self) -> str:
        """For the API's documentation."""
        kind = {
            "text": "string",
            "money": "number ≥ 0",
            "flag": "boolean",
            "date": "YYYY-MM-DD",
            "choice": "one of",
            "choices": "list of",
        }[self.kind]
        options = ""
        if self.choices is not None:
            options = " " + "|".join(key for key, _label in self.choices())
        need = "" if self.required and self.kind not in ("flag", "date") else " (optional)"
        return f"{self.name}: {kind}{options}{need} — {self.label}"


def _flag(raw: Any) -> bool:
    if isinstance(raw, str):
        return raw.strip().lower() not in ("", "0", "false", "off", "no")
    return bool(raw)


def _date(raw: Any, today: dt.date, label: Label) -> str:
    if raw in (None, ""):
        return today.isoformat()
    if isinstance(raw, dt.date):
        return raw.isoformat()
    try:
        return dt.date.fromisoformat(str(raw).strip()).isoformat()
    except ValueError:
        raise Refused(_("%(field)s：日期格式应为 YYYY-MM-DD") % {"field": label}) from None


def _money(text: str, missing: Label) -> float:
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise Refused(missing) from None
    if not value.is_finite() or not math.isfinite(float(value)):
        raise Refused(missing)
    if value < 0:
        raise Refused(_("人均纯收入不能为负数"))
    return round(float(value), 2)


# the fields, once: several actions record the same facts
VERIFY_FIELDS = (
    Field(
        "findings",
        gettext_lazy("入户核查情况"),
        "text",
        missing=gettext_lazy("请填写入户核查情况"),
        multiline=True,
        max_length=5000,
    ),
    Field(
        "per_capita",
        gettext_lazy("核实的家庭年人均纯收入（元）"),
        "money",
        missing=gettext_lazy("请填写核实的家庭年人均纯收入（元）"),
    ),
    # 两不愁 (food and clothing), then the 3+1 (seed 003; DOMAIN.md)
    Field("food", gettext_lazy("不愁吃"), "flag", required=False, group="assured"),
    Field("clothing", gettext_lazy("不愁穿"), "flag", required=False, group="assured"),
    Field("education", gettext_lazy("义务教育有保障"), "flag", required=False, group="secured"),
    Field("medical", gettext_lazy("基本医疗有保障"), "flag", required=False, group="secured"),
    Field("housing", gettext_lazy("住房安全有保障"), "flag", required=False, group="secured"),
    Field("water", gettext_lazy("饮水安全有保障"), "flag", required=False, group="secured"),
    Field(
        "also_serves",
        gettext_lazy("本次核查同时服务的救助事项（不再重复入户）"),
        "choices",
        required=False,
        choices=_also_serves_choices,
    ),
    # one visit serves monitoring and social assistance (不再重复入户): a need found is referred
    # to civil affairs (民政), who answers without a second visit
    Field(
        "social_need",
        gettext_lazy("核查发现的社会救助需求（转民政）"),
        "choices",
        required=False,
        choices=_social_choices,
    ),
    Field(
        "social_figures",
        gettext_lazy("救助需求的核查情况（收入、财产、刚性支出等）"),
        "text",
        required=False,
        max_length=500,
    ),
    # 先帮后认: the verifier may mark the difficulty urgent, so help starts before the decision
    Field("urgent", gettext_lazy("情况紧急，先帮后认"), "flag", required=False),
    Field("visited_on", gettext_lazy("入户日期"), "date", initial=_today),
)
APPRAISAL_FIELDS = (
    Field("meeting_on", gettext_lazy("评议日期"), "date", initial=_today),
    Field(
        "attendees",
        gettext_lazy("参加评议人员"),
        "text",
        missing=gettext_lazy("请填写参加评议的人员"),
        max_length=500,
    ),
)
DECISION_FIELDS = (
    Field(
        "category",
        gettext_lazy("监测对象类别"),
        "choice",
        missing=gettext_lazy("请选择监测对象类别"),
        choices=_category_choices,
        initial=lambda case: case.category or proposed_category(case),
    ),
    Field(
        "risk_types",
        gettext_lazy("风险类型"),
        "choices",
        missing=gettext_lazy("请至少选择一项风险类型"),
        unknown=gettext_lazy("未知的风险类型：%(types)s"),
        choices=_risk_choices,
        initial=lambda case: case.risk_types,
    ),
)


# checks: what must hold before an action (Refused with the reason otherwise) ---------------
# a check sees the case, the step's record so far and the day; returns facts it also records
Check = Callable[[Case, dict[str, Any], dt.date], dict[str, Any]]


def notice_over(case: Case, record: dict[str, Any], today: dt.date) -> dict[str, Any]:
    """The notice has run its days and every objection raised during it is resolved."""
    assert case.notice_ends is not None
    if today < case.notice_ends:
        raise Refused(
            _("公示期至 %(date)s，期满后方可报乡镇审核") % {"date": f"{case.notice_ends:%Y-%m-%d}"}
        )
    if case.objections.filter(resolved_at__isnull=True).exists():
        raise Refused(_("公示期间的异议尚未处理完毕"))
    return {}


def criteria_met(case: Case, record: dict[str, Any], today: dt.date) -> dict[str, Any]:
    """The latest evaluation meets the policy's risk-elimination criteria."""
    latest = case.evaluations.first()
    if latest is None:
        raise Refused(_("请先登记帮扶成效评估"))
    reasons = elimination_check(case=case, evaluation=latest, today=today)
    if reasons:
        raise Refused(
            _("不符合风险消除条件：%(reasons)s")
            % {"reasons": pgettext("list separator", "；").join(reasons)}
        )
    return {"evaluation": latest.pk, "evaluated_on": str(latest.on)}


def category_fits_history(case: Case, record: dict[str, Any], today: dt.date) -> dict[str, Any]:
    """The category agrees with the household's history (county guidance, docs/cases.md):
    脱贫不稳定户 only for a formerly-poor household, 边缘易致贫户 only for one that never was;
    突发严重困难户 for either."""
    category, formerly_poor = record.get("category"), case.household.formerly_poor
    if category == Category.UNSTABLE and not formerly_poor:
        raise Refused(_("该户不是原建档立卡脱贫户，不能认定为脱贫不稳定户"))
    if category == Category.EDGE and formerly_poor:
        raise Refused(_("该户是原建档立卡脱贫户，不能认定为边缘易致贫户"))
    return {}


# effects: what an action changes besides the stage and the deadline --------------------------
Effect = Callable[[Case, dict[str, Any], dt.date], None]


def identify(case: Case, record: dict[str, Any], today: dt.date) -> None:
    """纳入监测: the household becomes a monitoring object of the decided category; measures
    begun before the decision (先帮后认) are confirmed."""
    case.measures.confirm_provisional()
    case.category, case.risk_types = record["category"], record["risk_types"]
    case.identified_on = today
    household = case.household
    household.category = record["category"]
    household.save(update_fields=["category", "updated_at"])


def refer_to_civil_affairs(case: Case, record: dict[str, Any], today: dt.date) -> None:
    """The verification's social-assistance needs become referrals to civil affairs."""
    for programme in record.get("social_need", []):
        Referral.objects.create(
            case=case, programme=programme, figures=record.get("social_figures", "")
        )


def end_provisional_help(case: Case, record: dict[str, Any], today: dt.date) -> None:
    """不予认定: measures begun before the decision (先帮后认) end with it."""
    with translation.override(None):
        reason = str(gettext_lazy("不予认定，先帮后认的措施随之结束"))
    case.measures.close_provisional(reason=reason)


def leave_monitoring(case: Case, record: dict[str, Any], today: dt.date) -> None:
    """风险消除: the household leaves monitoring and stays in the registry."""
    household = case.household
    household.category = Category.NONE
    household.save(update_fields=["category", "updated_at"])


@dataclass(frozen=True)
class Action:
    name: str
    label: Label  # shown on the button and in messages
    source: Stage
    target: Stage
    role: Role
    fields: Sequence[Field] = ()
    note_required: bool = False
    checks: Sequence[Check] = ()
    effects: Sequence[Effect] = ()
    opens_notice: bool = False  # 公示: the notice's days, then the days to report it
    starts_chain: bool = False  # the whole chain's deadline (total_days) runs from this step
    bulk: Literal["", "approve", "reject"] = ""  # may be taken for a batch of cases

    @property
    def exit(self) -> bool:
        """Part of the risk-elimination chain rather than identification."""
        return self.source in EXIT_STAGES or self.target in EXIT_STAGES

    def clean(self, data: dict[str, Any], today: dt.date) -> dict[str, Any]:
        """The step's record from what the user sent: each field validated, flags grouped."""
        record: dict[str, Any] = {}
        for f in self.fields:
            value = f.clean(data.get(f.name), today)
            if f.group:
                record.setdefault(f.group, {})[f.name] = value
            else:
                record[f.name] = value
        return record


def _a(name: str, label: Label, source: Stage, target: Stage, role: Role, **more: Any) -> Action:
    return Action(name, label, source, target, role, **more)


V, T, C = Role.VILLAGE_CADRE, Role.TOWNSHIP_CADRE, Role.COUNTY_OFFICER
S = Stage
ACTIONS: dict[str, Action] = {
    a.name: a
    for a in (
        # identification (对象识别)
        _a(
            "verify",
            gettext_lazy("登记入户核查结果"),
            S.LEAD,
            S.VERIFIED,
            V,
            fields=VERIFY_FIELDS,
            effects=(refer_to_civil_affairs,),
        ),
        _a(
            "appraise",
            gettext_lazy("登记村级评议（同意）"),
            S.VERIFIED,
            S.APPRAISED,
            V,
            fields=APPRAISAL_FIELDS,
        ),
        _a(
            "appraise_reject",
            gettext_lazy("登记村级评议（不同意）"),
            S.VERIFIED,
            S.NOT_IDENTIFIED,
            V,
            fields=APPRAISAL_FIELDS,
            note_required=True,
            effects=(end_provisional_help,),
        ),
        _a("publish", gettext_lazy("开始公示"), S.APPRAISED, S.NOTICE, V, opens_notice=True),
        _a(
            "close_notice",
            gettext_lazy("公示期满，报乡镇审核"),
            S.NOTICE,
            S.TOWNSHIP,
            V,
            checks=(notice_over,),
        ),
        _a(
            "township_approve",
            gettext_lazy("乡镇审核通过"),
            S.TOWNSHIP,
            S.COUNTY,
            T,
            bulk="approve",
        ),
        _a(
            "township_reject",
            gettext_lazy("乡镇审核不通过"),
            S.TOWNSHIP,
            S.NOT_IDENTIFIED,
            T,
            note_required=True,
            effects=(end_provisional_help,),
            bulk="reject",
        ),
        _a(
            "county_approve",
            gettext_lazy("县级审定：纳入监测"),
            S.COUNTY,
            S.MONITORING,
            C,
            fields=DECISION_FIELDS,
            checks=(category_fits_history,),
            effects=(identify,),
            bulk="approve",
        ),
        _a(
            "county_reject",
            gettext_lazy("县级审定：不予认定"),
            S.COUNTY,
            S.NOT_IDENTIFIED,
            C,
            note_required=True,
            effects=(end_provisional_help,),
            bulk="reject",
        ),
        # risk elimination (风险消除): the same chain, back to monitoring on a refusal
        _a(
            "propose_exit",
            gettext_lazy("提出风险消除"),
            S.MONITORING,
            S.EXIT_VERIFIED,
            V,
            checks=(criteria_met,),
            starts_chain=True,
        ),
        _a(
            "exit_appraise",
            gettext_lazy("村级评议（同意消除）"),
            S.EXIT_VERIFIED,
            S.EXIT_APPRAISED,
            V,
            fields=APPRAISAL_FIELDS,
        ),
        _a(
            "exit_appraise_reject",
            gettext_lazy("村级评议（不同意消除）"),
            S.EXIT_VERIFIED,
            S.MONITORING,
            V,
            fields=APPRAISAL_FIELDS,
            note_required=True,
        ),
        _a(
            "exit_publish",
            gettext_lazy("开始公示（风险消除）"),
            S.EXIT_APPRAISED,
            S.EXIT_NOTICE,
            V,
            opens_notice=True,
        ),
        _a(
            "exit_close_notice",
            gettext_lazy("公示期满，报乡镇审核（风险消除）"),
            S.EXIT_NOTICE,
            S.EXIT_TOWNSHIP,
            V,
            checks=(notice_over,),
        ),
        _a(
            "exit_township_approve",
            gettext_lazy("乡镇审核通过（风险消除）"),
            S.EXIT_TOWNSHIP,
            S.EXIT_COUNTY,
            T,
            bulk="approve",
        ),
        _a(
            "exit_township_reject",
            gettext_lazy("乡镇审核不通过（继续监测）"),
            S.EXIT_TOWNSHIP,
            S.MONITORING,
            T,
            note_required=True,
        ),
        _a(
            "exit_county_approve",
            gettext_lazy("县级审定：风险消除"),
            S.EXIT_COUNTY,
            S.ELIMINATED,
            C,
            effects=(leave_monitoring,),
            bulk="approve",
        ),
        _a(
            "exit_county_reject",
            gettext_lazy("县级审定：继续监测"),
            S.EXIT_COUNTY,
            S.MONITORING,
            C,
            note_required=True,
        ),
    )
}

# The deadline (policy key) of each stage that waits for someone to act.
STAGE_DEADLINE = {
    Stage.LEAD: "verify_days",
    Stage.VERIFIED: "appraise_days",
    Stage.APPRAISED: "publish_days",
    Stage.NOTICE: "close_notice_days",  # counted from the notice's last day
    Stage.TOWNSHIP: "township_days",
    Stage.COUNTY: "county_days",
    Stage.EXIT_VERIFIED: "appraise_days",
    Stage.EXIT_APPRAISED: "publish_days",
    Stage.EXIT_NOTICE: "close_notice_days",
    Stage.EXIT_TOWNSHIP: "township_days",
    Stage.EXIT_COUNTY: "county_days",
}
OPEN_STAGES = tuple(STAGE_DEADLINE)
NOTICE_STAGES = (Stage.NOTICE, Stage.EXIT_NOTICE)
CLOSING_STAGES = (Stage.NOT_IDENTIFIED, Stage.ELIMINATED)  # the case ends there
EXIT_STAGES = (
    Stage.EXIT_VERIFIED,
    Stage.EXIT_APPRAISED,
    Stage.EXIT_NOTICE,
    Stage.EXIT_TOWNSHIP,
    Stage.EXIT_COUNTY,
    Stage.ELIMINATED,
)

# Who acts in each stage, by level: an overdue step is listed for the levels above it.
STAGE_LEVEL = {
    Stage.LEAD: Level.VILLAGE,
    Stage.VERIFIED: Level.VILLAGE,
    Stage.APPRAISED: Level.VILLAGE,
    Stage.NOTICE: Level.VILLAGE,
    Stage.TOWNSHIP: Level.TOWNSHIP,
    Stage.COUNTY: Level.COUNTY,
    Stage.EXIT_VERIFIED: Level.VILLAGE,
    Stage.EXIT_APPRAISED: Level.VILLAGE,
    Stage.EXIT_NOTICE: Level.VILLAGE,
    Stage.EXIT_TOWNSHIP: Level.TOWNSHIP,
    Stage.EXIT_COUNTY: Level.COUNTY,
}


def actions_from(stage: str) -> list[Action]:
    return [a for a in ACTIONS.values() if a.source == stage]


def bulk_actions() -> list[str]:
    return [a.name for a in ACTIONS.values() if a.bulk]


def batch_approval(role: Role | None, exit_: bool) -> Action | None:
    """The approval a role takes for a batch on the batch page (identification or exit)."""
    for a in ACTIONS.values():
        if a.bulk == "approve" and a.role == role and a.exit == exit_:
            return a
    return None


def api_description() -> str:
    """The fields each action records, for the API's documentation of `data`."""
    lines = []
    for a in ACTIONS.values():
        fields = "; ".join(f.describe() for f in a.fields) or "—"
        note = " (note required)" if a.note_required else ""
        lines.append(f"- {a.name}{note}: {fields}")
    return "\n".join(lines)


def action_hold(action: Action, case: Case, today: dt.date) -> str:
    """Why `action` cannot be taken on `case` yet, or "" when it can: the case page shows a held
    action as a disabled button with this reason (and the day from which it can be taken),
    rather than offering it and refusing it. The action's checks are asked with an empty record:
    those that read the user's input (the category) pass here and are checked on the step."""
    if notice_over in action.checks and case.notice_ends is not None and today < case.notice_ends:
        return _("公示期满后可办理（%(date)s 起）") % {"date": f"{case.notice_ends:%Y-%m-%d}"}
    for check in action.checks:
        try:
            check(case, {}, today)
        except Refused as exc:
            return str(exc)
    return ""
