"""The JSON API, version 1 (`/api/v1/`, OpenAPI at `/api/v1/openapi.json`). Token per user
(`Authorization: Bearer bf_...`, from `bangfu token create USER`). Every endpoint goes through
the same selectors and services as the web pages: the same region scope (out of scope is
404), the same refusals (400 with the reason), the same audit."""

import datetime as dt
import enum
from typing import Any, Literal

from django.core import signing
from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Field, NinjaAPI, Schema
from ninja.pagination import PageNumberPagination, paginate
from ninja.security import HttpBearer

from bangfu.api.models import ApiToken, token_hash
from bangfu.cases.cards import token_open
from bangfu.cases.chain import ACTIONS
from bangfu.cases.models import HouseholdToken, Stage
from bangfu.cases.selectors import (
    CaseFilters,
    case_get_for_user,
    case_list_for_user,
    tasks_for_user,
)
from bangfu.cases.services import CaseError, CaseForbidden, case_act
from bangfu.core.idcard import IdNumberError
from bangfu.monitoring.selectors import WarningFilters, warning_get_for_user, warning_list_for_user
from bangfu.monitoring.services import MonitoringError, warning_set_status
from bangfu.regions.models import Region
from bangfu.registry.selectors import (
    HouseholdFilters,
    household_get_for_user,
    household_list_for_user,
    households_in_scope,
    member_get_for_user,
    member_id_unmasked,
)


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        found = (
            ApiToken.objects.select_related("user", "user__region", "user__grid")
            .filter(key_hash=token_hash(token), revoked_at__isnull=True, user__is_active=True)
            .first()
        )
        if found is None:
            return None
        ApiToken.objects.filter(pk=found.pk).update(last_used_at=timezone.now())
        request.user = found.user
        return found.user


ERRORS = {
    "400": "请求无法解析（如请求体不是 JSON）",
    "401": "未认证：缺少或无效的令牌",
    "404": "不存在，或不在用户所辖区域内",
    "422": "参数格式不正确",
}


class BangfuAPI(NinjaAPI):
    """Every operation documents the answers every operation can give: 400 for a body that
    cannot be parsed, 401 without a valid token, 404 outside the user's region, 422 for
    malformed parameters."""

    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> Any:
        schema = super().get_openapi_schema(*args, **kwargs)
        error = {
            "content": {
                "application/json": {
                    "schema": {
                        "type": "object",
                        "properties": {"detail": {}},
                        "required": ["detail"],
                    }
                }
            }
        }
        for path in schema["paths"].values():
            for operation in path.values():
                for code, text in ERRORS.items():
                    operation["responses"].setdefault(code, {"description": text, **error})
        return schema


api = BangfuAPI(
    title="bangfu API",
    version="1",
    description="防止返贫动态监测和帮扶：农户、预警、监测帮扶案例（按用户所辖区域）",
    auth=TokenAuth(),
    urls_namespace="api-v1",
    docs_url=None,  # the interactive docs load from a CDN; the OpenAPI document is enough
)


class Pages(PageNumberPagination):
    """Page numbers and sizes within bounds a database can address (a page number of 10^24 is
    refused with 422, not passed on as an offset)."""

    class Input(Schema):
        page: int = Field(1, ge=1, le=1_000_000)
        page_size: int | None = Field(None, ge=1, le=200)


class Refused(Schema):
    detail: str


@api.exception_handler(CaseError)
@api.exception_handler(MonitoringError)
def refused(request: HttpRequest, exc: Exception) -> Any:
    """A refusal by the rules: 403 for the user's role, 409 for the state of the case or
    warning (wrong stage, missing facts, already handled), with the reason."""
    status = 403 if isinstance(exc, CaseForbidden) else 409
    return api.create_response(request, {"detail": str(exc)}, status=status)


# regions -----------------------------------------------------------------------------------
class RegionOut(Schema):
    code: str
    name: str
    level: int


@api.get("/regions", response=list[RegionOut], tags=["regions"])
@paginate(Pages, page_size=100)
def regions(request: HttpRequest, parent: str = "") -> Any:
    """The regions directly under `parent` (default: the user's own region), inside the
    user's region."""
    user = request.user
    if user.region is None:  # type: ignore[union-attr]
        return Region.objects.none()
    base = user.region  # type: ignore[union-attr]
    if parent and not base.contains(parent):
        raise Http404
    return Region.objects.filter(parent_id=parent or base.code).order_by("code")


# households --------------------------------------------------------------------------------
class MemberOut(Schema):
    id: int
    name: str
    relation: str
    id_masked: str
    health: str
    labour: str
    schooling: str


class HouseholdOut(Schema):
    household_no: str
    village: str
    village_name: str
    category: str
    formerly_poor: bool
    assistance: str

    @staticmethod
    def resolve_village(obj: Any) -> str:
        return str(obj.village_id)

    @staticmethod
    def resolve_village_name(obj: Any) -> str:
        return str(obj.village.name)


class HouseholdDetail(HouseholdOut):
    members: list[MemberOut]

    @staticmethod
    def resolve_members(obj: Any) -> list[Any]:
        return list(obj.members.all())


@api.get("/households", response=list[HouseholdOut], tags=["households"])
@paginate(Pages, page_size=50)
def households(request: HttpRequest, q: str = "", village: str = "") -> Any:
    """Households in the user's region; `q` is a name, household number, last ID digits or a
    whole ID number."""
    filters = HouseholdFilters(q=q, village=village)
    return household_list_for_user(user=request.user, filters=filters).select_related(  # type: ignore[arg-type]
        "village"
    )


