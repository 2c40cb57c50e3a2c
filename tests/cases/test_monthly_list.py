"""The monthly list a village can verify: warnings on a household whose case is open become new
signals on that case (counted apart), incomes just above the range go on the watch list (重点关注),
each household with new leads gets one priority, and the run reports the counts."""

import json

import pytest
from django.core.management import call_command

from bangfu.assistance.dashboard import dashboard
from bangfu.cases.models import Case, Channel, Signal, Stage
from bangfu.monitoring.models import RiskWarning, WarningStatus
from bangfu.monitoring.selectors import WarningFilters, warning_list_for_user
from bangfu.monitoring.services import monitor_run
from tests.conftest import household_rows
from tests.monitoring.test_rules import income

pytestmark = pytest.mark.django_db
PERIOD = "2026-10"


@pytest.fixture
def county(settings, tmp_path, make_households):
    settings.HOME = tmp_path
    made = make_households(
        household_rows("L-1", **income(2025, 5000.0)),  # below the range: a new lead
        household_rows("M-1", **income(2025, 5200.0)),  # below the range, already in monitoring
        household_rows("W-1", **income(2025, 8000.0)),  # just above the range: watch list
        household_rows("F-1", **income(2025, 30000.0)),
        household_rows("U-1", **income(2025, 30000.0)),
    )
    low, watched, near, fine, uninsured = (
        next(h for h in made if h.household_no == no) for no in ("L-1", "M-1", "W-1", "F-1", "U-1")
    )
    uninsured.members.update(medical_insured=False)  # R14, severity 1
    case = Case.objects.create(
        household=watched, channel=Channel.IMPORT, stage=Stage.MONITORING, category="edge"
    )
    return {
        "low": low,
        "monitored": watched,
        "near": near,
        "fine": fine,
        "uninsured": uninsured,
        "case": case,
    }


def test_a_warning_on_an_open_case_is_a_new_signal_on_it_not_a_lead(county):
    run, _ = monitor_run(period=PERIOD)
    w = RiskWarning.objects.get(household=county["monitored"], rule_id="R01")
    assert w.status == WarningStatus.ATTACHED
    signal = Signal.objects.get(case=county["case"])
    assert signal.warning == w and signal.channel == Channel.WARNING and "R01" in signal.note
    assert run.summary["signals_on_open_cases"] == 1
    # the leads: the low-income household and the uninsured one; not the monitored one
    assert run.summary["households_flagged"] == 2
    assert run.summary["households_in_monitoring"] == 1
    # a rerun of the period attaches nothing twice
    again, _ = monitor_run(period=PERIOD)
    assert Signal.objects.filter(case=county["case"]).count() == 1
    assert again.summary["signals_on_open_cases"] == 1


def test_incomes_just_above_the_range_go_on_the_watch_list(county):
    run, _ = monitor_run(period=PERIOD)
    w = RiskWarning.objects.get(household=county["near"])
    assert w.rule_id == "R02" and w.watch and w.priority == 0 and w.status == WarningStatus.NEW
    assert run.summary["watch_list"] == 1
    assert not RiskWarning.objects.filter(household=county["fine"]).exists()


def test_each_household_with_leads_has_one_priority_and_the_list_is_ordered_by_it(county, people):
    monitor_run(period=PERIOD)
    low = RiskWarning.objects.filter(household=county["low"])
    assert {w.priority // 100 for w in low} == {3}  # R01: severity 3
    assert len({w.priority for w in low}) == 1  # one priority per household
    (uninsured,) = RiskWarning.objects.filter(household=county["uninsured"])
    assert uninsured.rule_id == "R14" and uninsured.priority // 100 == 1
    listed = list(
        warning_list_for_user(user=people["county"], filters=WarningFilters(listed="lead"))
    )
    assert [w.household.household_no for w in listed] == ["L-1"] * low.count() + ["U-1"]


def test_the_json_and_the_dashboard_agree_on_households_in_monitoring(county, people, capsys):
    Case.objects.create(household=county["fine"], channel=Channel.VISIT, stage=Stage.EXIT_NOTICE)
    Case.objects.create(household=county["uninsured"], channel=Channel.VISIT, stage=Stage.LEAD)
    call_command("monitor", "run", "--period", PERIOD, "--json")
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    for key in ("households_scanned", "households_flagged", "signals_on_open_cases", "watch_list"):
        assert key in summary
    # in monitoring: identified and not eliminated (the exit chain included), not a lead
    assert summary["households_in_monitoring"] == 2
    region = people["county"].region
    assert dashboard(user=people["county"], region=region)["monitored"] == 2
    # the lead's household has an open case: its warning is a signal, not a new lead
    assert summary["households_flagged"] == 1 and summary["signals_on_open_cases"] == 2
