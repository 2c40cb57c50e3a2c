"""The JSON API, version 1 (`/api/v1/`, OpenAPI at `/api/v1/openapi.json`). Token per user
(`Authorization: Bearer bf_...`, from `bangfu token create USER`). Every endpoint goes through
the same selectors and services as the web pages: the same region scope (out of scope is
404), the same refusals (400 with the reason), the same audit."""

import contextlib
import datetime as dt
import enum
from decimal import Decimal
from typing import Any, Literal

from django.core import signing
from django.db import OperationalError
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, File, Form, NinjaAPI, Schema, Status, UploadedFile
from ninja.pagination import PageNumberPagination, paginate
from ninja.security import HttpBearer

from bangfu.api.models import ApiToken, token_hash
from bangfu.cases.cards import token_open
from bangfu.cases.chain import ACTIONS
from bangfu.cases.dashboard import dashboard, dashboard_region
from bangfu.cases.models import HouseholdToken, Stage
from bangfu.cases.plans import (
    measure_update,
    measures_propose,
    plan_confirm,
    responsible_candidates,
)
from bangfu.cases.selectors import (
    CaseFilters,
    case_get_for_user,
    case_list_for_user,
    measure_get_for_user,
    tasks_for_user,
)
from bangfu.cases.services import CaseError, CaseForbidden, case_act
from bangfu.core.idcard import IdNumberError
from bangfu.feeds.sources import FEEDS
from bangfu.jobs.models import JobKind
from bangfu.jobs.services import (
    JobConflict,
    JobRefused,
    job_get_for_user,
    job_progress,
    job_start,
    jobs_for_user,
)
from bangfu.monitoring.models import MonitoringRun
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

USE_RECORDED_EVERY = dt.timedelta(minutes=10)


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        found = (
            ApiToken.objects.select_related("user", "user__region", "user__grid")
            .filter(key_hash=token_hash(token), revoked_at__isnull=True, user__is_active=True)
            .first()
        )
        if found is None:
            return None
        now = timezone.now()
        # at most every ten minutes, and never at the cost of the request: on SQLite a write
        # waits for a background import's transaction, and a client polls its job meanwhile
        if found.last_used_at is None or now - found.last_used_at > USE_RECORDED_EVERY:
            with contextlib.suppress(OperationalError):
                ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
        request.user = found.user
        return found.user


ERRORS = {
    "400": "请求无法解析（如请求体不是 JSON）",
    "401": "未认证：缺少或无效的令牌",
    "404": "不存在，或不在用户所辖区域内",
    "422": "参数格式不正确",
}


NO_NUL = "^[^\\x00]*$"


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
                # a NUL in a parameter is refused with 400 (RejectNulMiddleware): say so
                for parameter in operation.get("parameters", []):
                    kind = parameter.get("schema", {})
                    if kind.get("type") == "string" and not {"enum", "pattern"} & set(kind):
                        kind["pattern"] = NO_NUL
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


@api.get("/tasks", response=list[MeasureOut], tags=["cases"])
@paginate(Pages, page_size=50)
def tasks(request: HttpRequest) -> Any:
    """The measures the user is responsible for."""
    return tasks_for_user(user=request.user)  # type: ignore[arg-type]


# plans and measures (一户一策) ---------------------------------------------------------------
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


def _plan(case: Any) -> dict[str, Any]:
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


@api.get("/cases/{case_id}/plan", response=PlanOut, tags=["plans"])
def plan(request: HttpRequest, case_id: int) -> Any:
    """The case's plan: the catalogue's proposals for the household (with their reasons), who
    may carry a measure, and the measures confirmed so far."""
    return _plan(case_get_for_user(user=request.user, pk=case_id))  # type: ignore[arg-type]


class PlanItemIn(Schema):
    kind: str = Field(..., description="措施目录代码（见 proposals 的 kind_code）")
    responsible: int = Field(..., description="帮扶责任人的用户 id（见 candidates）")
    target: str
    deadline: dt.date
    reason: str = ""


class PlanIn(Schema):
    items: list[PlanItemIn] = Field(..., max_length=50)


@api.post(
    "/cases/{case_id}/plan",
    response={200: PlanOut, 403: Refused, 409: Refused},
    tags=["plans"],
)
def plan_confirm_api(request: HttpRequest, case_id: int, body: PlanIn) -> Any:
    """Confirm measures (all or none), as the village or township cadre does on the case
    page: each with its responsible person, target and deadline."""
    user = request.user
    found = case_get_for_user(user=user, pk=case_id)  # type: ignore[arg-type]
    plan_confirm(user=user, case=found, items=[i.dict() for i in body.items])  # type: ignore[arg-type]
    return _plan(found)


class MeasureUpdateIn(Schema):
    status: Literal["planned", "in_progress", "done", "cancelled"]
    amount: str = ""
    text: str = ""


@api.post(
    "/measures/{measure_id}",
    response={200: MeasureOut, 403: Refused, 409: Refused},
    tags=["plans"],
)
def measure_update_api(request: HttpRequest, measure_id: int, body: MeasureUpdateIn) -> Any:
    """Record a measure's progress or outcome, as its responsible person (or a cadre of the
    village) does on the task page."""
    user = request.user
    measure = measure_get_for_user(user=user, pk=measure_id)  # type: ignore[arg-type]
    return measure_update(
        user=user,  # type: ignore[arg-type]
        measure=measure,
        status=body.status,
        amount=body.amount,
        text=body.text,
    )


