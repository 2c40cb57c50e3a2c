"""Rigid spending (刚性支出): medical out-of-pocket costs and schooling costs."""

from __future__ import annotations

from typing import TYPE_CHECKING

import ibis.expr.types as ir
from django.utils.translation import gettext_lazy

from bangfu.monitoring.rules.base import RuleKind, evidence

if TYPE_CHECKING:
    from bangfu.monitoring.context import Context
    from bangfu.monitoring.policy import RuleSpec


class MedicalBurden(RuleKind):
    """医疗自付费用（近12个月医保结算）超过 min_amount 元，或超过家庭纯收入的 min_share."""

    name = "medical_burden"
    value_label = gettext_lazy("近12个月医疗自付（元）")
    reference_label = gettext_lazy("家庭年纯收入（元）")
    params = {"min_amount": float, "min_share": float}

    def build(self, ctx: Context, spec: RuleSpec) -> ir.Table:
        med = ctx.feed_in_window("medical")
        med = med.filter(med.household_no.notnull())
        spent = med.group_by("household_no").aggregate(oop=med.out_of_pocket.sum())
        inc = ctx.latest_income()
        j = spent.left_join(inc.select("household_no", "net_income"), "household_no")
        net = j.net_income.fill_null(0)
        hit = j.filter(
            (j.oop > spec.params["min_amount"]) | (j.oop > net * spec.params["min_share"])
        ).mutate(net=net)
        total = evidence(hit, value=hit.oop, reference=hit.net, detail="合计", source="medical")
        bills = med.join(hit.select("household_no", "net"), "household_no")
        each = evidence(
            bills,
            value=bills.out_of_pocket,
            reference=bills.net,
            detail=bills.record_id,
            source="medical",
        )
        return total.union(each)


class SchoolingBurden(RuleKind):
    """教育支出超过家庭纯收入的 min_share."""

    name = "schooling_burden"
    value_label = gettext_lazy("教育支出（元）")
    reference_label = gettext_lazy("家庭年纯收入（元）")
    params = {"min_share": float}

    def build(self, ctx: Context, spec: RuleSpec) -> ir.Table:
        inc = ctx.latest_income()
        hit = inc.filter(
            (inc.schooling_costs > 0)
            & (inc.schooling_costs > inc.net_income * spec.params["min_share"])
        )
        return evidence(
            hit, value=hit.schooling_costs, reference=hit.net_income, source="income:schooling"
        )
