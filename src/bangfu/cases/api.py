"""The cases app's API routes: turning a warning into a lead (or dismissing it), the cases of
the user's region, one step of the chain, and what a scanned household code names.

(No `from __future__ import annotations` in the API modules: django-ninja reads the annotations
of the routes to build their schemas.)"""

import datetime as dt
import enum
from typing import Any, Literal

from django.db.models import QuerySet
from ninja import Field, Router, Schema
from ninja.pagination import paginate

from bangfu.accounts.api import ApiRequest
from bangfu.cases.cards import token_open
from bangfu.cases.chain import ACTIONS, api_description
from bangfu.cases.models import Case, Stage
from bangfu.cases.selectors import CaseFilters, case_get_for_user, case_list_for_user
from bangfu.cases.services import case_act, warning_decide
from bangfu.core.api import REFUSALS, Pages
from bangfu.core.errors import NotFound
from bangfu.monitoring.api import WarningOut
from bangfu.monitoring.models import RiskWarning
from bangfu.monitoring.selectors import warning_get_for_user
from bangfu.registry.selectors import household_in_scope

router = Router(tags=["cases"])


class StatusIn(Schema):
    status: Literal["dismissed", "lead"]
    reason: str = ""


@router.post(
    "/warnings/{warning_id}/status", response={200: WarningOut, **REFUSALS}, tags=["warnings"]
)
def warning_status(request: ApiRequest, warning_id: int, body: StatusIn) -> RiskWarning:
    """Dismiss a warning with a reason, or turn it into a lead (a case opens or joins)."""
    user = request.user
    warning = warning_get_for_user(user=user, pk=warning_id)
    return warning_decide(user=user, warning=warning, status=body.status, reason=body.reason)


class StepOut(Schema):
    action: str
    from_stage: str
    to_stage: str
    by: str
    at: dt.datetime
    note: str
    overdue: bool

    @staticmethod
    def resolve_by(obj: Any) -> str:
        return str(obj.by.username)


class CaseOut(Schema):
    id: int
    household_no: str
    stage: str
    channel: str
    due: dt.date | None
    category: str
    risk_types: list[str]
    relapse: bool

    @staticmethod
    def resolve_household_no(obj: Any) -> str:
        return str(obj.household.household_no)


class CaseDetail(CaseOut):
    steps: list[StepOut]

    @staticmethod
    def resolve_steps(obj: Any) -> list[Any]:
        return list(obj.steps.select_related("by"))


StageName = enum.Enum("StageName", {s.value: s.value for s in Stage}, type=str)  # type: ignore[misc]


@router.get("/cases", response=list[CaseOut])
@paginate(Pages, page_size=50)
def cases(
    request: ApiRequest, stage: StageName | None = None, village: str = "", overdue: bool = False
) -> QuerySet[Case]:
    filters = CaseFilters(stage=stage.value if stage else "", village=village, overdue=overdue)
    return case_list_for_user(user=request.user, filters=filters)


@router.get("/cases/{case_id}", response=CaseDetail)
def case(request: ApiRequest, case_id: int) -> Case:
    return case_get_for_user(user=request.user, pk=case_id)


ActionName = enum.Enum("ActionName", {name: name for name in ACTIONS}, type=str)  # type: ignore[misc]


class ActionIn(Schema):
    note: str = ""
    data: dict[str, Any] = Field(
        {}, description="The facts the action records:\n" + api_description()
    )


@router.post("/cases/{case_id}/actions/{action}", response={200: CaseDetail, **REFUSALS})
def case_action(request: ApiRequest, case_id: int, action: ActionName, body: ActionIn) -> Case:
    """One step of the identification or exit chain, as on the case page: refused (400, with
    the reason) unless the user has the step's role and the case is at the step's stage."""
    user = request.user
    found = case_get_for_user(user=user, pk=case_id)
    return case_act(user=user, case=found, action=str(action.value), note=body.note, data=body.data)


class QrOut(Schema):
    household_no: str | None
    village: str
    village_name: str


@router.get("/qr/{value}", response=QrOut)
def qr(request: ApiRequest, value: str) -> dict[str, Any]:
    """What a scanned household code names: the household number when it is in the user's
    region, otherwise only the village."""
    token = token_open(value)
    if token.revoked_at is not None:
        raise NotFound
    household = token.household
    return {
        "household_no": household.household_no
        if household_in_scope(user=request.user, household=household)
        else None,
        "village": household.village_id,
        "village_name": household.village.name,
    }
