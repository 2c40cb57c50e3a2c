"""Rule kinds. A rule in the policy file names its kind and parameters; the kind turns them into
an Ibis expression over the monitoring context. Every kind yields the same evidence columns:

    household_no  string   the household flagged
    value         float64  what was observed (per-capita income, yuan spent, grade ...)
    reference     float64  what it was compared with (the line, the threshold, last year ...)
    detail        string   which record or member (a source record id, a member's keyed hash)
    source        string   where the value comes from (income:2025, medical, housing ...)

so that all rules union into one expression, run once on DuckDB or Spark.
Adding a kind: write a class with `params` and `build`, and list it in RULE_KINDS.
"""

from __future__ import annotations

from bangfu.monitoring.rules import events, guarantees, income, model, spending
from bangfu.monitoring.rules.base import RuleKind

RULE_KINDS: dict[str, RuleKind] = {
    kind.name: kind
    for kind in (
        income.BelowLine(),
        income.NearLine(),
        income.DropOnYear(),
        income.DropOnReading(),
        income.PolicyDependent(),
        spending.MedicalBurden(),
        spending.SchoolingBurden(),
        guarantees.HousingUnsafe(),
        guarantees.WaterUnsafe(),
        guarantees.SchoolDropout(),
        guarantees.NotInsured(),
        events.NewDisabilityOrIllness(),
        events.DisasterLoss(),
        events.EarnerLost(),
        events.EarnerUnemployed(),
        events.DibaoCancelledLowIncome(),
        model.Vulnerable(),
    )
}
