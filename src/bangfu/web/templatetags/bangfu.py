"""Template filters of bangfu's pages."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from django import template
from django.utils.translation import gettext, pgettext

from bangfu.cases.evaluation import evaluation_reasons

register = template.Library()


@register.filter
def risks(values: Iterable[str] | None) -> str:
    """Risk types (因病, 因学 ...) in the reader's language, joined as the language joins lists;
    "—" when there are none. The stored values stay the policy's Chinese words."""
    shown = [gettext(v) for v in values or []]
    return pgettext("list separator", "、").join(shown) if shown else "—"


@register.filter
def unmet(evaluation: Any) -> str:
    """An evaluation's unmet risk-elimination criteria, in the reader's language."""
    return pgettext("list separator", "；").join(evaluation_reasons(evaluation))


@register.filter
def yuan(value: Any) -> str:
    """An amount as a county office writes it: 5,800 (no ".0"), 5,800.50 when it has cents."""
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    if not amount.is_finite():
        return str(value)
    if amount == amount.to_integral_value():
        return f"{int(amount):,}"
    return f"{amount.quantize(Decimal('0.01')):,}"


@register.filter
def days_before(day: dt.date | None, today: dt.date) -> int:
    """How many days `day` lies before `today` (an overdue step's days), 0 if not before."""
    if day is None:
        return 0
    return max(0, (today - day).days)
