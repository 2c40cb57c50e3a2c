"""R17 (policy_dependent): a formerly poor household above the line only thanks to its policy
income (政策性收入) stays a concern (seed 003: 对离开帮扶政策会出现返贫风险的原建档立卡脱贫人口
继续实施帮扶); the registry keeps that income through import and export."""

import dataclasses
import datetime as dt
import io
from decimal import Decimal

import pytest

from bangfu.core.tabular.sheets import Table, read_table
from bangfu.monitoring.benchmark.baselines import run_pandas
from bangfu.monitoring.benchmark.province import build_province
from bangfu.monitoring.context import Context
from bangfu.monitoring.engines import connect
from bangfu.monitoring.models import RiskWarning
from bangfu.monitoring.policy import load_policy, parse_policy
from bangfu.monitoring.run import run_rules
from bangfu.monitoring.services import monitor_run
from bangfu.monitoring.snapshot import registry_snapshot
from bangfu.registry.exporter import households_export
from bangfu.registry.importer import households_import
from bangfu.registry.models import Household, IncomeRecord
from tests.conftest import HEADERS, KEYS, household_rows

pytestmark = pytest.mark.django_db
PERIOD = "2026-10"
SHIPPED = "formerly_poor_only = true, above_line_only = true"


def income(pc, policy, size=3):
    """Income columns of a household of `size` with per-capita net income `pc`, of which
    `policy` yuan a year (the whole household's) is policy income."""
    net = pc * size
    return dict(
        year=2025,
        wage=round(net * 0.5, 2),
        business=round(net * 0.3 + 1000, 2),
        property_income=0,
        transfer=round(net * 0.2, 2),
        policy_income=policy,
        production_costs=1000,
    )


@pytest.fixture
def county(settings, tmp_path, make_households):
    settings.HOME = tmp_path
    make_households(
        # 8,000 a head, 7,000 without its 3,000 of policy income: above the line only thanks to it
        household_rows("H-DEP", formerly_poor="是", **income(8000.0, 3000)),
        household_rows("H-NOTPOOR", formerly_poor="否", **income(8000.0, 3000)),
        household_rows("H-BELOW", formerly_poor="是", **income(6000.0, 3000)),
        household_rows("H-STEADY", formerly_poor="是", **income(8000.0, 0)),
        household_rows("H-RICH", formerly_poor="是", **income(30000.0, 9000)),
    )


def flagged(rule_id):
    return set(
        RiskWarning.objects.filter(rule_id=rule_id).values_list(
            "household__household_no", flat=True
        )
    )


def with_params(params):
    text = load_policy().path.read_text(encoding="utf-8")
    assert SHIPPED in text
    return parse_policy(text.replace(SHIPPED, params))


def test_a_formerly_poor_household_above_the_line_only_by_policy_income_is_warned(county):
    monitor_run(period=PERIOD)
    # not the one that is not formerly poor, not the one below the line even with it (R01's),
    # not the ones whose income without it is still above the line
    assert flagged("R17") == {"H-DEP"}
    assert flagged("R01") == {"H-BELOW"}
    w = RiskWarning.objects.get(rule_id="R17")
    assert w.evidence == [
        {
            "value": 7000.0,
            "reference": 7300.0,
            "detail": "政策性收入人均 1000 元",
            "source": "income:2025",
        }
    ]
    assert w.category == "unstable" and w.risk_types == ["其他"]
    assert "离开帮扶政策" in w.clause


def test_the_parameters_widen_the_rule(county):
    monitor_run(
        period=PERIOD, policy=with_params("formerly_poor_only = true, above_line_only = false")
    )
    assert flagged("R17") == {"H-DEP", "H-BELOW"}
    monitor_run(
        period=PERIOD, policy=with_params("formerly_poor_only = false, above_line_only = true")
    )
    assert flagged("R17") == {"H-DEP", "H-NOTPOOR"}


