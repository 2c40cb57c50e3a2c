"""The monitoring app's API routes: the warnings of the user's region with their evidence."""

from typing import Any, Literal

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
    watch: bool  # on the watch list (重点关注), not a new lead
    priority: int  # the household's: highest severity x 100 + probability (%)
    evidence: list[dict[str, Any]]

    @staticmethod
    def resolve_household_no(obj: Any) -> str:
        return str(obj.household.household_no)


@router.get("/warnings", response=list[WarningOut])
@paginate(Pages, page_size=50)
def warnings(
    request: ApiRequest,
    period: str = "",
    rule: str = "",
    status: str = "",
    village: str = "",
    listed: Literal["", "lead", "watch"] = "",
) -> QuerySet[RiskWarning]:
    """The region's warnings, by priority; `listed=lead` the new leads to verify, `listed=watch`
    the watch list (重点关注)."""
    filters = WarningFilters(
        period=period, rule=rule, status=status, village=village, listed=listed
    )
    return warning_list_for_user(user=request.user, filters=filters)
