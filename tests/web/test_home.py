"""The to-do home (待办, issue 12): what waits for each role, grouped and counted, each group
linking to where it is done; the navigation; households named by their head on the lists."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from bangfu.accounts.models import Department, Role
from bangfu.accounts.services import user_create
from bangfu.assistance.models import Measure, MeasureKind
from bangfu.assistance.todo import todo_for_user
from bangfu.cases.models import Case, Channel, Meeting, Referral, Stage
from bangfu.cases.services import declaration_submit
from bangfu.jobs.models import Job, JobKind, JobStatus
from bangfu.monitoring.models import MonitoringRun
from bangfu.regions.models import Region
from tests.conftest import (
    COUNTY,
    NEIGHBOUR,
    PASSWORD,
    household_rows,
    housing_warning,
    person_id,
)

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
DAY = dt.timedelta(days=1)


def head(no: str) -> str:
    """The head's name household_rows gives a household (its first member)."""
    return f"测试{no}-0"


@pytest.fixture
def day(people, make_households) -> dict[str, Any]:
    """A working day in 官庄村 and its township: a late lead, a review late at the township, an
    approval waiting at the county, a notice ending, a household in monitoring whose
    evaluation is due with a late measure and a referral; and a lead in the neighbouring
    village."""
    made = make_households(
        *(household_rows(f"H-{n}") for n in ("LEAD", "REVIEW", "APPROVE", "NOTICE", "WATCH")),
        household_rows("H-FAR", village=NEIGHBOUR, grid=None),
    )
    by_no = {h.household_no: h for h in made}
    lead, review, approval, notice, watched, far = (
        by_no[f"H-{n}"] for n in ("LEAD", "REVIEW", "APPROVE", "NOTICE", "WATCH", "FAR")
    )

    def case(household: Any, stage: Stage, **more: Any) -> Case:
        return Case.objects.create(household=household, channel=Channel.VISIT, stage=stage, **more)

    cases = {
        "lead": case(lead, Stage.LEAD, due=TODAY - 5 * DAY),
        "review": case(review, Stage.TOWNSHIP, due=TODAY - 2 * DAY),
        "approval": case(approval, Stage.COUNTY, due=TODAY + 3 * DAY),
        "notice": case(notice, Stage.NOTICE, due=TODAY + 4 * DAY, notice_ends=TODAY + DAY),
        "watched": case(watched, Stage.MONITORING, identified_on=TODAY - 400 * DAY),
        "far": case(far, Stage.LEAD, due=TODAY - 5 * DAY),
    }
    Measure.objects.create(
        case=cases["watched"],
        kind=MeasureKind.objects.get(code="migrant_work"),
        responsible=people["helper"],
        target="务工",
        deadline=TODAY - DAY,
        created_by=people["village"],
    )
    Referral.objects.create(case=cases["watched"], programme="低保", figures="月人均收入 400 元")
    housing_warning(lead)
    housing_warning(far)
    declaration = declaration_submit(
        village=lead.village,
        name="申报人",
        id_number=person_id(),
        phone="13800000000",
        difficulty="因病",
    )
    county = people["county"]
    Job.objects.create(
        kind=JobKind.HOUSEHOLD_IMPORT,
        user=county,
        region=county.region,
        status=JobStatus.FAILED,
        file_name="农户.xlsx",
    )
    Job.objects.create(
        kind=JobKind.FEED_IMPORT, user=people["dept"], region=county.region, file_name="医保.xlsx"
    )
    MonitoringRun.objects.create(
        period="2026-11", engine="duckdb", policy_version="t", finished_at=timezone.now()
    )
    civil = user_create(
        username="civil",
        password=PASSWORD,
        role=Role.DEPARTMENT_OFFICER,
        region=Region.objects.get(code=COUNTY),
        department=Department.CIVIL,
    )
    return {"cases": cases, "declaration": declaration, "civil": civil}


def groups(user: Any) -> dict[str, Any]:
    return {g.key: g for g in todo_for_user(user=user)}


def home(client: Any, user: Any) -> str:
    client.force_login(user)
    r = client.get(reverse("home"))
    assert r.status_code == 200
    return r.content.decode()


def section(page: str, key: str) -> str:
    """The HTML of one group of the home page."""
    start = page.index(f'id="todo-{key}"')
    end = page.find("</section>", start)
    return page[start:end]


