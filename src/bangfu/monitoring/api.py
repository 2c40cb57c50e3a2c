"""The monitoring app's API routes: the warnings of the user's region with their evidence."""

from typing import Any

from django.db.models import QuerySet
from ninja import Router, Schema
from ninja.pagination import paginate

from bangfu.accounts.api import ApiRequest
from bangfu.core.api import Pages
from bangfu.monitoring.models import RiskWarning
from bangfu.monitoring.selectors import WarningFilters, warning_list_for_user

router = Router(tags=["warnings"])


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


@router.get("/warnings", response=list[WarningOut])
@paginate(Pages, page_size=50)
def warnings(
    request: ApiRequest, period: str = "", rule: str = "", status: str = "", village: str = ""
) -> QuerySet[RiskWarning]:
    filters = WarningFilters(period=period, rule=rule, status=status, village=village)
    return warning_list_for_user(user=request.user, filters=filters)
