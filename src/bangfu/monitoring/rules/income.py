"""Income rules: below the line, close above it, down on last year or on the last reading, or
above it only thanks to policy income."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import ibis
import ibis.expr.types as ir
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bangfu.monitoring.errors import PolicyError
from bangfu.monitoring.rules.base import RuleKind, evidence

if TYPE_CHECKING:
    from bangfu.monitoring.context import Context
    from bangfu.monitoring.policy import RuleSpec


PROTECTION = ("any", "exclude", "only")  # households under 兜底 (低保、特困供养)


class BelowLine(RuleKind):
    """人均纯收入低于监测范围; `protected` "exclude" leaves out households under 兜底 (低保、特困
    供养: social assistance guarantees their basic living), "only" keeps only them."""

    name = "income_below_line"
    value_label = gettext_lazy("人均纯收入（元）")
    reference_label = gettext_lazy("监测范围（元）")
    params = {"protected": str}

    def check(self, params: dict[str, Any], where: str) -> None:
        super().check(params, where)
        if params["protected"] not in PROTECTION:
            raise PolicyError(
                _('%(where)s: protected 应为 "any"、"exclude" 或 "only"') % {"where": where}
            )

    def build(self, ctx: Context, spec: RuleSpec) -> ir.Table:
        inc = ctx.latest_income()
        hit = inc.filter(inc.per_capita < ctx.line)
        protected = spec.params["protected"]
        if protected != "any":
            hh = ctx.households.select("household_no", "assistance")
            covered = hh.filter(hh.assistance != "none").select("household_no")
            if protected == "exclude":
                hit = hit.anti_join(covered, "household_no")
            else:
                hit = hit.semi_join(covered, "household_no")
        return evidence(
            hit,
            value=hit.per_capita,
            reference=ctx.line,
            source=ibis.literal("income:") + hit.year.cast("string"),
        )


class NearLine(RuleKind):
    """人均纯收入高于监测范围但不足 (1 + margin) 倍: 边缘."""

    name = "income_near_line"
    value_label = gettext_lazy("人均纯收入（元）")
    reference_label = gettext_lazy("边缘上限（元）")
    params = {"margin": float}

    def build(self, ctx: Context, spec: RuleSpec) -> ir.Table:
        inc = ctx.latest_income()
        upper = ctx.line * (1 + spec.params["margin"])
        hit = inc.filter((inc.per_capita >= ctx.line) & (inc.per_capita < upper))
        return evidence(
            hit,
            value=hit.per_capita,
            reference=upper,
            source=ibis.literal("income:") + hit.year.cast("string"),
        )


class DropOnYear(RuleKind):
    """人均纯收入比上年下降超过 drop (比例), 且降后低于 ceiling 倍监测范围."""

    name = "income_drop_year"
    value_label = gettext_lazy("本年人均纯收入（元）")
    reference_label = gettext_lazy("上年人均纯收入（元）")
    params = {"drop": float, "ceiling": float}

    def build(self, ctx: Context, spec: RuleSpec) -> ir.Table:
        now = ctx.latest_income()
        inc = ctx.incomes_per_capita()
        before = inc.select(
            household_no=inc.household_no, prev_year=inc.year, prev_pc=inc.per_capita
        )
        j = now.join(
            before, (now.household_no == before.household_no) & (before.prev_year == now.year - 1)
        )
        hit = j.filter(
            (j.prev_pc > 0)
            & (j.per_capita < j.prev_pc * (1 - spec.params["drop"]))
            & (j.per_capita < ctx.line * spec.params["ceiling"])
        )
        return evidence(
            hit,
            value=hit.per_capita,
            reference=hit.prev_pc,
            source=ibis.literal("income:") + hit.year.cast("string"),
        )


class DropOnReading(RuleKind):
    """网格员最近一次收入核查比上一次下降超过 drop (比例)."""

    name = "income_drop_reading"
    value_label = gettext_lazy("本期人均纯收入（元）")
    reference_label = gettext_lazy("上期人均纯收入（元）")
    params = {"drop": float}

    def build(self, ctx: Context, spec: RuleSpec) -> ir.Table:
        r = ctx.readings_per_capita()
        # a month is compared with the month before, a quarter with the quarter before
        w = ibis.window(
            group_by=[r.household_no, r.kind],
            order_by=[ibis.desc(r.period_key), ibis.desc(r.period)],
        )
        ranked = r.mutate(rank=ibis.row_number().over(w))
        last = ranked.filter(ranked["rank"] == 0)
        prev = ranked.filter(ranked["rank"] == 1).select(
            household_no=ranked.household_no, kind=ranked.kind, prev_pc=ranked.per_capita
        )
        j = last.join(prev, ["household_no", "kind"])
        hit = j.filter((j.prev_pc > 0) & (j.per_capita < j.prev_pc * (1 - spec.params["drop"])))
        return evidence(
            hit,
            value=hit.per_capita,
            reference=hit.prev_pc,
            source=ibis.literal("reading:") + hit.period,
        )


class PolicyDependent(RuleKind):
    """扣除政策性收入后人均纯收入低于监测范围: 离开帮扶政策会出现返贫风险 (seed 003).
    formerly_poor_only keeps to 原建档立卡脱贫户; above_line_only to households whose income
    with the policy income is still at or above the line (below it, income_below_line fires)."""

    name = "policy_dependent"
    value_label = gettext_lazy("扣除政策性收入后人均纯收入（元）")
    reference_label = gettext_lazy("监测范围（元）")
    params = {"formerly_poor_only": bool, "above_line_only": bool}

    def build(self, ctx: Context, spec: RuleSpec) -> ir.Table:
        inc = ctx.latest_income()
        hit = inc.filter(inc.per_capita_without_policy < ctx.line)
        if spec.params["above_line_only"]:
            hit = hit.filter(hit.per_capita >= ctx.line)
        if spec.params["formerly_poor_only"]:
            hh = ctx.households
            hit = hit.join(hh.filter(hh.formerly_poor).select("household_no"), "household_no")
        return evidence(
            hit,
            value=hit.per_capita_without_policy,
            reference=ctx.line,
            detail=ibis.literal("政策性收入人均 ")
            + (hit.policy_income / hit.size).round(0).cast("int64").cast("string")
            + " 元",
            source=ibis.literal("income:") + hit.year.cast("string"),
        )
