"""The registry's API routes: households in the user's region, and a member's whole ID number
for the roles that may unmask (audited)."""

from typing import Any

from django.db.models import QuerySet
from ninja import Router, Schema
from ninja.pagination import paginate

from bangfu.accounts.access import access_for
from bangfu.accounts.api import ApiRequest
from bangfu.core.api import Pages
from bangfu.core.errors import NotFound
from bangfu.core.idcard import IdNumberError
from bangfu.registry.models import Household
from bangfu.registry.selectors import (
    HouseholdFilters,
    household_get_for_user,
    household_list_for_user,
    member_get_for_user,
    member_id_unmasked,
)

router = Router(tags=["households"])


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


@router.get("/households", response=list[HouseholdOut])
@paginate(Pages, page_size=50)
def households(request: ApiRequest, q: str = "", village: str = "") -> QuerySet[Household]:
    """Households in the user's region; `q` is a name, household number, last ID digits or a
    whole ID number."""
    filters = HouseholdFilters(q=q, village=village)
    return household_list_for_user(user=request.user, filters=filters).select_related("village")


@router.get("/households/{household_no}", response=HouseholdDetail)
def household(request: ApiRequest, household_no: str) -> Household:
    return household_get_for_user(user=request.user, household_no=household_no)


class IdNumberOut(Schema):
    id_number: str


@router.post("/households/{household_no}/members/{member_id}/id-number", response=IdNumberOut)
def member_unmask(request: ApiRequest, household_no: str, member_id: int) -> dict[str, str]:
    """The whole ID number, for roles that may unmask; every call is audited."""
    user = request.user
    member = member_get_for_user(user=user, member_id=member_id)
    if member.household.household_no != household_no or not access_for(user).may_unmask:
        raise NotFound
    try:
        return {"id_number": member_id_unmasked(user=user, member=member)}
    except IdNumberError:
        raise NotFound from None
