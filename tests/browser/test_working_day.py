"""The cadre's working day in a real browser (issue 12): the to-do home leads to the work, the
warnings list turns several households into leads at once, a photo taken at verification is
uploaded from the case page, and the demo's case whose notice has just ended is taken from
the pages alone through township review and county decision into monitoring."""

from __future__ import annotations

import io
import tomllib
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from PIL import Image

from bangfu.cases.models import Attachment, Case, Channel, Stage
from bangfu.monitoring.models import RiskWarning, WarningStatus
from bangfu.registry.models import Household
from tests.browser.support import OUT, require_chromium
from tests.conftest import PASSWORD, household_rows, housing_warning

require_chromium()

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

CATALOGUE = Path(__file__).resolve().parents[2] / "src/bangfu/assistance/catalogue.toml"
PHONE = {"width": 390, "height": 844}


def signed_in(browser: Any, live_server: Any, username: str, password: str = PASSWORD) -> Any:
    context = browser.new_context(viewport=PHONE, locale="zh-CN")
    page = context.new_page()
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login/" not in url)
    return page


def shot(page: Any, name: str) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(OUT / f"{name}.png"), full_page=True)


def no_overflow(page: Any) -> None:
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width} px wide on a phone"


@pytest.fixture
def village_world(people: dict[str, Any], make_households: Any) -> list[Household]:
    """Three households of 官庄村 with a new housing warning each (the monthly list)."""
    households = make_households(*(household_rows(f"140123100206900{n}") for n in (1, 2, 3)))
    for h in households:
        housing_warning(h)
    return households


def test_home_lists_the_leads_and_the_warnings_bulk_action_opens_them(
    browser: Any, live_server: Any, village_world: list[Household]
) -> None:
    first, second, third = village_world
    page = signed_in(browser, live_server, "village")
    # the to-do home: warnings waiting triage, named by the head, linking to the list
    assert page.url.rstrip("/") == live_server.url
    assert first.head_name and first.head_name in page.inner_text("main")
    no_overflow(page)
    shot(page, "working-day-home-village-phone")
    page.goto(f"{live_server.url}/warnings/?listed=lead")
    rows = page.locator("table.list tbody tr")
    assert rows.count() == 3  # one row per household, not per rule
    page.check(f"input[name=household][value='{first.pk}']")
    page.check(f"input[name=household][value='{second.pk}']")
    page.click("button[name=status][value=lead]")
    page.wait_for_load_state()
    message = page.locator(".messages li.success")
    assert message.count() == 1
    assert "2" in message.inner_text()
    shot(page, "working-day-warnings-bulk-phone")
    opened = Case.objects.filter(household__in=[first, second], stage=Stage.LEAD)
    assert opened.count() == 2
    assert not RiskWarning.objects.filter(
        household__in=[first, second], status=WarningStatus.NEW
    ).exists()
    assert RiskWarning.objects.get(household=third).status == WarningStatus.NEW
    # the message links to the leads; the home now counts them as leads to verify
    page.click(".messages li.success a")
    page.wait_for_load_state()
    assert first.head_name in page.inner_text("main")
    page.goto(live_server.url + "/")
    assert second.head_name in page.inner_text("main")


def test_a_photo_taken_at_verification_is_uploaded_from_the_case_page(
    browser: Any, live_server: Any, village_world: list[Household], people: dict[str, Any]
) -> None:
    household = village_world[0]
    from bangfu.cases.services import lead_open

    case, _ = lead_open(
        household=household,
        channel=Channel.VISIT,
        by=people["village"],
        note="网格员走访发现房屋漏雨",
        risk_types=["住房安全"],
    )
    photo = io.BytesIO()
    Image.new("RGB", (64, 48), (180, 120, 60)).save(photo, "JPEG")
    page = signed_in(browser, live_server, "village")
    page.goto(f"{live_server.url}/cases/{case.pk}/")
    form = page.locator(f"form[action='/cases/{case.pk}/attachments']")
    assert form.locator("input[type=file]").get_attribute("capture") == "environment"
    form.locator("input[type=file]").set_input_files(
        {"name": "入户核查表.jpg", "mimeType": "image/jpeg", "buffer": photo.getvalue()}
    )
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    stored = Attachment.objects.get(case=case)
    assert stored.stage == Stage.LEAD and stored.size == len(photo.getvalue())
    assert stored.content_type == "image/jpeg"
    listed = page.locator("#attachments").inner_text()
    assert "入户核查表.jpg" in listed
    no_overflow(page)
    shot(page, "working-day-attachment-phone")
    # the link serves the photo itself
    href = page.locator("#attachments a", has_text="入户核查表.jpg").get_attribute("href")
    answer = page.request.get(f"{live_server.url}{href}")
    assert answer.status == 200 and answer.body() == photo.getvalue()


