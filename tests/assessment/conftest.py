"""Schemes of 娄烦县 loaded through the service, assessments opened with a measure that answers
what each test sets (the real measures are H2's, tested in tests/assessment/test_indicators.py),
and scores given by the assessors."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from bangfu.assessment import services
from bangfu.assessment.indicators import Measured
from bangfu.assessment.models import Assessment, Method, Scheme, Score
from bangfu.assessment.services import assessment_open, scheme_load, score_set

SCHEMES = Path(services.__file__).parent / "schemes"
TODAY = dt.date(2026, 12, 1)
PNG_BYTES = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de0000000c4944415478"
    "9c63f8cfc0000003010100c9fe92ef0000000049454e44ae426082"
)


def scheme_file(kind: str) -> str:
    return (SCHEMES / f"2026-{kind}.toml").read_text(encoding="utf-8")


# a village scheme of one computed indicator: its assessments publish without assessors
ONE_COMPUTED = """
[scheme]
county = "140123"
year = 2026
subject = "village"
name = "一项指标的方案"
[[dimension]]
key = "groundwork"
name = "基础工作"
[[dimension.indicator]]
key = "meetings_held"
name = "月度监测例会"
points = 100
measure = "meetings_held"
full_at = 1.0
zero_at = 0.5
"""


@pytest.fixture(autouse=True)
def _home(settings: Any, tmp_path: Any) -> None:
    settings.HOME = tmp_path


class FakeMeasure:
    """Stands for `indicators.measure`: `values[code]` (default None: nothing to measure)."""

    def __init__(self) -> None:
        self.values: dict[str, float | None] = {}
        self.calls: list[tuple[str, tuple[str, ...], dt.date, dt.date]] = []

    def __call__(
        self, key: str, *, codes: Sequence[str], start: dt.date, end: dt.date
    ) -> dict[str, Measured]:
        self.calls.append((key, tuple(codes), start, end))
        out = {}
        for code in codes:
            value = self.values.get(code)
            out[code] = Measured(value, int((value or 0) * 10), 10, f"测得{value}")
        return out


@pytest.fixture
def fake_measure(monkeypatch: pytest.MonkeyPatch) -> FakeMeasure:
    fake = FakeMeasure()
    monkeypatch.setattr(services, "measure", fake)
    return fake


@pytest.fixture
def schemes(people: Any) -> dict[str, Scheme]:
    return {
        kind: scheme_load(user=people["county"], text=scheme_file(kind))
        for kind in ("township", "village", "team")
    }


@pytest.fixture
def township_q3(people: Any, schemes: dict[str, Scheme], fake_measure: FakeMeasure) -> Assessment:
    return assessment_open(
        user=people["county"], scheme=schemes["township"], period="quarter", quarter=3, today=TODAY
    )


def assessed(assessment: Assessment, **filters: Any) -> list[Score]:
    return list(
        Score.objects.filter(
            subject__assessment=assessment, indicator__method=Method.ASSESSED, **filters
        )
        .select_related("indicator", "subject__region")
        .order_by("pk")
    )


@pytest.fixture
def score_all(people: Any) -> Callable[..., None]:
    """Every assessed score of the assessment given full marks by the auditor, or minus
    `minus[region_code]` points on the first assessed indicator."""

    def give(assessment: Assessment, minus: dict[str, Decimal] | None = None) -> None:
        minus = dict(minus or {})
        for score in assessed(assessment):
            less = minus.pop(score.subject.region_id, Decimal(0))
            score_set(
                user=people["auditor"],
                score=score,
                points=score.indicator.points - less,
                way=score.indicator.ways.split(",")[0],
                note="扣分说明" if less else "",
                today=TODAY,
            )

    return give
