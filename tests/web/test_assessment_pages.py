"""The assessment pages (考核): the schemes and assessments, loading a scheme and opening an
assessment, the county's edit of an indicator, the ranking, a subject's scorecard with why and
the assessor's forms (a score with evidence, the problem found into the ledger), refusals shown
with the reason, the scope of each (a village sees only its own card), and the result sheet as
.xlsx and PDF."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from bangfu.assessment.models import (
    Assessment,
    AssessmentStatus,
    Dimension,
    Indicator,
    Method,
    Scheme,
    Score,
    Subject,
)
from bangfu.assessment.services import (
    assessment_open,
    assessment_publish,
    scheme_load,
    score_set,
)
from bangfu.audit.models import AuditAction, AuditEvent
from bangfu.supervision.models import Problem
from tests.conftest import COUNTY, NEIGHBOUR, OTHER_TOWNSHIP_VILLAGE, TOWNSHIP, VILLAGE
from tests.supervision.conftest import png

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 10, 15)
SCHEME = """
[scheme]
county = "140123"
year = 2026
subject = "village"
name = "测试县村级考核方案"
quarter_weight = 0.4

[[dimension]]
key = "identification"
name = "识别认定"

[[dimension.indicator]]
key = "identified_in_time"
name = "15日内完成识别认定的占比"
points = 40
measure = "identified_in_time"
full_at = 1.0
zero_at = 0.8
clause = "从发现线索到县级审定一般不超过15天"

[[dimension.indicator]]
key = "files_complete"
name = "档案资料完整规范"
points = 30
ways = ["ledger"]
guide = "缺一户档案扣0.5分，扣完为止"

[[dimension]]
key = "groundwork"
name = "基础工作"

