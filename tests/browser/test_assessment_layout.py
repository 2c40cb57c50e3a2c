"""The assessment pages on a phone and a desktop, in a real browser (as tests/browser/
test_layout.py measures the others): the ranking, with a column per dimension, and the
scorecard, whose rows carry the assessor's forms, must not be wider than the viewport and must
label every cell a phone shows as a card line. Screenshots go to test-output/browser/."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from tests.browser.support import require_chromium
from tests.browser.test_layout import SIZES, fits, sign_in, visit
from tests.conftest import VILLAGE
from tests.web.test_assessment_pages import SCHEME

require_chromium()

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

TODAY = dt.date(2026, 10, 15)


@pytest.fixture
def scored(people: dict[str, Any], settings: Any, tmp_path: Any) -> dict[str, Any]:
    """The third quarter's assessment of the villages, 官庄村's files scored with a deduction."""
    from bangfu.assessment.services import assessment_open, scheme_load, score_set

    settings.HOME = tmp_path
    county = people["county"]
    scheme = scheme_load(user=county, text=SCHEME)
    assessment = assessment_open(
        user=county, scheme=scheme, period="quarter", quarter=3, today=TODAY
    )
    subject = assessment.subjects.get(region_id=VILLAGE)
    score = subject.scores.get(indicator__key="files_complete")
    note = "两户档案缺收入核查表，一户帮扶手册未按月填写，" * 3  # a long note must wrap
    score_set(
        user=people["township"],
        score=score,
        points=Decimal("27.5"),
        way="ledger",
        note=note,
        today=TODAY,
    )
    return {"assessment": assessment, "subject": subject}


# page, who looks at it, its path, what it must show
PAGES = {
    "assessment-ranking": ("county", lambda d: f"/assessments/{d['assessment'].pk}/", "官庄村"),
    "assessment-card": (
        "township",
        lambda d: f"/assessments/{d['assessment'].pk}/subjects/{d['subject'].pk}/",
        "两户档案缺收入核查表",
    ),
    "assessment-list": ("county", lambda d: "/assessments/", "测试县村级考核方案"),
}


@pytest.mark.parametrize("name", sorted(PAGES))
def test_the_assessment_pages_fit_a_phone_and_a_desktop(
    browser: Any, live_server: Any, scored: dict[str, Any], name: str
) -> None:
    role, path, shows = PAGES[name]
    page = sign_in(browser, live_server, role)
    try:
        for size in SIZES:
            visit(page, live_server.url + path(scored), size)
            assert shows in page.inner_text("main"), f"{name}: {shows!r} not on the page"
            fits(page, name, role, size)
    finally:
        page.context.close()


def test_the_assessors_form_opens_inside_a_phone(
    browser: Any, live_server: Any, scored: dict[str, Any]
) -> None:
    """Opened on a phone, the scoring form of a card's row (points, way, note, evidence with
    the camera) lies within the screen."""
    page = sign_in(browser, live_server, "township")
    try:
        a, s = scored["assessment"], scored["subject"]
        visit(page, f"{live_server.url}/assessments/{a.pk}/subjects/{s.pk}/", "phone")
        summary = page.locator("table.scorecard details summary").first
        summary.click()
        form = page.locator("table.scorecard details[open] form").first
        assert form.is_visible() and form.locator("input[type=file]").count() == 1
        fits(page, "assessment-card-form", "township", "phone")
    finally:
        page.context.close()
