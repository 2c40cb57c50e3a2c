"""The API's view of the user's region: the regions under it, for pickers."""

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Router, Schema
from ninja.pagination import paginate

from bangfu.accounts.access import access_for
from bangfu.accounts.models import User
from bangfu.core.api import Pages
from bangfu.core.errors import NotFound
from bangfu.regions.models import Region

router = Router(tags=["regions"])


class ApiRequest(HttpRequest):
    """A request the token auth let through: its user is an account."""

    user: User


class RegionOut(Schema):
    code: str
    name: str
    level: int


@router.get("/regions", response=list[RegionOut])
@paginate(Pages, page_size=100)
def regions(request: ApiRequest, parent: str = "") -> QuerySet[Region]:
    """The regions directly under `parent` (default: the user's own region), inside the
    user's region."""
    access = access_for(request.user)
    if access.region is None:
        return Region.objects.none()
    if parent and not access.contains(parent):
        raise NotFound
    return Region.objects.filter(parent_id=parent or access.region.code).order_by("code")
