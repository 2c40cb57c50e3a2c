"""The assessment's writes against a state that changed under them (a second publication, a
score or a problem after publication, a double-click: each write re-checks the assessment's
row under its lock, here with an object loaded before the change), publication after the
period's end with the computed scores measured again, the annual waiting for its quarters, the
constraints of one annual per scheme and one subject per region, the draft's scope (a subject
is read while open only by who may assess it), the measured words kept in Chinese, and the
checks of a problem found."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import translation

from bangfu.accounts.access import access_for
from bangfu.assessment.models import Assessment, Score, Subject
from bangfu.assessment.rules import assessable_q, why_not_assess
from bangfu.assessment.services import (
    assessment_open,
    assessment_publish,
    assessment_recompute,
    scheme_load,
    score_problem,
    score_set,
    subject_card,
    subject_get_for_user,
    subjects_for_user,
)
from bangfu.audit.models import AuditEvent
from bangfu.core.errors import NotFound, Refused
from bangfu.supervision.models import Problem
from tests.assessment.conftest import ONE_COMPUTED, TODAY, assessed
from tests.conftest import TOWNSHIP, VILLAGE

pytestmark = pytest.mark.django_db
AFTER_THE_YEAR = dt.date(2027, 1, 10)


def _stale(assessment: Assessment) -> Assessment:
    """The assessment as a page loaded it, before someone else's write."""
    return Assessment.objects.select_related("scheme").get(pk=assessment.pk)


def _score(assessment, region, key):
    return Score.objects.select_related("indicator", "subject__assessment", "subject__region").get(
        subject__assessment=assessment, subject__region_id=region, indicator__key=key
    )


def _found(score, user, **overrides):
    data = {
        "description": "2户帮扶措施与台账不符",
        "deadline": dt.date(2026, 12, 31),
        "responsible_unit": "官庄村村委会",
        "category": "assistance",
        "today": TODAY,
    }
    return score_problem(user=user, score=score, **{**data, **overrides})


# -- publication -----------------------------------------------------------------------------
def test_publication_waits_for_the_periods_end_and_measures_again(people, fake_measure):
    """Opened on the quarter's first day, nothing recorded yet: publishing the next day would
    have given every village full points for what had not happened."""
    scheme = scheme_load(user=people["county"], text=ONE_COMPUTED)
    q4 = assessment_open(
        user=people["county"],
        scheme=scheme,
        period="quarter",
        quarter=4,
        today=dt.date(2026, 10, 1),
    )
    score = _score(q4, VILLAGE, "meetings_held")
    assert score.points == Decimal(100)  # nothing yet to measure
    for day in (dt.date(2026, 10, 2), q4.end):
        with pytest.raises(Refused, match="2026-12-31止，期满后方可公布"):
            assessment_publish(user=people["county"], assessment=q4, today=day)
    fake_measure.values[VILLAGE] = 0.75  # the quarter's meetings, measured at publication
    assessment_publish(user=people["county"], assessment=q4, today=AFTER_THE_YEAR)
    score.refresh_from_db()
    assert score.points == Decimal(50) and score.measured["value"] == 0.75
    assert fake_measure.calls[-1][3] == q4.end  # measured over the whole quarter
    assert q4.subjects.get(region_id=VILLAGE).total == Decimal(50)
    event = AuditEvent.objects.get(object_type="assessment", note__startswith="公布考核结果")
    assert "于公布时重新计算" in event.note


def test_the_annual_waits_for_its_four_quarters(people, schemes, score_all, fake_measure):
    county, scheme = people["county"], schemes["township"]
    quarters = {}
    for quarter in (1, 2, 3, 4):
        quarters[quarter] = assessment_open(
            user=county, scheme=scheme, period="quarter", quarter=quarter, today=TODAY
        )
        score_all(quarters[quarter])
    for quarter in (1, 2):
        assessment_publish(user=county, assessment=quarters[quarter], today=AFTER_THE_YEAR)
    year = assessment_open(user=county, scheme=scheme, period="annual", quarter=None, today=TODAY)
    score_all(year)
    with pytest.raises(Refused, match=r"权重0\.4.*尚未公布：第3、4季度"):
        assessment_publish(user=county, assessment=year, today=AFTER_THE_YEAR)
    for quarter in (3, 4):
        assessment_publish(user=county, assessment=quarters[quarter], today=AFTER_THE_YEAR)
    assessment_publish(user=county, assessment=year, today=AFTER_THE_YEAR)
    assert year.subjects.get(region_id=TOWNSHIP).total == Decimal(100)


def test_an_annual_without_quarter_weight_publishes_alone(people, fake_measure):
    scheme = scheme_load(user=people["county"], text=ONE_COMPUTED)  # quarter_weight 0
    year = assessment_open(
        user=people["county"], scheme=scheme, period="annual", quarter=None, today=TODAY
    )
    assessment_publish(user=people["county"], assessment=year, today=AFTER_THE_YEAR)
    assert year.subjects.filter(total__isnull=True).count() == 0


# -- writes against a state changed since they were loaded ----------------------------------
def test_a_second_publication_is_refused_and_audited_once(people, township_q3, score_all):
    score_all(township_q3)
    page = _stale(township_q3)
    assessment_publish(user=people["county"], assessment=township_q3, today=TODAY)
    with pytest.raises(Refused, match="已公布"):
        assessment_publish(user=people["county"], assessment=page, today=TODAY)
    published = AuditEvent.objects.filter(
        object_type="assessment", object_id=str(township_q3.pk), note__startswith="公布考核结果"
    )
    assert published.count() == 1


