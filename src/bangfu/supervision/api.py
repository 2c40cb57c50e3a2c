"""The problem ledger's API routes (`/api/v1/problems`): the list with its filters, one problem
with its history, registering, progress, the close-out request, verification or sending back,
and reopening; the same services and refusals as the pages. (No `from __future__ import
annotations`: django-ninja reads the annotations.)"""

import datetime as dt
import enum
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from ninja import Field, Router, Schema
from ninja.pagination import paginate

from bangfu.accounts.api import ApiRequest
from bangfu.core.api import REFUSALS, Pages
from bangfu.supervision.models import Problem, ProblemCategory, ProblemStatus, Source
from bangfu.supervision.selectors import ProblemFilters, problem_get_for_user, problem_list_for_user
from bangfu.supervision.services import (
    ProblemIn,
    problem_progress,
    problem_register,
    problem_reopen,
    problem_request_closeout,
    problem_send_back,
    problem_verify,
)

router = Router(tags=["problems"])

SourceName = enum.Enum("SourceName", {s.value: s.value for s in Source}, type=str)  # type: ignore[misc]
CategoryName = enum.Enum(  # type: ignore[misc]
    "CategoryName", {c.value: c.value for c in ProblemCategory}, type=str
)
StatusName = enum.Enum("StatusName", {s.value: s.value for s in ProblemStatus}, type=str)  # type: ignore[misc]
TEXT = "^[^\\x00]*$"


class UpdateOut(Schema):
    kind: str
    text: str
    result: str
    by: str
    on: dt.date

    @staticmethod
    def resolve_by(obj: Any) -> str:
        return str(obj.by.username)


class ProblemOut(Schema):
    id: int
    source: str
    source_ref: str
    region: str
    region_name: str
    category: str
    description: str
    responsible_unit: str
    responsible_person: str
    deadline: dt.date
    measures: str
    result: str
    status: str
    registered_on: dt.date
    closed_on: dt.date | None
    reopened: int
    overdue: bool

    @staticmethod
    def resolve_region(obj: Any) -> str:
        return str(obj.region_id)

    @staticmethod
    def resolve_region_name(obj: Any) -> str:
        return str(obj.region.name)

    @staticmethod
    def resolve_overdue(obj: Any) -> bool:
        return bool(obj.status != ProblemStatus.CLOSED and obj.deadline < timezone.localdate())


class ProblemDetail(ProblemOut):
    updates: list[UpdateOut]
    households: list[str]

    @staticmethod
    def resolve_updates(obj: Any) -> list[Any]:
        return list(obj.updates.select_related("by"))

    @staticmethod
    def resolve_households(obj: Any) -> list[str]:
        return [h.household_no for h in obj.households.all()]


@router.get("/problems", response=list[ProblemOut])
@paginate(Pages, page_size=50)
def problems(
    request: ApiRequest,
    source: SourceName | None = None,
    category: CategoryName | None = None,
    status: StatusName | None = None,
    region: str = "",
    overdue: bool = False,
) -> QuerySet[Problem]:
    """The problems of the user's region, with the ledger page's filters."""
    filters = ProblemFilters(
        source=source.value if source else "",
        category=category.value if category else "",
        status=status.value if status else "",
        region=region,
        overdue=overdue,
    )
    return problem_list_for_user(user=request.user, filters=filters, today=timezone.localdate())


@router.get("/problems/{problem_id}", response=ProblemDetail)
def problem(request: ApiRequest, problem_id: int) -> Problem:
    return problem_get_for_user(user=request.user, pk=problem_id)


class ProblemCreate(Schema):
    source: SourceName
    source_ref: str = Field("", max_length=64, pattern=TEXT)
    region: str = Field(..., max_length=12, pattern=TEXT, description="12位区划代码")
    category: CategoryName
    description: str = Field(..., max_length=2000, pattern=TEXT)
    responsible_unit: str = Field(..., max_length=100, pattern=TEXT)
    responsible_person: str = Field("", max_length=64, pattern=TEXT)
    deadline: dt.date
    measures: str = Field("", max_length=2000, pattern=TEXT)
    households: list[str] = Field([], max_length=50, description="涉及农户的户编号")


@router.post("/problems", response={200: ProblemDetail, **REFUSALS})
def problem_create(request: ApiRequest, body: ProblemCreate) -> Problem:
    """Register a problem (考核/审计, county and township officers)."""
    data = ProblemIn(
        source=body.source.value,
        source_ref=body.source_ref,
        region_code=body.region,
        category=body.category.value,
        description=body.description,
        responsible_unit=body.responsible_unit,
        responsible_person=body.responsible_person,
        deadline=body.deadline,
        measures=body.measures,
        household_nos=[str(n) for n in body.households],
    )
    return problem_register(user=request.user, data=data)


class TextIn(Schema):
    text: str = Field("", max_length=2000, pattern=TEXT)


@router.post("/problems/{problem_id}/progress", response={200: ProblemDetail, **REFUSALS})
def problem_progress_add(request: ApiRequest, problem_id: int, body: TextIn) -> Problem:
    """A progress line (the evidence files are uploaded on the problem's page)."""
    found = problem_get_for_user(user=request.user, pk=problem_id)
    problem_progress(user=request.user, problem=found, text=body.text)
    return problem_get_for_user(user=request.user, pk=problem_id)


class CloseoutIn(Schema):
    result: str = Field("", max_length=2000, pattern=TEXT)


@router.post("/problems/{problem_id}/closeout", response={200: ProblemDetail, **REFUSALS})
def problem_closeout(request: ApiRequest, problem_id: int, body: CloseoutIn) -> Problem:
    """销号申请: refused (409) without the rectification result and an evidence file."""
    found = problem_get_for_user(user=request.user, pk=problem_id)
    return problem_request_closeout(user=request.user, problem=found, result=body.result)


class VerifyIn(Schema):
    approve: bool
    reason: str = Field("", max_length=2000, pattern=TEXT, description="退回时必填")


@router.post("/problems/{problem_id}/verify", response={200: ProblemDetail, **REFUSALS})
def problem_verification(request: ApiRequest, problem_id: int, body: VerifyIn) -> Problem:
    """The level above closes the problem (approve) or sends it back with the reason."""
    user = request.user
    found = problem_get_for_user(user=user, pk=problem_id)
    if body.approve:
        return problem_verify(user=user, problem=found, note=body.reason)
    return problem_send_back(user=user, problem=found, reason=body.reason)


class ReasonIn(Schema):
    reason: str = Field("", max_length=2000, pattern=TEXT)


@router.post("/problems/{problem_id}/reopen", response={200: ProblemDetail, **REFUSALS})
def problem_reopening(request: ApiRequest, problem_id: int, body: ReasonIn) -> Problem:
    """A closed problem found again: rectification again, its history kept."""
    found = problem_get_for_user(user=request.user, pk=problem_id)
    return problem_reopen(user=request.user, problem=found, reason=body.reason)
