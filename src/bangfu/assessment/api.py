"""The assessment scorecards' API routes (`/api/v1/assessments`): the county's schemes (list,
one with its dimensions and indicators, loading a file), the assessments (list, opening a
quarter's or the year's, one with its ranking, recomputing, publishing), a subject's
scorecard, an assessor's score and the problem found at it; the same services and refusals as
the pages. (No `from __future__ import annotations`: django-ninja reads the annotations.)"""

import datetime as dt
import enum
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from ninja import Field, Router, Schema
from ninja.pagination import paginate

from bangfu.accounts.api import ApiRequest
from bangfu.assessment.models import Assessment, CheckWay, Period, Scheme, Score, Subject
from bangfu.assessment.scheme import MAX_BYTES
from bangfu.assessment.services import (
    SubjectCard,
    assessment_get_for_user,
    assessment_open,
    assessment_publish,
    assessment_recompute,
    assessments_in_scope,
    scheme_get_for_user,
    scheme_load,
    schemes_in_scope,
    score_get_for_user,
    score_problem,
    score_set,
    subject_card,
    subject_get_for_user,
    subjects_for_user,
)
from bangfu.core.api import REFUSALS, Pages
from bangfu.supervision.api import ProblemDetail
from bangfu.supervision.models import Problem, ProblemCategory, Source

router = Router(tags=["assessments"])

PeriodName = enum.Enum("PeriodName", {p.value: p.value for p in Period}, type=str)  # type: ignore[misc]
WayName = enum.Enum("WayName", {w.value: w.value for w in CheckWay}, type=str)  # type: ignore[misc]
SourceName = enum.Enum("AssessmentSourceName", {s.value: s.value for s in Source}, type=str)  # type: ignore[misc]
CategoryName = enum.Enum(  # type: ignore[misc]
    "AssessmentCategoryName", {c.value: c.value for c in ProblemCategory}, type=str
)
TEXT = "^[^\\x00]*$"


class SchemeOut(Schema):
    id: int
    county: str
    year: int
    subject_kind: str
    name: str
    quarter_weight: Decimal

    @staticmethod
    def resolve_county(obj: Any) -> str:
        return str(obj.county_id)


class IndicatorOut(Schema):
    id: int
    key: str
    name: str
    points: Decimal
    method: str
    measure: str
    full_at: Decimal | None
    zero_at: Decimal | None
    ways: list[str]
    guide: str
    clause: str

    @staticmethod
    def resolve_ways(obj: Any) -> list[str]:
        return [w for w in str(obj.ways).split(",") if w]


class DimensionOut(Schema):
    id: int
    key: str
    name: str
    indicators: list[IndicatorOut]

    @staticmethod
    def resolve_indicators(obj: Any) -> list[Any]:
        return list(obj.indicators.all())


class SchemeDetail(SchemeOut):
    dimensions: list[DimensionOut]
    text: str

    @staticmethod
    def resolve_dimensions(obj: Any) -> list[Any]:
        return list(obj.dimensions.prefetch_related("indicators"))


@router.get("/assessments/schemes", response=list[SchemeOut])
def assessment_schemes(request: ApiRequest) -> QuerySet[Scheme]:
    """The assessment schemes of the user's county (考核方案)."""
    return schemes_in_scope(user=request.user)


class SchemeIn(Schema):
    text: str = Field(..., max_length=MAX_BYTES, pattern=TEXT, description="方案文件（TOML）")


@router.post("/assessments/schemes", response={200: SchemeDetail, **REFUSALS})
def assessment_scheme_load(request: ApiRequest, body: SchemeIn) -> Scheme:
    """Load a scheme file, or reload the county's scheme of that year and subject while no
    assessment used it (county officers of the county); a bad file is refused (409) with
    where and why."""
    return scheme_load(user=request.user, text=body.text)


@router.get("/assessments/schemes/{scheme_id}", response=SchemeDetail)
def assessment_scheme(request: ApiRequest, scheme_id: int) -> Scheme:
    return scheme_get_for_user(user=request.user, pk=scheme_id)


class AssessmentOut(Schema):
    id: int
    scheme: int
    year: int
    subject_kind: str
    period: str
    quarter: int | None
    title: str
    start: dt.date
    end: dt.date
    status: str
    published_on: dt.date | None

    @staticmethod
    def resolve_scheme(obj: Any) -> int:
        return int(obj.scheme_id)

    @staticmethod
    def resolve_year(obj: Any) -> int:
        return int(obj.scheme.year)

    @staticmethod
    def resolve_subject_kind(obj: Any) -> str:
        return str(obj.scheme.subject_kind)


class SubjectOut(Schema):
    id: int
    region: str
    region_name: str
    team: int | None
    total: Decimal | None
    rank: int | None

    @staticmethod
    def resolve_region(obj: Any) -> str:
        return str(obj.region_id)

    @staticmethod
    def resolve_region_name(obj: Any) -> str:
        return str(obj.region.name)

    @staticmethod
    def resolve_team(obj: Any) -> int | None:
        return int(obj.team_id) if obj.team_id is not None else None


class AssessmentDetail(AssessmentOut):
    ranking: list[SubjectOut]

    @staticmethod
    def resolve_ranking(obj: Any, context: Any) -> list[Subject]:
        """The subjects the requesting user may see, by rank."""
        return subjects_for_user(user=context["request"].user, assessment=obj)


@router.get("/assessments", response=list[AssessmentOut])
@paginate(Pages, page_size=50)
def assessments(request: ApiRequest) -> QuerySet[Assessment]:
    """The assessments of the user's county: those open to assessors and the county, the
    published ones to everyone who reads the registry."""
    return assessments_in_scope(user=request.user)


