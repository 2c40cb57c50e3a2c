"""Sudden events reported by departments: illness and disability, disasters, deaths,
unemployment, and low-income support cancelled."""

from __future__ import annotations

from typing import TYPE_CHECKING

import ibis.expr.types as ir
from django.utils.translation import gettext_lazy

from bangfu.monitoring.rules.base import RuleKind, evidence

if TYPE_CHECKING:
    from bangfu.monitoring.context import Context
    from bangfu.monitoring.policy import RuleSpec

ABLE = ("ordinary", "skilled")


class NewDisabilityOrIllness(RuleKind):
    """近期新办残疾证（等级不高于 max_grade），或医保结算为重大疾病."""

    name = "new_disability_or_illness"
    value_label = gettext_lazy("残疾等级或医疗总费用")
    reference_label = gettext_lazy("等级上限")
    params = {"max_grade": int}

    def build(self, ctx: Context, spec: RuleSpec) -> ir.Table:
        dis = ctx.feed_in_window("disability")
        dis = dis.filter(
            dis.household_no.notnull()
            & dis.new_certificate
            & (dis.grade <= spec.params["max_grade"])
        )
        from_dis = evidence(
            dis,
            value=dis.grade,
            reference=float(spec.params["max_grade"]),
            detail=dis.record_id,
            source="disability",
        )
        med = ctx.feed_in_window("medical")
        med = med.filter(med.household_no.notnull() & med.serious)
        from_med = evidence(
            med, value=med.total_cost, reference=0.0, detail=med.record_id, source="medical:serious"
        )
        return from_dis.union(from_med)


class DisasterLoss(RuleKind):
    """近12个月自然灾害等损失合计超过 min_amount 元."""

    name = "disaster_loss"
    value_label = gettext_lazy("损失合计（元）")
    reference_label = gettext_lazy("预警起点（元）")
    params = {"min_amount": float}

    def build(self, ctx: Context, spec: RuleSpec) -> ir.Table:
        e = ctx.feed_in_window("emergency")
        e = e.filter(e.household_no.notnull())
        loss = e.group_by("household_no").aggregate(loss=e.loss_amount.sum())
        hit = loss.filter(loss.loss > spec.params["min_amount"])
        limit = spec.params["min_amount"]
        total = evidence(hit, value=hit.loss, reference=limit, detail="合计", source="emergency")
        records = e.join(hit.select("household_no"), "household_no")
        each = evidence(
            records,
            value=records.loss_amount,
            reference=limit,
            detail=records.record_id,
            source="emergency",
        )
        return total.union(each)


class EarnerLost(RuleKind):
    """有劳动能力的家庭成员（min_age 至 max_age 岁）死亡或失踪: 主要劳动力丧失."""

    name = "earner_lost"
    value_label = gettext_lazy("年龄")
    reference_label = gettext_lazy("")
    params = {"events": list, "min_age": int, "max_age": int}

    def build(self, ctx: Context, spec: RuleSpec) -> ir.Table:
        p = ctx.feed_in_window("police")
        p = p.filter(p.event.isin(spec.params["events"]))
        m = ctx.members
        able = m.filter(
            m.labour.isin(ABLE)
            & (m.age >= spec.params["min_age"])
            & (m.age <= spec.params["max_age"])
        )
        hit = p.drop("household_no").join(
            able.select("person_hash", "household_no", "age"), "person_hash"
        )
        return evidence(hit, value=hit.age, reference=0.0, detail=hit.record_id, source="police")


class EarnerUnemployed(RuleKind):
    """有劳动能力的家庭成员失业登记或务工返乡."""

    name = "earner_unemployed"
    value_label = gettext_lazy("")
    reference_label = gettext_lazy("")
    params = {"events": list}

    def build(self, ctx: Context, spec: RuleSpec) -> ir.Table:
        h = ctx.feed_in_window("hr")
        h = h.filter(h.event.isin(spec.params["events"]))
        m = ctx.members
        able = m.filter(m.labour.isin(ABLE))
        hit = h.drop("household_no").join(able.select("person_hash", "household_no"), "person_hash")
        return evidence(hit, value=0.0, reference=0.0, detail=hit.record_id, source="hr")


class DibaoCancelledLowIncome(RuleKind):
    """低保被取消而人均纯收入仍低于 (1 + margin) 倍监测范围."""

    name = "dibao_cancelled_low_income"
    value_label = gettext_lazy("人均纯收入（元）")
    reference_label = gettext_lazy("预警上限（元）")
    params = {"margin": float}

    def build(self, ctx: Context, spec: RuleSpec) -> ir.Table:
        c = ctx.feed_in_window("civil")
        c = c.filter(c.household_no.notnull() & (c.program == "低保") & (c.action == "取消"))
        inc = ctx.latest_income()
        j = c.join(inc.select("household_no", "per_capita"), "household_no")
        upper = ctx.line * (1 + spec.params["margin"])
        hit = j.filter(j.per_capita < upper)
        return evidence(
            hit, value=hit.per_capita, reference=upper, detail=hit.record_id, source="civil"
        )
