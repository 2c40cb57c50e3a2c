"""A monitoring run says what it ran on: the policy file's content hash beside the version the
file declares (two different files never pass for one), and whether the registry's income data
is of the period's previous year; a warning dismissed with a reason is not raised again while
its evidence is unchanged."""

import hashlib
import json

import pytest
from django.core.management import call_command

from bangfu.monitoring.models import MonitoringRun, RiskWarning
from bangfu.monitoring.policy import load_policy
from bangfu.monitoring.services import monitor_run, warning_set_status
from tests.conftest import household_rows
from tests.monitoring.test_rules import income

PERIOD = "2026-10"


@pytest.fixture
def registry(settings, tmp_path, make_households):
    settings.HOME = tmp_path
    make_households(household_rows("H-PH1", **income(2025, 9000.0)))


def test_a_run_records_the_policy_files_hash(registry, settings, tmp_path):
    shipped = load_policy()
    run, _ = monitor_run(period=PERIOD)
    expected = hashlib.sha256(shipped.path.read_text(encoding="utf-8").encode()).hexdigest()
    assert run.policy_digest == expected == run.summary["policy_digest"]
    # the same declared version, another text: another digest
    edited = tmp_path / "edited.toml"
    edited.write_text(
        shipped.path.read_text(encoding="utf-8").replace(
            "monitoring_line = 7300", "monitoring_line = 7400"
        ),
        encoding="utf-8",
    )
    settings.BANGFU_POLICY = str(edited)
    second, _ = monitor_run(period=PERIOD)
    assert second.policy_version == run.policy_version
    assert second.policy_digest != run.policy_digest
    assert MonitoringRun.objects.get(pk=second.pk).policy_digest == second.policy_digest


def test_a_run_on_old_income_data_says_so(registry, make_households, capsys):
    fresh, _ = monitor_run(period=PERIOD)  # the period's previous year is 2025: there
    assert fresh.summary["income_data"] == {
        "latest_year": 2025,
        "expected_year": 2025,
        "stale": False,
    }
    stale, _ = monitor_run(period="2027-03")  # next year's run still has only 2025's incomes
    assert stale.summary["income_data"] == {
        "latest_year": 2025,
        "expected_year": 2026,
        "stale": True,
    }
    call_command("monitor", "run", "--period", "2027-03", "--json")
    out = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert out["income_data"]["stale"] is True and out["policy_digest"] == stale.policy_digest


def test_the_runs_page_shows_the_hash_and_the_stale_data(registry, client, people):
    run, _ = monitor_run(period="2027-03")
    client.force_login(people["county"])
    page = client.get("/monitoring/").content.decode()
    assert run.policy_digest[:8] in page and "收入数据过旧" in page


def test_a_dismissed_warning_is_not_raised_again_on_the_same_evidence(registry, people):
    monitor_run(period="2026-10")
    (first,) = RiskWarning.objects.filter(period="2026-10", rule_id="R02")  # near the line
    warning_set_status(
        user=people["county"], warning=first, status="dismissed", reason="核实无风险"
    )
    run, _ = monitor_run(period="2026-11")  # the same incomes: the same evidence
    assert not RiskWarning.objects.filter(period="2026-11", rule_id="R02").exists()
    assert run.summary["warnings_suppressed"] == 1
    # the evidence changes (a new year's income, still near the line): raised again
    household = first.household
    record = household.incomes.get(year=2025)
    record.pk, record.year = None, 2026
    record.wage = record.wage - 300
    record.save()
    run, _ = monitor_run(period="2027-01")
    assert RiskWarning.objects.filter(period="2027-01", rule_id="R02").count() == 1
    assert run.summary["warnings_suppressed"] == 0
