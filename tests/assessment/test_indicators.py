"""The computed indicators: each measure on a small situation whose figure is known by
construction, for villages, a township summing two of them, a region with nothing to measure
(None), the period's first and last days; and the queries do not grow with the codes."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bangfu.assessment.indicators import MEASURES, Measured, measure
from bangfu.assistance.models import Measure, MeasureKind, MeasureStatus
from bangfu.cases.models import Case, Channel, Meeting, Stage, Step
from bangfu.core.errors import Refused
from bangfu.monitoring.errors import PolicyError
from bangfu.monitoring.models import RiskWarning, WarningStatus
from bangfu.monitoring.policy import POLICY_DIR, parse_policy
from bangfu.regions.models import Level, Region
from bangfu.registry.models import Household, IncomeReading, ReadingKind
from bangfu.supervision.models import (
    MemberRole,
    Problem,
    ProblemStatus,
    TaskStatus,
    TeamMember,
    TeamTask,
    WorkLog,
    WorkTeam,
)
from tests.conftest import (
    COUNTY,
    NEIGHBOUR,
    OTHER_TOWNSHIP_VILLAGE,
    TOWNSHIP,
    VILLAGE,
    household_rows,
)

START, END = dt.date(2026, 7, 1), dt.date(2026, 9, 30)  # the third quarter
D = dt.date
CODES = [VILLAGE, NEIGHBOUR, TOWNSHIP, "140123100", OTHER_TOWNSHIP_VILLAGE]


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def run(key: str, start: dt.date = START, end: dt.date = END) -> dict[str, Measured]:
    return measure(key, codes=CODES, start=start, end=end)


def figures(result: dict[str, Measured], code: str) -> tuple[int, int]:
    return result[code].numerator, result[code].denominator


@pytest.fixture
def homes(make_households: Any, people: Any) -> dict[str, Household]:
    """Four households in 官庄村, three in 三元村 (same township), none elsewhere."""
    made = make_households(
        *(household_rows(f"A{i}") for i in range(1, 5)),
        *(household_rows(f"B{i}", NEIGHBOUR, grid=None) for i in range(1, 4)),
    )
    return {h.household_no: h for h in made}


def case(h: Household, stage: str = Stage.MONITORING, **kw: Any) -> Case:
    opened = kw.pop("opened", D(2026, 1, 5))
    closed = kw.pop("closed", None)
    return Case.objects.create(
        household=h,
        stage=stage,
        channel=Channel.VISIT,
        opened_at=at(opened),
        closed_at=at(closed) if closed else None,
        **kw,
    )


def step(c: Case, by: Any, source: str, target: str, day: dt.date, overdue: bool = False) -> Step:
    return Step.objects.create(
        case=c, action="x", from_stage=source, to_stage=target, by=by, at=at(day), overdue=overdue
    )


def test_the_measures_are_the_issues_list():
    assert set(MEASURES) == {
        "identified_in_time",
        "overdue_steps",
        "warnings_in_time",
        "measures_on_time",
        "elimination_rate",
        "relapse_rate",
        "problems_closed_on_time",
        "meetings_held",
        "readings_on_schedule",
        "team_days_on_post",
        "team_logs",
        "team_households_visited",
        "team_tasks_on_time",
    }
    assert all(m.clause and m.title for m in MEASURES.values())
    assert {k for k, m in MEASURES.items() if not m.higher_is_better} == {
        "overdue_steps",
        "relapse_rate",
    }
    assert {k for k, m in MEASURES.items() if m.kinds == {"team"}} == {
        k for k in MEASURES if k.startswith("team_")
    }
    # a team's nothing counted is nobody on post or nothing done: it earns no points
    assert {k for k, m in MEASURES.items() if not m.none_earns_full} == {
        k for k in MEASURES if k.startswith("team_")
    }


def test_unknown_measures_are_refused_and_early_periods_empty(db):
    with pytest.raises(Refused):
        measure("nothing", codes=[VILLAGE], start=START, end=END)
    # measured before the period's first day: nothing yet, and no query
    with CaptureQueriesContext(connection) as seen:
        early = measure("meetings_held", codes=[VILLAGE], start=END, end=START)
    assert early == {VILLAGE: Measured(None, 0, 0, "考核期尚未开始")} and len(seen) == 0
    assert measure("meetings_held", codes=[], start=START, end=END) == {}


def test_identified_within_the_total_limit(homes, people):
    county, township = people["county"], people["township"]
    a = [homes[f"A{i}"] for i in range(1, 5)]
    b = [homes[f"B{i}"] for i in range(1, 4)]
    # 官庄村: decided on the period's first day, 13 days after the lead (in time); refused by
    # the township 19 days after (late); one decided the day before the period (not counted)
    step(case(a[0], opened=D(2026, 6, 18)), county, Stage.COUNTY, Stage.MONITORING, START)
    late = case(a[1], Stage.NOT_IDENTIFIED, opened=D(2026, 7, 1), closed=D(2026, 7, 20))
    step(late, township, Stage.TOWNSHIP, Stage.NOT_IDENTIFIED, D(2026, 7, 20))
    step(case(a[2], opened=D(2026, 6, 1)), county, Stage.COUNTY, Stage.MONITORING, D(2026, 6, 30))
    # an exit sent back to monitoring is no identification
    step(case(a[3]), county, Stage.EXIT_COUNTY, Stage.MONITORING, D(2026, 8, 1))
    # 三元村: exactly 15 days (in time), and on the period's last day; one the day after it
    step(case(b[0], opened=D(2026, 7, 10)), county, Stage.COUNTY, Stage.MONITORING, D(2026, 7, 25))
    step(case(b[1], opened=D(2026, 9, 20)), county, Stage.COUNTY, Stage.MONITORING, END)
    step(case(b[2], opened=D(2026, 9, 20)), county, Stage.COUNTY, Stage.MONITORING, D(2026, 10, 1))

    result = run("identified_in_time")
    assert figures(result, VILLAGE) == (1, 2) and result[VILLAGE].value == 0.5
    assert figures(result, NEIGHBOUR) == (2, 2)
    assert figures(result, TOWNSHIP) == figures(result, "140123100") == (3, 4)
    assert result[TOWNSHIP].value == 0.75
    assert result[TOWNSHIP].text == "期内完成认定4户，3户在15日内完成"
    assert result[OTHER_TOWNSHIP_VILLAGE] == Measured(None, 0, 0, "期内没有完成认定的线索")


def test_overdue_steps_count_those_done_late_and_those_still_waiting(homes, people):
    village = people["village"]
    c = case(homes["A1"], Stage.VERIFIED)
    step(c, village, Stage.LEAD, Stage.VERIFIED, START)
    step(c, village, Stage.VERIFIED, Stage.APPRAISED, D(2026, 7, 9), overdue=True)
    step(c, village, Stage.APPRAISED, Stage.NOTICE, END)
    step(c, village, Stage.NOTICE, Stage.TOWNSHIP, D(2026, 10, 2), overdue=True)  # after
    case(homes["A2"], Stage.LEAD, due=D(2026, 9, 15))  # due in the period, still waiting
    case(homes["A3"], Stage.LEAD, due=END)  # due on the last day, still waiting: this period's
    case(homes["B1"], Stage.COUNTY, due=D(2026, 6, 30))  # overdue before the period

    result = run("overdue_steps")
    assert figures(result, VILLAGE) == (3, 5) and result[VILLAGE].value == 0.6
    assert figures(result, TOWNSHIP) == (3, 5)
    assert result[NEIGHBOUR].value is None
    assert not MEASURES["overdue_steps"].higher_is_better
    # the next quarter counts the step taken in it, and not A3's wait again
    assert figures(run("overdue_steps", D(2026, 10, 1), D(2026, 12, 31)), VILLAGE) == (1, 1)


def warning(h: Household, rule: str, created: dt.date, **kw: Any) -> RiskWarning:
    w = RiskWarning.objects.create(
        household=h,
        period=created.strftime("%Y-%m"),
        rule_id=rule,
        rule_kind="housing_unsafe",
        rule_title="住房安全无保障",
        category="edge",
        policy_version="t",
        **kw,
    )
    RiskWarning.objects.filter(pk=w.pk).update(created_at=at(created))
    return w


def test_warnings_handled_within_the_policys_days(homes, people, settings, tmp_path):
    a1, b1 = homes["A1"], homes["B1"]
    lead, dismissed = WarningStatus.LEAD, WarningStatus.DISMISSED
    # counted in the period their 30 days run out in (raised 1 June to 31 August for Q3)
    warning(a1, "R1", D(2026, 6, 20), status=lead, status_at=at(D(2026, 7, 10)))  # 20 days
    warning(a1, "R2", D(2026, 7, 5), status=dismissed, status_at=at(D(2026, 8, 20)))  # 46
    warning(a1, "R7", D(2026, 8, 15))  # still new past its 30 days (14 September)
    warning(a1, "R3", D(2026, 9, 20))  # still new, its days run to 20 October: not yet late
    warning(a1, "R4", D(2026, 8, 1), watch=True)  # the watch list: nothing to handle
    warning(a1, "R5", D(2026, 8, 1), status=WarningStatus.ATTACHED, status_at=at(D(2026, 8, 1)))
    warning(a1, "R6", D(2026, 10, 1), status=lead, status_at=at(D(2026, 10, 2)))  # after
    warning(b1, "R1", START, status=lead, status_at=at(D(2026, 7, 3)))

    result = run("warnings_in_time")
    assert figures(result, VILLAGE) == (1, 3)
    assert result[VILLAGE].text == "期内到处置时限（新增后30日）的预警3条，1条按期转为线索或排除"
    assert figures(result, TOWNSHIP) == (2, 4)
    assert result[OTHER_TOWNSHIP_VILLAGE].value is None
    # measured on 11 October, 官庄村's R3 is inside its days: not counted yet; the quarter
    # it runs out in counts it, still new, as not handled
    assert run("warnings_in_time", D(2026, 10, 1), D(2026, 10, 11))[VILLAGE].value is None
    assert figures(run("warnings_in_time", D(2026, 10, 1), D(2026, 12, 31)), VILLAGE) == (1, 2)

    # the days are the policy file's [assessment] warning_days
    shipped = (POLICY_DIR / "14-2026.toml").read_text(encoding="utf-8")
    edited = tmp_path / "p.toml"
    assert "warning_days = 30" in shipped
    edited.write_text(shipped.replace("warning_days = 30", "warning_days = 60"), encoding="utf-8")
    settings.BANGFU_POLICY = str(edited)
    assert figures(run("warnings_in_time"), VILLAGE) == (2, 2)  # raised 2 May to 1 August


def test_the_assessment_parameters_are_checked():
    shipped = (POLICY_DIR / "14-2026.toml").read_text(encoding="utf-8")
    assert parse_policy(shipped).assessment == {"team_days_per_year": 200, "warning_days": 30}
    assert parse_policy(shipped.replace("warning_days = 30", "")).assessment["warning_days"] == 30
    section = "[assessment]\n"
    for old, new in [
        (section, section + "days = 3\n"),
        ("warning_days = 30", "warning_days = 0"),
        ("team_days_per_year = 200", "team_days_per_year = 400"),
        ("warning_days = 30", 'warning_days = "30"'),
    ]:
        with pytest.raises(PolicyError, match="assessment"):
            parse_policy(shipped.replace(old, new))


def test_measures_done_by_their_deadline(homes, people):
    c = case(homes["A1"])
    kind = MeasureKind.objects.get(code="microcredit")

    def plan(deadline: dt.date, status: str = MeasureStatus.PLANNED, done: Any = None) -> None:
        Measure.objects.create(
            case=c,
            kind=kind,
            responsible=people["helper"],
            created_by=people["village"],
            target="贷款5万元",
            deadline=deadline,
            status=status,
            done_on=done,
        )

    plan(START, MeasureStatus.DONE, D(2026, 6, 30))  # done early, due on the first day
    plan(D(2026, 8, 1), MeasureStatus.DONE, D(2026, 8, 5))  # late
    plan(END)  # not done
    plan(D(2026, 8, 1), MeasureStatus.CANCELLED)
    plan(D(2026, 10, 1), MeasureStatus.DONE, D(2026, 9, 1))  # due after the period

    result = run("measures_on_time")
    assert figures(result, VILLAGE) == figures(result, TOWNSHIP) == (1, 3)
    assert result[NEIGHBOUR].value is None


def test_elimination_and_relapse_rates(homes, people):
    a, b = [homes[f"A{i}"] for i in range(1, 5)], [homes[f"B{i}"] for i in range(1, 4)]
    eliminated = Stage.ELIMINATED
    case(a[0], identified_on=D(2026, 1, 10))  # in monitoring all the period
    case(a[1], eliminated, identified_on=D(2026, 2, 1), closed=D(2026, 8, 10))
    case(a[2], eliminated, identified_on=D(2025, 2, 1), closed=D(2026, 3, 1))  # before
    case(a[2], relapse=True, identified_on=D(2026, 8, 15))  # back in monitoring
    case(a[3], identified_on=D(2026, 10, 5))  # after the period
    case(b[0], Stage.NOT_IDENTIFIED, closed=D(2026, 7, 20))  # never identified
    case(b[1], eliminated, identified_on=D(2026, 1, 1), closed=END)  # on the last day
    case(b[2], eliminated, identified_on=D(2026, 1, 1), closed=D(2026, 10, 1))  # after

    rate = run("elimination_rate")
    # 官庄村: a[0], a[1] and a[2]'s new case in monitoring in the period; a[1] eliminated
    assert figures(rate, VILLAGE) == (1, 3)
    assert figures(rate, NEIGHBOUR) == (1, 2)
    assert figures(rate, TOWNSHIP) == (2, 5) and rate[TOWNSHIP].value == 0.4
    assert rate[OTHER_TOWNSHIP_VILLAGE].value is None

    relapse = run("relapse_rate")
    # eliminated by the period's end: a[1], a[2]'s old case, b[1]; relapsed in it: a[2]
    assert figures(relapse, VILLAGE) == (1, 2)
    assert figures(relapse, TOWNSHIP) == (1, 3)
    assert relapse[OTHER_TOWNSHIP_VILLAGE].value is None


def test_problems_closed_by_their_deadline(db, people):
    def problem(region: str, deadline: dt.date, closed: Any = None) -> Problem:
        return Problem.objects.create(
            source="national",
            region_id=region,
            category="assistance",
            description="帮扶措施落实不到位",
            responsible_unit="村委会",
            deadline=deadline,
            status=ProblemStatus.CLOSED if closed else ProblemStatus.RECTIFYING,
            closed_on=closed,
            registered_by=people["auditor"],
            registered_on=D(2026, 6, 1),
        )

    problem(VILLAGE, START, closed=START)  # on the deadline day
    problem(VILLAGE, D(2026, 8, 31), closed=D(2026, 9, 10))  # late
    problem(TOWNSHIP, END)  # the township's own, still open
    problem(VILLAGE, D(2026, 10, 31), closed=D(2026, 9, 1))  # due after the period

    result = run("problems_closed_on_time")
    assert figures(result, VILLAGE) == (1, 2)
    assert figures(result, TOWNSHIP) == (1, 3)
    assert result[NEIGHBOUR].value is None


def test_meetings_held_each_month(db, people):
    for village, month in [(VILLAGE, "2026-07"), (VILLAGE, "2026-09"), (VILLAGE, "2026-06")]:
        Meeting.objects.create(
            village_id=village,
            month=month,
            held_on=D(int(month[:4]), int(month[5:]), 20),
            attendees="村两委、驻村工作队",
            minutes="评议监测对象",
            by=people["village"],
        )
    villages = Region.objects.filter(code__startswith="140123100", level=Level.VILLAGE).count()
    assert villages > 2

    result = run("meetings_held")
    assert figures(result, VILLAGE) == (2, 3)
    assert figures(result, NEIGHBOUR) == (0, 3) and result[NEIGHBOUR].value == 0.0
    assert figures(result, TOWNSHIP) == (2, 3 * villages)
    # one month: July only
    assert figures(run("meetings_held", START, D(2026, 7, 31)), VILLAGE) == (1, 1)


def test_grid_readings_each_whole_quarter(homes):
    def read(no: str, period: str) -> None:
        kind = ReadingKind.QUARTERLY if "Q" in period else ReadingKind.MONTHLY
        IncomeReading.objects.create(
            household=homes[no], kind=kind, period=period, household_size=3, income=Decimal(900)
        )

    read("A1", "2026-Q3")
    read("A1", "2026-08")  # twice in the quarter: read once
    read("A2", "2026-09")  # a monthly reading in the quarter
    read("A3", "2026-Q2")  # the quarter before
    read("B1", "2026-Q3")

    result = run("readings_on_schedule")
    assert figures(result, VILLAGE) == (2, 4)
    assert figures(result, NEIGHBOUR) == (1, 3)
    assert figures(result, TOWNSHIP) == (3, 7)
    assert result[OTHER_TOWNSHIP_VILLAGE].value is None  # no households there
    # two whole quarters: A3's Q2 reading counts too
    assert figures(run("readings_on_schedule", D(2026, 4, 1), END), VILLAGE) == (3, 8)
    # no whole quarter in the period: nothing to measure
    assert run("readings_on_schedule", D(2026, 7, 2), END)[VILLAGE].value is None


@pytest.fixture
def teams(homes, people) -> dict[str, Any]:
    """官庄村's active team: a member on post all year, one from 1 September, one who left in
    June; 三元村's team called back (not counted)."""
    county = people["county"]
    team = WorkTeam.objects.create(
        village_id=VILLAGE,
        sending_unit="山西省农业农村厅",
        unit_level="province",
        term_start=D(2026, 1, 1),
    )
    old = WorkTeam.objects.create(
        village_id=NEIGHBOUR,
        sending_unit="县农业农村局",
        unit_level="county",
        term_start=D(2025, 1, 1),
        active=False,
    )

    def member(t: WorkTeam, name: str, start: dt.date, end: Any = None) -> TeamMember:
        return TeamMember.objects.create(
            team=t, name=name, role=MemberRole.MEMBER, term_start=start, term_end=end
        )

    whole = member(team, "张书记", D(2026, 1, 1))
    late = member(team, "李队员", D(2026, 9, 1))
    left = member(team, "王队员", D(2026, 1, 1), D(2026, 6, 30))
    gone = member(old, "赵队员", D(2025, 1, 1))

    def log(m: TeamMember, day: dt.date, *visited: Household) -> None:
        entry = WorkLog.objects.create(
            team=m.team, member=m, on=day, text="入户走访", created_by=county
        )
        entry.households.set(visited)

    days = [START + dt.timedelta(days=i) for i in range(31)]  # 1-31 July
    days += [D(2026, 8, 3) + dt.timedelta(days=i) for i in range(9)]  # 3-11 August
    for day in days:
        log(whole, day)
    log(whole, START, homes["A1"], homes["A2"])  # a second log the same day
    log(whole, D(2026, 6, 30), homes["A3"])  # before the period
    for i in range(10):  # 1-10 September
        log(late, D(2026, 9, 1) + dt.timedelta(days=i), homes["A1"])
    log(left, D(2026, 6, 1))
    log(gone, D(2026, 8, 1), homes["B1"])
    TeamTask.objects.create(
        team=team, title="x", due=START, status=TaskStatus.DONE, done_on=START, created_by=county
    )
    return {"team": team, "old": old}


