"""The resident work teams' API routes (`/api/v1/work-teams`): the roster with its members, one
team with its logs, open tasks and days on post, a log, a task and its status, and the weak
villages still lacking a first secretary (应派尽派); the same services and refusals as the
pages. (No `from __future__ import annotations`: django-ninja reads the annotations.)"""

import datetime as dt
import enum
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from ninja import Field, Router, Schema
from ninja.pagination import paginate

from bangfu.accounts.api import ApiRequest
from bangfu.core.api import REFUSALS, Pages
from bangfu.regions.models import Region
from bangfu.supervision.models import TaskStatus, TeamTask, WorkLog, WorkTeam
from bangfu.supervision.teams import (
    days_on_post,
    log_add,
    task_add,
    task_get_for_user,
    task_update,
    team_get_for_user,
    team_open_tasks,
    teams_in_scope,
    villages_lacking_first_secretary,
)

router = Router(tags=["work-teams"])

TaskStatusName = enum.Enum(  # type: ignore[misc]
    "TaskStatusName", {s.value: s.value for s in TaskStatus}, type=str
)
TEXT = "^[^\\x00]*$"


class MemberOut(Schema):
    id: int
    name: str
    role: str
    post: str
    phone: str
    term_start: dt.date
    term_end: dt.date | None


class TeamOut(Schema):
    id: int
    village: str
    village_name: str
    sending_unit: str
    unit_level: str
    term_start: dt.date
    term_end: dt.date | None
    active: bool
    members: list[MemberOut]

    @staticmethod
    def resolve_village(obj: Any) -> str:
        return str(obj.village_id)

    @staticmethod
    def resolve_village_name(obj: Any) -> str:
        return str(obj.village.name)

    @staticmethod
    def resolve_members(obj: Any) -> list[Any]:
        return list(obj.members.all())


class LogOut(Schema):
    id: int
    member: int
    on: dt.date
    text: str
    households: list[str]

    @staticmethod
    def resolve_member(obj: Any) -> int:
        return int(obj.member_id)

    @staticmethod
    def resolve_households(obj: Any) -> list[str]:
        return [h.household_no for h in obj.households.all()]


class TaskOut(Schema):
    id: int
    title: str
    due: dt.date | None
    status: str
    done_on: dt.date | None
    note: str


class DaysOut(Schema):
    member: int
    days: int


class TeamDetail(TeamOut):
    logs: list[LogOut]
    open_tasks: list[TaskOut]
    days_on_post: list[DaysOut]

    @staticmethod
    def resolve_logs(obj: Any) -> list[Any]:
        return list(obj.logs.prefetch_related("households")[:50])

    @staticmethod
    def resolve_open_tasks(obj: Any) -> list[Any]:
        return list(team_open_tasks(team=obj))

    @staticmethod
    def resolve_days_on_post(obj: Any) -> list[dict[str, int]]:
        return [{"member": m, "days": d} for m, d in days_on_post(team=obj).items()]


class VillageOut(Schema):
    code: str
    name: str


@router.get("/work-teams", response=list[TeamOut])
@paginate(Pages, page_size=50)
def work_teams(request: ApiRequest) -> QuerySet[WorkTeam]:
    """The work teams of the user's region, with their members."""
    return teams_in_scope(user=request.user)


@router.get("/work-teams/lacking-first-secretary", response=list[VillageOut])
def work_teams_lacking(request: ApiRequest) -> list[Region]:
    """应派尽派: the weak villages without a first secretary on post."""
    return villages_lacking_first_secretary(user=request.user, today=timezone.localdate())


@router.get("/work-teams/{team_id}", response=TeamDetail)
def work_team(request: ApiRequest, team_id: int) -> WorkTeam:
    return team_get_for_user(user=request.user, pk=team_id)


class LogIn(Schema):
    member: int = Field(..., ge=1, le=2**31 - 1)
    on: dt.date
    text: str = Field(..., max_length=2000, pattern=TEXT)
    households: list[str] = Field([], max_length=50, description="走访农户的户编号")


@router.post("/work-teams/{team_id}/logs", response={200: LogOut, **REFUSALS})
def work_team_log_add(request: ApiRequest, team_id: int, body: LogIn) -> WorkLog:
    """A day of a member's work, with the households visited (of the team's village)."""
    team = team_get_for_user(user=request.user, pk=team_id)
    return log_add(
        user=request.user,
        team=team,
        member_id=body.member,
        on=body.on,
        text=body.text,
        household_nos=[str(n) for n in body.households],
    )


class TaskIn(Schema):
    title: str = Field(..., max_length=200, pattern=TEXT)
    due: dt.date | None = None
    note: str = Field("", max_length=2000, pattern=TEXT)


@router.post("/work-teams/{team_id}/tasks", response={200: TaskOut, **REFUSALS})
def work_team_task_add(request: ApiRequest, team_id: int, body: TaskIn) -> TeamTask:
    team = team_get_for_user(user=request.user, pk=team_id)
    return task_add(user=request.user, team=team, title=body.title, due=body.due, note=body.note)


class TaskStatusIn(Schema):
    status: TaskStatusName
    note: str = Field("", max_length=2000, pattern=TEXT)


@router.post("/work-teams/{team_id}/tasks/{task_id}", response={200: TaskOut, **REFUSALS})
def work_team_task_update(
    request: ApiRequest, team_id: int, task_id: int, body: TaskStatusIn
) -> TeamTask:
    """A task's status (待办, 进行中, 已完成)."""
    team = team_get_for_user(user=request.user, pk=team_id)
    task = task_get_for_user(user=request.user, team=team, pk=task_id)
    return task_update(user=request.user, task=task, status=body.status.value, note=body.note)
