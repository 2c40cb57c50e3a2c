"""Resident work teams (驻村工作队): the weak villages lacking a first secretary (应派尽派), days
on post, the scope (out of it is absent), who may edit what, the audit of every write, and the
households of a log (the team's village only); the pages and the API over the same services."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from bangfu.audit.models import AuditEvent
from bangfu.core.errors import Forbidden, NotFound, Refused
from bangfu.regions.models import Region
from bangfu.supervision.models import MemberRole, TaskStatus, WorkLog, WorkTeam
from bangfu.supervision.teams import (
    MemberIn,
    TeamIn,
    days_on_post,
    log_add,
    member_add,
    member_end,
    task_add,
    task_update,
    team_get_for_user,
    team_open_tasks,
    team_save,
    teams_in_scope,
    villages_lacking_first_secretary,
    weak_village_set,
)
from tests.conftest import NEIGHBOUR, OTHER_TOWNSHIP_VILLAGE, VILLAGE, household_rows

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 20)
START = dt.date(2026, 1, 1)


def _team(people: Any, village: str = VILLAGE, by: str = "county") -> WorkTeam:
    return team_save(
        user=people[by],
        data=TeamIn(
            village_code=village,
            sending_unit="山西省农业农村厅",
            unit_level="province",
            term_start=START,
        ),
    )


def _secretary(people: Any, team: WorkTeam, **kw: Any) -> Any:
    data = MemberIn(name="张书记", role=MemberRole.FIRST_SECRETARY, term_start=START, **kw)
    return member_add(user=people["county"], team=team, data=data)


def test_weak_villages_lacking_a_first_secretary(people):
    for code in (VILLAGE, NEIGHBOUR, OTHER_TOWNSHIP_VILLAGE):
        weak_village_set(user=people["county"], village_code=code, weak=True, today=TODAY)
    team = _team(people)
    # no team, a team without a first secretary, and one whose secretary left: all lacking
    _team(people, NEIGHBOUR)

    def names(who: str) -> list[str]:
        lacking = villages_lacking_first_secretary(user=people[who], today=TODAY)
        return [v.code for v in lacking]

    assert names("county") == [VILLAGE, NEIGHBOUR, OTHER_TOWNSHIP_VILLAGE]
    secretary = _secretary(people, team)
    assert names("county") == [NEIGHBOUR, OTHER_TOWNSHIP_VILLAGE]
    assert names("township") == [NEIGHBOUR]  # its own villages only
    member_end(user=people["county"], member=secretary, on=dt.date(2026, 10, 1))
    assert names("county") == [VILLAGE, NEIGHBOUR, OTHER_TOWNSHIP_VILLAGE]
    # a team called back (inactive) does not count either
    member_add(
        user=people["county"],
        team=team,
        data=MemberIn(
            name="孙书记", role=MemberRole.FIRST_SECRETARY, term_start=dt.date(2026, 10, 2)
        ),
    )
    assert VILLAGE not in names("county")
    team.active = False
    team.save()
    assert VILLAGE in names("county")
    # a village that is not weak is never listed
    weak_village_set(user=people["county"], village_code=NEIGHBOUR, weak=False, today=TODAY)
    assert names("county") == [VILLAGE, OTHER_TOWNSHIP_VILLAGE]


def test_days_on_post_are_distinct_log_days(people, make_households):
    (home,) = make_households(household_rows("1401231002069001"))
    team = _team(people)
    secretary = _secretary(people, team)
    leader = member_add(
        user=people["county"],
        team=team,
        data=MemberIn(name="李队长", role=MemberRole.LEADER, term_start=START),
    )
    days = [(secretary, "11-03"), (secretary, "11-03"), (secretary, "11-04"), (leader, "11-04")]
    for member, day in [*days, (secretary, "10-30")]:
        log_add(
            user=people["village"],
            team=team,
            member_id=member.pk,
            on=dt.date.fromisoformat(f"2026-{day}"),
            text="走访",
            household_nos=[home.household_no],
            today=TODAY,
        )
    assert days_on_post(team=team) == {secretary.pk: 3, leader.pk: 1}
    november = days_on_post(team=team, start=dt.date(2026, 11, 1), end=dt.date(2026, 11, 30))
    assert november == {secretary.pk: 2, leader.pk: 1}
    log = WorkLog.objects.filter(member=leader).get()
    assert [h.household_no for h in log.households.all()] == [home.household_no]


def test_a_logs_households_are_of_the_teams_village(people, make_households):
    inside, neighbour = make_households(
        household_rows("1401231002069001"), household_rows("1401231002079001", village=NEIGHBOUR)
    )
    team = _team(people)
    secretary = _secretary(people, team)
    with pytest.raises(Refused, match="1401231002079001"):
        log_add(
            user=people["township"],
            team=team,
            member_id=secretary.pk,
            on=TODAY,
            text="走访",
            household_nos=[inside.household_no, neighbour.household_no],
            today=TODAY,
        )
    assert not WorkLog.objects.exists()
    with pytest.raises(Refused):  # a day still to come
        log_add(
            user=people["village"],
            team=team,
            member_id=secretary.pk,
            on=TODAY + dt.timedelta(days=1),
            text="走访",
            today=TODAY,
        )
    with pytest.raises(Refused):  # another team's member
        other = _secretary(people, _team(people, NEIGHBOUR))
        log_add(
            user=people["village"],
            team=team,
            member_id=other.pk,
            on=TODAY,
            text="走访",
            today=TODAY,
        )


def test_the_roster_is_scoped_and_out_of_scope_is_absent(people):
    team = _team(people)
    far = _team(people, OTHER_TOWNSHIP_VILLAGE, by="other_township")
    assert list(teams_in_scope(user=people["village"])) == [team]
    assert list(teams_in_scope(user=people["county"]).order_by("pk")) == [team, far]
    assert list(teams_in_scope(user=people["dept"])) == []
    for who in ("neighbour", "other_township", "dept"):
        with pytest.raises(NotFound):
            team_get_for_user(user=people[who], pk=team.pk)
    assert team_get_for_user(user=people["grid"], pk=team.pk) == team
    with pytest.raises(NotFound):
        log_add(user=people["neighbour"], team=team, member_id=1, on=TODAY, text="x", today=TODAY)


def test_who_may_edit_what(people):
    # the roster: the county and the township of the village, not the village or an auditor
    for who in ("village", "auditor", "grid"):
        with pytest.raises(Forbidden):
            _team(people, by=who)
    with pytest.raises(Refused):  # outside the township's region
        _team(people, OTHER_TOWNSHIP_VILLAGE, by="township")
    team = _team(people, by="township")
    with pytest.raises(Forbidden):
        member_add(
            user=people["village"],
            team=team,
            data=MemberIn(name="某", role=MemberRole.MEMBER, term_start=START),
        )
    # weak villages: the county only
    with pytest.raises(Forbidden):
        weak_village_set(user=people["township"], village_code=VILLAGE, weak=True)
    # logs and tasks: the village's cadre and the township, not the county or a grid worker
    secretary = _secretary(people, team)
    for who in ("county", "grid", "helper"):
        with pytest.raises(Forbidden):
            task_add(user=people[who], team=team, title="任务")
        with pytest.raises(Forbidden):
            log_add(
                user=people[who], team=team, member_id=secretary.pk, on=TODAY, text="x", today=TODAY
            )
    task = task_add(user=people["village"], team=team, title="壮大集体经济")
    with pytest.raises(Forbidden):
        task_update(user=people["county"], task=task, status=TaskStatus.DONE)
    task_update(user=people["township"], task=task, status=TaskStatus.DONE, today=TODAY)
    task.refresh_from_db()
    assert (task.status, task.done_on) == (TaskStatus.DONE, TODAY)
    assert list(team_open_tasks(team=team)) == []
    # one first secretary on post at a time; a mobile number is refused
    with pytest.raises(Refused, match="第一书记"):
        _secretary(people, team)
    with pytest.raises(Refused, match="手机"):
        member_add(
            user=people["county"],
            team=team,
            data=MemberIn(name="某", role=MemberRole.MEMBER, term_start=START, phone="13912345678"),
        )


def test_every_write_is_audited(people):
    county, village = people["county"], people["village"]
    team = _team(people)
    secretary = _secretary(people, team, username="village")
    assert secretary.user == village
    weak_village_set(user=county, village_code=VILLAGE, weak=True, document_no="娄组字〔2026〕12号")
    log = log_add(
        user=village, team=team, member_id=secretary.pk, on=TODAY, text="入户", today=TODAY
    )
    task = task_add(user=village, team=team, title="党员冬训")
    task_update(user=village, task=task, status=TaskStatus.DOING)
    member_end(user=county, member=secretary, on=TODAY)
    weak_village_set(user=county, village_code=VILLAGE, weak=False)
    ours = AuditEvent.objects.exclude(object_type="user").order_by("pk")
    kinds = list(ours.values_list("object_type", "action", "actor"))
    assert kinds == [
        ("workteam", "create", county.pk),
        ("teammember", "create", county.pk),
        ("weakvillage", "create", county.pk),
        ("worklog", "create", village.pk),
        ("teamtask", "create", village.pk),
        ("teamtask", "update", village.pk),
        ("teammember", "update", county.pk),
        ("weakvillage", "delete", county.pk),
    ]
    assert AuditEvent.objects.filter(object_id=str(log.pk), region_code=VILLAGE).exists()


def test_the_pages(people, client, make_households):
    (home,) = make_households(household_rows("1401231002069001"))
    team = _team(people)
    secretary = _secretary(people, team)
    weak_village_set(user=people["county"], village_code=NEIGHBOUR, weak=True, today=TODAY)
    client.force_login(people["township"])  # 三元村 is of its township
    r = client.get("/work-teams/")
    text = r.content.decode()
    assert "山西省农业农村厅" in text and "张书记" in text
    assert Region.objects.get(code=NEIGHBOUR).name in text.split('id="lacking"')[1]
    client.force_login(people["village"])
    # an empty log keeps the page with the field errors (400); a log with a household saves
    r = client.post(f"/work-teams/{team.pk}/", {"what": "log", "log-text": "走访"})
    assert r.status_code == 400 and "走访" in r.content.decode()
    r = client.post(
        f"/work-teams/{team.pk}/",
        {
            "what": "log",
            "log-member": secretary.pk,
            "log-on": "2026-11-02",
            "log-text": "入户核实",
            "log-households": home.household_no,
        },
    )
    assert r.status_code == 302
    r = client.get(f"/work-teams/{team.pk}/")
    text = r.content.decode()
    assert "入户核实" in text and home.household_no in text and home.head_name in text
    assert '<td data-label="在岗天数" class="days">1</td>' in text
    # the county may not write the log, the grid worker reads, the neighbour does not see
    client.force_login(people["county"])
    assert client.post(f"/work-teams/{team.pk}/", {"what": "task"}).status_code == 403
    r = client.post(
        f"/work-teams/{team.pk}/",
        {
            "what": "member",
            "name": "钱",
            "role": "member",
            "term_start": "2026-02-01",
            "phone": "13912345678",
        },
    )
    assert r.status_code == 400 and "手机" in r.content.decode()
    client.force_login(people["neighbour"])
    assert client.get(f"/work-teams/{team.pk}/").status_code == 404


def test_the_api(people, client):
    from bangfu.api.models import ApiToken

    team = _team(people)
    secretary = _secretary(people, team)
    _, token = ApiToken.issue(user=people["village"])
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    r = client.get("/api/v1/work-teams", **auth)
    assert [t["sending_unit"] for t in r.json()["items"]] == ["山西省农业农村厅"]
    assert r.json()["items"][0]["members"][0]["name"] == "张书记"
    r = client.post(
        f"/api/v1/work-teams/{team.pk}/logs",
        {"member": secretary.pk, "on": "2026-11-02", "text": "入户"},
        content_type="application/json",
        **auth,
    )
    assert r.status_code == 200 and r.json()["text"] == "入户"
    r = client.post(
        f"/api/v1/work-teams/{team.pk}/tasks",
        {"title": "冬训"},
        content_type="application/json",
        **auth,
    )
    task = r.json()["id"]
    r = client.post(
        f"/api/v1/work-teams/{team.pk}/tasks/{task}",
        {"status": "done"},
        content_type="application/json",
        **auth,
    )
    assert r.json()["status"] == "done" and r.json()["done_on"] is not None
    detail = client.get(f"/api/v1/work-teams/{team.pk}", **auth).json()
    assert detail["days_on_post"] == [{"member": secretary.pk, "days": 1}]
    assert detail["open_tasks"] == []
    weak_village_set(user=people["county"], village_code=VILLAGE, weak=True)
    r = client.get("/api/v1/work-teams/lacking-first-secretary", **auth)
    assert r.json() == []


@pytest.mark.slow
def test_the_demo_work_team(settings, tmp_path):
    from bangfu.accounts.models import User
    from bangfu.demo.services import DEMO_VILLAGE, demo_build
    from bangfu.demo.services import today as demo_today
    from bangfu.demo.teams import demo_teams

    settings.HOME = tmp_path
    demo_build(households=400, seed=2026)
    counts = demo_teams(village_code=DEMO_VILLAGE)
    assert counts["teams"] == 2 and counts["lacking"] >= 1
    team = WorkTeam.objects.get(village_id=DEMO_VILLAGE)
    assert team.unit_level == "province"
    secretary = team.members.get(role=MemberRole.FIRST_SECRETARY)
    assert (secretary.name, secretary.user) == ("张书记", User.objects.get(username="village"))
    assert team.members.count() == 3
    assert team.logs.count() == counts["logs"] > 300  # most working days of ten months
    assert WorkLog.objects.filter(team=team, households__village_id=DEMO_VILLAGE).exists()
    assert set(team.tasks.values_list("status", flat=True)) == set(TaskStatus.values)
    county = User.objects.get(username="county")
    lacking = villages_lacking_first_secretary(user=county, today=demo_today())
    assert DEMO_VILLAGE not in [v.code for v in lacking] and lacking


def test_the_county_marks_weak_villages_and_creates_a_team_on_pages(people, client):
    from bangfu.supervision.models import WeakVillage

    client.force_login(people["county"])
    r = client.post(
        "/work-teams/weak-villages/",
        {
            "village": NEIGHBOUR,
            "weak": "on",
            "decided_on": "2026-03-01",
            "document_no": "娄组字12号",
        },
    )
    assert r.status_code == 302
    mark = WeakVillage.objects.get()
    assert (mark.village_id, mark.document_no, mark.decided_on) == (
        NEIGHBOUR,
        "娄组字12号",
        dt.date(2026, 3, 1),
    )
    text = client.get("/work-teams/weak-villages/").content.decode()
    assert "娄组字12号" in text and "未选派" in text
    r = client.post(
        "/work-teams/new/", {"village": VILLAGE, "sending_unit": "", "unit_level": "city"}
    )
    assert r.status_code == 400 and 'value="city" selected' in r.content.decode()
    r = client.post(
        "/work-teams/new/",
        {
            "village": NEIGHBOUR,
            "sending_unit": "太原市民政局",
            "unit_level": "city",
            "term_start": "2026-02-01",
        },
    )
    team = WorkTeam.objects.get()
    assert r.status_code == 302 and (team.village_id, team.sending_unit) == (
        NEIGHBOUR,
        "太原市民政局",
    )
    client.force_login(people["township"])
    assert client.get("/work-teams/weak-villages/").status_code == 404
