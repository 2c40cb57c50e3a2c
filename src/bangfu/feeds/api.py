"""The feeds app's API route: the department feeds bangfu accepts, with their columns."""

from typing import Any

from ninja import Router, Schema

from bangfu.accounts.api import ApiRequest
from bangfu.feeds.sources import FEEDS
from bangfu.feeds.sources.base import FeedSpec

router = Router(tags=["jobs"])


class FeedOut(Schema):
    code: str
    title: str
    department: str
    columns: list[str]
    keyed_by_person: bool

    @staticmethod
    def resolve_columns(obj: Any) -> list[str]:
        return [c.header for c in obj.all_columns]


@router.get("/feeds", response=list[FeedOut])
def feeds(request: ApiRequest) -> list[FeedSpec]:
    """The department feeds bangfu accepts, with their columns."""
    return list(FEEDS.values())
