"""Poverty measures as Ibis expressions, so they run wherever the rules run.

Alkire-Foster (2011) multidimensional poverty: each person (or household) i is deprived in
indicator j when its value is on the wrong side of the cutoff z_j (g0_ij = 1); its weighted
deprivation score is c_i = sum_j w_j g0_ij (weights sum to 1); it is multidimensionally poor
when c_i >= k. Deprivations of the non-poor are censored. Then

    H  = q / n                       headcount ratio
    A  = sum_{poor} c_i / q          average intensity among the poor
    M0 = H * A = sum_ij w_j g0_ij(k) / n
    M1 = sum_ij w_j g1_ij(k) / n     with the normalized gap g1 = |x - z| / |z| (capped at 1)
    M2 = sum_ij w_j g1_ij(k)^2 / n
    censored headcount h_j = sum_i g0_ij(k) / n, contribution_j = w_j h_j / M0.

Foster-Greer-Thorbecke: P_alpha = (1/n) sum_{y_i < z} ((z - y_i) / z) ** alpha.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ibis
import ibis.expr.types as ir
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from bangfu.core.errors import Refused

OPS = {"<": "__lt__", "<=": "__le__", ">": "__gt__", ">=": "__ge__"}


class SpecError(Refused):
    """An indicator spec that cannot be computed; the message says why."""


@dataclass(frozen=True)
class AFIndicator:
    column: str
    cutoff: float
    weight: float
    deprived_if: str


@dataclass(frozen=True)
class AFSpec:
    k: float
    indicators: tuple[AFIndicator, ...]


def load_af_spec(path: Path) -> AFSpec:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise SpecError(_("无法读取规格文件：%(error)s") % {"error": exc}) from None
    return parse_af_spec(data)


def parse_af_spec(data: dict[str, Any]) -> AFSpec:
    if "k" not in data:
        raise SpecError(_("规格缺少 k"))
    k = float(data["k"])
    raw = data.get("indicator", [])
    if not raw:
        raise SpecError(_("规格至少需要一个 [[indicator]]"))
    indicators = []
    for i, d in enumerate(raw, start=1):
        missing = {"column", "cutoff", "weight", "deprived_if"} - set(d)
        if missing:
            raise SpecError(
                _("第%(i)d个指标缺少 %(keys)s")
                % {"i": i, "keys": pgettext("list separator", "、").join(sorted(missing))}
            )
        if d["deprived_if"] not in OPS:
            raise SpecError(_("第%(i)d个指标 deprived_if 应为 <、<=、> 或 >=") % {"i": i})
        if float(d["weight"]) <= 0:
            raise SpecError(_("第%(i)d个指标权重应大于0") % {"i": i})
        indicators.append(
            AFIndicator(str(d["column"]), float(d["cutoff"]), float(d["weight"]), d["deprived_if"])
        )
    total = sum(i.weight for i in indicators)
    if abs(total - 1) > 1e-9:
        raise SpecError(_("权重之和应为1（现为 %(total)s）") % {"total": f"{total:g}"})
    if not 0 < k <= 1:
        raise SpecError(_("k 应在 (0, 1] 之间"))
    return AFSpec(k, tuple(indicators))


def af_scores(t: ir.Table, spec: AFSpec) -> ir.Table:
    """Per row: g0_j, g1_j (censored later), the score c and the poverty flag."""
    cols: dict[str, ir.Value] = {}
    for j, ind in enumerate(spec.indicators):
        x = t[ind.column].cast("float64")
        deprived = getattr(x, OPS[ind.deprived_if])(ind.cutoff)
        cols[f"g0_{j}"] = deprived.ifelse(1.0, 0.0)
        gap = ((x - ind.cutoff).abs() / abs(ind.cutoff)) if ind.cutoff else ibis.literal(1.0)
        gap = ibis.ifelse(gap > 1.0, 1.0, gap)
        cols[f"g1_{j}"] = deprived.ifelse(gap, 0.0)
    scored = t.mutate(**cols)
    c = sum(
        (scored[f"g0_{j}"] * ind.weight for j, ind in enumerate(spec.indicators)),
        ibis.literal(0.0),
    )
    scored = scored.mutate(c=c)
    # a small tolerance so that 1/3 + 1/3 + 1/3 >= 1 despite binary fractions
    return scored.mutate(poor=scored.c >= spec.k - 1e-12)


def af_aggregates(scored: ir.Table, spec: AFSpec, by: list[str] | None = None) -> ir.Table:
    poor = scored.poor.ifelse(1.0, 0.0)
    metrics: dict[str, ir.Value] = {"n": scored.count(), "q": poor.sum()}
    m0 = m1 = m2 = ibis.literal(0.0)
    for j, ind in enumerate(spec.indicators):
        g0 = scored[f"g0_{j}"] * poor
        g1 = scored[f"g1_{j}"] * poor
        metrics[f"h_{j}"] = g0.mean()
        m0 = m0 + g0.mean() * ind.weight
        m1 = m1 + g1.mean() * ind.weight
        m2 = m2 + (g1 * g1).mean() * ind.weight
    metrics.update(M0=m0, M1=m1, M2=m2, intensity_sum=(scored.c * poor).sum())
    grouped = scored.group_by(by) if by else scored
    return grouped.aggregate(**metrics)


def af_result(row: dict[str, Any], spec: AFSpec) -> dict[str, Any]:
    n, q = int(row["n"]), float(row["q"])
    m0 = float(row["M0"])
    return {
        "n": n,
        "poor": int(q),
        "H": q / n if n else 0.0,
        "A": float(row["intensity_sum"]) / q if q else 0.0,
        "M0": m0,
        "M1": float(row["M1"]),
        "M2": float(row["M2"]),
        "indicators": {
            ind.column: {
                "censored_headcount": float(row[f"h_{j}"]),
                "contribution": ind.weight * float(row[f"h_{j}"]) / m0 if m0 else 0.0,
            }
            for j, ind in enumerate(spec.indicators)
        },
    }


def fgt(t: ir.Table, column: str, line: float, alphas: list[float]) -> ir.Table:
    y = t[column].cast("float64")
    gap = ibis.ifelse(y < line, (line - y) / line, 0.0)
    below = y < line
    out: dict[str, ir.Value] = {"n": t.count()}
    for a in alphas:
        term = below.ifelse(1.0, 0.0) if a == 0 else below.ifelse(gap**a, 0.0)
        out[f"P{a:g}"] = term.mean()
    return t.aggregate(**out)
