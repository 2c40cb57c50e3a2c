"""Who may do what to a problem, as reasons: "" where the user may, else why not, so that a
service refuses with it and a page shows the action disabled with it. Rectification is the
responsible level's (the problem's own region); verification is the level above's: the
township for a village's problem, the county for a township's, and for a county's problem the
registering side (the same role at the county). Nobody verifies a close-out they requested."""

from __future__ import annotations

from django.utils.translation import gettext as _

from bangfu.accounts.access import access_for
from bangfu.accounts.models import Role, User
from bangfu.regions.models import Level
from bangfu.supervision.models import Problem, ProblemStatus, UpdateKind

OPEN = (ProblemStatus.REGISTERED, ProblemStatus.RECTIFYING)


def sees(user: User, problem: Problem) -> bool:
    """Whether the problem lies in the user's region (readers of the registry, auditors)."""
    access = access_for(user)
    return access.may_read_registry and access.contains(problem.region_id)


def why_not_rectify(user: User, problem: Problem) -> str:
    """Progress and the close-out request are the responsible level's, while it is open."""
    access = access_for(user)
    if not access.may_rectify_problems or user.region_id != problem.region_id:
        return _("只有问题所在地（%(region)s）的干部可以整改和申请销号") % {
            "region": problem.region.name
        }
    if problem.status not in OPEN:
        return _("该问题当前状态为“%(status)s”，不能登记整改进展") % {
            "status": problem.get_status_display()
        }
    return ""


def why_not_closeout(user: User, problem: Problem, *, result: str, evidence: int) -> str:
    """A close-out request needs the rectification result and at least one evidence file."""
    reason = why_not_rectify(user, problem)
    if reason:
        return reason
    if not result.strip():
        return _("申请销号须填写整改结果")
    if evidence < 1:
        return _("申请销号须至少上传一份佐证材料")
    return ""


def _requester(problem: Problem) -> int | None:
    last = problem.updates.filter(kind=UpdateKind.CLOSEOUT_REQUEST).order_by("-at", "-pk").first()
    return last.by_id if last is not None else None


def why_not_verify(user: User, problem: Problem) -> str:
    """Verification (and sending back) by the level above, never by the requester."""
    if problem.status != ProblemStatus.CLOSEOUT_REQUESTED:
        return _("该问题尚未申请销号")
    region = problem.region
    mine = user.region
    if mine is None:
        return _("您没有验收该问题的权限")
    if region.level == Level.VILLAGE:
        allowed = user.role == Role.TOWNSHIP_CADRE and region.parent_id == mine.code
        who = _("所在乡镇")
    elif region.level == Level.TOWNSHIP:
        allowed = (
            user.role == Role.COUNTY_OFFICER
            and mine.level == Level.COUNTY
            and mine.contains(region.code)
        )
        who = _("县级")
    else:
        registrar = problem.registered_by
        allowed = user.role == registrar.role and user.region_id == problem.region_id
        who = _("登记单位（%(role)s）") % {"role": registrar.get_role_display()}
    if not allowed:
        return _("只能由上一级（%(who)s）验收销号") % {"who": who}
    if _requester(problem) == user.pk:
        return _("不能验收自己申请的销号")
    return ""


def why_not_reopen(user: User, problem: Problem) -> str:
    """A closed problem found again is reopened by those who register problems."""
    access = access_for(user)
    if not access.may_register_problems or not access.contains(problem.region_id):
        return _("只有考核/审计、县级和乡镇干部可以重新打开问题")
    if problem.status != ProblemStatus.CLOSED:
        return _("只有已销号的问题可以重新打开")
    return ""
