"""Which monitoring category (监测对象类别) the facts of a case propose, as the county
guidance defines the three (docs/cases.md). The county decides; this is the proposal its form
and a batch approval start from."""

from __future__ import annotations

from django.db.models import Prefetch

from bangfu.cases.models import Case, Signal
from bangfu.monitoring.models import RiskWarning
from bangfu.monitoring.policy import load_policy
from bangfu.registry.models import Category

# what proposed_category reads, for a list of cases to fetch at once
CATEGORY_PREFETCH = (
    "steps",
    Prefetch("signals", queryset=Signal.objects.select_related("warning")),
)


def verified_income(case: Case) -> float | None:
    """The per-capita net income the case's latest home verification (入户核查) found; None
    before a verification, or when the latest recorded none. Reads the steps through a list's
    prefetch where it made one (`CATEGORY_PREFETCH`)."""
    verifies = [s for s in case.steps.all() if s.action == "verify"]
    verified = max(verifies, key=lambda s: (s.at, s.pk)) if verifies else None
    if verified is None or "per_capita" not in verified.data:
        return None
    return float(verified.data["per_capita"])


def suggesting_warning(case: Case, category: str = "") -> RiskWarning | None:
    """The first of the case's warnings that suggests a category (`category`, where given);
    None if none does. Reads the signals as `verified_income` reads the steps."""
    for signal in case.signals.all():
        warning = signal.warning
        if warning is not None and warning.category and category in ("", warning.category):
            return warning
    return None


def proposed_category(case: Case) -> str:
    """The category the facts propose (county guidance, docs/cases.md): the income the home
    verification found, against the monitoring range — above it, a 突发严重困难户, whatever the
    history; within it, 脱贫不稳定户 for a formerly-poor household, else 边缘易致贫户. Before a
    verification, the warnings' suggestion, else the history."""
    income = verified_income(case)
    if income is not None:
        if income > load_policy().line:
            return Category.SUDDEN
        return Category.UNSTABLE if case.household.formerly_poor else Category.EDGE
    suggested = suggesting_warning(case)
    if suggested is not None:
        return str(suggested.category)
    return Category.UNSTABLE if case.household.formerly_poor else Category.EDGE
