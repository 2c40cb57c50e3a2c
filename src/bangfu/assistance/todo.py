"""The to-do home (待办): what waits for a user, grouped and counted, each group linking to the
page that does it. Built on the apps' selectors, so that every count is scoped through the
access layer as the page it links to is; a group's first few items name their households by the
head (`household_heads`). The query count does not grow with the data: one count and at most
one page of items (with its heads) per group.

The background jobs' groups (failed jobs, a department's feed imports) are the web's to add:
jobs sits above this app in the layers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from django.db.models import Count, Model, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from bangfu.accounts.access import CARRIERS, Access, access_for
from bangfu.accounts.models import User
from bangfu.accounts.selectors import audit_events_for_user
from bangfu.assistance.models import OPEN_STATUSES
from bangfu.assistance.selectors import tasks_for_user
from bangfu.cases.chain import ACTIONS, EXIT_STAGES, NOTICE_STAGES, OPEN_STAGES, batch_approval
from bangfu.cases.evaluation import evaluations_due
from bangfu.cases.meetings import meeting_held
from bangfu.cases.models import Case, ReferralStatus, Stage
from bangfu.cases.selectors import (
    cases_in_scope,
    declarations_for_user,
    overdue_for_user,
    own_steps_for_user,
    referrals_for_user,
)
from bangfu.monitoring.models import WarningStatus
from bangfu.monitoring.policy import rule_title_shown
from bangfu.monitoring.selectors import monitoring_runs_for_user, warnings_for_user
from bangfu.registry.models import Household
from bangfu.registry.selectors import household_heads

FIRST = 3  # items shown per group; the rest are behind its link
NOTICE_SOON = 3  # days before a notice's end that it is listed
AUDIT_DAYS = 7
M = TypeVar("M", bound=Model)


@dataclass(frozen=True)
class TodoItem:
    """One thing to do: a household (named by its head) or a line of text, and its deadline."""

    url: str
    household: Household | None = None
    text: str = ""
    due: dt.date | None = None
    late: bool = False


@dataclass(frozen=True)
class TodoGroup:
    """What waits of one kind: how many, where they are done, the first few. `note` says what a
    group without a list says (the month's meeting, the last monitoring run)."""

    key: str
    title: str
    count: int
    url: str
    items: list[TodoItem] = field(default_factory=list)
    due_label: str = ""
    note: str = ""

    @property
    def more(self) -> int:
        return self.count - len(self.items)


def todo_for_user(*, user: User, today: dt.date | None = None) -> list[TodoGroup]:
    """The groups of the user's home, in the order a working day takes them: the chain's steps
    first, then help, then the region's overview."""
    today = today or timezone.localdate()
    access = access_for(user)
    groups: list[TodoGroup] = []
    # the open stages from which the user's role acts (own_steps_for_user's)
    acts = {a.source for a in ACTIONS.values() if access.is_role(a.role)} & set(OPEN_STAGES)
    if Stage.LEAD in acts or access.may_record_readings:
        groups.append(_leads(user, today))
    if acts:
        groups += _own_steps(user, access, today)
        groups.append(
            _cases(
                "overdue_own",
                _("本级逾期"),
                own_steps_for_user(user=user, overdue=True, today=today),
                reverse("case_overdue") + "#own",
                today,
                _("办理时限"),
            )
        )
    if access.may_see_overdue:
        groups.append(
            _cases(
                "overdue_below",
                _("下级逾期"),
                overdue_for_user(user=user, today=today),
                reverse("case_overdue"),
                today,
                _("办理时限"),
            )
        )
    if any(s in acts for s in NOTICE_STAGES):
        groups.extend(_notices(user, today))
    if access.may("handle_declarations"):
        groups.append(_declarations(user))
    if access.may_answer_referrals:
        groups.append(_referrals(user))
    if access.may("hold_meetings") and access.region is not None:
        groups.append(_meeting(access, today))
    if access.role in CARRIERS:  # who may be responsible for a measure (帮扶责任人)
        groups.append(_measures(user, access, today))
    if access.may_evaluate:
        groups.append(_evaluations(user, today))
    if access.may_write_registry or access.may_record_readings:
        groups.append(_warnings(user))
    if access.may_run_monitoring:
        groups.append(_last_run(user))
    if access.may_read_audit:
        groups.append(_audit(user))
    return groups


def _case_url(case: Case) -> str:
    return reverse("case", args=[case.pk])


def _late(case: Case, today: dt.date) -> bool:
    due, whole = case.due, case.decision_due
    return bool((due and due < today) or (whole and whole < today))


def _first(qs: QuerySet[M], count: int, path: str = "household__") -> list[M]:
    """The first few rows, their households' heads prefetched (`path` leads to the household);
    nothing asked when there are none."""
    return list(qs.prefetch_related(household_heads(path))[:FIRST]) if count else []


def _cases(
    key: str,
    title: str,
    qs: QuerySet[Case],
    url: str,
    today: dt.date,
    due_label: str,
    due: Callable[[Case], dt.date | None] = lambda c: c.due,
    late: Callable[[Case, dt.date], bool] = _late,
) -> TodoGroup:
    """A group of cases: counted, the first few with their heads' names."""
    count = qs.count()
    items = [
        TodoItem(url=_case_url(c), household=c.household, due=due(c), late=late(c, today))
        for c in _first(qs, count)
    ]
    return TodoGroup(key, title, count, url, items, due_label)


def _leads(user: User, today: dt.date) -> TodoGroup:
    return _cases(
        "leads",
        _("待入户核查的线索"),
        cases_in_scope(user=user).filter(stage=Stage.LEAD).order_by("due", "pk"),
        reverse("cases") + f"?stage={Stage.LEAD.value}",
        today,
        _("核查时限"),
    )


def _own_steps(user: User, access: Access, today: dt.date) -> list[TodoGroup]:
    """The steps waiting at the user's level, one group per stage that has any (leads and
    notices have groups of their own)."""
    waiting = own_steps_for_user(user=user, today=today).exclude(
        stage__in=[Stage.LEAD, *NOTICE_STAGES]
    )
    counts = {
        row["stage"]: row["n"] for row in waiting.values("stage").annotate(n=Count("id")).order_by()
    }
    groups = []
    for stage in OPEN_STAGES:
        if not counts.get(stage):
            continue
        groups.append(
            _cases(
                f"stage_{stage}",
                str(Stage(stage).label),
                waiting.filter(stage=stage),
                _stage_url(access, stage),
                today,
                _("办理时限"),
            )
        )
    return groups


def _stage_url(access: Access, stage: str) -> str:
    """The batch page where the township reviews or the county approves, else the cases of the
    stage."""
    if access.may_batch_approve:
        exit_ = stage in EXIT_STAGES
        action = batch_approval(access.role, exit_)
        if action is not None and action.source == stage:
            return reverse("case_batch") + ("?exit=1" if exit_ else "")
    return reverse("cases") + f"?stage={stage}"


def _notices(user: User, today: dt.date) -> list[TodoGroup]:
    """Notices that end within NOTICE_SOON days or have ended: the village closes them. The
    identification's and the risk elimination's apart, each linking to its own stage."""
    soon = today + dt.timedelta(days=NOTICE_SOON)
    groups = []
    for key, title, stage in (
        ("notices", _("公示即将期满"), Stage.NOTICE),
        ("exit_notices", _("风险消除公示即将期满"), Stage.EXIT_NOTICE),
    ):
        ending = (
            cases_in_scope(user=user)
            .filter(stage=stage, notice_ends__lte=soon)
            .order_by("notice_ends", "pk")
        )
        groups.append(
            _cases(
                key,
                title,
                ending,
                reverse("cases") + f"?stage={stage.value}",
                today,
                _("公示截止"),
                due=lambda c: c.notice_ends,
                late=lambda c, day: bool(c.notice_ends and c.notice_ends < day),
            )
        )
    return groups


def _evaluations(user: User, today: dt.date) -> TodoGroup:
    due = evaluations_due(user=user, today=today)
    count = due.count()
    items = [
        TodoItem(
            url=_case_url(c),
            household=c.household,
            text=_since(c),
        )
        for c in _first(due, count)
    ]
    return TodoGroup("evaluations", _("到期应评估"), count, reverse("case_overdue"), items)


def _since(case: Case) -> str:
    """Since when an evaluation is due: the last one (`last`, evaluations_due's annotation), or
    the identification."""
    last: dt.date | None = getattr(case, "last", None)
    if last:
        return _("上次评估 %(day)s") % {"day": last.isoformat()}
    if case.identified_on:
        return _("纳入监测 %(day)s") % {"day": case.identified_on.isoformat()}
    return ""


def _measures(user: User, access: Access, today: dt.date) -> TodoGroup:
    """The user's open measures (帮扶责任人), the overdue ones first (by deadline)."""
    mine = access.filter(tasks_for_user(user=user).filter(status__in=OPEN_STATUSES))
    count = mine.count()
    url = reverse("my_tasks")
    items = [
        TodoItem(
            url=url,
            household=m.case.household,
            text=m.kind.shown_name,
            due=m.deadline,
            late=m.deadline < today,
        )
        for m in _first(mine, count, "case__household__")
    ]
    return TodoGroup("measures", _("我的帮扶措施"), count, url, items, _("完成时限"))


def _declarations(user: User) -> TodoGroup:
    pending = declarations_for_user(user=user).order_by("created_at")
    count = pending.count()
    url = reverse("declarations")
    items = [
        TodoItem(url=url, text=f"{d.reference} · {d.difficulty}")
        for d in (pending[:FIRST] if count else [])
    ]
    return TodoGroup("declarations", _("待处理的自主申报"), count, url, items)


def _referrals(user: User) -> TodoGroup:
    pending = (
        referrals_for_user(user=user)
        .filter(status=ReferralStatus.PENDING)
        .order_by("created_at", "pk")
    )
    count = pending.count()
    url = reverse("referrals")
    items = [
        TodoItem(url=url, household=r.case.household, text=r.programme)
        for r in _first(pending, count, "case__household__")
    ]
    return TodoGroup("referrals", _("待答复的救助转介"), count, url, items)


def _meeting(access: Access, today: dt.date) -> TodoGroup:
    """This month's village meeting: held (when) or still to hold."""
    assert access.region is not None
    month = today.strftime("%Y-%m")
    held = meeting_held(village=access.region, month=month)
    note = (
        _("本月会议已于 %(day)s 召开") % {"day": held.held_on.isoformat()}
        if held
        else _("本月会议尚未召开")
    )
    url = reverse("meeting") + f"?month={month}"
    return TodoGroup("meeting", _("本月村级监测会议"), 0 if held else 1, url, note=note)


def _warnings(user: User) -> TodoGroup:
    """New warnings waiting to be turned into leads or dismissed (the monthly list)."""
    waiting = (
        warnings_for_user(user=user)
        .filter(status=WarningStatus.NEW, watch=False)
        .select_related("household")
        .order_by("-priority", "household__household_no", "rule_id")
    )
    count = waiting.count()
    items = [
        TodoItem(
            url=reverse("warning", args=[w.pk]), household=w.household, text=rule_title_shown(w)
        )
        for w in _first(waiting, count)
    ]
    url = reverse("warnings") + "?listed=lead"
    return TodoGroup("warnings", _("待处理的预警"), count, url, items)


def _last_run(user: User) -> TodoGroup:
    run = monitoring_runs_for_user(user=user).first()
    if run is None:
        note = _("尚未进行批量监测")
    elif run.finished_at is None:
        note = _("%(period)s 期批量监测运行中") % {"period": run.period}
    else:
        note = _("上次批量监测：%(period)s 期，%(day)s 完成") % {
            "period": run.period,
            "day": timezone.localtime(run.finished_at).date().isoformat(),
        }
    return TodoGroup("monitoring", _("批量监测"), 0, reverse("monitoring_runs"), note=note)


def _audit(user: User) -> TodoGroup:
    since = timezone.now() - dt.timedelta(days=AUDIT_DAYS)
    recent = audit_events_for_user(user=user).filter(at__gte=since).order_by("-at", "-id")
    count = recent.count()
    url = reverse("audit_log")
    items = [
        TodoItem(
            url=url,
            text=f"{e.actor_label} · {e.get_action_display()} · {e.object_type} {e.object_id}",
            due=timezone.localtime(e.at).date(),
        )
        for e in (recent[:FIRST] if count else [])
    ]
    title = _("近 %(n)d 日审计事件") % {"n": AUDIT_DAYS}
    return TodoGroup("audit", title, count, url, items)