[[dimension.indicator]]
key = "recognition"
name = "群众认可度"
points = 30
ways = ["interview", "site"]
guide = "访谈10户，每户不认可扣3分"
"""
TOWNSHIP_SCHEME = SCHEME.replace('subject = "village"', 'subject = "township"').replace(
    "测试县村级考核方案", "测试县乡镇考核方案"
)


@pytest.fixture(autouse=True)
def _home(settings: Any, tmp_path: Any) -> None:
    settings.HOME = tmp_path


@pytest.fixture
def scheme(people: Any) -> Scheme:
    return scheme_load(user=people["county"], text=SCHEME)


@pytest.fixture
def assessment(people: Any, scheme: Scheme) -> Assessment:
    return assessment_open(
        user=people["county"], scheme=scheme, period="quarter", quarter=3, today=TODAY
    )


def _subject(assessment: Assessment, code: str) -> Subject:
    return assessment.subjects.get(region_id=code)


def _score(subject: Subject, key: str) -> Score:
    return subject.scores.get(indicator__key=key)


def _score_all(user: Any, assessment: Assessment, points: dict[tuple[str, str], Decimal]) -> None:
    """Every assessed score given: full points unless `points` names (village, indicator)."""
    for score in Score.objects.filter(
        subject__assessment=assessment, indicator__method=Method.ASSESSED
    ).select_related("indicator", "subject__region"):
        key = (score.subject.region_id, score.indicator.key)
        given = points.get(key, score.indicator.points)
        note = "" if given == score.indicator.points else "档案缺失两户"
        way = score.indicator.ways.split(",")[0]
        score_set(user=user, score=score, points=given, way=way, note=note, today=TODAY)


@pytest.fixture
def published(people: Any, assessment: Assessment) -> Assessment:
    # 官庄村 loses points (it ranks below 三元村, which loses none)
    _score_all(people["county"], assessment, {(VILLAGE, "files_complete"): Decimal("25.5")})
    return assessment_publish(user=people["county"], assessment=assessment, today=TODAY)


def _as(client: Any, people: Any, who: str) -> Any:
    client.force_login(people[who])
    return client


# -- the list: schemes, assessments, the county's forms -----------------------------------------
def test_the_list_shows_schemes_and_assessments_with_the_countys_forms(
    client: Any, people: Any, assessment: Assessment
) -> None:
    page = _as(client, people, "county").get("/assessments/").content.decode()
    assert "测试县村级考核方案" in page and "第3季度测评" in page
    assert f'href="/assessments/{assessment.pk}/"' in page
    assert 'value="open"' in page and 'value="scheme"' in page
    assert f'href="/assessments/schemes/{assessment.scheme_id}/scheme.toml"' in page
    village = _as(client, people, "village").get("/assessments/").content.decode()
    # a village reads the scheme, and an assessment only once it is published
    assert "测试县村级考核方案" in village and "第3季度测评" not in village
    assert 'value="open"' not in village and 'value="scheme"' not in village


def test_the_county_loads_a_scheme_from_a_file_or_pasted(client: Any, people: Any) -> None:
    _as(client, people, "county")
    upload = SimpleUploadedFile("2026-township.toml", TOWNSHIP_SCHEME.encode(), "text/plain")
    r = client.post("/assessments/", {"what": "scheme", "file": upload})
    scheme = Scheme.objects.get(subject_kind="township")
    assert r.status_code == 302 and r["Location"] == f"/assessments/schemes/{scheme.pk}/"
    r = client.post("/assessments/", {"what": "scheme", "text": SCHEME})
    assert r.status_code == 302
    assert Scheme.objects.filter(subject_kind="village", name="测试县村级考核方案").exists()


def test_a_bad_scheme_is_refused_with_the_reason(client: Any, people: Any) -> None:
    _as(client, people, "county")
    bad = SCHEME.replace("points = 40", "points = 45")
    r = client.post("/assessments/", {"what": "scheme", "text": bad})
    assert r.status_code == 400
    assert "各指标分值合计须为 100 分，现为 105 分" in r.content.decode()
    assert 'name="text"' in r.content.decode() and "points = 45" in r.content.decode()
    r = client.post("/assessments/", {"what": "scheme", "text": ""})
    assert r.status_code == 400 and "请选择方案文件或粘贴方案内容" in r.content.decode()
    assert not Scheme.objects.exists()


def test_only_the_county_loads_schemes_and_opens_assessments(
    client: Any, people: Any, scheme: Scheme
) -> None:
    for who in ("township", "village", "auditor"):
        r = _as(client, people, who).post("/assessments/", {"what": "scheme", "text": SCHEME})
        assert r.status_code == 403, who
        r = client.post("/assessments/", {"what": "open", "scheme": scheme.pk, "period": "annual"})
        assert r.status_code == 403, who
    assert not Assessment.objects.exists()


def test_the_county_opens_an_assessment_through_the_page(
    client: Any, people: Any, scheme: Scheme
) -> None:
    _as(client, people, "county")
    r = client.post("/assessments/", {"what": "open", "scheme": scheme.pk, "period": "quarter"})
    assert r.status_code == 400 and "季度测评请选择季度" in r.content.decode()
    r = client.post(
        "/assessments/", {"what": "open", "scheme": scheme.pk, "period": "quarter", "quarter": 3}
    )
    made = Assessment.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/assessments/{made.pk}/"
    assert made.quarter == 3 and made.subjects.count() > 100  # every village of the county
    again = client.post(
        "/assessments/", {"what": "open", "scheme": scheme.pk, "period": "quarter", "quarter": 3}
    )
    assert again.status_code == 400 and "该考核周期的测评已开展" in again.content.decode()


# -- the scheme: its indicators, the county's edit, the file ------------------------------------
def test_the_scheme_page_shows_the_rules_and_the_county_edits_an_indicator(
    client: Any, people: Any, scheme: Scheme
) -> None:
    computed = Indicator.objects.get(dimension__scheme=scheme, key="identified_in_time")
    page = _as(client, people, "county").get(f"/assessments/schemes/{scheme.pk}/").content
    text = page.decode()
    assert "档案资料完整规范" in text and "缺一户档案扣0.5分" in text and "查阅台账" in text
    assert "从发现线索到县级审定一般不超过15天" in text
    assert f'name="indicator" value="{computed.pk}"' in text
    r = client.post(
        f"/assessments/schemes/{scheme.pk}/",
        {"indicator": computed.pk, "points": "40", "full_at": "0.95", "zero_at": "0.8"},
    )
    assert r.status_code == 302
    computed.refresh_from_db()
    assert computed.full_at == Decimal("0.95")
    toml = client.get(f"/assessments/schemes/{scheme.pk}/scheme.toml")
    assert toml.status_code == 200 and "full_at = 0.95" in toml.content.decode()
    # points moved in but not yet out: saved, and the page says no assessment opens on it
    r = client.post(
        f"/assessments/schemes/{scheme.pk}/",
        {"indicator": computed.pk, "points": "50", "full_at": "0.95", "zero_at": "0.8"},
    )
    assert r.status_code == 302
    page = client.get(f"/assessments/schemes/{scheme.pk}/").content.decode()
    assert "各指标分值合计为 110 分，须为 100 分才能开展测评" in page
    r = client.post(
        "/assessments/", {"what": "open", "scheme": scheme.pk, "period": "quarter", "quarter": "3"}
    )
    assert r.status_code == 400 and "合计为 110 分" in r.content.decode()
    village = _as(client, people, "village").get(f"/assessments/schemes/{scheme.pk}/")
    assert village.status_code == 200 and 'name="indicator"' not in village.content.decode()
    assert client.post(f"/assessments/schemes/{scheme.pk}/", {}).status_code == 403


def test_a_scheme_in_use_is_not_editable(client: Any, people: Any, assessment: Assessment) -> None:
    page = _as(client, people, "county").get(f"/assessments/schemes/{assessment.scheme_id}/")
    text = page.content.decode()
    assert "该方案已开展考核测评，不能再修改" in text and 'name="indicator"' not in text


# -- the ranking ----------------------------------------------------------------------------------
def test_the_ranking_is_scoped_and_carries_the_countys_buttons(
    client: Any, people: Any, assessment: Assessment
) -> None:
    url = f"/assessments/{assessment.pk}/"
    county = _as(client, people, "county").get(url).content.decode()
    assert "官庄村" in county and "静游镇" in county and 'value="publish"' in county
    township = _as(client, people, "township").get(url).content.decode()
    officials = _subject(assessment, VILLAGE), _subject(assessment, NEIGHBOUR)
    for s in officials:
        assert f'href="/assessments/{assessment.pk}/subjects/{s.pk}/"' in township
    other = _subject(assessment, OTHER_TOWNSHIP_VILLAGE)
    assert f"/subjects/{other.pk}/" not in township
    assert 'value="publish"' not in township
    # an open assessment is the assessors' and the county's
    assert _as(client, people, "village").get(url).status_code == 404


def test_the_ranking_runs_a_bounded_number_of_queries(
    client: Any, people: Any, assessment: Assessment, django_assert_max_num_queries: Any
) -> None:
    _as(client, people, "county")
    assert assessment.subjects.count() > 100
    with django_assert_max_num_queries(12):  # whatever the number of villages
        r = client.get(f"/assessments/{assessment.pk}/")
    assert r.status_code == 200


def test_the_county_recomputes_and_an_assessor_may_not(
    client: Any, people: Any, assessment: Assessment
) -> None:
    url = f"/assessments/{assessment.pk}/"
    auditor = _as(client, people, "auditor")
    assert 'value="recompute"' not in auditor.get(url).content.decode()
    assert auditor.post(url, {"what": "recompute"}).status_code == 403
    before = AuditEvent.objects.count()
    r = _as(client, people, "county").post(url, {"what": "recompute"})
    assert r.status_code == 302 and AuditEvent.objects.count() > before


def test_publishing_with_empty_scores_is_refused_with_the_reason(
    client: Any, people: Any, assessment: Assessment
) -> None:
    r = _as(client, people, "county").post(f"/assessments/{assessment.pk}/", {"what": "publish"})
    assert r.status_code == 400
    assert Assessment.objects.get(pk=assessment.pk).status == AssessmentStatus.OPEN
    assert "未评分" in r.content.decode() and "不能公布" in r.content.decode()


def test_the_county_publishes_and_the_ranks_show(
    client: Any, people: Any, assessment: Assessment
) -> None:
    _score_all(people["county"], assessment, {(VILLAGE, "files_complete"): Decimal("25.5")})
    _as(client, people, "county")
    assert client.post(f"/assessments/{assessment.pk}/", {"what": "bogus"}).status_code == 400
    r = client.post(f"/assessments/{assessment.pk}/", {"what": "publish"})
    assert r.status_code == 302
    assessment.refresh_from_db()
    assert assessment.status == AssessmentStatus.PUBLISHED
    page = client.get(f"/assessments/{assessment.pk}/").content.decode()
    ours = _subject(assessment, VILLAGE)
    assert ours.total == Decimal("95.50") and ours.rank is not None and ours.rank > 1
    row = page.split(f"/subjects/{ours.pk}/", 1)[0].rsplit("<tr>", 1)[1]
    assert f'<td data-label="排名">{ours.rank}</td>' in row
    assert 'value="publish"' not in page


# -- the scorecard ---------------------------------------------------------------------------------
def test_a_village_sees_only_its_own_published_card_and_why(
    client: Any, people: Any, published: Assessment
) -> None:
    ours, theirs = _subject(published, VILLAGE), _subject(published, NEIGHBOUR)
    _as(client, people, "village")
    ranking = client.get(f"/assessments/{published.pk}/").content.decode()
    assert f"/subjects/{ours.pk}/" in ranking and f"/subjects/{theirs.pk}/" not in ranking
    card = client.get(f"/assessments/{published.pk}/subjects/{ours.pk}/")
    text = card.content.decode()
    assert card.status_code == 200
    assert "档案缺失两户" in text and "25.50" in text and "95.50" in text  # why, and the total
    assert "查阅台账" in text and f"第 {ours.rank} 名" in text
    assert 'name="what" value="score"' not in text  # a village does not score
    assert client.get(f"/assessments/{published.pk}/subjects/{theirs.pk}/").status_code == 404
    neighbour = _as(client, people, "neighbour")
    assert neighbour.get(f"/assessments/{published.pk}/subjects/{ours.pk}/").status_code == 404
    grid = _as(client, people, "grid").get(f"/assessments/{published.pk}/subjects/{ours.pk}/")
    assert grid.status_code == 200 and "档案缺失两户" in grid.content.decode()


def test_the_township_scores_its_village_with_evidence(
    client: Any, people: Any, assessment: Assessment
) -> None:
    subject = _subject(assessment, VILLAGE)
    score = _score(subject, "files_complete")
    url = f"/assessments/{assessment.pk}/subjects/{subject.pk}/"
    page = _as(client, people, "township").get(url).content.decode()
    assert f'name="score" value="{score.pk}"' in page and 'capture="environment"' in page
    computed = _score(subject, "identified_in_time")
    assert f'name="score" value="{computed.pk}"' not in page  # computed: no form
    r = client.post(
        url,
        {
            "what": "score",
            "score": score.pk,
            "points": "28",
            "way": "ledger",
            "note": "两户档案缺收入核查表",
            "evidence": [png("档案照片.png")],
        },
    )
    assert r.status_code == 302
    score.refresh_from_db()
    assert score.points == Decimal(28) and score.assessor == people["township"]
    evidence = score.evidence.get()
    page = client.get(url).content.decode()
    assert "两户档案缺收入核查表" in page and f'href="/assessments/evidence/{evidence.pk}"' in page
    file = client.get(f"/assessments/evidence/{evidence.pk}")
    assert file.status_code == 200 and file["Content-Type"] == "image/png"
    assert file["X-Content-Type-Options"] == "nosniff"
    assert AuditEvent.objects.filter(
        action=AuditAction.EXPORT, note__contains="档案照片.png"
    ).exists()
    outsider = _as(client, people, "other_township")
    assert outsider.get(f"/assessments/evidence/{evidence.pk}").status_code == 404


def test_a_refused_score_shows_the_reason_and_keeps_the_input(
    client: Any, people: Any, assessment: Assessment
) -> None:
    subject = _subject(assessment, VILLAGE)
    score = _score(subject, "files_complete")
    url = f"/assessments/{assessment.pk}/subjects/{subject.pk}/"
    _as(client, people, "township")
    post = {"what": "score", "score": score.pk, "points": "20", "way": "ledger", "note": ""}
    r = client.post(url, post)
    assert r.status_code == 400 and "扣分须填写扣分说明" in r.content.decode()
    r = client.post(url, post | {"points": "31", "note": "多给"})
    assert r.status_code == 400 and "30" in r.content.decode()
    score.refresh_from_db()
    assert score.points is None
    computed = _score(subject, "identified_in_time")
    r = client.post(url, post | {"score": computed.pk, "points": "1", "note": "x"})
    assert r.status_code == 400 and Score.objects.get(pk=computed.pk).assessor is None


def test_a_township_may_not_score_itself(
    client: Any, people: Any, people_township_scheme: Assessment
) -> None:
    own = _subject(people_township_scheme, TOWNSHIP)
    score = _score(own, "files_complete")
    url = f"/assessments/{people_township_scheme.pk}/subjects/{own.pk}/"
    # while open, its own draft scorecard is not even visible to it (review item 4)
    assert _as(client, people, "township").get(url).status_code == 404
    r = client.post(
        url, {"what": "score", "score": score.pk, "points": "30", "way": "ledger", "note": ""}
    )
    assert r.status_code == 404
    assert Score.objects.get(pk=score.pk).points is None


@pytest.fixture
def people_township_scheme(people: Any) -> Assessment:
    scheme = scheme_load(user=people["county"], text=TOWNSHIP_SCHEME)
    return assessment_open(
        user=people["county"], scheme=scheme, period="quarter", quarter=3, today=TODAY
    )


def test_another_townships_cadre_cannot_reach_the_villages_card(
    client: Any, people: Any, assessment: Assessment
) -> None:
    subject = _subject(assessment, VILLAGE)
    score = _score(subject, "files_complete")
    url = f"/assessments/{assessment.pk}/subjects/{subject.pk}/"
    _as(client, people, "other_township")
    assert client.get(url).status_code == 404
    post = {"what": "score", "score": score.pk, "points": "30", "way": "ledger", "note": ""}
    assert client.post(url, post).status_code == 404
    # nor through a card of its own with the other village's score
    theirs = _subject(assessment, OTHER_TOWNSHIP_VILLAGE)
    own_url = f"/assessments/{assessment.pk}/subjects/{theirs.pk}/"
    assert client.post(own_url, post).status_code == 404
    assert Score.objects.get(pk=score.pk).points is None


def test_the_problem_found_is_registered_into_the_ledger(
    client: Any, people: Any, assessment: Assessment
) -> None:
    subject = _subject(assessment, VILLAGE)
    score = _score(subject, "recognition")
    url = f"/assessments/{assessment.pk}/subjects/{subject.pk}/"
    _as(client, people, "auditor")
    post = {
        "what": "problem",
        "score": score.pk,
        "source": "self_check",
        "category": "assistance",
        "description": "访谈中3户反映帮扶措施未落实",
        "responsible_unit": "官庄村村委会",
        "deadline": "2026-12-31",
    }
    r = client.post(url, post | {"description": ""})
    assert r.status_code == 400 and not Problem.objects.exists()
    r = client.post(url, post)
    assert r.status_code == 302
    problem = Problem.objects.get()
    assert problem.region_id == VILLAGE and Score.objects.get(pk=score.pk).problem == problem
    page = client.get(url).content.decode()
    assert f'href="/problems/{problem.pk}/"' in page
    # and back: the problem names the scorecard it was found at (考核发现)
    page = client.get(f"/problems/{problem.pk}/").content.decode()
    assert "考核发现" in page and f'href="{url}"' in page and "群众认可度" in page
    # the village reads its problem, not the draft scorecard: no link to it
    page = _as(client, people, "village").get(f"/problems/{problem.pk}/").content.decode()
    assert "考核发现" not in page and url not in page


def test_a_card_out_of_scope_or_of_another_assessment_is_not_found(
    client: Any, people: Any, assessment: Assessment
) -> None:
    other = _subject(assessment, OTHER_TOWNSHIP_VILLAGE)
    _as(client, people, "township")
    assert client.get(f"/assessments/{assessment.pk}/subjects/{other.pk}/").status_code == 404
    ours = _subject(assessment, VILLAGE)
    assert client.get(f"/assessments/{assessment.pk + 1}/subjects/{ours.pk}/").status_code == 404
    for who in ("dept",):
        assert _as(client, people, who).get("/assessments/").status_code == 404


# -- the result sheet --------------------------------------------------------------------------
def test_the_result_sheet_xlsx_holds_the_ranking_and_every_score(
    client: Any, people: Any, published: Assessment
) -> None:
    r = _as(client, people, "township").get(f"/assessments/{published.pk}/result.xlsx")
    assert r.status_code == 200
    wb = load_workbook(io.BytesIO(b"".join(r.streaming_content)))
    ranking = list(wb["考核结果"].iter_rows(values_only=True))
    assert (
        "测试县村级考核方案 第3季度测评结果" in ranking[0][0]
        and "公布日期：2026-10-15" in ranking[0][0]
    )
    assert list(ranking[1]) == ["序号", "考核对象", "识别认定", "基础工作", "总分", "排名"]
    rows = {r[1]: r for r in ranking[2:]}
    # the township sees its own villages only
    assert "娄烦镇官庄村" in rows and "娄烦镇三元村" in rows
    assert all(n.startswith("娄烦镇") for n in rows)
    ours = rows["娄烦镇官庄村"]
    assert ours[2:5] == (65.5, 30.0, 95.5) and ours[5] > rows["娄烦镇三元村"][5]
    detail = list(wb["得分明细"].iter_rows(values_only=True))
    assert detail[0] == (
        "考核对象",
        "考核方面",
        "考核指标",
        "分值",
        "得分",
        "计分方式",
        "计算依据/扣分说明",
    )
    files = next(d for d in detail if d[0] == "娄烦镇官庄村" and d[2] == "档案资料完整规范")
    assert files[3:] == (30.0, 25.5, "考核评分", "查阅台账：档案缺失两户")
    assert len(detail) == 1 + 3 * len(rows)
    assert AuditEvent.objects.filter(
        action=AuditAction.EXPORT,
        object_type="assessment",
        actor=people["township"],
        region_code=COUNTY,  # the assessment's county, not the reader's township
    ).exists()


def test_the_xlsx_cells_are_never_formulas(
    client: Any, people: Any, assessment: Assessment
) -> None:
    score = _score(_subject(assessment, VILLAGE), "files_complete")
    score_set(
        user=people["county"],
        score=score,
        points=Decimal(29),
        way="ledger",
        note='=HYPERLINK("http://x")',
        today=TODAY,
    )
    # a dimension's name is the county's text too, and it heads a column of the ranking
    Dimension.objects.filter(scheme=assessment.scheme, key="groundwork").update(name="=1+1")
    r = _as(client, people, "county").get(f"/assessments/{assessment.pk}/result.xlsx")
    wb = load_workbook(io.BytesIO(b"".join(r.streaming_content)))
    cells = [c for row in wb["得分明细"].iter_rows() for c in row if "HYPERLINK" in str(c.value)]
    assert cells and all(c.data_type == "s" for c in cells)
    head = [c for c in next(wb["考核结果"].iter_rows(min_row=2, max_row=2)) if c.value == "=1+1"]
    assert head and head[0].data_type == "s"


def test_the_result_sheet_pdf_has_the_subjects(
    client: Any, people: Any, published: Assessment
) -> None:
    r = _as(client, people, "village").get(f"/assessments/{published.pk}/result.pdf")
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    assert r.content.startswith(b"%PDF")
    pypdf = pytest.importorskip("pypdf")
    reader = pypdf.PdfReader(io.BytesIO(r.content))
    page = reader.pages[0]
    assert page.mediabox.width > page.mediabox.height  # A4 landscape
    text = "".join(p.extract_text() for p in reader.pages)
    assert "官庄村" in text and "公布日期" in text and "三元村" not in text  # its own only
    county = _as(client, people, "county").get(f"/assessments/{published.pk}/result.pdf")
    text = "".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(county.content)).pages)
    assert "官庄村" in text and "三元村" in text and "静游镇" in text
    # each paper is audited like the .xlsx, under the assessment's county whoever reads it
    events = AuditEvent.objects.filter(action=AuditAction.EXPORT, object_type="assessment")
    assert [(e.actor, e.region_code, e.note[:11]) for e in events.order_by("pk")] == [
        (people["village"], COUNTY, "导出考核结果（PDF）"),
        (people["county"], COUNTY, "导出考核结果（PDF）"),
    ]
