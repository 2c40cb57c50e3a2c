"""Per-capita net income (人均纯收入), computed one way everywhere."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal


def per_capita_net_income(
    *, total_income: Decimal | int, production_costs: Decimal | int, size: int
) -> Decimal:
    """(total income - production costs) / household size, in yuan to the cent.

    A household of no members has no per-capita income: that is an error, not zero.
    """
    if size <= 0:
        raise ValueError("household size must be positive")
    net = Decimal(total_income) - Decimal(production_costs)
    return (net / size).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
