"""Phone-first layout, measured in a real browser (Chromium through Playwright): every role's
home and the pages of the working day, on a phone (390 × 844) and a desktop (1366 × 900),
must not be wider than the viewport, must keep each navigation label on one line, and must
not show a phone user table cells without their column's label. A full-page screenshot of
each goes to test-output/browser/<page>-<role>-<phone|desktop>.png, for a person to look at."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tests.browser.support import OUT, require_chromium
from tests.conftest import PASSWORD, VILLAGE, household_rows, housing_warning

require_chromium()

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

SIZES = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1366, "height": 900}}
ROLES = ["county", "township", "village", "grid", "helper", "dept", "auditor"]
# long, as county numbering makes them: a number must wrap or fit, never widen the page
LONG_NO = "14012310020600000000000000000001"
OTHER_NO = "14012310020600000000000000000002"

# Everything on the page whose right edge passes the viewport, unless an ancestor clips or
# scrolls it (a pre, a chart's box): the page itself must not scroll sideways.
OVERFLOW_JS = """() => {
  const w = window.innerWidth;
  const clipped = (el) => {
    for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
      const ox = getComputedStyle(a).overflowX;
      if (ox !== "visible" && a.getBoundingClientRect().right <= w + 1) return true;
    }
    return false;
  };
  const bad = [];
  for (const el of document.body.querySelectorAll("*")) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) continue;
    if (r.right > w + 1 && !clipped(el)) {
      const names = typeof el.className === "string" ? el.className.trim() : "";
      const cls = names ? "." + names.replace(/\\s+/g, ".") : "";
      const text = (el.innerText || el.textContent || "").trim().replace(/\\s+/g, " ").slice(0, 40);
      bad.push(`${el.tagName.toLowerCase()}${cls} right=${Math.round(r.right)} "${text}"`);
    }
  }
  return {scroll: document.documentElement.scrollWidth, inner: w, bad: bad.slice(0, 12)};
}"""

# Each navigation label as the reader sees it: the link's boxes, and the lines its text takes.
NAV_JS = """() => Array.from(document.querySelectorAll(
    "header nav a, nav.main a, details.more > summary")).flatMap((a) => {
  const range = document.createRange();
  range.selectNodeContents(a);
  const tops = new Set(Array.from(range.getClientRects()).filter((r) => r.width > 0)
    .map((r) => Math.round(r.top)));
  if (tops.size === 0) return [];  // not shown (a closed menu's links)
  return [{text: a.textContent.trim(), boxes: a.getClientRects().length, lines: tops.size}];
})"""

# Table cells a phone shows as a card line: each needs its column's name (data-label), or
# the card is a row of bare numbers. A cell holding only a control (a row's checkbox) and
# a row's single spanning cell ("nothing found") need none.
BARE_CELLS_JS = """() => Array.from(document.querySelectorAll("table.list td"))
  .filter((td) => !td.hasAttribute("data-label") && !td.hasAttribute("colspan")
    && td.innerText.trim() !== "")
  .map((td) => td.closest("table").querySelector("th") ? td.innerText.trim().slice(0, 30) : "")
