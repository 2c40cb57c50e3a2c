"""The work teams' roster (驻村工作队花名册) and a team's details edited on its page: the edit
saves for the roster's editors (403 with the reason to a village cadre, 404 out of scope, 400
with what was typed), the roster's rows and its 应派尽派 sheet by construction, the scope of the
download, the PDF, the row limit and the audit of every export."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from bangfu.audit.models import AuditAction, AuditEvent
from bangfu.cases.prints import LandscapeSheet
from bangfu.regions.models import Region
from bangfu.supervision import team_sheets
from bangfu.supervision.models import MemberRole, WorkTeam
from bangfu.supervision.team_sheets import roster_xlsx, team_roster
from bangfu.supervision.teams import (
    MemberIn,
    TeamIn,
    log_add,
    member_add,
    member_end,
    team_save,
    weak_village_set,
)
from tests.conftest import NEIGHBOUR, OTHER_TOWNSHIP_VILLAGE, VILLAGE

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 20)
START = dt.date(2025, 6, 1)


def _team(people: Any, village: str = VILLAGE, unit: str = "山西省农业农村厅") -> WorkTeam:
    return team_save(
        user=people["county"],
        data=TeamIn(
            village_code=village, sending_unit=unit, unit_level="province", term_start=START
        ),
    )


def _member(people: Any, team: WorkTeam, name: str, role: str, **kw: Any) -> Any:
    data = MemberIn(name=name, role=role, term_start=START, **kw)
    return member_add(user=people["county"], team=team, data=data)


def _names(code: str) -> tuple[str, str]:
    village = Region.objects.select_related("parent").get(code=code)
    return (village.parent.name if village.parent else "", village.name)


def _rows(sheet: Any) -> list[list[Any]]:
    """The data rows under the title and the headers, blank cells as ""."""
    rows = list(sheet.iter_rows(min_row=3, values_only=True))
    return [["" if v is None else v for v in row] for row in rows]


# editing a team on its page -----------------------------------------------------------------
def test_the_edit_page_saves_the_details_and_the_village_stays(people, client):
    team = _team(people)
    client.force_login(people["township"])
    page = client.get(f"/work-teams/{team.pk}/").content.decode()
    assert f'href="/work-teams/{team.pk}/edit/"' in page
    r = client.get(f"/work-teams/{team.pk}/edit/")
    assert r.status_code == 200 and 'value="山西省农业农村厅"' in r.content.decode()
    r = client.post(
        f"/work-teams/{team.pk}/edit/",
        {
            "village": OTHER_TOWNSHIP_VILLAGE,  # disabled: never taken from the post
            "sending_unit": "太原市民政局",
            "unit_level": "city",
            "term_start": "2025-07-01",
            "term_end": "2027-06-30",
            # "active" unticked: the team is called back
        },
    )
    assert r.status_code == 302 and r["Location"] == f"/work-teams/{team.pk}/"
    team.refresh_from_db()
    assert (team.village_id, team.sending_unit, team.unit_level) == (
        VILLAGE,
        "太原市民政局",
        "city",
    )
    assert (team.term_start, team.term_end, team.active) == (
        dt.date(2025, 7, 1),
        dt.date(2027, 6, 30),
        False,
    )
    event = AuditEvent.objects.filter(object_type="workteam", action=AuditAction.UPDATE).get()
    assert event.actor == people["township"] and event.region_code == VILLAGE


def test_the_edit_is_refused_with_the_reason(people, client):
    team = _team(people)
    client.force_login(people["village"])  # sees the team, may not edit the roster
    assert (
        f"/work-teams/{team.pk}/edit/" not in client.get(f"/work-teams/{team.pk}/").content.decode()
    )
    for r in (
        client.get(f"/work-teams/{team.pk}/edit/"),
        client.post(f"/work-teams/{team.pk}/edit/", {"sending_unit": "某单位"}),
    ):
        assert r.status_code == 403
        assert "只有县级和所在乡镇的干部可以维护驻村工作队名册" in r.content.decode()
    for who in ("neighbour", "other_township"):  # out of scope: absent
        client.force_login(people[who])
        assert client.get(f"/work-teams/{team.pk}/edit/").status_code == 404
    client.force_login(people["county"])
    posted = {"sending_unit": "某单位\u202e", "unit_level": "county", "term_start": "2026-03-01"}
    r = client.post(f"/work-teams/{team.pk}/edit/", posted | {"term_end": "2026-02-01"})
    assert r.status_code == 400
    text = r.content.decode()
    assert "结束日期不能早于开始日期" in text and "内容中含有不允许的字符" in text
    team.refresh_from_db()
    assert team.sending_unit == "山西省农业农村厅" and team.active


# the roster -------------------------------------------------------------------------------
def _county(people: Any) -> dict[str, Any]:
    """Three teams: 官庄村's with a first secretary (logs last year and this) and a leader who
    has left, 三元村's without members, 静游镇's village's; 官庄村 and 三元村 weak, and another
    weak village of the county (no team) lacking a first secretary, as 三元村 does."""
    home = _team(people)
    secretary = _member(
        people,
        home,
        "张书记",
        MemberRole.FIRST_SECRETARY,
        post="省农业农村厅 科长",
        phone="0351-1234567",
    )
    leader = _member(people, home, "李队长", MemberRole.LEADER)
    for day in ("2025-12-30", "2026-11-03", "2026-11-04"):
        for member in (secretary, leader):
            log_add(
                user=people["village"],
                team=home,
                member_id=member.pk,
                on=dt.date.fromisoformat(day),
                text="走访",
                today=TODAY,
            )
    member_end(user=people["county"], member=leader, on=dt.date(2026, 11, 10))
    empty = _team(people, NEIGHBOUR, unit="娄烦县卫健局")
    far = _team(people, OTHER_TOWNSHIP_VILLAGE, unit="太原市人社局")
    _member(people, far, "王书记", MemberRole.FIRST_SECRETARY)
    far_township = Region.objects.get(code=OTHER_TOWNSHIP_VILLAGE).parent
    other_weak = Region.objects.filter(parent=far_township).exclude(pk=OTHER_TOWNSHIP_VILLAGE)[0]
    for code in (VILLAGE, NEIGHBOUR, other_weak.code):
        weak_village_set(
            user=people["county"],
            village_code=code,
            weak=True,
            decided_on=dt.date(2026, 3, 1),
            document_no="娄组发〔2026〕5号",
            today=TODAY,
        )
    return {"home": home, "empty": empty, "far": far, "other_weak": other_weak.code}


def test_the_roster_rows_by_construction(people):
    made = _county(people)
    out = io.BytesIO()
    assert roster_xlsx(user=people["county"], out=out, today=TODAY) == 4
    wb = load_workbook(io.BytesIO(out.getvalue()))
    assert wb.sheetnames == ["花名册", "应派尽派"]
    roster = wb["花名册"]
    assert roster["A1"].value == "娄烦县驻村工作队花名册    导出日期：2026-11-20"
    assert [c.value for c in roster[2]] == [h for h, _w, _p in team_sheets.ROSTER_COLUMNS]
    town, village = _names(VILLAGE)
    _town, neighbour = _names(NEIGHBOUR)
    far_town, far = _names(OTHER_TOWNSHIP_VILLAGE)
    home = [town, village, "山西省农业农村厅", "省"]
    secretary = ["张书记", "第一书记", "省农业农村厅 科长", "0351-1234567", "2025-06-01", ""]
    leader = ["李队长", "队长", "", "", "2025-06-01", "2026-11-10"]
    away = [far_town, far, "太原市人社局", "省", "王书记", "第一书记", "", "", "2025-06-01", ""]
    # days on post: this year's distinct log days only (30 December 2025 not counted)
    assert _rows(roster) == [
        [1, *home, *secretary, 2, "是", "是"],
        [2, *home, *leader, 2, "是", "否"],
        [3, town, neighbour, "娄烦县卫健局", "省", *[""] * 7, "是", ""],
        [4, *away, 0, "否", "是"],
    ]
    lacking = wb["应派尽派"]
    assert [c.value for c in lacking[2]] == [
        "序号",
        "乡镇",
        "村",
        "区划代码",
        "认定日期",
        "文件编号",
    ]
    other_town, other = _names(made["other_weak"])
    assert _rows(lacking) == [
        [1, town, neighbour, NEIGHBOUR, "2026-03-01", "娄组发〔2026〕5号"],
        [2, other_town, other, made["other_weak"], "2026-03-01", "娄组发〔2026〕5号"],
    ]


def test_the_rosters_queries_do_not_grow_with_the_teams(people):
    _team(people)
    with CaptureQueriesContext(connection) as one:
        team_roster(user=people["county"], today=TODAY)
    _county(people)
    with CaptureQueriesContext(connection) as three:
        roster = team_roster(user=people["county"], today=TODAY)
    assert len(roster.rows) == 5 and len(roster.lacking) == 2
    assert len(three) == len(one)


def test_a_township_downloads_its_own_villages_teams(people, client):
    _county(people)
    client.force_login(people["township"])
    r = client.get("/work-teams/roster.xlsx")
    assert r.status_code == 200 and "attachment" in r["Content-Disposition"]
    wb = load_workbook(io.BytesIO(b"".join(r.streaming_content)))
    villages = {row[2] for row in _rows(wb["花名册"])}
    assert villages == {_names(VILLAGE)[1], _names(NEIGHBOUR)[1]}
    assert [row[3] for row in _rows(wb["应派尽派"])] == [NEIGHBOUR]
    event = AuditEvent.objects.get(action=AuditAction.EXPORT, object_type="workteam")
    assert event.actor == people["township"] and event.note == "导出驻村工作队花名册（Excel）3 行"
    client.force_login(people["dept"])  # does not read the registry
    assert client.get("/work-teams/roster.xlsx").status_code == 404
    assert client.get("/work-teams/roster.pdf").status_code == 404


def test_the_roster_on_paper(people, client):
    _county(people)
    client.force_login(people["county"])
    assert 'href="/work-teams/roster.pdf"' in client.get("/work-teams/").content.decode()
    r = client.get("/work-teams/roster.pdf")
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    assert r.content.startswith(b"%PDF")
    event = AuditEvent.objects.get(action=AuditAction.EXPORT, object_type="workteam")
    assert event.actor == people["county"] and event.note == "导出驻村工作队花名册（PDF）4 行"


def test_a_long_roster_turns_its_pages(people):
    team = _team(people)
    for n in range(60):
        _member(people, team, f"队员{n}", MemberRole.MEMBER, post="娄烦县农业农村局 " * 3)
    rows = team_roster(user=people["county"], today=TODAY).rows
    one = LandscapeSheet("x")
    team_sheets.paper_table(one, team_sheets.ROSTER_COLUMNS, rows[:5])
    many = LandscapeSheet("x")
    team_sheets.paper_table(many, team_sheets.ROSTER_COLUMNS, rows)
    assert one.pages == 1 and many.pages > 1


def test_an_export_over_the_row_limit_goes_back_with_the_reason(people, client, monkeypatch):
    _county(people)
    monkeypatch.setattr(team_sheets, "MAX_ROWS", 3)
    client.force_login(people["county"])
    for url in ("/work-teams/roster.xlsx", "/work-teams/roster.pdf"):
        r = client.get(url, follow=True)
        assert r.redirect_chain == [("/work-teams/", 302)]
        assert "共 4 行，超过一次导出的上限 3 行" in r.content.decode()
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()


def test_the_team_page_links_to_its_latest_scorecard_the_user_reads(people, client):
    from bangfu.assessment.services import assessment_open, scheme_load
    from tests.assessment.conftest import scheme_file

    team = _team(people)
    _member(people, team, "王书记", MemberRole.FIRST_SECRETARY)
    text = scheme_file("team")
    for year in (2025, 2026):  # the teams are assessed by the year
        scheme = scheme_load(user=people["county"], text=text.replace("2026", str(year)))
        assessment = assessment_open(
            user=people["county"],
            scheme=scheme,
            period="annual",
            quarter=None,
            today=dt.date(year + 1, 1, 5),
        )
    card = assessment.subjects.get(team=team)
    link = f'href="/assessments/{assessment.pk}/subjects/{card.pk}/"'
    client.force_login(people["county"])
    page = client.get(f"/work-teams/{team.pk}/").content.decode()
    assert link in page and "考核记分卡（2026 " in page
    # and the scorecard leads back to the team
    back = client.get(f"/assessments/{assessment.pk}/subjects/{card.pk}/").content.decode()
    assert f'href="/work-teams/{team.pk}/"' in back
    # the village reads its team's card once published, not the draft
    client.force_login(people["village"])
    page = client.get(f"/work-teams/{team.pk}/").content.decode()
    assert "/subjects/" not in page and "考核记分卡" not in page
