"""`points_for`: linear between zero_at and full_at in either direction, clamped to [0, the
indicator's points]; nothing to measure earns the full points, except where the measure's
"nothing counted" means nothing done (a work team with nobody on post), which earns none."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from bangfu.assessment.indicators import MEASURES, Measured
from bangfu.assessment.services import measured_text, points_for


@dataclass
class Target:
    points: Decimal
    full_at: Decimal | None
    zero_at: Decimal | None
    measure: str = "identified_in_time"


def at(value: float | None) -> Measured:
    return Measured(value, 0, 0, "")


POINTS = st.decimals(min_value=Decimal("0.5"), max_value=Decimal(100), places=2)
LEVEL = st.decimals(min_value=Decimal(-5), max_value=Decimal(5), places=2)
VALUE = st.floats(min_value=-10, max_value=10, allow_nan=False)


def test_the_worked_examples():
    rate = Target(Decimal(10), Decimal("1.0"), Decimal("0.8"))
    assert points_for(rate, at(1.0)) == Decimal("10.00")
    assert points_for(rate, at(0.9)) == Decimal("5.00")
    assert points_for(rate, at(0.5)) == Decimal("0.00")
    assert points_for(rate, at(None)) == Decimal("10.00")
    overdue = Target(Decimal(5), Decimal(0), Decimal("0.2"))  # less is better
    assert points_for(overdue, at(0.0)) == Decimal("5.00")
    assert points_for(overdue, at(0.05)) == Decimal("3.75")
    assert points_for(overdue, at(0.3)) == Decimal("0.00")


@pytest.mark.parametrize("key", sorted(MEASURES))
def test_nothing_counted_earns_full_points_only_where_nothing_was_due(key):
    """A team with nobody on post did no work: its measures' None earns nothing, and the card
    says which rule applied."""
    target = Target(Decimal(15), Decimal(1), Decimal(0), key)
    team = key.startswith("team_")
    assert MEASURES[key].none_earns_full is not team
    assert points_for(target, at(None)) == (Decimal(0) if team else Decimal(15))
    words = measured_text({"value": None, "text": "", "none_earns_full": not team})
    assert ("按零分计" if team else "按满分计") in words


@given(POINTS, LEVEL, LEVEL, VALUE)
def test_points_stay_within_zero_and_the_indicators_points(points, full, zero, value):
    assume(full != zero)
    got = points_for(Target(points, full, zero), at(value))
    assert Decimal(0) <= got <= points


@given(POINTS, LEVEL, LEVEL, VALUE, VALUE)
def test_a_step_towards_full_at_never_earns_less(points, full, zero, a, b):
    """Monotone: whichever direction is better (a rate up, an overdue share down)."""
    assume(full != zero)
    target = Target(points, full, zero)
    worse, better = (a, b) if (Decimal(repr(b)) - Decimal(repr(a))) * (full - zero) >= 0 else (b, a)
    assert points_for(target, at(better)) >= points_for(target, at(worse))


@given(POINTS, LEVEL, LEVEL)
def test_full_at_earns_all_zero_at_none_and_nothing_measured_all(points, full, zero):
    assume(full != zero)
    target = Target(points, full, zero)
    assert points_for(target, at(float(full))) == points
    assert points_for(target, at(float(zero))) == 0
    assert points_for(target, at(None)) == points
