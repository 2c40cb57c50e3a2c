"""The resident work teams' pages (驻村工作队): the roster with the weak villages still lacking a
first secretary (应派尽派), and its download (花名册, .xlsx and PDF); a team with its members,
logs, tasks and days on post (and their forms for those who may); a new team, a team's details
changed, and the county's page of weak villages."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from bangfu.accounts.access import access_for
from bangfu.assessment.services import subjects_in_scope
from bangfu.core.errors import BadParameter, Forbidden, NotFound, Refused
from bangfu.registry.selectors import household_heads
from bangfu.supervision.models import TaskStatus, WorkTeam
from bangfu.supervision.team_sheets import TITLE, roster_pdf, roster_xlsx
from bangfu.supervision.teams import (
    active_q,
    days_on_post,
    log_add,
    member_add,
    member_end,
    task_add,
    task_get_for_user,
    task_update,
    team_get_for_user,
    team_save,
    teams_in_scope,
    villages_lacking_first_secretary,
    weak_village_set,
    weak_villages_in_scope,
    why_not_edit_roster,
    why_not_keep_logs,
    why_not_mark_weak,
)
from bangfu.web.downloads import send_pdf
from bangfu.web.forms.teams import (
    LogForm,
    MemberEndForm,
    MemberForm,
    TaskForm,
    TaskStatusForm,
    TeamEditForm,
    TeamForm,
    WeakVillageForm,
)
from bangfu.web.http import AuthedRequest, reader
from bangfu.web.paging import page_of
from bangfu.web.views.exports import send_xlsx

LOG_ACTIONS = ("log", "task", "task_status")
ROSTER_ACTIONS = ("member", "member_end")


@login_required
@require_GET
def team_list(request: AuthedRequest) -> HttpResponse:
    user = reader(request)
    today = timezone.localdate()
    page, query = page_of(request, teams_in_scope(user=user).order_by("village_id", "pk"), 30)
    access = access_for(user)
    return render(
        request,
        "web/team_list.html",
        {
            "page": page,
            "query": query,
            "today": today,
            "lacking": villages_lacking_first_secretary(user=user, today=today),
            "may_edit": access.may_edit_teams,
            "may_mark": access.may_mark_weak_villages,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def team_new(request: AuthedRequest) -> HttpResponse:
    user = reader(request)
    if not access_for(user).may_edit_teams:
        raise NotFound
    form = TeamForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        try:
            team = team_save(user=user, data=form.team_in())
        except Refused as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("已新建驻村工作队"))
            return redirect("team", pk=team.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "web/team_form.html", {"form": form}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def team_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    """The team's details (sending unit, level, term, on post); its village stays. For the
    roster's editors (403 with the reason to the others who see the team)."""
    user = reader(request)
    team = team_get_for_user(user=user, pk=pk)
    reason = why_not_edit_roster(user, team.village)
    if reason:
        raise Forbidden(reason)
    form = TeamEditForm(request.POST or None, user=user, team=team)
    if request.method == "POST" and form.is_valid():
        try:
            team_save(user=user, data=form.team_in(), team=team)
        except Refused as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("已保存工作队信息"))
            return redirect("team", pk=team.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "web/team_form.html", {"form": form, "team": team}, status=status)


@login_required
@require_GET
def team_roster_xlsx(request: AuthedRequest) -> HttpResponseBase:
    """The roster of every team in scope and the 应派尽派 list, as .xlsx (audited)."""
    user = reader(request)
    return send_xlsx(request, TITLE, "teams", lambda out: roster_xlsx(user=user, out=out))


@login_required
@require_GET
def team_roster_pdf(request: AuthedRequest) -> HttpResponse:
    """The same roster on paper (audited); a refusal (the row limit, no CJK font) goes back to
    the list with the reason."""
    user = reader(request)
    try:
        data = roster_pdf(user=user)
    except Refused as exc:
        messages.error(request, str(exc))
        return redirect("teams")
    region = user.region.name if user.region else ""
    name = f"{TITLE}-{region}-{timezone.localdate():%Y%m%d}.pdf"
    return send_pdf(data, name)


def _forms(team: WorkTeam, post: Any = None, what: str = "") -> dict[str, Any]:
    """The page's forms, the one posted bound to what was typed."""
    today = timezone.localdate()
    return {
        "log_form": LogForm(post if what == "log" else None, team=team, initial={"on": today}),
        "task_form": TaskForm(post if what == "task" else None),
        "member_form": MemberForm(
            post if what == "member" else None, initial={"term_start": today}
        ),
    }


