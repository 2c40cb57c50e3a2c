"""Resident work teams (驻村工作队) and first secretaries (第一书记): who may do what (as reasons,
"" where the user may), the reads (the roster in scope, the weak villages still lacking a first
secretary — 应派尽派 —, days on post, a team's open tasks) and the writes, each owning its
transaction and its audit record. The roster is the county's and the township's for its
villages; the weak villages (重点帮扶村) are the county's decision; logs and tasks are kept by
the village's cadre (the first secretary's account) and the township."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from bangfu.accounts.access import access_for
from bangfu.accounts.models import User
from bangfu.audit.models import AuditAction
from bangfu.audit.services import audit_record
from bangfu.core.errors import Forbidden, NotFound, Refused
from bangfu.core.text import UNSAFE_REFUSED, has_unsafe_chars
from bangfu.regions.models import PHONE, Level, Region
from bangfu.registry.models import Household
from bangfu.supervision.models import (
    MOBILE,
    MemberRole,
    TaskStatus,
    TeamMember,
    TeamTask,
    UnitLevel,
    WeakVillage,
    WorkLog,
    WorkTeam,
)


# -- rules ---------------------------------------------------------------------------------
def why_not_edit_roster(user: User, village: Region) -> str:
    access = access_for(user)
    if not access.may_edit_teams or not access.contains(village.code):
        return _("只有县级和所在乡镇的干部可以维护驻村工作队名册")
    return ""


def why_not_keep_logs(user: User, team: WorkTeam) -> str:
    access = access_for(user)
    if not access.may_keep_team_logs or not access.contains(team.village_id):
        return _("只有本村（%(village)s）干部和所在乡镇可以填写驻村日志和任务") % {
            "village": team.village.name
        }
    return ""


def why_not_mark_weak(user: User) -> str:
    if not access_for(user).may_mark_weak_villages:
        return _("只有县级干部可以认定重点帮扶村")
    return ""


def _sees(user: User, team: WorkTeam) -> bool:
    access = access_for(user)
    return access.may_read_registry and access.contains(team.village_id)


# -- reads ---------------------------------------------------------------------------------
def active_q(today: dt.date, prefix: str = "") -> Q:
    """A member on post on `today`: started, and not yet left."""
    return Q(**{f"{prefix}term_start__lte": today}) & (
        Q(**{f"{prefix}term_end__isnull": True}) | Q(**{f"{prefix}term_end__gte": today})
    )


def teams_in_scope(*, user: User) -> QuerySet[WorkTeam]:
    """The roster of the user's region (nothing for those who do not read the registry)."""
    return access_for(user).filter(
        WorkTeam.objects.select_related("village").prefetch_related("members")
    )


def team_get_for_user(*, user: User, pk: int) -> WorkTeam:
    found = WorkTeam.objects.select_related("village").filter(pk=pk).first()
    if found is None or not _sees(user, found):
        raise NotFound
    return found


def task_get_for_user(*, user: User, team: WorkTeam, pk: int) -> TeamTask:
    found = team.tasks.filter(pk=pk).first()
    if found is None or not _sees(user, team):
        raise NotFound
    return found


def weak_villages_in_scope(*, user: User) -> QuerySet[WeakVillage]:
    return access_for(user).filter(WeakVillage.objects.select_related("village__parent"))


def villages_lacking_first_secretary(*, user: User, today: dt.date) -> list[Region]:
    """应派尽派: the weak villages of the user's region whose active team has no first secretary
    on post, or that have no active team at all."""
    on_post = TeamMember.objects.filter(
        active_q(today),
        team__village=OuterRef("village"),
        team__active=True,
        role=MemberRole.FIRST_SECRETARY,
    )
    weak = weak_villages_in_scope(user=user).filter(~Exists(on_post))
    return [w.village for w in weak.order_by("village_id")]


def days_on_post(
    *, team: WorkTeam, start: dt.date | None = None, end: dt.date | None = None
) -> dict[int, int]:
    """Days on post per member: the distinct days they logged in [start, end]."""
    logs = team.logs.all()
    if start is not None:
        logs = logs.filter(on__gte=start)
    if end is not None:
        logs = logs.filter(on__lte=end)
    rows = logs.values("member_id").annotate(days=Count("on", distinct=True))
    return {int(r["member_id"]): int(r["days"]) for r in rows}


def days_on_post_in_scope(*, user: User, start: dt.date, end: dt.date) -> dict[int, int]:
    """`days_on_post` for every member of the user's region at once (the roster's column)."""
    logs = access_for(user).filter(WorkLog.objects.filter(on__gte=start, on__lte=end))
    rows = logs.values("member_id").annotate(days=Count("on", distinct=True))
    return {int(r["member_id"]): int(r["days"]) for r in rows}