def test_team_days_on_post_against_the_yearly_days_pro_rata(teams):
    result = measure("team_days_on_post", codes=[VILLAGE, NEIGHBOUR], start=START, end=END)
    # 40 + 10 days logged; required 200 days a year for 92 and 30 days on the roster
    required = 200 * (92 + 30) / 365
    got = result[VILLAGE]
    assert (got.numerator, got.denominator) == (50, round(required))
    assert got.value == pytest.approx(50 / required)
    assert "在岗队员2人" in got.text and "人均25.0天" in got.text and "每年200天" in got.text
    assert result[NEIGHBOUR] == Measured(None, 0, 0, "期内没有在岗的驻村工作队队员")


def test_team_logs_by_member_week(teams):
    result = measure("team_logs", codes=[VILLAGE, NEIGHBOUR], start=START, end=END)
    # on post: 14 weeks (29 June … 27 September) + 5 weeks (from 31 August); logged: July's
    # five weeks and two of August for the first, two of September for the second
    assert figures(result, VILLAGE) == (9, 19)
    assert result[NEIGHBOUR].value is None


def test_team_households_visited(teams):
    result = measure("team_households_visited", codes=[VILLAGE, NEIGHBOUR], start=START, end=END)
    assert figures(result, VILLAGE) == (2, 4)  # A1 and A2 of the four; A3 before the period
    assert result[NEIGHBOUR].value is None  # its team was called back