@api.get("/households/{household_no}", response=HouseholdDetail, tags=["households"])
def household(request: HttpRequest, household_no: str) -> Any:
    return household_get_for_user(user=request.user, household_no=household_no)  # type: ignore[arg-type]


class IdNumberOut(Schema):
    id_number: str


@api.post(
    "/households/{household_no}/members/{member_id}/id-number",
    response=IdNumberOut,
    tags=["households"],
)
def member_unmask(request: HttpRequest, household_no: str, member_id: int) -> Any:
    """The whole ID number, for roles that may unmask; every call is audited."""
    user = request.user
    member = member_get_for_user(user=user, member_id=member_id)  # type: ignore[arg-type]
    if member.household.household_no != household_no or not user.can_unmask:  # type: ignore[union-attr]
        raise Http404
    try:
        return {"id_number": member_id_unmasked(user=user, member=member)}  # type: ignore[arg-type]
    except IdNumberError:
        raise Http404 from None


# warnings ----------------------------------------------------------------------------------
class WarningOut(Schema):
    id: int
    household_no: str
    period: str
    rule_id: str
    rule_title: str
    risk_types: list[str]
    category: str
    status: str
    evidence: list[dict[str, Any]]

    @staticmethod
    def resolve_household_no(obj: Any) -> str:
        return str(obj.household.household_no)


@api.get("/warnings", response=list[WarningOut], tags=["warnings"])
@paginate(Pages, page_size=50)
def warnings(
    request: HttpRequest, period: str = "", rule: str = "", status: str = "", village: str = ""
) -> Any:
    filters = WarningFilters(period=period, rule=rule, status=status, village=village)
    return warning_list_for_user(user=request.user, filters=filters)  # type: ignore[arg-type]


class StatusIn(Schema):
    status: Literal["dismissed", "lead"]
    reason: str = ""


@api.post(
    "/warnings/{warning_id}/status",
    response={200: WarningOut, 403: Refused, 409: Refused},
    tags=["warnings"],
)
def warning_status(request: HttpRequest, warning_id: int, body: StatusIn) -> Any:
    """Dismiss a warning with a reason, or turn it into a lead (a case opens or joins)."""
    user = request.user
    warning = warning_get_for_user(user=user, pk=warning_id)  # type: ignore[arg-type]
    return warning_set_status(user=user, warning=warning, status=body.status, reason=body.reason)


# cases -------------------------------------------------------------------------------------
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


@api.get("/cases", response=list[CaseOut], tags=["cases"])
@paginate(Pages, page_size=50)
def cases(
    request: HttpRequest, stage: StageName | None = None, village: str = "", overdue: bool = False
) -> Any:
    filters = CaseFilters(stage=stage.value if stage else "", village=village, overdue=overdue)
    return case_list_for_user(user=request.user, filters=filters)  # type: ignore[arg-type]


@api.get("/cases/{case_id}", response=CaseDetail, tags=["cases"])
def case(request: HttpRequest, case_id: int) -> Any:
    return case_get_for_user(user=request.user, pk=case_id)  # type: ignore[arg-type]


ActionName = enum.Enum("ActionName", {name: name for name in ACTIONS}, type=str)  # type: ignore[misc]


class ActionIn(Schema):
    note: str = ""
    data: dict[str, Any] = {}


@api.post(
    "/cases/{case_id}/actions/{action}",
    response={200: CaseDetail, 403: Refused, 409: Refused},
    tags=["cases"],
)
def case_action(request: HttpRequest, case_id: int, action: ActionName, body: ActionIn) -> Any:
    """One step of the identification or exit chain, as on the case page: refused (400, with
    the reason) unless the user has the step's role and the case is at the step's stage."""
    user = request.user
    found = case_get_for_user(user=user, pk=case_id)  # type: ignore[arg-type]
    return case_act(user=user, case=found, action=str(action.value), note=body.note, data=body.data)  # type: ignore[arg-type]


class MeasureOut(Schema):
    id: int
    household_no: str
    kind: str
    target: str
    deadline: dt.date
    status: str

    @staticmethod
    def resolve_household_no(obj: Any) -> str:
        return str(obj.case.household.household_no)

    @staticmethod
    def resolve_kind(obj: Any) -> str:
        return str(obj.kind.name)


@api.get("/tasks", response=list[MeasureOut], tags=["cases"])
@paginate(Pages, page_size=50)
def tasks(request: HttpRequest) -> Any:
    """The measures the user is responsible for."""
    return tasks_for_user(user=request.user)  # type: ignore[arg-type]


# QR ----------------------------------------------------------------------------------------
class QrOut(Schema):
    household_no: str | None
    village: str
    village_name: str


@api.get("/qr/{value}", response=QrOut, tags=["cases"])
def qr(request: HttpRequest, value: str) -> Any:
    """What a scanned household code names: the household number when it is in the user's
    region, otherwise only the village."""
    try:
        token = token_open(value)
    except (signing.BadSignature, HouseholdToken.DoesNotExist):
        raise Http404 from None
    if token.revoked_at is not None:
        raise Http404
    household = token.household
    in_scope = households_in_scope(user=request.user).filter(pk=household.pk).exists()  # type: ignore[arg-type]
    return {
        "household_no": household.household_no if in_scope else None,
        "village": household.village_id,
        "village_name": household.village.name,
    }
