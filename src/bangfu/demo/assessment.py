"""The demo county's assessment scorecards (考核), through the same services as the pages: the
three schemes of the year loaded from their files (乡镇, 村, 驻村工作队); last quarter's
assessment (季度测评) of 娄烦县's townships and of its villages opened with the computed scores
measured, every assessed score given by the auditor or, for 娄烦镇's villages, by the township
(查阅台账, 村民访谈, 实地核查, a note for each deduction), problems found registered into the
ledger, and both published with their totals and ranks; and the year's assessment of the work
teams (年度总评) opened, its computed scores filled and 官庄村's team's 群众评价 given."""

from __future__ import annotations

import datetime as dt
import re
import zlib
from decimal import Decimal
from pathlib import Path

from bangfu.accounts.models import User
from bangfu.assessment.models import Assessment, Method, Period, Score, SubjectKind
from bangfu.assessment.services import (
    assessment_open,
    assessment_publish,
    scheme_load,
    score_problem,
    score_set,
)
from bangfu.cases.meetings import meeting_record
from bangfu.cases.models import Meeting
from bangfu.demo.services import today as demo_today
from bangfu.regions.models import Level, Region

SCHEMES = Path(__file__).resolve().parent.parent / "assessment" / "schemes"
SCHEME_YEAR = 2026  # the year the files are written for; another year is loaded as that year

# what an assessor writes for a deduction, by the way it was checked
NOTES = {
    "ledger": "查阅台账：{n}户档案缺少入户核查记录",
    "interview": "访谈20户，{n}户对帮扶工作表示不太了解",
    "site": "实地核查抽查10户，{n}户帮扶措施与台账不符",
}


def _last_quarter(day: dt.date) -> tuple[int, int]:
    quarter = (day.month - 1) // 3 + 1
    return (day.year, quarter - 1) if quarter > 1 else (day.year - 1, 4)


def _text(kind: str, year: int) -> str:
    text = (SCHEMES / f"{SCHEME_YEAR}-{kind}.toml").read_text(encoding="utf-8")
    if year != SCHEME_YEAR:
        text = re.sub(r"(?m)^year = \d{4}$", f"year = {year}", text)
        text = text.replace(f"{SCHEME_YEAR}年度", f"{year}年度")
    return text


MINUTES = "研判本月预警和线索，评议待认定农户，通报帮扶措施落实和监测对象收入变化"


def _meetings(village: Region, users: dict[str, User], year: int, quarter: int) -> None:
    """The quarter's village monthly meetings (村级月度监测会议): 官庄村's recorded by its cadre
    through the service; the county's other villages' as the township reported them, about one
    village-month in twelve missed (a steady pseudo-random pick)."""
    months = [f"{year}-{3 * quarter - 2 + i:02d}" for i in range(3)]
    for month in months:
        meeting_record(
            user=users["village"],
            village=village,
            month=month,
            held_on=dt.date.fromisoformat(f"{month}-05"),
            attendees="村“两委”成员、驻村工作队、网格员、村民代表",
            minutes=MINUTES,
            decisions={},
        )
    others = Region.objects.filter(level=Level.VILLAGE, code__startswith=village.code[:6])
    Meeting.objects.bulk_create(
        Meeting(
            village=other,
            month=month,
            held_on=dt.date.fromisoformat(
                f"{month}-{5 + zlib.crc32(other.code.encode()) % 10:02d}"
            ),
            attendees="村“两委”成员、驻村工作队、村民代表",
            minutes=MINUTES,
            by=users["township"]
            if other.parent_id == users["township"].region_id
            else users["county"],
        )
        for other in others.exclude(code=village.code)
        for month in months
        if zlib.crc32(f"{other.code}:{month}".encode()) % 12
    )


