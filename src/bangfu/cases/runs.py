"""What a monitoring run means for the cases: a warning on a household whose case is open is a
new signal on that case (shown there, counted apart), not a new lead for the village."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from bangfu.cases.cards import CARD_STAGES
from bangfu.cases.models import Case, Channel, Signal
from bangfu.monitoring.models import MonitoringRun, RiskWarning, WarningStatus

ATTACHED_NOTE = "该户监测帮扶正在办理，预警作为新信号并入"


@transaction.atomic
def run_signals_attach(*, run: MonitoringRun, **_kwargs: Any) -> dict[str, int]:
    """Attach the period's new warnings (not the watch list's) of households with an open case
    to that case. Returns the run summary's `signals_on_open_cases` (households) and
    `households_in_monitoring` (identified, risk not yet eliminated)."""
    pending = RiskWarning.objects.filter(period=run.period, status=WarningStatus.NEW, watch=False)
    open_cases = dict(
        Case.objects.filter(
            closed_at__isnull=True, household_id__in=pending.values("household_id")
        ).values_list("household_id", "id")
    )
    warnings = list(pending.filter(household_id__in=open_cases))
    Signal.objects.bulk_create(
        Signal(
            case_id=open_cases[w.household_id],
            channel=Channel.WARNING,
            warning=w,
            risk_types=w.risk_types,
            note=f"{w.period} {w.rule_id} {w.rule_title}",
        )
        for w in warnings
    )
    RiskWarning.objects.filter(pk__in=[w.pk for w in warnings]).update(
        status=WarningStatus.ATTACHED,
        status_reason=ATTACHED_NOTE,
        status_at=timezone.now(),
        updated_at=timezone.now(),
    )
    attached = RiskWarning.objects.filter(period=run.period, status=WarningStatus.ATTACHED)
    return {
        "signals_on_open_cases": attached.values("household_id").distinct().count(),
        "households_in_monitoring": households_in_monitoring().count(),
    }


def households_in_monitoring() -> Any:
    """Cases of households identified and not yet eliminated (the exit chain included): the
    count the run reports and the dashboard shows."""
    return Case.objects.filter(closed_at__isnull=True, stage__in=CARD_STAGES)
