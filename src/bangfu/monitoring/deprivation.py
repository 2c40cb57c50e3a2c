"""Household deprivation (the policy's [deprivation] section) and its Alkire-Foster measures
by region: which share of households is multidimensionally deprived, and how deeply."""

from __future__ import annotations

from typing import Any

import ibis.expr.types as ir

from bangfu.monitoring.context import Context
from bangfu.monitoring.measures import AFIndicator, AFSpec, af_aggregates, af_result, af_scores

# Indicator ids of the policy file backed by a "3+1" column of the registry; "income" is
# per-capita net income below the monitoring line.
GUARANTEES = {
    "education": "education_secured",
    "medical": "medical_secured",
    "housing": "housing_secured",
    "water": "water_secured",
}


def deprivation_table(ctx: Context) -> ir.Table:
    hh = ctx.households
    inc = ctx.latest_income().select("household_no", "per_capita")
    j = hh.left_join(inc, "household_no")
    cols: dict[str, Any] = {}
    for ind in ctx.policy.indicators:
        if ind.id == "income":
            cols[ind.id] = (j.per_capita.fill_null(0.0) < ctx.line).ifelse(1.0, 0.0)
        elif ind.id in GUARANTEES:
            cols[ind.id] = (j[GUARANTEES[ind.id]] == "no").ifelse(1.0, 0.0)
        else:
            raise ValueError(f"unknown deprivation indicator {ind.id}")
    return j.select(
        "household_no",
        county=j.village.substr(0, 6),
        township=j.village.substr(0, 9),
        village=j.village,
        **cols,
    )


def af_spec(ctx: Context) -> AFSpec:
    return AFSpec(
        ctx.policy.af_k,
        tuple(AFIndicator(i.id, 0.5, i.weight, ">") for i in ctx.policy.indicators),
    )


def mpi_by_region(ctx: Context, level: str = "township") -> dict[str, dict[str, Any]]:
    if not ctx.policy.indicators:
        return {}
    spec = af_spec(ctx)
    scored = af_scores(deprivation_table(ctx), spec)
    frame = ctx.con.execute(af_aggregates(scored, spec, by=[level]).order_by(level))
    return {str(row[level]): af_result(row, spec) for row in frame.to_dict("records")}
