"""Real-browser flows (Playwright driving Debian's Chromium) on a desktop and a phone-sized
viewport: log in, search a household, open it, move its case one step, open the dashboard and
check that its charts drew. Screenshots go to test-output/. Without Chromium the tests are
skipped, unless BANGFU_REQUIRE_BROWSER is set (as .ci/run does)."""

import pytest

from bangfu.cases.models import Case, Channel, Stage
from tests.browser.support import OUT, require_chromium
from tests.conftest import PASSWORD, household_rows

require_chromium()

VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


@pytest.fixture(params=sorted(VIEWPORTS))
def page(request, browser):
    context = browser.new_context(viewport=VIEWPORTS[request.param], locale="zh-CN")
    pg = context.new_page()
    pg.viewport_name = request.param
    yield pg
    context.close()


def login(page, live_server, username):
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    # wherever the role's home is (it follows redirects): away from the login page
    page.wait_for_url(lambda url: "/login/" not in url)


def shot(page, name):
    OUT.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(OUT / f"{name}-{page.viewport_name}.png"), full_page=True)


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_search_open_and_move_a_case_one_step(page, live_server, people, make_households):
    (household,) = make_households(household_rows("H-BROWSER"))
    case = Case.objects.create(household=household, channel=Channel.VISIT, stage=Stage.LEAD)
    login(page, live_server, "village")
    page.goto(f"{live_server.url}/households/")
    page.fill("input[name=q]", "H-BROWSER")
    page.keyboard.press("Enter")
    page.click("a:has-text('H-BROWSER')")
    page.wait_for_url("**/households/H-BROWSER/")
    assert "测试H-BROWSER-0" in page.content()
    shot(page, "household")
    page.goto(f"{live_server.url}/cases/{case.pk}/")
    page.fill("textarea[name=verify-findings]", "入户核实，情况属实")
    page.fill("input[name=verify-per_capita]", "5200")
    page.check("input[name=verify-water]")
    page.click("form[action$='/act/verify'] button[type=submit]")
    page.wait_for_selector("text=待村级评议")
    shot(page, "case")
    case.refresh_from_db()
    assert case.stage == Stage.VERIFIED
    assert case.steps.get().by.username == "village"


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_dashboard_draws_its_charts(page, live_server, people, make_households):
    homes = make_households(household_rows("H-DASH1"), household_rows("H-DASH2"))
    for h in homes:
        Case.objects.create(
            household=h, channel=Channel.VISIT, stage=Stage.MONITORING, risk_types=["因病"]
        )
    login(page, live_server, "county")
    page.goto(f"{live_server.url}/dashboard/")
    for chart in ("category", "risk", "source", "flow", "measures"):
        page.wait_for_selector(f"#chart-{chart}[data-drawn='1'] canvas", timeout=10_000)
    assert page.inner_text("#n-monitored") == "2"
    shot(page, "dashboard")


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_an_import_runs_in_the_background_and_its_page_follows_it(
    page, live_server, people, run_worker
):
    """Upload on the import page, land on the job's page, and watch it finish without
    reloading (htmx polls the job's status while the worker runs it)."""
    import csv
    import io

    from tests.conftest import HEADERS

    buf = io.StringIO(newline="")
    writer = csv.writer(buf)
    writer.writerow(HEADERS)
    writer.writerows(household_rows(f"H-UP-{page.viewport_name}"))
    login(page, live_server, "village")
    page.goto(f"{live_server.url}/import/households/")
    page.set_input_files(
        "input[name=file]",
        files=[
            {"name": "农户.csv", "mimeType": "text/csv", "buffer": buf.getvalue().encode("gbk")}
        ],
    )
    page.click("form button[type=submit]")
    page.wait_for_url("**/jobs/*/")
    assert page.inner_text("#job-status h2") == "排队中"
    shot(page, "job-queued")
    run_worker()
    page.wait_for_selector("#job-status[data-status='succeeded']", timeout=10_000)
    assert "导入完成" in page.inner_text("#job-status")
    assert "新增 1 户、3 人" in page.inner_text("#job-status")
    shot(page, "job-done")


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_household_declares_a_difficulty_from_a_phone(page, live_server):
    """The village's QR code opens the self-declaration page: no login; the form says beside
    the ID number what is wrong and keeps what was typed, to correct; once sent, the page
    shows the reference and not the ID number."""
    from bangfu.cases.models import SelfDeclaration
    from tests.conftest import VILLAGE, person_id

    page.goto(f"{live_server.url}/declare/{VILLAGE}/")
    page.fill("input[name=name]", "王小明")
    page.fill("input[name=id_number]", "140123197001010000")  # a wrong check digit
    page.fill("input[name=phone]", "13800000000")
    page.click("form button[type=submit]")
    page.wait_for_selector("text=校验位")
    assert page.input_value("input[name=name]") == "王小明"
    assert page.input_value("input[name=phone]") == "13800000000"
    shot(page, "declare-error")
    ident = person_id()
    page.fill("input[name=id_number]", ident)
    page.fill("textarea[name=description]", "家中老人住院，医疗费用较高")
    page.click("form button[type=submit]")
    page.wait_for_selector("text=申报已收到")
    shot(page, "declared")
    declaration = SelfDeclaration.objects.get()
    assert declaration.reference in page.content() and ident not in page.content()