"""


def sign_in(browser: Any, live_server: Any, username: str) -> Any:
    """A phone-sized page signed in as `username` (the login page at phone size too)."""
    context = browser.new_context(viewport=SIZES["phone"], locale="zh-CN")
    page = context.new_page()
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login/" not in url)
    return page


def fits(page: Any, name: str, role: str, size: str) -> None:
    """Assert the page open at `size` fits its width and keeps nav labels whole; screenshot."""
    OUT.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(OUT / f"{name}-{role}-{size}.png"), full_page=True)
    where = f"{name} as {role} on a {size} ({page.url})"
    m = page.evaluate(OVERFLOW_JS)
    assert m["scroll"] <= m["inner"], f"{where}: the page scrolls sideways: {m}"
    assert not m["bad"], f"{where}: wider than the viewport ({m['inner']}px): {m['bad']}"
    nav = page.evaluate(NAV_JS)
    broken = [n for n in nav if n["boxes"] != 1 or n["lines"] != 1]
    assert not broken, f"{where}: navigation labels broken over lines: {broken}"
    if size == "phone":
        bare = page.evaluate(BARE_CELLS_JS)
        assert not bare, f"{where}: table cells without a data-label: {bare}"


def visit(page: Any, url: str, size: str) -> None:
    page.set_viewport_size(SIZES[size])
    response = page.goto(url)
    assert response is not None and response.ok, f"{url}: {response and response.status}"
    page.wait_for_load_state("load")


@pytest.fixture
def day(people: dict[str, Any], make_households: Any) -> dict[str, Any]:
    """A village's working day: a warning to look at, a lead verified (a case with steps), a
    household in monitoring with a measure for the responsible person."""
    from bangfu.assistance.models import Measure, MeasureKind
    from bangfu.cases.models import Case, Channel, Stage
    from bangfu.cases.services import case_act, lead_open

    warned, monitored = make_households(household_rows(LONG_NO), household_rows(OTHER_NO))
    housing_warning(warned)
    case, _opened = lead_open(
        household=warned,
        channel=Channel.VISIT,
        by=people["village"],
        note="网格员走访发现家庭成员患病，医疗支出较大",
        risk_types=["因病"],
    )
    case = case_act(
        user=people["village"],
        case=case,
        action="verify",
        data={
            "findings": "入户核实：家中老人住院，医疗费用较高，情况属实",
            "per_capita": 5200,
            **dict.fromkeys(("food", "clothing", "education", "medical", "housing"), True),
            "water": False,
        },
    )
    in_monitoring = Case.objects.create(
        household=monitored,
        channel=Channel.VISIT,
        stage=Stage.MONITORING,
        risk_types=["因病"],
        identified_on=dt.date(2026, 3, 1),
    )
    # a transactional test's flush took the catalogue's rows with it
    kind, _ = MeasureKind.objects.get_or_create(
        code="migrant_work",
        defaults={"name": "外出务工就业帮扶", "group": "development", "outcome": "job"},
    )
    measure = Measure.objects.create(
        case=in_monitoring,
        kind=kind,
        responsible=people["helper"],
        target="家庭成员实现稳定外出务工，年收入增加一万元以上",
        deadline=dt.date(2027, 1, 1),
        created_by=people["village"],
    )
    # the supervision of the work: a problem handed down by an audit, and the village's team
    from bangfu.supervision.models import MemberRole, ProblemCategory, Source, UnitLevel
    from bangfu.supervision.services import ProblemIn, problem_register
    from bangfu.supervision.teams import MemberIn, TeamIn, member_add, team_save

    problem = problem_register(
        user=people["auditor"],
        data=ProblemIn(
            source=Source.AUDIT,
            source_ref="娄审〔2026〕17号-3",
            region_code=VILLAGE,
            category=ProblemCategory.ASSISTANCE,
            description="部分监测户帮扶措施与风险类型不匹配，因病户未落实医疗救助",
            responsible_unit="官庄村村民委员会",
            deadline=dt.date(2026, 12, 31),
            household_nos=[LONG_NO],
        ),
    )
    team = team_save(
        user=people["county"],
        data=TeamIn(
            village_code=VILLAGE,
            sending_unit="山西省农业农村厅乡村振兴促进处",
            unit_level=UnitLevel.PROVINCE,
            term_start=dt.date(2024, 6, 1),
        ),
    )
    member_add(
        user=people["county"],
        team=team,
        data=MemberIn(
            name="张书记", role=MemberRole.FIRST_SECRETARY, term_start=dt.date(2024, 6, 1)
        ),
    )
    return {"case": case, "warned": warned, "measure": measure, "problem": problem, "team": team}


@pytest.mark.parametrize("role", ROLES)
def test_each_roles_home_fits_a_phone_and_a_desktop(browser, live_server, day, role):
    page = sign_in(browser, live_server, role)
    try:
        for size in SIZES:
            visit(page, f"{live_server.url}/", size)
            assert role in page.inner_text("header"), "the header names who is signed in"
            assert page.inner_text("main h1").strip(), "the home page has its heading"
            fits(page, "home", role, size)
    finally:
        page.context.close()


# page, who looks at it, its path, what it must show
PAGES = {
    "case": ("village", lambda d: f"/cases/{d['case'].pk}/", "待村级评议"),
    "warnings": ("village", lambda d: "/warnings/", "住房安全无保障"),
    "households": ("village", lambda d: "/households/", LONG_NO),
    "household": ("village", lambda d: f"/households/{LONG_NO}/", f"测试{LONG_NO}-0"),
    "dashboard": ("county", lambda d: "/dashboard/", "娄烦镇"),
    "tasks": ("helper", lambda d: "/tasks/", "家庭成员实现稳定外出务工"),
    "problems": ("county", lambda d: "/problems/", "部分监测户帮扶措施与风险类型不匹配"),
    "problem": ("village", lambda d: f"/problems/{d['problem'].pk}/", "娄审〔2026〕17号-3"),
    "work-teams": ("township", lambda d: "/work-teams/", "山西省农业农村厅乡村振兴促进处"),
    "work-team": ("village", lambda d: f"/work-teams/{d['team'].pk}/", "张书记"),
}


@pytest.mark.parametrize("name", sorted(PAGES))
def test_the_working_pages_fit_a_phone_and_a_desktop(browser, live_server, day, name):
    role, path, shows = PAGES[name]
    page = sign_in(browser, live_server, role)
    try:
        for size in SIZES:
            visit(page, live_server.url + path(day), size)
            assert shows in page.inner_text("main"), f"{name}: {shows!r} not on the page"
            if name == "dashboard":
                page.wait_for_selector("#chart-risk[data-drawn='1'] canvas", timeout=10_000)
            fits(page, name, role, size)
    finally:
        page.context.close()


def test_the_dashboards_charts_follow_the_window(browser, live_server, day):
    """Drawn on a phone, each chart is the phone's width; widen the window and it follows."""
    page = sign_in(browser, live_server, "county")
    try:
        visit(page, f"{live_server.url}/dashboard/", "phone")
        chart = "#chart-risk"
        page.wait_for_selector(f"{chart}[data-drawn='1'] canvas", timeout=10_000)
        narrow = page.eval_on_selector(f"{chart} canvas", "c => c.getBoundingClientRect().width")
        assert 300 <= narrow <= 390
        # the phone's table is cards whose lines are named, not bare numbers
        cell = page.locator("table.list td[data-label='监测户']").first
        assert cell.is_visible()
        label = page.eval_on_selector(
            "table.list td[data-label='监测户']", "td => getComputedStyle(td, '::before').content"
        )
        assert "监测户" in label
        page.set_viewport_size(SIZES["desktop"])
        page.wait_for_function(
            "([sel, before]) => document.querySelector(sel).getBoundingClientRect().width"
            " > before + 100",
            arg=[f"{chart} canvas", narrow],
        )
        box = page.eval_on_selector(chart, "el => el.getBoundingClientRect().width")
        wide = page.eval_on_selector(f"{chart} canvas", "c => c.getBoundingClientRect().width")
        assert wide <= box + 1
    finally:
        page.context.close()


def test_the_more_menu_opens_inside_a_phone(browser, live_server, day):
    """The less used pages sit behind 更多 (details.more): opened on a phone, its menu lies
    within the screen and its labels each on one line."""
    page = sign_in(browser, live_server, "village")
    try:
        visit(page, f"{live_server.url}/households/", "phone")
        more = page.locator("details.more")
        assert more.count() == 1, "the navigation has its 更多 menu"
        more.locator("summary").click()
        links = more.locator("a")
        assert links.count() >= 1 and links.first.is_visible()
        fits(page, "more-menu", "village", "phone")
    finally:
        page.context.close()
