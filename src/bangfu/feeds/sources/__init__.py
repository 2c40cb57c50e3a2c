"""Department feeds (部门数据), one module per source. Adding a source is copying a sibling:
a FeedSpec with its columns; the store, the template, the import and the rules pick it up."""

from __future__ import annotations

from bangfu.feeds.sources import (
    civil,
    disability,
    education,
    emergency,
    grid,
    housing,
    hr,
    medical,
    police,
    water,
)
from bangfu.feeds.sources.base import FeedSpec

FEEDS: dict[str, FeedSpec] = {
    m.SPEC.code: m.SPEC
    for m in (medical, civil, housing, water, education, hr, disability, emergency, police, grid)
}
