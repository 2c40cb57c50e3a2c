"""What every app's API router shares (each app keeps its routes and schemas in
`<app>/api.py`; the NinjaAPI that mounts them, token auth and the mapping of refusals are in
bangfu.api)."""

from ninja import Field, Schema
from ninja.pagination import PageNumberPagination


class Pages(PageNumberPagination):
    """Page numbers and sizes within bounds a database can address (a page number of 10^24 is
    refused with 422, not passed on as an offset)."""

    class Input(Schema):
        page: int = Field(1, ge=1, le=1_000_000)
        page_size: int | None = Field(None, ge=1, le=200)


class Refused(Schema):
    detail: str


# the answers of a route that writes, besides 200: refused by role, or by the rules
REFUSALS: dict[int, type[Schema]] = {403: Refused, 409: Refused}