def _catalogue() -> None:
    from bangfu.assistance.models import MeasureKind

    for m in tomllib.loads(CATALOGUE.read_text(encoding="utf-8"))["measure"]:
        MeasureKind.objects.get_or_create(
            code=m["code"],
            defaults={
                k: m[k] for k in ("name", "name_en", "group", "risk_types", "needs", "outcome")
            },
        )


@pytest.fixture
def demo_county(settings: Any, tmp_path: Any) -> Case:
    """The demo county as `bangfu demo` makes it (smaller), and its case whose notice ended."""
    from bangfu.demo.cases import demo_cases
    from bangfu.demo.services import DEMO_VILLAGE, demo_build
    from bangfu.monitoring.services import monitor_run

    settings.HOME = tmp_path
    _catalogue()  # a transactional test's flush took the catalogue the migrations loaded
    demo_build(households=3000, seed=2026)
    monitor_run()
    demo_cases(village_code=DEMO_VILLAGE)
    today = timezone.localdate()
    return Case.objects.get(
        household__village_id=DEMO_VILLAGE,
        stage=Stage.NOTICE,
        notice_ends__lte=today,
        objections__isnull=True,
    )


def act(page: Any, case: Case, action: str) -> None:
    """Press the action's button on the case page, as a cadre does (its form's defaults)."""
    page.locator(f"form[action='/cases/{case.pk}/act/{action}'] button[type=submit]").click()
    page.wait_for_load_state()
    errors = page.locator(".messages li.error")
    assert errors.count() == 0, errors.all_inner_texts()


def test_the_demo_notice_that_ended_is_finished_from_the_pages(
    browser: Any, live_server: Any, demo_county: Case
) -> None:
    from bangfu.demo.services import DEMO_PASSWORD

    case = demo_county
    number = case.household.household_no  # each to-do item names the household and its number
    # the village cadre finds it on the home page and closes the notice
    page = signed_in(browser, live_server, "village", DEMO_PASSWORD)
    page.locator("main a", has_text=number).first.click()
    page.wait_for_url(f"**/cases/{case.pk}/")
    act(page, case, "close_notice")
    case.refresh_from_db()
    assert case.stage == Stage.TOWNSHIP
    page.context.close()
    # the township reviews it from its home
    page = signed_in(browser, live_server, "township", DEMO_PASSWORD)
    page.locator("main a", has_text=number).first.click()
    page.wait_for_url(f"**/cases/{case.pk}/")
    act(page, case, "township_approve")
    case.refresh_from_db()
    assert case.stage == Stage.COUNTY
    page.context.close()
    # and the county decides, with the category the page proposes
    page = signed_in(browser, live_server, "county", DEMO_PASSWORD)
    page.locator("main a", has_text=number).first.click()
    page.wait_for_url(f"**/cases/{case.pk}/")
    shot(page, "working-day-county-decides-phone")
    act(page, case, "county_approve")
    case.refresh_from_db()
    assert case.stage == Stage.MONITORING and case.category
    assert case.identified_on == timezone.localdate()
    assert [s.by.username for s in case.steps.order_by("at")][-3:] == [
        "village",
        "township",
        "county",
    ]
    assert not case.steps.filter(overdue=True).exists()
    page.context.close()
    # back in the village, the plan the page proposes (一户一策) is confirmed ...
    page = signed_in(browser, live_server, "village", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/cases/{case.pk}/")
    plan = page.locator(f"form[action='/cases/{case.pk}/plan']")
    for target in plan.locator("input[name^=target_]").all():
        target.fill("当年实现稳定增收")
    plan.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator(".messages li.error").count() == 0, page.inner_text(".messages")
    measures = list(case.measures.select_related("kind", "responsible"))
    assert measures and all(m.responsible.username == "helper" for m in measures)
    page.context.close()
    # ... and waits on the responsible person's home and task list
    page = signed_in(browser, live_server, "helper", DEMO_PASSWORD)
    assert "我的帮扶措施" in page.inner_text("main")
    page.locator("header a[href='/tasks/']").first.click()
    page.wait_for_load_state()
    tasks = page.inner_text("main")
    assert number in tasks and measures[0].kind.name in tasks