# background jobs: imports, department feeds, monitoring runs ---------------------------------
class JobOut(Schema):
    id: int
    kind: str
    status: str
    user: str
    region: str
    file_name: str
    params: dict[str, Any]
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    progress: dict[str, Any]
    result: dict[str, Any]
    error: str

    @staticmethod
    def resolve_user(obj: Any) -> str:
        return str(obj.user.username)

    @staticmethod
    def resolve_region(obj: Any) -> str:
        return str(obj.region_id)

    @staticmethod
    def resolve_error(obj: Any) -> str:
        return _(obj.error) if obj.error else ""

    @staticmethod
    def resolve_progress(obj: Any) -> dict[str, Any]:
        return job_progress(obj) if not obj.finished else {}


@api.exception_handler(JobRefused)
def job_refused(request: HttpRequest, exc: Exception) -> Any:
    return api.create_response(request, {"detail": str(exc)}, status=403)


@api.exception_handler(JobConflict)
def job_conflict(request: HttpRequest, exc: Exception) -> Any:
    return api.create_response(request, {"detail": str(exc)}, status=409)


def _queued(request: HttpRequest, kind: JobKind, params: dict[str, Any], file: Any) -> Any:
    if kind != JobKind.MONITORING_RUN and (file is None or not file.size):
        raise JobConflict(_("请选择要导入的文件（不能为空）"))
    job = job_start(
        user=request.user,  # type: ignore[arg-type]
        kind=kind,
        params=params,
        upload=file,
        file_name=file.name if file is not None else "",
    )
    return Status(202, job)


JOB_ANSWERS = {202: JobOut, 403: Refused, 409: Refused}


@api.post("/imports/households", response=JOB_ANSWERS, tags=["jobs"])
def import_households(
    request: HttpRequest, file: File[UploadedFile | None] = None, skip_invalid: Form[bool] = False
) -> Any:
    """Queue a household import (.xlsx or .csv, the import template's columns): 202 with the
    job; poll `/jobs/{id}` for its progress and report. Without a file, or an empty one, 409."""
    return _queued(request, JobKind.HOUSEHOLD_IMPORT, {"skip_invalid": skip_invalid}, file)


class FeedOut(Schema):
    code: str
    title: str
    department: str
    columns: list[str]
    keyed_by_person: bool

    @staticmethod
    def resolve_columns(obj: Any) -> list[str]:
        return [c.header for c in obj.all_columns]


@api.get("/feeds", response=list[FeedOut], tags=["jobs"])
def feeds(request: HttpRequest) -> Any:
    """The department feeds bangfu accepts, with their columns."""
    return list(FEEDS.values())


FeedCode = enum.Enum("FeedCode", {code: code for code in FEEDS}, type=str)  # type: ignore[misc]


@api.post("/feeds/{dept}", response=JOB_ANSWERS, tags=["jobs"])
def feed_load(request: HttpRequest, dept: FeedCode, file: File[UploadedFile | None] = None) -> Any:
    """Queue a department feed load (county officers and department officers at county
    level): 202 with the job."""
    return _queued(request, JobKind.FEED_IMPORT, {"dept": str(dept.value)}, file)


class RunIn(Schema):
    period: str = Field(
        "", pattern=r"^([0-9]{4}-(0[1-9]|1[0-2]))?$", description="YYYY-MM，默认本月"
    )


class RunOut(Schema):
    id: int
    period: str
    engine: str
    policy_version: str
    started_at: dt.datetime
    finished_at: dt.datetime | None
    summary: dict[str, Any]


@api.post("/monitoring/runs", response=JOB_ANSWERS, tags=["jobs"])
def monitoring_run_start(request: HttpRequest, body: RunIn) -> Any:
    """Queue a monitoring run (county officers; one at a time): 202 with the job."""
    return _queued(request, JobKind.MONITORING_RUN, {"period": body.period}, None)


@api.get("/monitoring/runs", response=list[RunOut], tags=["jobs"])
@paginate(Pages, page_size=20)
def monitoring_runs(request: HttpRequest) -> Any:
    """The monitoring runs so far, newest first, with their county-wide counts."""
    if not request.user.can_read_registry:  # type: ignore[union-attr]
        return MonitoringRun.objects.none()
    return MonitoringRun.objects.all()


@api.get("/monitoring/runs/{run_id}", response=RunOut, tags=["jobs"])
def monitoring_run(request: HttpRequest, run_id: int) -> Any:
    run = MonitoringRun.objects.filter(pk=run_id).first()
    if run is None or not request.user.can_read_registry:  # type: ignore[union-attr]
        raise Http404
    return run


@api.get("/jobs", response=list[JobOut], tags=["jobs"])
@paginate(Pages, page_size=50)
def jobs(request: HttpRequest) -> Any:
    """The user's jobs (county officers and township cadres: their region's)."""
    return jobs_for_user(request.user)  # type: ignore[arg-type]


@api.get("/jobs/{job_id}", response=JobOut, tags=["jobs"])
def job(request: HttpRequest, job_id: int) -> Any:
    """A job: its status, its progress while it runs, its result when it has ended."""
    return job_get_for_user(request.user, job_id)  # type: ignore[arg-type]


# dashboard ---------------------------------------------------------------------------------
@api.get("/dashboard", response=dict[str, Any], tags=["dashboard"])
def dashboard_api(request: HttpRequest, region: str = "") -> Any:
    """The numbers of the dashboard page, for the user's region or one inside it (`region`):
    households in monitoring by category and risk type, pending warnings by source, overdue
    steps, entries and exits by month, measures by kind and status, the year's results, and
    the regions below."""
    user = request.user
    return dashboard(user=user, region=dashboard_region(user=user, code=region))  # type: ignore[arg-type]


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