def test_the_income_without_policy_income_is_in_the_context(county, tmp_path):
    registry_snapshot(folder=tmp_path / "reg", day=dt.date(2026, 10, 31))
    ctx = Context(
        con=connect("duckdb"),
        registry=tmp_path / "reg",
        store=tmp_path / "store",
        period=PERIOD,
        policy=load_policy(),
        scratch=tmp_path,
    )
    got = ctx.incomes_per_capita().to_pandas().set_index("household_no")
    assert got.loc["H-DEP", "per_capita"] == pytest.approx(8000.0)
    assert got.loc["H-DEP", "per_capita_without_policy"] == pytest.approx(7000.0)
    assert got.loc["H-STEADY", "per_capita_without_policy"] == pytest.approx(8000.0)


def import_rows(rows):
    return households_import(table=Table(HEADERS, rows, "test"), actor=None, scope_prefix="")


def test_import_refuses_policy_income_above_the_income_it_is_part_of():
    rows = household_rows("P-1", size=2, formerly_poor="是", **income(8000.0, "17000.01", size=2))
    rows[1][KEYS.index("policy_income")] = ""  # a later row may leave it blank
    report = import_rows(rows)
    assert not report.written
    assert [(e.row, e.column) for e in report.errors] == [(2, "其中：政策性收入")]
    assert "不能超过" in report.errors[0].reason
    assert str(report.errors[0]).startswith("第2行，其中：政策性收入列：")
    assert not Household.objects.filter(household_no="P-1").exists()
    # all of the income may be policy income (a household living on 低保 and a 公益性岗位)
    rows = household_rows("P-2", size=2, **income(8000.0, 17000, size=2))
    assert sum(Decimal(rows[0][KEYS.index(k)]) for k in ("wage", "business", "transfer")) == 17000
    assert import_rows(rows).written


def test_export_imports_back_with_its_policy_income():
    import_rows(household_rows("E-1", formerly_poor="是", **income(8000.0, "3456.78")))
    buf = io.BytesIO()
    households_export(
        households=Household.objects.all(), out=buf, unmask=True, actor=None, region_code=""
    )
    table = read_table(io.BytesIO(buf.getvalue()), "export.xlsx")
    assert "其中：政策性收入" in table.headers
    assert IncomeRecord.objects.get().policy_income == Decimal("3456.78")
    IncomeRecord.objects.update(policy_income=0)  # the file, not the database, must restore it
    report = households_import(table=table, actor=None, scope_prefix="")
    assert report.written, report.errors
    assert report.incomes_updated == 1
    assert IncomeRecord.objects.get().policy_income == Decimal("3456.78")
    again = households_import(
        table=read_table(io.BytesIO(buf.getvalue()), "export.xlsx"), actor=None, scope_prefix=""
    )
    assert again.incomes_updated == again.households_updated == again.members_updated == 0


def test_the_benchmark_province_has_policy_dependent_households_and_the_baseline_finds_them(
    tmp_path,
):
    build_province(tmp_path, 400, period=PERIOD)
    shipped = load_policy()
    policy = dataclasses.replace(
        shipped, rules=tuple(r for r in shipped.rules if r.kind != "vulnerability")
    )
    ctx = Context(
        con=None, registry=tmp_path, store=tmp_path, period=PERIOD, policy=policy, scratch=tmp_path
    )
    ours = run_rules(
        engine="duckdb",
        registry=tmp_path / "registry",
        store=tmp_path / "store",
        period=PERIOD,
        policy=policy,
        with_mpi=False,
    ).warnings
    theirs = run_pandas(tmp_path, policy, period=PERIOD, start=ctx.start, end=ctx.end)
    ours_r17 = set(ours.loc[ours.rule_id == "R17", "household_no"])
    assert len(ours_r17) >= 2
    assert ours_r17 == set(theirs.loc[theirs.rule_id == "R17", "household_no"])