class AssessmentIn(Schema):
    scheme: int = Field(..., ge=1, le=2**31 - 1)
    period: PeriodName
    quarter: int | None = Field(None, ge=1, le=4, description="季度测评必填（1至4）")


@router.post("/assessments", response={200: AssessmentDetail, **REFUSALS})
def assessment_create(request: ApiRequest, body: AssessmentIn) -> Assessment:
    """Open a quarter's (季度测评) or the year's (年度总评) assessment of the scheme's
    subjects, with the computed scores measured at once (the county's officers)."""
    scheme = scheme_get_for_user(user=request.user, pk=body.scheme)
    found = assessment_open(
        user=request.user, scheme=scheme, period=body.period.value, quarter=body.quarter
    )
    return found


@router.get("/assessments/{assessment_id}", response=AssessmentDetail)
def assessment(request: ApiRequest, assessment_id: int) -> Assessment:
    """One assessment with the ranking of the subjects the user may see."""
    return assessment_get_for_user(user=request.user, pk=assessment_id)


@router.post("/assessments/{assessment_id}/recompute", response={200: AssessmentDetail, **REFUSALS})
def assessment_remeasure(request: ApiRequest, assessment_id: int) -> Assessment:
    """Measure the computed scores again while the assessment is open."""
    found = assessment_get_for_user(user=request.user, pk=assessment_id)
    return assessment_recompute(user=request.user, assessment=found)


@router.post("/assessments/{assessment_id}/publish", response={200: AssessmentDetail, **REFUSALS})
def assessment_publication(request: ApiRequest, assessment_id: int) -> Assessment:
    """Publish (公布) once the period is over: refused (409) before, while a score is empty, and
    for an annual weighing quarters not all published; the computed scores measured again,
    totals and ranks stored."""
    found = assessment_get_for_user(user=request.user, pk=assessment_id)
    return assessment_publish(user=request.user, assessment=found)


class EvidenceOut(Schema):
    id: int
    filename: str
    content_type: str
    size: int


class ScoreOut(Schema):
    id: int
    indicator: int
    name: str
    max: Decimal
    computed: bool
    points: Decimal | None
    text: str
    way: str
    evidence: list[EvidenceOut]
    problem: int | None


class DimensionCardOut(Schema):
    key: str
    name: str
    subtotal: Decimal
    max: Decimal
    scores: list[ScoreOut]


class ScorecardOut(Schema):
    subject: SubjectOut
    assessment: AssessmentOut
    dimensions: list[DimensionCardOut]
    total: Decimal | None
    rank: int | None
    of: int
    quarter_mean: Decimal | None
    quarter_weight: Decimal


def _card(card: SubjectCard) -> dict[str, Any]:
    return {
        "subject": card.subject,
        "assessment": card.assessment,
        "dimensions": [
            {
                "key": d.dimension.key,
                "name": d.dimension.name,
                "subtotal": d.subtotal,
                "max": d.max,
                "scores": [
                    {
                        "id": line.score.pk,
                        "indicator": line.indicator.pk,
                        "name": line.indicator.name,
                        "max": line.max,
                        "computed": line.computed,
                        "points": line.points,
                        "text": line.text,
                        "way": line.score.way,
                        "evidence": line.evidence,
                        "problem": line.score.problem_id,
                    }
                    for line in d.lines
                ],
            }
            for d in card.dimensions
        ],
        "total": card.total,
        "rank": card.rank,
        "of": card.of,
        "quarter_mean": card.quarter_mean,
        "quarter_weight": card.quarter_weight,
    }


@router.get("/assessments/subjects/{subject_id}", response=ScorecardOut)
def assessment_scorecard(request: ApiRequest, subject_id: int) -> dict[str, Any]:
    """A subject's scorecard: each dimension's scores with why (the measured facts, or the
    assessor's way, note and evidence), the subtotals, the total and the rank of how many."""
    found: Subject = subject_get_for_user(user=request.user, pk=subject_id)
    return _card(subject_card(user=request.user, subject=found))


class ScoreIn(Schema):
    points: float = Field(..., ge=0, le=100, description="得分（最多两位小数）")
    way: WayName
    note: str = Field("", max_length=2000, pattern=TEXT, description="扣分时必填")


@router.post("/assessments/scores/{score_id}", response={200: ScorecardOut, **REFUSALS})
def assessment_score(request: ApiRequest, score_id: int, body: ScoreIn) -> dict[str, Any]:
    """An assessor's score of an assessed indicator (evidence files are uploaded on the
    scorecard's page); refused for a computed one, out of range, or a deduction without a
    note."""
    found: Score = score_get_for_user(user=request.user, pk=score_id)
    score_set(
        user=request.user,
        score=found,
        points=Decimal(repr(body.points)),
        way=body.way.value,
        note=body.note,
    )
    subject = subject_get_for_user(user=request.user, pk=found.subject_id)
    return _card(subject_card(user=request.user, subject=subject))


class ProblemFound(Schema):
    description: str = Field(..., max_length=2000, pattern=TEXT)
    deadline: dt.date
    responsible_unit: str = Field(..., max_length=100, pattern=TEXT)
    category: CategoryName
    source: SourceName = SourceName("self_check")


@router.post("/assessments/scores/{score_id}/problem", response={200: ProblemDetail, **REFUSALS})
def assessment_score_problem(request: ApiRequest, score_id: int, body: ProblemFound) -> Problem:
    """Register the problem found at this score into the ledger (问题台账), one per score, while
    the assessment is open."""
    found: Score = score_get_for_user(user=request.user, pk=score_id)
    return score_problem(
        user=request.user,
        score=found,
        description=body.description,
        deadline=body.deadline,
        responsible_unit=body.responsible_unit,
        category=body.category.value,
        source=body.source.value,
    )