def team_open_tasks(*, team: WorkTeam) -> QuerySet[TeamTask]:
    return team.tasks.exclude(status=TaskStatus.DONE).order_by("due", "pk")


# -- writes --------------------------------------------------------------------------------
def _text(value: str, label: str, *, required: bool = True) -> str:
    value = value.strip()
    if required and not value:
        raise Refused(_("%(label)s必须填写") % {"label": label})
    if has_unsafe_chars(value):
        raise Refused(_(UNSAFE_REFUSED))
    return value


def _term(start: dt.date, end: dt.date | None) -> None:
    if end is not None and end < start:
        raise Refused(_("结束日期不能早于开始日期"))


@dataclass
class TeamIn:
    village_code: str
    sending_unit: str
    unit_level: str
    term_start: dt.date
    term_end: dt.date | None = None
    active: bool = True


def team_save(*, user: User, data: TeamIn, team: WorkTeam | None = None) -> WorkTeam:
    """A team into the roster, or its details changed (the village stays)."""
    if team is not None and not _sees(user, team):
        raise NotFound
    village = (
        team.village if team is not None else access_for(user).region_inside(data.village_code)
    )
    if village is None or village.level != Level.VILLAGE:
        raise Refused(_("请选择您所辖的村"))
    reason = why_not_edit_roster(user, village)
    if reason:
        raise Forbidden(reason)
    unit = _text(data.sending_unit, _("派出单位"))
    if data.unit_level not in UnitLevel.values:
        raise Refused(_("请选择派出单位层级"))
    _term(data.term_start, data.term_end)
    with transaction.atomic():
        created = team is None
        team = team or WorkTeam(village=village)
        team.sending_unit = unit
        team.unit_level = data.unit_level
        team.term_start = data.term_start
        team.term_end = data.term_end
        team.active = data.active
        team.save()
        audit_record(
            actor=user,
            action=AuditAction.CREATE if created else AuditAction.UPDATE,
            obj=team,
            region_code=village.code,
            note=f"驻村工作队（{village.name}）：{unit}",
        )
    return team


@dataclass
class MemberIn:
    name: str
    role: str
    term_start: dt.date
    post: str = ""
    phone: str = ""
    term_end: dt.date | None = None
    username: str = ""


def member_add(*, user: User, team: WorkTeam, data: MemberIn) -> TeamMember:
    """A member onto the team; a second first secretary on post, or a mobile number, refused."""
    if not _sees(user, team):
        raise NotFound
    reason = why_not_edit_roster(user, team.village)
    if reason:
        raise Forbidden(reason)
    name = _text(data.name, _("姓名"))
    if data.role not in MemberRole.values:
        raise Refused(_("请选择职务"))
    phone = data.phone.strip()
    if phone and MOBILE.match(phone):
        raise Refused(_("请填写办公电话，不登记个人手机号"))
    if phone:
        try:
            PHONE(phone)
        except ValidationError:
            raise Refused(_("电话号码只能包含数字、空格、括号和连字符")) from None
    _term(data.term_start, data.term_end)
    account = None
    if data.username.strip():
        account = (
            User.objects.filter(username=data.username.strip(), region_id=team.village_id)
            .filter(is_active=True)
            .first()
        )
        if account is None:
            raise Refused(_("账号须是本村的在用账号"))
    if (
        data.role == MemberRole.FIRST_SECRETARY
        and team.members.filter(active_q(data.term_start), role=MemberRole.FIRST_SECRETARY).exists()
    ):
        raise Refused(_("该工作队已有在岗的第一书记，请先办理离岗"))
    with transaction.atomic():
        member = TeamMember.objects.create(
            team=team,
            name=name,
            role=data.role,
            post=_text(data.post, _("工作单位及职务"), required=False),
            phone=phone,
            term_start=data.term_start,
            term_end=data.term_end,
            user=account,
        )
        audit_record(
            actor=user,
            action=AuditAction.CREATE,
            obj=member,
            region_code=team.village_id,
            note=f"工作队队员：{name}（{member.get_role_display()}）",
        )
    return member


def member_end(*, user: User, member: TeamMember, on: dt.date) -> TeamMember:
    """A member leaves the post on `on` (离岗); the logs stay."""
    team = member.team
    if not _sees(user, team):
        raise NotFound
    reason = why_not_edit_roster(user, team.village)
    if reason:
        raise Forbidden(reason)
    if member.term_end is not None and member.term_end < on:
        raise Refused(_("该队员已离岗"))
    _term(member.term_start, on)
    with transaction.atomic():
        member.term_end = on
        member.save(update_fields=["term_end"])
        audit_record(
            actor=user,
            action=AuditAction.UPDATE,
            obj=member,
            region_code=team.village_id,
            changes={"term_end": [None, on.isoformat()]},
            note=f"队员离岗：{member.name}",
        )
    return member


