"""The scorecards' services: loading and editing schemes, opening an assessment with its
computed scores, the assessors' scores and their refusals, evidence, problems found into the
ledger, publishing with totals, ranks and the annual weighting, the scope of every read, and
the audit of every write."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from bangfu.assessment.models import (
    Assessment,
    AssessmentStatus,
    Indicator,
    Scheme,
    Score,
    Subject,
)
from bangfu.assessment.services import (
    assessment_get_for_user,
    assessment_open,
    assessment_publish,
    assessment_recompute,
    assessments_in_scope,
    evidence_open,
    evidence_root,
    indicator_update,
    scheme_get_for_user,
    scheme_load,
    scheme_points,
    schemes_in_scope,
    score_get_for_user,
    score_problem,
    score_set,
    subject_card,
    subject_get_for_user,
    subjects_for_user,
)
from bangfu.audit.models import AuditEvent
from bangfu.core.errors import Forbidden, NotFound, Refused
from bangfu.regions.models import Region
from bangfu.supervision.models import Problem
from tests.assessment.conftest import ONE_COMPUTED, PNG_BYTES, TODAY, assessed, scheme_file
from tests.conftest import COUNTY, NEIGHBOUR, OTHER_TOWNSHIP_VILLAGE, TOWNSHIP, VILLAGE

pytestmark = pytest.mark.django_db
AFTER_THE_YEAR = dt.date(2027, 1, 10)  # the annual and the fourth quarter are published


def png(name="访谈记录.png"):
    return SimpleUploadedFile(name, PNG_BYTES, "image/png")


# -- schemes ---------------------------------------------------------------------------------
def test_schemes_are_the_countys_and_read_by_those_who_read_the_registry(people, schemes):
    for who in ("county", "township", "village", "auditor", "grid"):
        assert schemes_in_scope(user=people[who]).count() == 3, who
    assert not schemes_in_scope(user=people["dept"]).exists()
    # a neighbouring county's scheme is its own: read by none of 娄烦县's users
    county = Region.objects.get(code=COUNTY)
    other, _ = Region.objects.get_or_create(
        code="140122000000",
        defaults={"name": "阳曲县", "level": county.level, "parent": county.parent},
    )
    theirs = Scheme.objects.create(
        county=other,
        year=2026,
        subject_kind="village",
        name="阳曲县方案",
        text="",
        created_by=people["county"],
    )
    for who in ("county", "township", "village", "auditor", "grid"):
        assert theirs not in schemes_in_scope(user=people[who]), who
    with pytest.raises(NotFound):
        scheme_get_for_user(user=people["village"], pk=theirs.pk)
    scheme = schemes["township"]
    assert scheme.county_id == COUNTY and scheme.dimensions.count() == 5
    assert Indicator.objects.filter(dimension__scheme=scheme).count() == 14
    event = AuditEvent.objects.get(object_type="scheme", object_id=str(scheme.pk))
    assert event.actor_id == people["county"].pk and "载入考核方案" in event.note


def test_only_the_countys_officers_load_a_scheme(people):
    for who in ("township", "auditor", "village"):
        with pytest.raises(Forbidden, match="县级干部"):
            scheme_load(user=people[who], text=scheme_file("township"))
    with pytest.raises(Refused, match="分值必须是正数"):
        scheme_load(user=people["county"], text=scheme_file("township").replace("= 10\n", "= -1\n"))


def test_a_scheme_is_reloaded_until_an_assessment_used_it(people, schemes, fake_measure):
    text = scheme_file("township").replace('key = "files_complete"', 'key = "files_in_order"')
    again = scheme_load(user=people["county"], text=text)
    assert again.pk == schemes["township"].pk
    keys = set(Indicator.objects.filter(dimension__scheme=again).values_list("key", flat=True))
    assert "files_in_order" in keys and "files_complete" not in keys
    assessment_open(user=people["county"], scheme=again, period="quarter", quarter=1, today=TODAY)
    with pytest.raises(Refused, match="已开展考核测评"):
        scheme_load(user=people["county"], text=scheme_file("township"))


def test_an_indicator_edit_rewrites_the_file_and_an_assessment_needs_100_points(
    people, schemes, fake_measure
):
    scheme = schemes["township"]
    files = Indicator.objects.get(dimension__scheme=scheme, key="files_complete")
    # one point moved in, not yet out: the scheme sums to 101 and no assessment opens on it
    indicator_update(
        user=people["county"],
        indicator=files,
        points=Decimal(6),
        full_at=None,
        zero_at=None,
        guide="",
    )
    assert scheme_points(scheme) == Decimal(101)
    with pytest.raises(Refused, match="合计为 101 分，须为 100 分"):
        assessment_open(
            user=people["county"], scheme=scheme, period="quarter", quarter=2, today=TODAY
        )
    with pytest.raises(Forbidden):
        indicator_update(
            user=people["township"],
            indicator=files,
            points=Decimal(5),
            full_at=None,
            zero_at=None,
            guide="",
        )
    indicator_update(
        user=people["county"],
        indicator=files,
        points=Decimal(5),
        full_at=None,
        zero_at=None,
        guide="缺一户档案扣1分",
    )
    scheme.refresh_from_db()
    assert 'guide = "缺一户档案扣1分"' in scheme.text
    rate = Indicator.objects.get(dimension__scheme=scheme, key="identified_in_time")
    with pytest.raises(Refused, match="不同的满分值和零分值"):
        indicator_update(
            user=people["county"],
            indicator=rate,
            points=Decimal(10),
            full_at=Decimal(1),
            zero_at=None,
            guide="",
        )
    assert AuditEvent.objects.filter(object_type="indicator", object_id=str(files.pk)).exists()
    assessment_open(user=people["county"], scheme=scheme, period="quarter", quarter=2, today=TODAY)
    with pytest.raises(Refused, match="不能再修改"):
        indicator_update(
            user=people["county"],
            indicator=files,
            points=Decimal(5),
            full_at=None,
            zero_at=None,
            guide="",
        )


# -- opening ---------------------------------------------------------------------------------
def test_opening_a_quarter_measures_the_computed_scores(people, township_q3, fake_measure):
    a = township_q3
    assert (a.start, a.end) == (dt.date(2026, 7, 1), dt.date(2026, 9, 30))
    subjects = list(a.subjects.all())
    assert len(subjects) == 7 and {s.region.level for s in subjects} == {4}
    computed = Score.objects.filter(subject__assessment=a, indicator__method="computed")
    assert computed.count() == 7 * 9 and not computed.filter(points__isnull=True).exists()
    assert len(assessed(a)) == 7 * 5 and all(s.points is None for s in assessed(a))
    keys = {call[0] for call in fake_measure.calls}
    assert "identified_in_time" in keys and all(call[3] == a.end for call in fake_measure.calls)
    # nothing to measure earns the full points, and says so
    line = computed.filter(subject__region_id=TOWNSHIP, indicator__key="overdue_steps").get()
    assert line.points == Decimal(5) and line.measured["value"] is None
    card = subject_card(user=people["county"], subject=line.subject)
    texts = [x.text for d in card.dimensions for x in d.lines if x.indicator.key == "overdue_steps"]
    assert "按满分计" in texts[0]
    assert AuditEvent.objects.filter(object_type="assessment", object_id=str(a.pk)).exists()


def test_recomputing_takes_the_new_measure(people, township_q3, fake_measure):
    fake_measure.values[TOWNSHIP] = 0.9
    assessment_recompute(user=people["county"], assessment=township_q3, today=TODAY)
    score = Score.objects.get(
        subject__assessment=township_q3,
        subject__region_id=TOWNSHIP,
        indicator__key="identified_in_time",
    )
    assert score.points == Decimal("5.00") and score.measured["value"] == 0.9
    with pytest.raises(Forbidden):
        assessment_recompute(user=people["auditor"], assessment=township_q3, today=TODAY)


def test_what_cannot_be_opened(people, schemes, fake_measure):
    county = people["county"]
    with pytest.raises(Refused, match="不设季度测评"):
        assessment_open(
            user=county, scheme=schemes["team"], period="quarter", quarter=3, today=TODAY
        )
    with pytest.raises(Refused, match="尚未开始"):
        assessment_open(
            user=county,
            scheme=schemes["township"],
            period="quarter",
            quarter=4,
            today=dt.date(2026, 9, 1),
        )
    with pytest.raises(Refused, match="第1至第4季度"):
        assessment_open(user=county, scheme=schemes["township"], period="quarter", quarter=5)
    with pytest.raises(Forbidden):
        assessment_open(
            user=people["township"],
            scheme=schemes["township"],
            period="quarter",
            quarter=3,
            today=TODAY,
        )
    assessment_open(
        user=county, scheme=schemes["township"], period="quarter", quarter=3, today=TODAY
    )
    with pytest.raises(Refused, match="已开展"):
        assessment_open(
            user=county, scheme=schemes["township"], period="quarter", quarter=3, today=TODAY
        )


# -- scores ----------------------------------------------------------------------------------
def _score(assessment, region, key):
    return Score.objects.select_related("indicator", "subject__region").get(
        subject__assessment=assessment, subject__region_id=region, indicator__key=key
    )


def test_an_assessors_score_and_its_refusals(people, township_q3):
    auditor = people["auditor"]
    files = _score(township_q3, TOWNSHIP, "files_complete")
    with pytest.raises(Refused, match="由系统计算"):
        score_set(
            user=auditor,
            score=_score(township_q3, TOWNSHIP, "overdue_steps"),
            points=Decimal(1),
            way="ledger",
            note="x",
        )
    with pytest.raises(Refused, match="0到5"):
        score_set(user=auditor, score=files, points=Decimal(6), way="ledger", note="")
    with pytest.raises(Refused, match="0到5"):
        score_set(user=auditor, score=files, points=Decimal(-1), way="ledger", note="少")
    with pytest.raises(Refused, match="查阅台账"):
        score_set(user=auditor, score=files, points=Decimal(5), way="site", note="")
    with pytest.raises(Refused, match="扣分须填写扣分说明"):
        score_set(user=auditor, score=files, points=Decimal("4.5"), way="ledger", note=" ")
    with pytest.raises(Refused, match="身份证号或手机号"):
        score_set(
            user=auditor,
            score=files,
            points=Decimal("4.5"),
            way="ledger",
            note="13812345678 档案缺失",
        )
    # the township never scores itself, nor reads its own draft scorecard
    with pytest.raises(NotFound):
        score_set(user=people["township"], score=files, points=Decimal(5), way="ledger", note="")
    score_set(
        user=auditor,
        score=files,
        points=Decimal("4.5"),
        way="ledger",
        note="1户档案缺失",
        today=TODAY,
    )
    files.refresh_from_db()
    assert (files.points, files.way, files.assessor_id) == (Decimal("4.5"), "ledger", auditor.pk)
    event = AuditEvent.objects.filter(object_type="score", object_id=str(files.pk)).get()
    assert event.changes["points"] == ["", "4.5"]


def test_a_township_scores_its_own_villages_only(people, schemes, fake_measure):
    villages = assessment_open(
        user=people["county"], scheme=schemes["village"], period="quarter", quarter=3, today=TODAY
    )
    ours = _score(villages, VILLAGE, "files_complete")
    score_set(user=people["township"], score=ours, points=Decimal(5), way="ledger", note="")
    theirs = _score(villages, OTHER_TOWNSHIP_VILLAGE, "files_complete")
    with pytest.raises(NotFound):
        score_set(user=people["township"], score=theirs, points=Decimal(5), way="ledger", note="")
    with pytest.raises(NotFound):  # a village reads no open assessment, and scores nothing
        score_set(user=people["village"], score=ours, points=Decimal(5), way="ledger", note="")
    score_set(user=people["other_township"], score=theirs, points=Decimal(5), way="ledger", note="")


def test_evidence_is_kept_and_a_refused_file_leaves_nothing(people, township_q3):
    score = _score(township_q3, TOWNSHIP, "public_approval")
    bad = SimpleUploadedFile("记录.png", b"not an image at all", "image/png")
    with pytest.raises(Refused):
        score_set(
            user=people["auditor"],
            score=score,
            points=Decimal(4),
            way="interview",
            note="2户不了解政策",
            uploads=[png(), bad],
        )
    root = evidence_root()
    assert not score.evidence.exists()
    assert not root.exists() or not any(p.is_file() for p in root.rglob("*"))
    score_set(
        user=people["auditor"],
        score=score,
        points=Decimal(4),
        way="interview",
        note="2户不了解政策",
        uploads=[png()],
    )
    evidence = score.evidence.get()
    path = evidence_open(user=people["county"], evidence=evidence)
    assert path.read_bytes() == PNG_BYTES and evidence.filename == "访谈记录.png"
    assert AuditEvent.objects.filter(object_type="scoreevidence", action="export").count() == 1


def test_a_problem_found_goes_into_the_ledger_once(people, schemes, fake_measure):
    villages = assessment_open(
        user=people["county"], scheme=schemes["village"], period="quarter", quarter=3, today=TODAY
    )
    score = _score(villages, VILLAGE, "measures_real")
    score_set(
        user=people["township"],
        score=score,
        points=Decimal(8),
        way="site",
        note="2户帮扶措施与台账不符",
    )
    problem = score_problem(
        user=people["township"],
        score=score,
        description="2户帮扶措施与台账不符",
        deadline=dt.date(2026, 12, 31),
        responsible_unit="官庄村村委会",
        category="assistance",
        today=TODAY,
    )
    score.refresh_from_db()
    assert score.problem_id == problem.pk
    assert (problem.region_id, problem.source, problem.status) == (
        VILLAGE,
        "self_check",
        "registered",
    )
    assert problem in Problem.objects.filter(region_id=VILLAGE)
    with pytest.raises(Refused, match="已登记问题"):
        score_problem(
            user=people["township"],
            score=score,
            description="再登记",
            deadline=dt.date(2026, 12, 31),
            responsible_unit="官庄村村委会",
            category="assistance",
        )
    card = subject_card(user=people["township"], subject=score.subject)
    lines = [x for d in card.dimensions for x in d.lines if x.problem is not None]
    assert [(x.indicator.key, x.way, x.text) for x in lines] == [
        ("measures_real", "实地核查", "2户帮扶措施与台账不符")
    ]
    assert AuditEvent.objects.filter(object_type="problem", object_id=str(problem.pk)).exists()


# -- publishing ------------------------------------------------------------------------------
def test_publishing_refused_while_a_score_is_empty(people, township_q3, score_all):
    with pytest.raises(Refused, match="尚有 35 项未评分"):
        assessment_publish(user=people["county"], assessment=township_q3, today=TODAY)


def test_publishing_stores_totals_and_ranks_ties_sharing(
    people, township_q3, score_all, fake_measure
):
    codes = sorted(township_q3.subjects.values_list("region_id", flat=True))
    score_all(township_q3, minus={codes[0]: Decimal(3), codes[1]: Decimal(3), codes[2]: Decimal(1)})
    with pytest.raises(Forbidden):
        assessment_publish(user=people["auditor"], assessment=township_q3, today=TODAY)
    assessment_publish(user=people["county"], assessment=township_q3, today=TODAY)
    township_q3.refresh_from_db()
    assert township_q3.status == AssessmentStatus.PUBLISHED and township_q3.published_on == TODAY
    ranks = dict(township_q3.subjects.values_list("region_id", "rank"))
    totals = dict(township_q3.subjects.values_list("region_id", "total"))
    assert totals[codes[0]] == totals[codes[1]] == Decimal(97) and totals[codes[2]] == Decimal(99)
    assert ranks[codes[0]] == ranks[codes[1]] == 6 and ranks[codes[2]] == 5
    assert {ranks[c] for c in codes[3:]} == {1}
    ranking = subjects_for_user(user=people["county"], assessment=township_q3)
    assert [s.rank for s in ranking] == [1, 1, 1, 1, 5, 6, 6]
    with pytest.raises(Refused, match="已公布"):
        score_set(
            user=people["auditor"],
            score=assessed(township_q3)[0],
            points=Decimal(1),
            way="ledger",
            note="x",
        )
    event = AuditEvent.objects.filter(object_type="assessment", object_id=str(township_q3.pk))
    assert event.filter(note__startswith="公布考核结果").exists()


def test_the_annual_total_weighs_the_quarters_mean(people, schemes, score_all, fake_measure):
    county = people["county"]
    scheme = schemes["township"]
    # quarter totals 90, 100, 90 and 100, each published after its quarter's end
    for quarter, minus in ((1, Decimal(10)), (2, Decimal(0)), (3, Decimal(10)), (4, Decimal(0))):
        q = assessment_open(
            user=county, scheme=scheme, period="quarter", quarter=quarter, today=TODAY
        )
        # 5 from no_omission (the first assessed) and 5 from files_complete: 90
        score_all(q, minus={TOWNSHIP: min(minus, Decimal(5))})
        if minus:
            score = _score(q, TOWNSHIP, "files_complete")
            score_set(
                user=people["auditor"], score=score, points=Decimal(0), way="ledger", note="缺档"
            )
        assessment_publish(user=county, assessment=q, today=AFTER_THE_YEAR)
    year = assessment_open(user=county, scheme=scheme, period="annual", quarter=None, today=TODAY)
    assert (year.start, year.end) == (dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    score_all(year, minus={TOWNSHIP: Decimal(5)})  # its own sum: 95
    assessment_publish(user=county, assessment=year, today=AFTER_THE_YEAR)
    subject = year.subjects.get(region_id=TOWNSHIP)
    # 0.4 × mean(90, 100, 90, 100) + 0.6 × 95 = 38 + 57
    assert subject.total == Decimal("95.00")
    other = year.subjects.exclude(region_id=TOWNSHIP).first()
    assert other.total == Decimal(100)
    card = subject_card(user=county, subject=subject)
    assert card.quarter_mean == Decimal(95) and card.quarter_weight == Decimal("0.4")
    assert card.of == 7 and card.rank == 7


# -- reads -----------------------------------------------------------------------------------
def test_who_sees_which_scorecards(people, fake_measure):
    scheme = scheme_load(user=people["county"], text=ONE_COMPUTED)
    a = assessment_open(
        user=people["county"], scheme=scheme, period="quarter", quarter=3, today=TODAY
    )
    assert not assessments_in_scope(user=people["village"]).exists()  # open: assessors only
    assert assessments_in_scope(user=people["township"]).get() == a
    assessment_publish(user=people["county"], assessment=a, today=TODAY)
    seen = {
        who: {s.region_id for s in subjects_for_user(user=people[who], assessment=a)}
        for who in ("county", "auditor", "township", "village", "neighbour", "grid")
    }
    assert len(seen["county"]) == len(seen["auditor"]) == 116
    assert (
        seen["township"]
        == set(a.subjects.filter(region__parent_id=TOWNSHIP).values_list("region_id", flat=True))
        and len(seen["township"]) == 28
    )
    assert seen["village"] == seen["grid"] == {VILLAGE} and seen["neighbour"] == {NEIGHBOUR}
    with pytest.raises(NotFound):
        assessment_get_for_user(user=people["dept"], pk=a.pk)
    theirs = a.subjects.get(region_id=NEIGHBOUR)
    with pytest.raises(NotFound):
        subject_get_for_user(user=people["village"], pk=theirs.pk)
    with pytest.raises(NotFound):
        subject_card(user=people["village"], subject=theirs)
    with pytest.raises(NotFound):
        score_get_for_user(user=people["village"], pk=theirs.scores.get().pk)
    mine = subject_get_for_user(user=people["village"], pk=a.subjects.get(region_id=VILLAGE).pk)
    card = subject_card(user=people["village"], subject=mine)
    assert card.total == Decimal(100) and card.rank == 1 and card.of == 116
    assert [d.subtotal for d in card.dimensions] == [Decimal(100)]
    assert card.dimensions[0].lines[0].computed and "按满分计" in card.dimensions[0].lines[0].text


def test_a_team_assessment_has_the_active_teams(people, schemes, fake_measure):
    from bangfu.supervision.teams import TeamIn, team_save

    team = team_save(
        user=people["county"],
        data=TeamIn(
            village_code=VILLAGE,
            sending_unit="山西省农业农村厅",
            unit_level="province",
            term_start=dt.date(2026, 1, 5),
        ),
    )
    year = assessment_open(
        user=people["county"], scheme=schemes["team"], period="annual", quarter=None, today=TODAY
    )
    subject = Subject.objects.get(assessment=year)
    assert (subject.region_id, subject.team_id) == (VILLAGE, team.pk)
    assert Assessment.objects.filter(scheme=schemes["team"]).count() == 1


def test_a_team_with_nobody_on_post_earns_no_computed_points(people, schemes):
    """The real measures: nothing counted for a team means nothing done (`none_earns_full`),
    not full points; its card says so."""
    from bangfu.supervision.teams import TeamIn, team_save

    team_save(
        user=people["county"],
        data=TeamIn(
            village_code=VILLAGE,
            sending_unit="山西省农业农村厅",
            unit_level="province",
            term_start=dt.date(2026, 1, 5),
        ),
    )
    year = assessment_open(
        user=people["county"], scheme=schemes["team"], period="annual", quarter=None, today=TODAY
    )
    subject = Subject.objects.get(assessment=year)
    computed = subject.scores.filter(indicator__method="computed")
    assert computed.count() == 4
    assert {(s.points, s.measured["value"]) for s in computed} == {(Decimal(0), None)}
    card = subject_card(user=people["county"], subject=subject)
    texts = [x.text for d in card.dimensions for x in d.lines if x.computed]
    assert len(texts) == 4 and all("按零分计" in t for t in texts), texts


def test_a_township_registers_no_problem_found_at_itself(people, township_q3):
    score = _score(township_q3, TOWNSHIP, "files_complete")
    with pytest.raises(NotFound):  # its own draft is not even visible to it
        score_problem(
            user=people["township"],
            score=score,
            description="档案缺失",
            deadline=dt.date(2026, 12, 31),
            responsible_unit="娄烦镇人民政府",
            category="groundwork",
        )
    assert not Problem.objects.exists()


def test_a_failed_write_removes_the_stored_evidence(people, township_q3, monkeypatch):
    from bangfu.assessment import services

    def broken(**kw):
        raise RuntimeError("audit log unavailable")

    monkeypatch.setattr(services, "audit_record", broken)
    score = _score(township_q3, TOWNSHIP, "public_approval")
    with pytest.raises(RuntimeError):
        score_set(
            user=people["auditor"],
            score=score,
            points=Decimal(4),
            way="interview",
            note="2户不了解政策",
            uploads=[png()],
        )
    root = evidence_root()
    assert not any(p.is_file() for p in root.rglob("*")) if root.exists() else True
    score.refresh_from_db()
    assert score.points is None and not score.evidence.exists()
