"""Which monitoring category (监测对象类别) the facts of a case propose, as the county
guidance defines the three (docs/cases.md). The county decides; this is the proposal its form
and a batch approval start from."""

from __future__ import annotations

from django.db.models import Prefetch

from bangfu.cases.models import Case, Signal
from bangfu.monitoring.policy import load_policy
from bangfu.registry.models import Category

# what proposed_category reads, for a list of cases to fetch at once
CATEGORY_PREFETCH = (
    "steps",
    Prefetch("signals", queryset=Signal.objects.select_related("warning")),
)


def proposed_category(case: Case) -> str:
    """The category the facts propose (county guidance, docs/cases.md): the income the home
    verification found, against the monitoring range — above it, a 突发严重困难户, whatever the
    history; within it, 脱贫不稳定户 for a formerly-poor household, else 边缘易致贫户. Before a
    verification, the warnings' suggestion, else the history. Reads the case's steps and
    signals through a list's prefetch where it made one (`CATEGORY_PREFETCH`)."""
    verifies = [s for s in case.steps.all() if s.action == "verify"]
    verified = max(verifies, key=lambda s: (s.at, s.pk)) if verifies else None
    if verified is not None and "per_capita" in verified.data:
        if float(verified.data["per_capita"]) > load_policy().line:
            return Category.SUDDEN
        return Category.UNSTABLE if case.household.formerly_poor else Category.EDGE
    for signal in case.signals.all():
        if signal.warning is not None and signal.warning.category:
            return str(signal.warning.category)
    return Category.UNSTABLE if case.household.formerly_poor else Category.EDGE
