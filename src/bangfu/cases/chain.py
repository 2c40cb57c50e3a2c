"""The identification chain as data: for each action, the stage it starts from, the stage it
leads to, the role that may take it, and the deadline of the stage it opens (a key of the
policy file's [identification] table). services.case_act enforces it; the pages read it to
offer each user only the actions open to them."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from bangfu.accounts.models import Role
from bangfu.cases.models import Stage
from bangfu.regions.models import Level


@dataclass(frozen=True)
class Action:
    name: str
    label: str | Promise  # shown on the button and in messages: translated when shown
    source: Stage
    target: Stage
    role: Role
    note_required: bool = False


ACTIONS: dict[str, Action] = {
    a.name: a
    for a in (
        Action("verify", _("登记入户核查结果"), Stage.LEAD, Stage.VERIFIED, Role.VILLAGE_CADRE),
        Action(
            "appraise",
            _("登记村级评议（同意）"),
            Stage.VERIFIED,
            Stage.APPRAISED,
            Role.VILLAGE_CADRE,
        ),
        Action(
            "appraise_reject",
            _("登记村级评议（不同意）"),
            Stage.VERIFIED,
            Stage.NOT_IDENTIFIED,
            Role.VILLAGE_CADRE,
            note_required=True,
        ),
        Action("publish", _("开始公示"), Stage.APPRAISED, Stage.NOTICE, Role.VILLAGE_CADRE),
        Action(
            "close_notice",
            _("公示期满，报乡镇审核"),
            Stage.NOTICE,
            Stage.TOWNSHIP,
            Role.VILLAGE_CADRE,
        ),
        Action(
            "township_approve", _("乡镇审核通过"), Stage.TOWNSHIP, Stage.COUNTY, Role.TOWNSHIP_CADRE
        ),
        Action(
            "township_reject",
            _("乡镇审核不通过"),
            Stage.TOWNSHIP,
            Stage.NOT_IDENTIFIED,
            Role.TOWNSHIP_CADRE,
            note_required=True,
        ),
        Action(
            "county_approve",
            _("县级审批：纳入监测"),
            Stage.COUNTY,
            Stage.MONITORING,
            Role.COUNTY_OFFICER,
        ),
        Action(
            "county_reject",
            _("县级审批：不予认定"),
            Stage.COUNTY,
            Stage.NOT_IDENTIFIED,
            Role.COUNTY_OFFICER,
            note_required=True,
        ),
        # risk elimination: the same chain, back to monitoring on a refusal
        Action(
            "propose_exit",
            _("提出风险消除"),
            Stage.MONITORING,
            Stage.EXIT_VERIFIED,
            Role.VILLAGE_CADRE,
        ),
        Action(
            "exit_appraise",
            _("村级评议（同意消除）"),
            Stage.EXIT_VERIFIED,
            Stage.EXIT_APPRAISED,
            Role.VILLAGE_CADRE,
        ),
        Action(
            "exit_appraise_reject",
            _("村级评议（不同意消除）"),
            Stage.EXIT_VERIFIED,
            Stage.MONITORING,
            Role.VILLAGE_CADRE,
            note_required=True,
        ),
        Action(
            "exit_publish",
            _("开始公示（风险消除）"),
            Stage.EXIT_APPRAISED,
            Stage.EXIT_NOTICE,
            Role.VILLAGE_CADRE,
        ),
        Action(
            "exit_close_notice",
            _("公示期满，报乡镇审核（风险消除）"),
            Stage.EXIT_NOTICE,
            Stage.EXIT_TOWNSHIP,
            Role.VILLAGE_CADRE,
        ),
        Action(
            "exit_township_approve",
            _("乡镇审核通过（风险消除）"),
            Stage.EXIT_TOWNSHIP,
            Stage.EXIT_COUNTY,
            Role.TOWNSHIP_CADRE,
        ),
        Action(
            "exit_township_reject",
            _("乡镇审核不通过（继续监测）"),
            Stage.EXIT_TOWNSHIP,
            Stage.MONITORING,
            Role.TOWNSHIP_CADRE,
            note_required=True,
        ),
        Action(
            "exit_county_approve",
            _("县级审批：风险消除"),
            Stage.EXIT_COUNTY,
            Stage.ELIMINATED,
            Role.COUNTY_OFFICER,
        ),
        Action(
            "exit_county_reject",
            _("县级审批：继续监测"),
            Stage.EXIT_COUNTY,
            Stage.MONITORING,
            Role.COUNTY_OFFICER,
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
