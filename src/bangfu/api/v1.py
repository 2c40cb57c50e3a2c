"""The JSON API, version 1 (`/api/v1/`, OpenAPI at `/api/v1/openapi.json`). Token per user
(`Authorization: Bearer bf_...`, from `bangfu token create USER`). Each app keeps its routes in
`<app>/api.py` and they are mounted here; every endpoint goes through the same selectors and
services as the web pages: the same region scope (out of scope is 404), the same refusals
(403 for a role, 409 for the rules, with the reason), the same audit."""

import contextlib
import datetime as dt
from typing import Any

from django.db import OperationalError
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import NinjaAPI
from ninja.operation import Operation
from ninja.security import HttpBearer

from bangfu.accounts.api import router as regions_router
from bangfu.accounts.models import User
from bangfu.api.models import ApiToken, token_hash
from bangfu.assessment.api import router as assessment_router
from bangfu.assistance.api import router as assistance_router
from bangfu.cases.api import router as cases_router
from bangfu.core.errors import BadParameter, DomainError, Forbidden, NotFound
from bangfu.feeds.api import router as feeds_router
from bangfu.jobs.api import router as jobs_router
from bangfu.monitoring.api import router as monitoring_router
from bangfu.registry.api import router as registry_router
from bangfu.supervision.api import router as supervision_router
from bangfu.supervision.points_api import router as points_router
from bangfu.supervision.teams_api import router as teams_router

USE_RECORDED_EVERY = dt.timedelta(minutes=10)


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> User | None:
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

    def get_openapi_operation_id(self, operation: Operation) -> str:
        """The ids the document had before the routes moved to their apps' routers."""
        return f"bangfu_api_v1_{operation.view_func.__name__}"

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
    description="防止返贫动态监测和帮扶：农户、预警、监测帮扶（按用户所辖区域）",
    auth=TokenAuth(),
    urls_namespace="api-v1",
    # the interactive docs (Swagger UI) from ninja's own static files: "ninja" is an installed
    # app, so no CDN; its page keeps to the site's CSP (no inline script)
    docs_url="/docs",
)


@api.exception_handler(DomainError)
def refused(request: HttpRequest, exc: DomainError) -> HttpResponse:
    """The API's one mapping of the services' refusals: 404 out of scope, 403 for the user's
    role, 409 for the rules (wrong stage, missing facts, already handled), with the reason."""
    status = (
        404
        if isinstance(exc, NotFound)
        else 403
        if isinstance(exc, Forbidden)
        else 400
        if isinstance(exc, BadParameter)
        else 409
    )
    return api.create_response(request, {"detail": str(exc)}, status=status)


# the routers, in the order of the layers; each app's routes are its own
for router in (
    regions_router,
    registry_router,
    monitoring_router,
    cases_router,
    assistance_router,
    supervision_router,
    teams_router,
    assessment_router,
    points_router,
    feeds_router,
    jobs_router,
):
    api.add_router("", router)
