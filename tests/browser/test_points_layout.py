"""The village points pages on a phone and a desktop, in a real browser (as tests/browser/
test_layout.py measures the others): the list and ranking with the cadre's forms, and a
household's history, must not be wider than the viewport and must label every cell a phone
shows as a card line. Screenshots go to test-output/browser/."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.support import require_chromium
from tests.browser.test_layout import SIZES, fits, sign_in, visit
from tests.conftest import VILLAGE, household_rows
from tests.supervision.test_points import A, B, _earn, _item, _redeem

require_chromium()

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def points(people: dict[str, Any], make_households: Any) -> dict[str, Any]:
    """官庄村's list with a long item, two households' entries, a redemption."""
    make_households(household_rows(A), household_rows(B))
    labour = _item(people)
    _item(people, name="孝老爱亲、邻里互助、移风易俗、庭院整洁等文明实践活动表现突出", points=10)
    _earn(people, labour, A)
    _earn(people, labour, B)
    _redeem(people, A, 3)
    return {"village": VILLAGE}


# page, who looks at it, its path, what it must show
PAGES = {
    "points-list": ("village", lambda d: "/points/", "参加义务劳动"),
    "points-ranking": ("township", lambda d: f"/points/?village={d['village']}", "积分排名"),
    "points-household": ("village", lambda d: f"/points/households/{A}/", "食用油"),
}


@pytest.mark.parametrize("name", sorted(PAGES))
def test_the_points_pages_fit_a_phone_and_a_desktop(
    browser: Any, live_server: Any, points: dict[str, Any], name: str
) -> None:
    role, path, shows = PAGES[name]
    page = sign_in(browser, live_server, role)
    try:
        for size in SIZES:
            visit(page, live_server.url + path(points), size)
            assert shows in page.inner_text("main"), f"{name}: {shows!r} not on the page"
            fits(page, name, role, size)
    finally:
        page.context.close()
