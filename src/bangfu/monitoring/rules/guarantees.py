"""The "3+1" guarantees: housing, drinking water, compulsory schooling, basic medical insurance."""

from __future__ import annotations

from typing import TYPE_CHECKING

import ibis
import ibis.expr.types as ir
from django.utils.translation import gettext_lazy

from bangfu.monitoring.rules.base import RuleKind, evidence

if TYPE_CHECKING:
    from bangfu.monitoring.context import Context
    from bangfu.monitoring.policy import RuleSpec

GRADES = {"A": 1.0, "B": 2.0, "C": 3.0, "D": 4.0}


def _latest(t: ir.Table) -> ir.Table:
    """Each household's most recent record (by date, then record id)."""
    w = ibis.window(
        group_by=t.household_no, order_by=[ibis.desc(t.event_date), ibis.desc(t.record_id)]
    )
    ranked = t.mutate(rank=ibis.row_number().over(w))
    return ranked.filter(ranked["rank"] == 0)


class HousingUnsafe(RuleKind):
    """住房安全鉴定为 grades 中的等级（如C级、D级危房），或农户信息库记为住房未保障."""

    name = "housing_unsafe"
    value_label = gettext_lazy("鉴定等级（1=A…4=D）")
    reference_label = gettext_lazy("危房起点（C=3）")
    params = {"grades": list}

    def build(self, ctx: Context, spec: RuleSpec) -> ir.Table:
        feed = ctx.feed_all("housing")
        last = _latest(feed.filter(feed.household_no.notnull()))
        grade_value = last.grade.substitute(GRADES, else_=0.0)
        from_feed = evidence(
            last.filter(last.grade.isin(spec.params["grades"])),
            value=grade_value,
            reference=3.0,
            detail=last.record_id,
            source="housing",
        )
        hh = ctx.households
        from_registry = evidence(
            hh.filter(hh.housing_secured == "no"),
            value=0.0,
            reference=1.0,
            source="registry:housing",
        )
        return from_feed.union(from_registry)


class WaterUnsafe(RuleKind):
    """饮水安全核查不达标，或农户信息库记为饮水未保障."""

    name = "water_unsafe"
    value_label = gettext_lazy("是否达标（0=否）")
    reference_label = gettext_lazy("应达标（1）")

    def build(self, ctx: Context, spec: RuleSpec) -> ir.Table:
        feed = ctx.feed_all("water")
        last = _latest(feed.filter(feed.household_no.notnull()))
        from_feed = evidence(
            last.filter(~last.safe), value=0.0, reference=1.0, detail=last.record_id, source="water"
        )
        hh = ctx.households
        from_registry = evidence(
            hh.filter(hh.water_secured == "no"), value=0.0, reference=1.0, source="registry:water"
        )
        return from_feed.union(from_registry)


class SchoolDropout(RuleKind):
    """义务教育阶段（min_age 至 max_age 岁）子女失学辍学."""

    name = "school_dropout"
    value_label = gettext_lazy("年龄")
    reference_label = gettext_lazy("义务教育最高年龄")
    params = {"min_age": int, "max_age": int}

    def build(self, ctx: Context, spec: RuleSpec) -> ir.Table:
        lo, hi = spec.params["min_age"], spec.params["max_age"]
        m = ctx.members
        in_age = m.filter((m.age >= lo) & (m.age <= hi))
        registry = in_age.filter(in_age.schooling == "dropout")
        from_registry = evidence(
            registry,
            value=registry.age,
            reference=float(hi),
            detail=registry.person_hash,
            source="registry:schooling",
        )
        edu = ctx.feed_in_window("education")
        out = edu.filter(edu.status == "辍学").join(
            in_age.select("person_hash", "age"), "person_hash"
        )
        from_feed = evidence(
            out, value=out.age, reference=float(hi), detail=out.record_id, source="education"
        )
        return from_registry.union(from_feed)


class NotInsured(RuleKind):
    """家庭成员未参加基本医疗保险."""

    name = "not_insured"
    value_label = gettext_lazy("是否参保（0=否）")
    reference_label = gettext_lazy("应参保（1）")

    def build(self, ctx: Context, spec: RuleSpec) -> ir.Table:
        m = ctx.members
        hit = m.filter(~m.medical_insured)
        return evidence(
            hit, value=0.0, reference=1.0, detail=hit.person_hash, source="registry:insurance"
        )
