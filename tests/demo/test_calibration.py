"""The demo county matches the official statistics it is calibrated to (docs/calibration.md)."""

import itertools
import statistics
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bangfu.core.idcard import parse_id_number
from bangfu.demo.generator import Generator, load_calibration, quintile_segments
from bangfu.demo.services import _apportion, demo_build
from bangfu.regions.models import Region
from bangfu.registry.columns import COLUMNS
from bangfu.registry.income import per_capita_net_income
from bangfu.registry.models import Household, IncomeRecord

KEY = {c.key: i for i, c in enumerate(COLUMNS)}
CAL = load_calibration()


def quintile_means(values):
    ranked = sorted(values)
    n = len(ranked)
    return [statistics.fmean(ranked[q * n // 5 : (q + 1) * n // 5]) for q in range(5)]


def test_segments_are_disjoint_and_centred():
    segs = quintile_segments(CAL.quintile_means)
    for (lo, hi), m in zip(segs, CAL.quintile_means, strict=True):
        assert lo < m < hi and (lo + hi) / 2 == pytest.approx(m)
    assert all(a[1] <= b[0] for a, b in itertools.pairwise(segs))


@pytest.mark.django_db
def test_generated_incomes_match_the_official_quintiles_within_5_percent():
    county = Region.objects.get(code="140123000000")
    village = Region.objects.get(code="140123100206")
    gen = Generator(county=county, seed=7, calibration=CAL)
    per_capita, sizes, formerly_poor = [], [], 0
    for i in range(2000):
        h = gen.household(village=village, grid=1, serial=i + 1, quintile=i % 5)
        first = h.rows[0]
        money = {
            k: Decimal(first[KEY[k]] or 0)
            for k in ("wage", "business", "property_income", "transfer", "production_costs")
        }
        total = money["wage"] + money["business"] + money["property_income"] + money["transfer"]
        # the income columns, read back the way the registry computes it
        pc = per_capita_net_income(
            total_income=total, production_costs=money["production_costs"], size=len(h.rows)
        )
        per_capita.append(float(pc))
        sizes.append(len(h.rows))
        formerly_poor += first[KEY["formerly_poor"]] == "是"
        for r in h.rows:
            ident = parse_id_number(r[KEY["id_number"]], today=gen.today)
            assert ident.area_code == "140123"
    for got, official in zip(quintile_means(per_capita), CAL.quintile_means, strict=True):
        assert abs(got - official) / official < 0.05, (got, official)
    assert statistics.fmean(sizes) == pytest.approx(CAL.mean_size, rel=0.1)
    assert formerly_poor / 2000 == pytest.approx(CAL.formerly_poor_share, rel=0.2)


@pytest.mark.django_db
def test_demo_build_loads_the_county_and_users():
    result = demo_build(households=150, seed=3)
    assert result.report.written and result.report.households_created == 150
    villages = set(Household.objects.values_list("village_id", flat=True))
    assert len(villages) > 50 and all(v.startswith("140123") for v in villages)
    assert IncomeRecord.objects.values("year").distinct().count() == 5
    assert {u for u, _, _ in result.logins} >= {"county", "township", "village", "grid", "auditor"}
    again = demo_build(households=150, seed=3)  # same seed, same data: nothing new
    assert again.report.households_created == 0 and again.report.members_updated == 0


@given(total=st.integers(0, 5000), weights=st.lists(st.floats(0.5, 1.5), min_size=1, max_size=130))
def test_apportion_is_exact(total, weights):
    counts = _apportion(total, weights)
    assert sum(counts) == total and min(counts) >= 0
