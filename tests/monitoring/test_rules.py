"""Each rule fires on the case it is written for, with readable evidence, and the same
warnings come out of DuckDB and Spark."""

import dataclasses
import datetime as dt

import pytest

from bangfu.core.tabular.sheets import Table
from bangfu.feeds.importer import feed_import
from bangfu.feeds.sources import FEEDS
from bangfu.monitoring.models import RiskWarning
from bangfu.monitoring.policy import load_policy, parse_policy
from bangfu.monitoring.run import canonical
from bangfu.monitoring.services import monitor_run
from tests.conftest import KEYS, household_rows

pytestmark = pytest.mark.django_db
PERIOD = "2026-10"
TODAY = dt.date(2026, 10, 31)


def income(year, pc, size=3, **kw):
    """Income columns giving per-capita net income `pc` for a household of `size`."""
    net = pc * size
    return (
        dict(
            year=year,
            wage=round(net * 0.6, 2),
            business=round(net * 0.4 + 1000, 2),
            property_income=0,
            transfer=0,
            production_costs=1000,
        )
        | kw
    )


def feed(code, *records):
    spec = FEEDS[code]
    rows = [[str(r.get(c.key, "")) for c in spec.all_columns] for r in records]
    report = feed_import(
        spec=spec, table=Table([c.header for c in spec.all_columns], rows, "t"), today=TODAY
    )
    assert report.written, report.errors


def ident_of(rows, i=0):
    return rows[i][KEYS.index("id_number")]


@pytest.fixture
def county(settings, tmp_path, make_households):
    settings.HOME = tmp_path
    low = household_rows("H-LOW", **income(2025, 5000.0))
    near = household_rows("H-NEAR", **income(2025, 8000.0))
    ok = household_rows("H-OK", **income(2025, 30000.0))
    drop = household_rows("H-DROP", **income(2025, 9000.0))
    sick = household_rows("H-SICK", **income(2025, 25000.0))
    house = household_rows("H-HOUSE", **income(2025, 25000.0))
    school = household_rows("H-SCHOOL", **income(2025, 25000.0))
    school[2][KEYS.index("schooling")] = "辍学"  # a son born 2012: 14 in 2026
    uninsured = household_rows("H-NOINS", **income(2025, 25000.0))
    uninsured[1][KEYS.index("medical_insured")] = "否"
    death = household_rows("H-DEATH", **income(2025, 25000.0))
    make_households(low, near, ok, drop, sick, house, school, uninsured, death)
    last_year = income(2024, 20000.0)  # the same people, last year's income: 20,000 per head
    make_households(
        [[str(last_year.get(k, v)) for k, v in zip(KEYS, r, strict=True)] for r in drop]
    )
    feed(
        "medical",
        {
            "record_id": "M1",
            "id_number": ident_of(sick),
            "event_date": "2026-05-01",
            "total_cost": "60000",
            "out_of_pocket": "24000",
            "serious": "否",
        },
    )
    feed(
        "housing",
        {"record_id": "Z1", "id_number": ident_of(house), "event_date": "2026-04-01", "grade": "D"},
        {"record_id": "Z2", "id_number": ident_of(ok), "event_date": "2026-04-01", "grade": "B"},
    )
    feed(
        "police",
        {
            "record_id": "P1",
            "id_number": ident_of(death),
            "event_date": "2026-08-01",
            "event": "死亡",
        },
    )
    return {"low": low, "sick": sick, "death": death}


def flagged(rule_id):
    return set(
        RiskWarning.objects.filter(rule_id=rule_id).values_list(
            "household__household_no", flat=True
        )
    )