def test_the_village_cadre_sees_the_villages_work(client, people, day):
    g = groups(people["village"])
    assert g["leads"].count == 1 and g["leads"].url == "/cases/?stage=lead"
    assert g["overdue_own"].count == 1  # the late lead is the village's own
    assert g["notices"].count == 1 and g["notices"].items[0].due == TODAY + DAY
    assert g["declarations"].count == 1 and g["declarations"].url == reverse("declarations")
    assert g["meeting"].count == 1  # not held this month
    assert g["measures"].count == 0  # the helper carries the measure
    assert g["evaluations"].count == 1
    assert g["warnings"].count == 1
    assert "overdue_below" not in g and "referrals" not in g and "audit" not in g
    page = home(client, people["village"])
    leads = section(page, "leads")
    assert head("H-LEAD") in leads and "H-LEAD" in leads and "tag warn" in leads
    assert (TODAY - 5 * DAY).isoformat() in leads
    assert head("H-NOTICE") in section(page, "notices")
    assert day["declaration"].reference in section(page, "declarations")
    assert "本月会议尚未召开" in section(page, "meeting")
    assert "H-FAR" not in page  # the neighbouring village's


def test_a_held_meeting_is_said_so(people, day):
    Meeting.objects.create(
        village=people["village"].region,
        month=TODAY.strftime("%Y-%m"),
        held_on=TODAY,
        attendees="村两委",
        minutes="研究",
        by=people["village"],
    )
    meeting = groups(people["village"])["meeting"]
    assert meeting.count == 0 and TODAY.isoformat() in meeting.note


def test_the_neighbouring_cadre_sees_only_their_village(client, people, day):
    g = groups(people["neighbour"])
    assert g["leads"].count == 1 and g["leads"].items[0].household.household_no == "H-FAR"
    assert g["declarations"].count == 0 and g["notices"].count == 0
    page = home(client, people["neighbour"])
    assert head("H-FAR") in page and "H-LEAD" not in page and "H-WATCH" not in page


def test_the_township_sees_its_reviews_and_the_villages_late_steps(client, people, day):
    g = groups(people["township"])
    review = g[f"stage_{Stage.TOWNSHIP.value}"]
    assert review.count == 1 and review.url == reverse("case_batch")
    assert g["overdue_own"].count == 1 and g["overdue_own"].items[0].household.household_no == (
        "H-REVIEW"
    )
    below = {i.household.household_no for i in g["overdue_below"].items}
    assert below == {"H-LEAD", "H-FAR"}  # both villages' late leads, not its own review
    assert "leads" not in g and "declarations" not in g
    assert f"stage_{Stage.COUNTY.value}" not in g  # the county's to approve
    page = home(client, people["township"])
    assert head("H-REVIEW") in section(page, f"stage_{Stage.TOWNSHIP.value}")
    assert "本级逾期" in page and "下级逾期" in page
    # elsewhere in the county, nothing of 官庄村
    assert "H-REVIEW" not in home(client, people["other_township"])


def test_the_county_sees_approvals_runs_jobs_and_the_audit(client, people, day):
    g = groups(people["county"])
    approval = g[f"stage_{Stage.COUNTY.value}"]
    assert approval.count == 1 and approval.url == reverse("case_batch")
    assert approval.items[0].due == TODAY + 3 * DAY and not approval.items[0].late
    assert g["overdue_own"].count == 0 and g["overdue_below"].count == 3
    assert "2026-11" in g["monitoring"].note
    assert g["warnings"].count == 2 and g["audit"].count >= 1
    page = home(client, people["county"])
    assert head("H-APPROVE") in section(page, f"stage_{Stage.COUNTY.value}")
    jobs = section(page, "jobs_failed")
    assert "农户.xlsx" in jobs and '<strong class="count">1</strong>' in jobs
    assert reverse("audit_log") in section(page, "audit")


def test_the_grid_worker_and_the_helper(client, people, day):
    grid = groups(people["grid"])
    assert grid["leads"].count == 1 and grid["warnings"].count == 1
    assert "overdue_own" not in grid and "jobs_failed" not in home(client, people["grid"])
    helper = groups(people["helper"])
    assert set(helper) == {"measures", "evaluations"}
    measure = helper["measures"].items[0]
    assert measure.household.household_no == "H-WATCH" and measure.late
    page = home(client, people["helper"])
    assert head("H-WATCH") in section(page, "measures")
    assert "H-LEAD" not in page  # not a household they assist