def weak_village_set(
    *,
    user: User,
    village_code: str,
    weak: bool,
    decided_on: dt.date | None = None,
    document_no: str = "",
    today: dt.date | None = None,
) -> WeakVillage | None:
    """The county marks a village weak (重点帮扶村, with its decision) or clears the mark."""
    today = today or timezone.localdate()
    reason = why_not_mark_weak(user)
    if reason:
        raise Forbidden(reason)
    village = access_for(user).region_inside(village_code)
    if village is None or village.level != Level.VILLAGE:
        raise Refused(_("请选择您所辖的村"))
    doc = _text(document_no, _("文件编号"), required=False)
    with transaction.atomic():
        found = WeakVillage.objects.filter(village=village).first()
        if not weak:
            if found is None:
                return None
            audit_record(
                actor=user,
                action=AuditAction.DELETE,
                obj=found,
                region_code=village.code,
                note=f"取消重点帮扶村：{village.name}",
            )
            found.delete()
            return None
        mark = found or WeakVillage(village=village, set_by=user)
        mark.decided_on = decided_on or today
        mark.document_no = doc
        mark.set_by = user
        mark.save()
        audit_record(
            actor=user,
            action=AuditAction.UPDATE if found else AuditAction.CREATE,
            obj=mark,
            region_code=village.code,
            note=f"认定重点帮扶村：{village.name} {doc}",
        )
    return mark


def log_add(
    *,
    user: User,
    team: WorkTeam,
    member_id: int,
    on: dt.date,
    text: str,
    household_nos: Sequence[str] = (),
    today: dt.date | None = None,
) -> WorkLog:
    """A day of a member's work (驻村日志), with the team village's households visited."""
    today = today or timezone.localdate()
    if not _sees(user, team):
        raise NotFound
    reason = why_not_keep_logs(user, team)
    if reason:
        raise Forbidden(reason)
    member = team.members.filter(pk=member_id).first()
    if member is None:
        raise Refused(_("请选择本工作队的队员"))
    if on > today:
        raise Refused(_("日志日期不能晚于今天"))
    if on < member.term_start or (member.term_end is not None and on > member.term_end):
        raise Refused(_("日志日期不在该队员的驻村期内"))
    body = _text(text, _("工作内容"))
    nos = sorted({n.strip() for n in household_nos if n.strip()})
    households = list(Household.objects.filter(household_no__in=nos, village_id=team.village_id))
    missing = set(nos) - {h.household_no for h in households}
    if missing:
        raise Refused(
            _("走访农户不在%(village)s：%(nos)s")
            % {"village": team.village.name, "nos": "、".join(sorted(missing))}
        )
    with transaction.atomic():
        log = WorkLog.objects.create(team=team, member=member, on=on, text=body, created_by=user)
        log.households.set(households)
        audit_record(
            actor=user,
            action=AuditAction.CREATE,
            obj=log,
            region_code=team.village_id,
            note=f"驻村日志：{member.name} {on.isoformat()}，走访 {len(households)} 户",
        )
    return log


def task_add(
    *, user: User, team: WorkTeam, title: str, due: dt.date | None = None, note: str = ""
) -> TeamTask:
    """A task onto the team's list (任务清单), to do."""
    if not _sees(user, team):
        raise NotFound
    reason = why_not_keep_logs(user, team)
    if reason:
        raise Forbidden(reason)
    with transaction.atomic():
        task = TeamTask.objects.create(
            team=team,
            title=_text(title, _("任务")),
            due=due,
            note=_text(note, _("备注"), required=False),
            created_by=user,
        )
        audit_record(
            actor=user,
            action=AuditAction.CREATE,
            obj=task,
            region_code=team.village_id,
            note=f"工作队任务：{task.title}",
        )
    return task


def task_update(
    *, user: User, task: TeamTask, status: str, note: str = "", today: dt.date | None = None
) -> TeamTask:
    """A task's status; done dates it today, reopened clears the date."""
    today = today or timezone.localdate()
    team = task.team
    if not _sees(user, team):
        raise NotFound
    reason = why_not_keep_logs(user, team)
    if reason:
        raise Forbidden(reason)
    if status not in TaskStatus.values:
        raise Refused(_("请选择任务状态"))
    before = task.status
    with transaction.atomic():
        task.status = status
        task.done_on = today if status == TaskStatus.DONE else None
        if note.strip():
            task.note = _text(note, _("备注"))
        task.save()
        audit_record(
            actor=user,
            action=AuditAction.UPDATE,
            obj=task,
            region_code=team.village_id,
            changes={"status": [before, status]},
            note=f"工作队任务：{task.title}",
        )
    return task