def test_each_rule_fires_where_it_should(county):
    run, _ = monitor_run(period=PERIOD)
    assert run.summary["households_scanned"] == 9
    assert flagged("R01") == {"H-LOW"}
    assert flagged("R02") == {"H-NEAR", "H-DROP"}
    assert flagged("R05") == {"H-SICK"}
    assert flagged("R07") == {"H-HOUSE"}
    assert flagged("R09") == {"H-SCHOOL"}
    assert flagged("R14") == {"H-NOINS"}
    assert flagged("R12") == {"H-DEATH"}
    low = RiskWarning.objects.get(rule_id="R01")
    assert low.evidence == [
        {"value": 5000.0, "reference": 7300.0, "detail": "", "source": "income:2025"}
    ]
    # low income alone is no 收入骤减: the cause is the home verification's to find
    assert low.category == "edge" and low.risk_types == ["其他"]
    # the department is kept as a column too (the dashboard counts by it)
    sources = dict(RiskWarning.objects.values_list("rule_id", "source"))
    assert sources["R01"] == "income" and sources["R05"] == "medical"
    assert all(sources.values())
    assert low.policy_version == "14-2026.5" and "监测范围" in low.clause
    death = RiskWarning.objects.get(rule_id="R12")
    assert death.evidence[0]["detail"] == "P1" and death.category == "sudden"
    sick = RiskWarning.objects.get(rule_id="R05")
    assert sorted((e["detail"], e["value"]) for e in sick.evidence) == [
        ("M1", 24000.0),
        ("合计", 24000.0),
    ]


def test_drop_on_last_year(county):
    monitor_run(period=PERIOD)
    assert "H-DROP" in flagged("R03")
    w = RiskWarning.objects.get(rule_id="R03")
    assert (w.evidence[0]["value"], w.evidence[0]["reference"]) == (9000.0, 20000.0)


def test_a_threshold_changed_in_the_policy_file_changes_the_warnings(county, tmp_path):
    text = load_policy().path.read_text(encoding="utf-8")
    higher = text.replace("monitoring_line = 7300", "monitoring_line = 8500")
    path = tmp_path / "p.toml"
    path.write_text(higher, encoding="utf-8")
    monitor_run(period=PERIOD, policy=load_policy(path))
    assert flagged("R01") == {"H-LOW", "H-NEAR"}
    stricter = parse_policy(
        text.replace(
            "min_amount = 20000.0, min_share = 0.3", "min_amount = 30000.0, min_share = 0.9"
        )
    )
    monitor_run(period=PERIOD, policy=stricter)
    assert flagged("R05") == set()  # untouched warnings of a rule that no longer fires go


def test_rerun_duplicates_nothing_and_keeps_decisions(county, people):
    from bangfu.monitoring.services import warning_set_status

    monitor_run(period=PERIOD)
    n = RiskWarning.objects.count()
    w = RiskWarning.objects.get(rule_id="R01")
    warning_set_status(user=people["county"], warning=w, status="dismissed", reason="已核实")
    monitor_run(period=PERIOD)
    assert RiskWarning.objects.count() == n
    assert RiskWarning.objects.get(pk=w.pk).status == "dismissed"


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")  # py4j's sockets
def test_duckdb_and_spark_give_identical_warnings_on_the_demo_data(settings, tmp_path):
    from bangfu.demo.services import demo_build

    settings.HOME = tmp_path
    demo_build(households=400, seed=11)  # registry, income history and all department feeds
    _, duck = monitor_run(period=PERIOD, engine="duckdb")
    _, spark = monitor_run(period=PERIOD, engine="spark")
    assert len(duck.by_rule) >= 8 and sum(duck.by_rule.values()) > 50
    assert canonical(duck.warnings).equals(canonical(spark.warnings))
    assert duck.by_rule == spark.by_rule


def test_feed_records_of_people_not_in_scope_of_any_household_are_ignored(county):
    feed(
        "medical",
        {
            "record_id": "M9",
            "id_number": "11010519491231002X",
            "event_date": "2026-05-01",
            "total_cost": "90000",
            "out_of_pocket": "80000",
            "serious": "是",
        },
    )
    monitor_run(period=PERIOD)
    assert all(e["detail"] != "M9" for w in RiskWarning.objects.all() for e in w.evidence)


def test_policy_dataclass_is_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        load_policy().line = 1  # type: ignore[misc]