def test_team_tasks_done_by_their_due_date(teams, people):
    def task(team: WorkTeam, due: dt.date, done: Any = None) -> None:
        TeamTask.objects.create(
            team=team,
            title="发展村集体经济",
            due=due,
            status=TaskStatus.DONE if done else TaskStatus.DOING,
            done_on=done,
            created_by=people["county"],
        )

    team, old = teams["team"], teams["old"]
    task(team, D(2026, 8, 1), D(2026, 8, 2))  # late
    task(team, END)  # not done
    task(team, D(2026, 10, 1), D(2026, 9, 1))  # due after the period
    task(old, D(2026, 8, 1), D(2026, 7, 1))  # a team called back
    result = measure("team_tasks_on_time", codes=[VILLAGE, NEIGHBOUR], start=START, end=END)
    assert figures(result, VILLAGE) == (1, 3)  # with the fixture's task done on its due day
    assert result[NEIGHBOUR].value is None


TEAM_KEYS = ["team_days_on_post", "team_logs", "team_households_visited", "team_tasks_on_time"]


def test_a_team_with_nobody_on_post_is_not_measured(teams, people):
    """An active team whose members all left, or whose term ended, before the period, and a
    team called back: nobody on post, None, and no points (none_earns_full)."""
    county = people["county"]
    empty = WorkTeam.objects.create(
        village_id=OTHER_TOWNSHIP_VILLAGE,
        sending_unit="县水利局",
        unit_level="county",
        term_start=D(2025, 3, 1),
    )
    TeamMember.objects.create(
        team=empty,
        name="孙队员",
        role=MemberRole.MEMBER,
        term_start=D(2025, 3, 1),
        term_end=D(2026, 6, 30),
    )
    TeamTask.objects.create(  # its task list done on time: still nobody on post
        team=empty,
        title="x",
        due=D(2026, 8, 1),
        status=TaskStatus.DONE,
        done_on=D(2026, 7, 1),
        created_by=county,
    )
    ended = WorkTeam.objects.create(  # its term over, never marked called back
        village_id=NEIGHBOUR,
        sending_unit="县交通局",
        unit_level="county",
        term_start=D(2024, 3, 1),
        term_end=D(2026, 6, 30),
    )
    TeamMember.objects.create(
        team=ended, name="周队员", role=MemberRole.MEMBER, term_start=D(2024, 3, 1)
    )
    TeamTask.objects.create(
        team=ended,
        title="x",
        due=D(2026, 8, 1),
        status=TaskStatus.DONE,
        done_on=D(2026, 7, 1),
        created_by=county,
    )
    codes = [OTHER_TOWNSHIP_VILLAGE, NEIGHBOUR]  # the neighbour's other team: called back
    for key in TEAM_KEYS:
        result = measure(key, codes=codes, start=START, end=END)
        for code in codes:
            assert result[code] == Measured(None, 0, 0, "期内没有在岗的驻村工作队队员"), key
        assert not MEASURES[key].none_earns_full
    # on post, but no task due in the period: nothing done, and the words say which
    TeamTask.objects.filter(team=teams["team"]).delete()
    tasks = measure("team_tasks_on_time", codes=[VILLAGE], start=START, end=END)
    assert tasks[VILLAGE] == Measured(None, 0, 0, "期内没有到期的驻村任务")


