"""The demo county's scorecards: last quarter's assessments of 娄烦县's townships and villages
scored by the assessors and published, problems found in the ledger, and the work teams' year
opened with its computed scores and 官庄村's team's 群众评价."""

import datetime as dt
import time

import pytest

from bangfu.assessment.models import Assessment, AssessmentStatus, Method, Period, Score
from bangfu.audit.models import AuditEvent
from bangfu.demo.assessment import demo_assessment
from bangfu.demo.problems import demo_problems
from bangfu.demo.services import DEMO_VILLAGE, demo_build
from bangfu.demo.teams import demo_teams
from bangfu.supervision.models import Problem

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def test_the_demo_scorecards(settings, tmp_path, monkeypatch):
    settings.HOME = tmp_path
    day = dt.date(2026, 12, 1)
    monkeypatch.setattr("bangfu.demo.assessment.demo_today", lambda: day)
    demo_build(households=400, seed=2026)
    demo_problems(village_code=DEMO_VILLAGE)
    demo_teams(village_code=DEMO_VILLAGE)
    started = time.monotonic()
    counts = demo_assessment(village_code=DEMO_VILLAGE)
    elapsed = time.monotonic() - started
    quarters = Assessment.objects.filter(period=Period.QUARTER)
    assert {(a.scheme.subject_kind, a.quarter, a.status) for a in quarters} == {
        ("township", 3, AssessmentStatus.PUBLISHED),
        ("village", 3, AssessmentStatus.PUBLISHED),
    }
    assert all(a.start == dt.date(2026, 7, 1) and a.end == dt.date(2026, 9, 30) for a in quarters)
    assert counts["ranked"] == 7 + 116
    scores = Score.objects.filter(subject__assessment__in=quarters)
    assert not scores.filter(points__isnull=True).exists()
    assessed = scores.filter(indicator__method=Method.ASSESSED)
    assert not assessed.filter(way="").exists()
    # deductions carry their note; the township scored its own villages, the auditor the rest
    deductions = [s for s in assessed.select_related("indicator") if s.points < s.indicator.points]
    assert deductions and all(s.note for s in deductions)
    ours = assessed.filter(subject__region__parent_id=DEMO_VILLAGE[:9] + "000")
    assert set(ours.values_list("assessor__username", flat=True)) == {"township"}
    assert ours.count() == 28 * 5
    found = Problem.objects.filter(scores__isnull=False)
    assert found.count() == counts["problems"] >= 1
    assert set(found.values_list("region_id", flat=True)) & {DEMO_VILLAGE, DEMO_VILLAGE[:9] + "000"}
    ranks = list(
        quarters.get(scheme__subject_kind="village")
        .subjects.order_by("rank")
        .values_list("rank", flat=True)
    )
    assert ranks[0] == 1 and None not in ranks
    teams = Assessment.objects.get(period=Period.ANNUAL)
    assert teams.status == AssessmentStatus.OPEN and teams.scheme.subject_kind == "team"
    team_scores = Score.objects.filter(subject__assessment=teams)
    assert not team_scores.filter(indicator__method=Method.COMPUTED, points__isnull=True).exists()
    given = team_scores.filter(indicator__method=Method.ASSESSED, points__isnull=False)
    assert list(given.values_list("subject__region_id", flat=True)) == [DEMO_VILLAGE]
    assert AuditEvent.objects.filter(object_type="score").count() >= assessed.count()
    assert elapsed < 60, elapsed
