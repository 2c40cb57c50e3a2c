"""Income rules: below the line, close above it, down on last year or on the last reading."""

from __future__ import annotations

from typing import TYPE_CHECKING

import ibis
import ibis.expr.types as ir
from django.utils.translation import gettext_lazy

from bangfu.monitoring.rules.base import RuleKind, evidence

if TYPE_CHECKING:
    from bangfu.monitoring.context import Context
    from bangfu.monitoring.policy import RuleSpec


class BelowLine(RuleKind):
    """人均纯收入低于监测范围."""

    name = "income_below_line"
    value_label = gettext_lazy("人均纯收入（元）")
    reference_label = gettext_lazy("监测范围（元）")

    def build(self, ctx: Context, spec: RuleSpec) -> ir.Table:
        inc = ctx.latest_income()
        hit = inc.filter(inc.per_capita < ctx.line)
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