def test_two_active_teams_in_a_village_are_pooled_and_say_so(teams, homes, people):
    second = WorkTeam.objects.create(
        village_id=VILLAGE, sending_unit="县教育局", unit_level="county", term_start=D(2026, 9, 1)
    )
    chen = TeamMember.objects.create(
        team=second, name="陈队员", role=MemberRole.MEMBER, term_start=D(2026, 9, 1)
    )
    for day in (D(2026, 9, 7), D(2026, 9, 8)):
        entry = WorkLog.objects.create(
            team=second, member=chen, on=day, text="入户走访", created_by=people["county"]
        )
        entry.households.set([homes["A4"]])
    TeamTask.objects.create(
        team=second,
        title="x",
        due=D(2026, 9, 10),
        status=TaskStatus.DONE,
        done_on=D(2026, 9, 9),
        created_by=people["county"],
    )
    pooled = "（2支驻村工作队合并计算）"
    days = measure("team_days_on_post", codes=[VILLAGE], start=START, end=END)[VILLAGE]
    assert days.numerator == 52 and "在岗队员3人" in days.text and days.text.endswith(pooled)
    visited = measure("team_households_visited", codes=[VILLAGE], start=START, end=END)
    assert figures(visited, VILLAGE) == (3, 4) and visited[VILLAGE].text.endswith(pooled)
    tasks = measure("team_tasks_on_time", codes=[VILLAGE], start=START, end=END)
    assert figures(tasks, VILLAGE) == (2, 2) and tasks[VILLAGE].text.endswith(pooled)
    # before the second team's member came, one team on post: no such words
    alone = measure("team_logs", codes=[VILLAGE], start=START, end=D(2026, 8, 31))[VILLAGE]
    assert alone.text == "在岗队员期内在岗10人周，7人周记有驻村日志"


@pytest.mark.parametrize(
    "key", ["identified_in_time", "meetings_held", "readings_on_schedule", "team_days_on_post"]
)
def test_the_queries_do_not_grow_with_the_codes(teams, key):
    villages = list(
        Region.objects.filter(code__startswith=COUNTY[:6], level=Level.VILLAGE).values_list(
            "code", flat=True
        )
    )
    assert len(villages) > 100

    def queries(codes: list[str]) -> int:
        with CaptureQueriesContext(connection) as seen:
            result = measure(key, codes=codes, start=START, end=END)
        assert set(result) == set(codes)
        return len(seen)

    one = queries([VILLAGE])
    assert one <= 3
    assert queries(villages) == one
    assert queries([*villages, TOWNSHIP, COUNTY]) == one
    # folded once per prefix length: the county is the sum of its villages
    every = measure(key, codes=[*villages, COUNTY], start=START, end=END)
    for i in (0, 1):
        parts = sum((every[v].numerator, every[v].denominator)[i] for v in villages)
        assert (every[COUNTY].numerator, every[COUNTY].denominator)[i] == parts
