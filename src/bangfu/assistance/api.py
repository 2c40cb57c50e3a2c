"""The assistance app's API routes: a responsible person's tasks, a case's plan (一户一策) and
its confirmation, a measure's progress, and the dashboard's numbers."""

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from django.db.models import QuerySet
from ninja import Field, Router, Schema
from ninja.pagination import paginate

from bangfu.accounts.api import ApiRequest
from bangfu.assistance.dashboard import dashboard, dashboard_region
from bangfu.assistance.models import Measure
from bangfu.assistance.selectors import (
    measure_get_for_user,
    measures_propose,
    responsible_candidates,
    tasks_for_user,
)
from bangfu.assistance.services import measure_update, plan_confirm
from bangfu.cases.models import Case
from bangfu.cases.selectors import case_get_for_user
from bangfu.core.api import REFUSALS, Pages

router = Router(tags=["plans"])


class MeasureOut(Schema):
    id: int
    case_id: int
    household_no: str
    kind: str
    kind_code: str
    reason: str
    responsible: str
    target: str
    deadline: dt.date
    status: str
    outcome_amount: Decimal | None
    outcome_text: str
    done_on: dt.date | None

    @staticmethod
    def resolve_responsible(obj: Any) -> str:
        return str(obj.responsible.username)

    @staticmethod
    def resolve_kind_code(obj: Any) -> str:
        return str(obj.kind.code)

    @staticmethod
    def resolve_household_no(obj: Any) -> str:
        return str(obj.case.household.household_no)

    @staticmethod
    def resolve_kind(obj: Any) -> str:
        return str(obj.kind.name)


@router.get("/tasks", response=list[MeasureOut], tags=["cases"])
@paginate(Pages, page_size=50)
def tasks(request: ApiRequest) -> QuerySet[Measure]:
    """The measures the user is responsible for."""
    return tasks_for_user(user=request.user)


class ProposalOut(Schema):
    kind_code: str
    kind: str
    reason: str


class CandidateOut(Schema):
    id: int
    username: str
    name: str
    role: str


class PlanOut(Schema):
    case_id: int
    stage: str
    proposals: list[ProposalOut]
    candidates: list[CandidateOut]
    measures: list[MeasureOut]


def _plan(case: Case) -> dict[str, Any]:
    return {
        "case_id": case.pk,
        "stage": case.stage,
        "proposals": [
            {"kind_code": p.kind.code, "kind": p.kind.name, "reason": p.reason}
            for p in measures_propose(case=case)
        ],
        "candidates": [
            {"id": u.pk, "username": u.username, "name": u.display_name, "role": u.role}
            for u in responsible_candidates(case=case)
        ],
        "measures": list(
            case.measures.select_related("kind", "responsible", "case__household").order_by("pk")
        ),
    }


@router.get("/cases/{case_id}/plan", response=PlanOut)
def plan(request: ApiRequest, case_id: int) -> dict[str, Any]:
    """The case's plan: the catalogue's proposals for the household (with their reasons), who
    may carry a measure, and the measures confirmed so far."""
    return _plan(case_get_for_user(user=request.user, pk=case_id))


class PlanItemIn(Schema):
    kind: str = Field(..., description="措施目录代码（见 proposals 的 kind_code）")
    responsible: int = Field(..., description="帮扶责任人的用户 id（见 candidates）")
    target: str
    deadline: dt.date
    reason: str = ""


class PlanIn(Schema):
    items: list[PlanItemIn] = Field(..., max_length=50)


@router.post("/cases/{case_id}/plan", response={200: PlanOut, **REFUSALS})
def plan_confirm_api(request: ApiRequest, case_id: int, body: PlanIn) -> dict[str, Any]:
    """Confirm measures (all or none), as the village or township cadre does on the case
    page: each with its responsible person, target and deadline."""
    user = request.user
    found = case_get_for_user(user=user, pk=case_id)
    plan_confirm(user=user, case=found, items=[i.dict() for i in body.items])
    return _plan(found)


class MeasureUpdateIn(Schema):
    status: Literal["planned", "active", "done", "cancelled"]  # MeasureStatus
    amount: str = ""
    text: str = ""


@router.post("/measures/{measure_id}", response={200: MeasureOut, **REFUSALS})
def measure_update_api(request: ApiRequest, measure_id: int, body: MeasureUpdateIn) -> Measure:
    """Record a measure's progress or outcome, as its responsible person (or a cadre of the
    village) does on the task page."""
    user = request.user
    measure = measure_get_for_user(user=user, pk=measure_id)
    return measure_update(
        user=user, measure=measure, status=body.status, amount=body.amount, text=body.text
    )


@router.get("/dashboard", response=dict[str, Any], tags=["dashboard"])
def dashboard_api(request: ApiRequest, region: str = "") -> dict[str, Any]:
    """The numbers of the dashboard page, for the user's region or one inside it (`region`):
    households in monitoring by category and risk type, pending warnings by source, overdue
    steps, entries and exits by month, measures by kind and status, the year's results, and
    the regions below."""
    user = request.user
    return dashboard(user=user, region=dashboard_region(user=user, code=region))