@login_required
@require_http_methods(["GET", "POST"])
def team_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    """The team's page; a POST names its action (`what`): log, task, task_status (the village
    and the township), member, member_end (the roster's editors)."""
    user = reader(request)
    team = team_get_for_user(user=user, pk=pk)
    what = str(request.POST.get("what", "")) if request.method == "POST" else ""
    forms = _forms(team, request.POST, what)
    if request.method == "POST":
        if what in LOG_ACTIONS:
            reason = why_not_keep_logs(user, team)
        elif what in ROSTER_ACTIONS:
            reason = why_not_edit_roster(user, team.village)
        else:
            raise BadParameter(_("未知的操作"))
        if reason:
            raise Forbidden(reason)
        try:
            if _act(request, team, what, forms):
                return redirect("team", pk=team.pk)
        except Refused as exc:
            messages.error(request, str(exc))
    return render(
        request,
        "web/team_detail.html",
        _context(request, team) | forms,
        status=400 if request.method == "POST" else 200,
    )


def _act(request: AuthedRequest, team: WorkTeam, what: str, forms: dict[str, Any]) -> bool:
    """One action; True when done, False when its form is invalid (the page shows why)."""
    user = request.user
    if what == "log":
        form = forms["log_form"]
        if not form.is_valid():
            return False
        try:
            log_add(
                user=user,
                team=team,
                member_id=int(form.cleaned_data["member"]),
                on=form.cleaned_data["on"],
                text=form.cleaned_data["text"],
                household_nos=form.household_nos(),
            )
        except Refused as exc:
            form.add_error(None, str(exc))
            return False
        messages.success(request, _("已记录驻村日志"))
    elif what == "task":
        form = forms["task_form"]
        if not form.is_valid():
            return False
        d = form.cleaned_data
        task_add(user=user, team=team, title=d["title"], due=d["due"], note=d["note"])
        messages.success(request, _("已添加任务"))
    elif what == "task_status":
        status_form = TaskStatusForm(request.POST)
        if not status_form.is_valid():
            raise Refused(_("请选择任务状态"))
        d = status_form.cleaned_data
        task = task_get_for_user(user=user, team=team, pk=d["task"])
        task_update(user=user, task=task, status=d["status"], note=d["note"])
        messages.success(request, _("已更新任务状态"))
    elif what == "member":
        form = forms["member_form"]
        if not form.is_valid():
            return False
        try:
            member_add(user=user, team=team, data=form.member_in())
        except Refused as exc:
            form.add_error(None, str(exc))
            return False
        messages.success(request, _("已添加队员"))
    else:
        end_form = MemberEndForm(request.POST)
        if not end_form.is_valid():
            raise Refused(_("请填写离岗日期"))
        member = team.members.filter(pk=end_form.cleaned_data["member"]).first()
        if member is None:
            raise NotFound
        member_end(user=user, member=member, on=end_form.cleaned_data["on"])
        messages.success(request, _("已办理离岗"))
    return True


def _context(request: AuthedRequest, team: WorkTeam) -> dict[str, Any]:
    user = request.user
    today = timezone.localdate()
    start = today - dt.timedelta(days=365)
    days = days_on_post(team=team, start=start, end=today)
    members = list(team.members.select_related("user"))
    for m in members:
        m.days = days.get(m.pk, 0)  # type: ignore[attr-defined]
    on_post = set(team.members.filter(active_q(today)).values_list("pk", flat=True))
    logs = team.logs.select_related("member").prefetch_related(household_heads("households__"))
    page, query = page_of(request, logs, 20)
    return {
        "team": team,
        "today": today,
        "members": members,
        "on_post": on_post,
        "period_start": start,
        "page": page,
        "query": query,
        "tasks": team.tasks.order_by("status", "due", "pk"),
        "statuses": TaskStatus.choices,
        "may_log": not why_not_keep_logs(user, team),
        "may_edit": not why_not_edit_roster(user, team.village),
        # the team's latest scorecard the user may read (考核记分卡)
        "scorecard": subjects_in_scope(user=user)
        .filter(team=team)
        .order_by("-assessment__end", "-pk")
        .first(),
    }


@login_required
@require_http_methods(["GET", "POST"])
def team_weak(request: AuthedRequest) -> HttpResponse:
    """The county marks its weak villages (重点帮扶村), with the decision's date and number."""
    user = reader(request)
    if why_not_mark_weak(user):
        raise NotFound
    form = WeakVillageForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            weak_village_set(
                user=user,
                village_code=d["village"],
                weak=d["weak"],
                decided_on=d["decided_on"],
                document_no=d["document_no"],
            )
        except Refused as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("已保存"))
            return redirect("team_weak")
    return render(
        request,
        "web/team_weak.html",
        {
            "form": form,
            "weak": weak_villages_in_scope(user=user),
            "lacking": {
                v.code
                for v in villages_lacking_first_secretary(user=user, today=timezone.localdate())
            },
        },
        status=400 if request.method == "POST" else 200,
    )