def test_no_score_nor_recomputation_lands_after_publication(
    people, township_q3, score_all, fake_measure
):
    score_all(township_q3)
    score = _score(township_q3, TOWNSHIP, "files_complete")  # loaded while open
    page = _stale(township_q3)
    assessment_publish(user=people["county"], assessment=township_q3, today=TODAY)
    total = township_q3.subjects.get(region_id=TOWNSHIP).total
    with pytest.raises(Refused, match="已公布，不能再评分"):
        score_set(
            user=people["auditor"],
            score=score,
            points=Decimal(1),
            way="ledger",
            note="档案缺失",
            today=TODAY,
        )
    fake_measure.values[TOWNSHIP] = 0.0
    with pytest.raises(Refused, match="已公布，不能重新计算"):
        assessment_recompute(user=people["county"], assessment=page, today=TODAY)
    with pytest.raises(Refused, match="已公布，不能再登记"):
        _found(score, people["auditor"], responsible_unit="娄烦镇人民政府")
    scores = Score.objects.filter(subject__assessment=township_q3, subject__region_id=TOWNSHIP)
    assert sum(s.points for s in scores) == total == Decimal(100)
    assert not Problem.objects.exists()


def test_a_double_click_registers_one_problem(people, schemes, fake_measure):
    villages = assessment_open(
        user=people["county"], scheme=schemes["village"], period="quarter", quarter=3, today=TODAY
    )
    first = _score(villages, VILLAGE, "measures_real")
    second = _score(villages, VILLAGE, "measures_real")  # the same form, posted twice
    problem = _found(first, people["township"])
    with pytest.raises(Refused, match="已登记问题"):
        _found(second, people["township"])
    assert list(Problem.objects.all()) == [problem]
    assert Score.objects.get(pk=first.pk).problem_id == problem.pk


# -- constraints -----------------------------------------------------------------------------
def test_one_annual_per_scheme_and_one_subject_per_region(people, fake_measure):
    scheme = scheme_load(user=people["county"], text=ONE_COMPUTED)
    year = assessment_open(
        user=people["county"], scheme=scheme, period="annual", quarter=None, today=TODAY
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Assessment.objects.create(
            scheme=scheme,
            period="annual",
            start=year.start,
            end=year.end,
            created_by=people["county"],
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Subject.objects.create(assessment=year, region_id=VILLAGE)
    with pytest.raises(Refused, match="已开展"):
        assessment_open(
            user=people["county"], scheme=scheme, period="annual", quarter=None, today=TODAY
        )


# -- the draft's scope -----------------------------------------------------------------------
def test_a_township_does_not_read_its_own_draft(people, township_q3, score_all):
    township = people["township"]
    own = township_q3.subjects.get(region_id=TOWNSHIP)
    assert subjects_for_user(user=township, assessment=township_q3) == []
    with pytest.raises(NotFound):
        subject_get_for_user(user=township, pk=own.pk)
    with pytest.raises(NotFound):
        subject_card(user=township, subject=own)
    assert len(subjects_for_user(user=people["auditor"], assessment=township_q3)) == 7
    score_all(township_q3)
    assessment_publish(user=people["county"], assessment=township_q3, today=TODAY)
    mine = subject_get_for_user(user=township, pk=own.pk)  # published: its own
    assert subject_card(user=township, subject=mine).total == Decimal(100)


@pytest.mark.parametrize("who", ["county", "auditor", "township", "other_township", "village"])
def test_the_open_subjects_read_are_those_the_user_may_assess(people, schemes, fake_measure, who):
    """`assessable_q` (the query) and `why_not_assess` (one subject) say the same, subject by
    subject, in a township and a village assessment."""
    user = people[who]
    for kind in ("township", "village"):
        a = assessment_open(
            user=people["county"], scheme=schemes[kind], period="quarter", quarter=3, today=TODAY
        )
        subjects = Subject.objects.filter(assessment=a).select_related("region")
        inside = access_for(user).filter(subjects)
        queried = set(inside.filter(assessable_q(user)).values_list("pk", flat=True))
        allowed = {s.pk for s in inside if not why_not_assess(user, s)}
        assert queried == allowed, (who, kind)
        read = {s.pk for s in subjects_for_user(user=user, assessment=a)} if allowed else set()
        assert read == allowed, (who, kind)
    if who == "township":
        assert len(allowed) == 28  # its villages, not itself


# -- the measured words, and a problem found's texts -----------------------------------------
def test_the_measured_words_are_stored_in_chinese_whatever_the_users_language(people):
    scheme = scheme_load(user=people["county"], text=ONE_COMPUTED)  # the real measure
    with translation.override("en"):
        a = assessment_open(
            user=people["county"], scheme=scheme, period="quarter", quarter=3, today=TODAY
        )
    text = _score(a, VILLAGE, "meetings_held").measured["text"]
    assert re.search("[\u4e00-\u9fff]", text) and "meeting" not in text.lower(), text


@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [
        ("responsible_unit", "官庄村 13812345678", "责任单位中不能填写身份证号或手机号"),
        ("responsible_unit", "村" * 101, "责任单位不能超过100个字"),
        ("responsible_unit", "官庄村\u200b村委会", "不允许的字符"),
        ("description", "户主 13812345678 措施不符", "问题描述中不能填写身份证号或手机号"),
        ("description", "  ", "问题描述和责任单位必须填写"),
    ],
)
def test_a_problem_founds_texts_are_checked(people, schemes, fake_measure, field, value, reason):
    villages = assessment_open(
        user=people["county"], scheme=schemes["village"], period="quarter", quarter=3, today=TODAY
    )
    score = _score(villages, VILLAGE, "measures_real")
    with pytest.raises(Refused, match=reason):
        _found(score, people["township"], **{field: value})
    assert not Problem.objects.exists() and Score.objects.get(pk=score.pk).problem_id is None
    assert assessed(villages, problem__isnull=False) == []
