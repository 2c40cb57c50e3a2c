"""Rules on a model's output: the vulnerability model (monitoring/vulnerability.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import ibis
import ibis.expr.types as ir
from django.utils.translation import gettext_lazy

from bangfu.monitoring.rules.base import RuleKind, evidence
from bangfu.monitoring.vulnerability import features, score

if TYPE_CHECKING:
    from bangfu.monitoring.context import Context
    from bangfu.monitoring.policy import RuleSpec


class Vulnerable(RuleKind):
    """明年人均纯收入低于监测范围的概率不低于 min_probability (0-1); above_line_only keeps to
    households whose latest income is still at or above the line, whom the income rules miss."""

    name = "vulnerability"
    value_label = gettext_lazy("明年收入低于监测范围的概率（%）")
    reference_label = gettext_lazy("预警概率阈值（%）")
    params = {"min_probability": float, "above_line_only": bool}

    def build(self, ctx: Context, spec: RuleSpec) -> ir.Table:
        model = ctx.vulnerability_model
        f = features(ctx)
        latest = ctx.latest_income().select("household_no", "year")
        now = f.join(latest, ["household_no", "year"])
        s = score(ctx, model, now)
        hit = s.filter(s.probability >= spec.params["min_probability"])
        if spec.params["above_line_only"]:
            hit = hit.filter(hit.per_capita >= ctx.line)
        return evidence(
            hit,
            value=hit.probability * 100,
            reference=spec.params["min_probability"] * 100,
            detail=ibis.literal("预计明年人均纯收入约 ")
            + hit.mu.exp().round(0).cast("int64").cast("string")
            + " 元",
            source=ibis.literal(f"model:{model.label}"),
        )