def test_civil_affairs_the_department_and_the_auditor(client, people, day):
    civil = groups(day["civil"])
    assert civil["referrals"].count == 1
    page = home(client, day["civil"])
    assert head("H-WATCH") in section(page, "referrals") and "低保" in page
    dept = home(client, people["dept"])
    assert "医保.xlsx" in section(dept, "feed_imports") and "H-" not in dept
    auditor = groups(people["auditor"])
    assert set(auditor) == {"audit"} and auditor["audit"].count >= 1


def test_an_empty_group_says_so(client, people):
    page = home(client, people["village"])
    assert "暂无" in section(page, "leads") and "暂无" in section(page, "declarations")


def test_the_home_asks_a_bounded_number_of_queries(
    client, people, day, make_households, django_assert_max_num_queries
):
    client.force_login(people["county"])
    with CaptureQueriesContext(connection) as before:
        client.get(reverse("home"))
    more = make_households(*(household_rows(f"H-MORE{i}") for i in range(8)))
    for h in more:
        Case.objects.create(household=h, channel=Channel.VISIT, stage=Stage.COUNTY, due=TODAY)
        housing_warning(h)
    with django_assert_max_num_queries(len(before.captured_queries)):
        page = client.get(reverse("home")).content.decode()
    assert "还有" in section(page, f"stage_{Stage.COUNTY.value}")  # 9 waiting, 3 shown
    for user in ("village", "township", "helper"):
        client.force_login(people[user])
        with django_assert_max_num_queries(40):
            client.get(reverse("home"))


def test_everyone_lands_on_the_home_and_the_anonymous_log_in(client, people):
    r = client.get(reverse("home"))
    assert r.status_code == 302 and r["Location"].startswith(reverse("login"))
    r = client.post(reverse("login"), {"username": "helper", "password": PASSWORD}, follow=True)
    assert r.redirect_chain[-1][0] == reverse("home") and "我的帮扶措施" in r.content.decode()


def test_the_navigation_reaches_every_page_of_the_role(client, people):
    village = home(client, people["village"])
    nav = village[village.index('<nav class="main"') : village.index("</nav>")]
    assert nav.index("待办") < nav.index("农户")  # 待办 first
    for name in ("declarations", "meeting", "catalogue", "results", "household_import"):
        assert f'href="{reverse(name)}"' in nav, name
    assert '<details class="more">' in nav and reverse("case_overdue") not in nav
    county = home(client, people["county"])
    nav = county[county.index('<nav class="main"') : county.index("</nav>")]
    for name in ("case_overdue", "monitoring_import", "feed_import", "audit_log", "results"):
        assert f'href="{reverse(name)}"' in nav, name
    assert f'href="{reverse("declarations")}"' not in nav
    dept = home(client, people["dept"])
    nav = dept[dept.index('<nav class="main"') : dept.index("</nav>")]
    assert f'href="{reverse("feed_import")}"' in nav and reverse("households") not in nav


def test_the_lists_name_households_by_their_head(client, people, day):
    client.force_login(people["township"])
    cases = client.get(reverse("cases")).content.decode()
    assert head("H-REVIEW") in cases and "H-REVIEW" in cases
    overdue = client.get(reverse("case_overdue")).content.decode()
    own = overdue[overdue.index('id="own"') : overdue.index('id="below"')]
    assert head("H-REVIEW") in own and "H-LEAD" not in own
    assert head("H-LEAD") in overdue[overdue.index('id="below"') :]
    client.force_login(people["village"])
    agenda = client.get(reverse("meeting")).content.decode()
    assert head("H-LEAD") in agenda and head("H-WATCH") in agenda  # a lead, an evaluation due
    household = client.get(reverse("household", args=["H-LEAD"])).content.decode()
    title = household[household.index("<title>") : household.index("</title>")]
    assert head("H-LEAD") in title and "H-LEAD" in title
    h1 = household[household.index("<h1>") : household.index("</h1>")]
    assert head("H-LEAD") in h1 and "H-LEAD" in h1
    client.force_login(day["civil"])
    referrals = client.get(reverse("referrals")).content.decode()
    assert head("H-WATCH") in referrals