def _deduction(code: str, key: str, points: Decimal) -> int:
    """A steady pseudo-random deduction (0 to 2 households) for a subject and an indicator."""
    return min(zlib.crc32(f"{code}:{key}".encode()) % 5 // 2, int(points))


def _score_all(assessment: Assessment, users: dict[str, User], day: dt.date) -> list[Score]:
    """Every assessed score of the assessment given; the deductions returned."""
    township = users["township"]
    deducted = []
    scores = (
        Score.objects.filter(subject__assessment=assessment, indicator__method=Method.ASSESSED)
        .select_related("subject__region", "subject__assessment__scheme", "indicator")
        .order_by("subject__region_id", "indicator__order", "pk")
    )
    for score in scores:
        region = score.subject.region
        indicator = score.indicator
        by = township if region.parent_id == township.region_id else users["auditor"]
        way = indicator.ways.split(",")[0]
        n = _deduction(region.code, indicator.key, indicator.points)
        points = indicator.points - Decimal(n) * Decimal("0.5")
        note = NOTES[way].format(n=n) if n else ""
        score_set(user=by, score=score, points=points, way=way, note=note, today=day)
        if n:
            deducted.append(score)
    return deducted


def demo_assessment(*, village_code: str) -> dict[str, int]:
    """The demo's scorecards; returns the subjects ranked, the scores given by assessors, and
    the problems found registered into the ledger."""
    day = demo_today()
    users = {u.username: u for u in User.objects.filter(username__in=_NAMES)}
    village = Region.objects.get(code=village_code)
    year, quarter = _last_quarter(day)
    schemes = {kind: scheme_load(user=users["county"], text=_text(kind, year)) for kind in KINDS}
    # the quarter's assessments, scored a few days after the quarter's end
    scored_on = dt.date(year, 3 * quarter, 1) + dt.timedelta(days=40)
    scored_on = min(scored_on, day)
    ranked = given = found = 0
    _meetings(village, users, year, quarter)
    for kind in (SubjectKind.TOWNSHIP, SubjectKind.VILLAGE):
        assessment = assessment_open(
            user=users["county"],
            scheme=schemes[kind],
            period=Period.QUARTER,
            quarter=quarter,
            today=scored_on,
        )
        deducted = _score_all(assessment, users, scored_on)
        given += Score.objects.filter(
            subject__assessment=assessment, indicator__method=Method.ASSESSED
        ).count()
        # a deduction at 官庄村 (by the township) and at a township (by the auditor) is a
        # problem found: into the ledger, to be rectified within a month
        mine = [s for s in deducted if s.subject.region_id in (village.code, village.parent_id)]
        for score in (mine or deducted)[:1]:
            by = users["township"] if kind == SubjectKind.VILLAGE else users["auditor"]
            score_problem(
                user=by,
                score=score,
                description=f"季度测评发现：{score.note}",
                deadline=scored_on + dt.timedelta(days=30),
                responsible_unit=f"{score.subject.region.name}"
                + ("村委会" if kind == SubjectKind.VILLAGE else "人民政府"),
                category="groundwork" if score.way == "ledger" else "assistance",
                today=scored_on,
            )
            found += 1
        assessment_publish(user=users["county"], assessment=assessment, today=scored_on)
        ranked += assessment.subjects.count()
    # the work teams' year (年度总评, open in December): computed filled, 官庄村's 群众评价 given
    teams = assessment_open(
        user=users["county"],
        scheme=schemes[SubjectKind.TEAM],
        period=Period.ANNUAL,
        quarter=None,
        today=day,
    )
    for score in Score.objects.filter(
        subject__assessment=teams, subject__region=village, indicator__method=Method.ASSESSED
    ).select_related("indicator"):
        score_set(
            user=users["township"],
            score=score,
            points=score.indicator.points - Decimal(1),
            way=score.indicator.ways.split(",")[0],
            note="访谈20户，19户满意，1户认为走访次数偏少",
            today=day,
        )
        given += 1
    return {"ranked": ranked, "scored": given, "problems": found}


KINDS = (SubjectKind.TOWNSHIP, SubjectKind.VILLAGE, SubjectKind.TEAM)
_NAMES = ("county", "township", "auditor", "village")
