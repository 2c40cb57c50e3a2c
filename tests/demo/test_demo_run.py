"""A fresh demo county runs like a real one (issue 10): its caseload came in through the
monitoring import in the bulletin's shares, one monthly run flags at most 3 % of households,
and still catches every household the generator gave a severe shock."""

import pytest

from bangfu.accounts.models import User
from bangfu.assistance.dashboard import dashboard
from bangfu.cases.models import Case, Channel
from bangfu.demo.services import demo_build
from bangfu.monitoring.models import RiskWarning, WarningStatus
from bangfu.monitoring.services import monitor_run
from bangfu.registry.models import Household

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


@pytest.fixture
def demo(settings, tmp_path):
    settings.HOME = tmp_path
    result = demo_build(households=3000, seed=2026)
    run, _ = monitor_run()
    return result, run


def test_the_monthly_list_is_short_and_in_monitoring_is_the_caseload(demo):
    result, run = demo
    s = run.summary
    assert s["households_scanned"] == 3000
    assert 0 < s["households_flagged"] <= 0.03 * s["households_scanned"], s
    assert 0.01 <= s["households_in_monitoring"] / s["households_scanned"] <= 0.05, s
    assert s["signals_on_open_cases"] > 0 and s["watch_list"] > 0
    county = User.objects.get(username="county")
    assert (
        dashboard(user=county, region=county.region)["monitored"] == s["households_in_monitoring"]
    )
    # the caseload came in through the import, with the original dates
    imported = Case.objects.filter(channel=Channel.IMPORT)
    assert result.onboarded is not None and imported.count() == result.onboarded.cases_created
    assert (
        imported.filter(closed_at__isnull=False).count()
        >= 0.5 * imported.filter(closed_at__isnull=True).count()
    )
    assert imported.filter(relapse=True).exists()
    # the household import set no category: it is the open case's
    with_category = set(Household.objects.exclude(category="").values_list("pk", flat=True))
    open_identified = set(
        Case.objects.filter(closed_at__isnull=True, identified_on__isnull=False).values_list(
            "household_id", flat=True
        )
    )
    assert with_category and with_category <= open_identified


def test_every_household_given_a_severe_shock_is_caught(demo):
    result, run = demo
    shocked = {h.household_no: h.shocks for h in result.households if h.shocks}
    assert len(shocked) >= 5  # the generator gave some (a sample too small proves nothing)
    caught = set(
        RiskWarning.objects.filter(
            period=run.period,
            watch=False,
            status__in=[WarningStatus.NEW, WarningStatus.ATTACHED],
        ).values_list("household__household_no", flat=True)
    )
    missed = {no: shocks for no, shocks in shocked.items() if no not in caught}
    assert not missed
