"""Where every user starts and lands after logging in: the to-do home (待办), what waits for
them grouped and counted (`assistance.todo`), and the background jobs' groups, which only the
web may add (jobs sits above assistance in the layers)."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from bangfu.accounts.access import access_for
from bangfu.accounts.models import User
from bangfu.assistance.todo import FIRST, TodoGroup, TodoItem, todo_for_user
from bangfu.jobs.models import Job, JobKind, JobStatus
from bangfu.jobs.services import job_kinds_for, jobs_for_user
from bangfu.supervision.models import Problem
from bangfu.supervision.selectors import problems_overdue_below, problems_to_verify

JOB_DAYS = 30  # how far back failed jobs and a department's imports are listed


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """待办: every group links to the page that does it, with its filter."""
    user = request.user
    assert isinstance(user, User)
    today = timezone.localdate()
    groups = [
        *todo_for_user(user=user, today=today),
        *problem_groups(user=user, today=today),
        *job_groups(user=user),
    ]
    return render(request, "web/home.html", {"groups": groups, "today": today})


def problem_groups(*, user: User, today: dt.date) -> list[TodoGroup]:
    """The problem ledger's: close-out requests the user verifies, and the overdue problems of
    the levels below (listed to the level above); shown only when there are some."""
    groups = []
    verify = problems_to_verify(user=user)
    if verify:
        items = [_problem_item(p, today) for p in verify[:FIRST]]
        url = reverse("problems") + "?status=closeout_requested"
        title = _("待验收销号的问题")
        groups.append(TodoGroup("problems_verify", title, len(verify), url, items, _("整改时限")))
    overdue = problems_overdue_below(user=user, today=today)
    count = overdue.count()
    if count:
        items = [_problem_item(p, today) for p in overdue[:FIRST]]
        url = reverse("problems") + "?overdue=on"
        title = _("逾期未整改的问题")
        groups.append(TodoGroup("problems_overdue", title, count, url, items, _("整改时限")))
    return groups


def _problem_item(problem: Problem, today: dt.date) -> TodoItem:
    return TodoItem(
        url=reverse("problem", args=[problem.pk]),
        text=f"{problem.region.name} · {problem.description[:40]}",
        due=problem.deadline,
        late=problem.deadline < today,
    )


def job_groups(*, user: User) -> list[TodoGroup]:
    """A department officer's feed imports (their whole work here); for whoever else starts or
    oversees jobs, the failed ones of the last JOB_DAYS days (hidden when none failed but for
    those who oversee them)."""
    access = access_for(user)
    kinds = job_kinds_for(user)
    since = timezone.now() - dt.timedelta(days=JOB_DAYS)
    recent = jobs_for_user(user).filter(created_at__gte=since)
    if JobKind.FEED_IMPORT in kinds and not access.may_read_registry:
        imports = recent.filter(kind=JobKind.FEED_IMPORT)
        return [_jobs("feed_imports", _("我的部门数据导入"), imports, reverse("feed_import"))]
    if not kinds and not access.may_oversee_jobs:
        return []
    failed = _jobs(
        "jobs_failed", _("出错的后台任务"), recent.filter(status=JobStatus.FAILED), reverse("jobs")
    )
    return [failed] if failed.count or access.may_oversee_jobs else []


def _jobs(key: str, title: str, jobs: QuerySet[Job], url: str) -> TodoGroup:
    count = jobs.count()
    rows: list[Job] = list(jobs.order_by("-created_at", "-pk")[:FIRST]) if count else []
    items = [
        TodoItem(
            url=reverse("job", args=[j.pk]),
            text=f"{j.get_kind_display()} #{j.pk} · {j.get_status_display()}"
            + (f" · {j.file_name}" if j.file_name else ""),
            due=timezone.localtime(j.created_at).date(),
            late=j.status == JobStatus.FAILED,
        )
        for j in rows
    ]
    return TodoGroup(key, title, count, url, items, _("提交时间"))
