"""Template filters of bangfu's pages."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django import template
from django.utils.translation import gettext, pgettext

from bangfu.assistance.models import MeasureKind
from bangfu.cases.evaluation import evaluation_reasons
from bangfu.core.i18n import english_active
from bangfu.core.tabular.reasons import Reason
from bangfu.monitoring.policy import rule_clause_shown, rule_title_shown

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


@register.filter
def rule_title(obj: Any) -> str:
    """A warning's (or signal's) rule title in the reader's language: the policy file's English
    for English readers where it has one, else the Chinese stored with the warning."""
    return rule_title_shown(obj)


@register.filter
def rule_clause(obj: Any) -> str:
    """A warning's policy clause in the reader's language (as `rule_title`)."""
    return rule_clause_shown(obj)


@register.filter
def kind_name(kind: MeasureKind | str) -> str:
    """A catalogue measure's name in the reader's language (its name_en for English readers
    where the catalogue has one). Given a stored name instead (a dashboard's figures are keyed
    by it), the catalogue entry of that name answers, for English readers only."""
    if isinstance(kind, str):
        if not english_active() or not kind:
            return kind
        english = MeasureKind.objects.filter(name=kind).values_list("name_en", flat=True).first()
        return english or kind
    return kind.shown_name


@register.filter
def row_errors(result: Mapping[str, Any]) -> list[tuple[Any, str, str]]:
    """A job result's errors as (row, column, reason) in the reader's language: the reason from
    the msgid and parameters it was stored with; a result stored before those were kept shows
    its text (translated where that is a whole msgid). Row 0 is the file as a whole."""
    errors = result.get("errors") or []
    stored = result.get("error_reasons") or []
    out = []
    for i, error in enumerate(errors):
        row, column, text = [*error, "", "", ""][:3]
        data = stored[i] if i < len(stored) else None
        why = Reason.loaded(data) if isinstance(data, Mapping) else Reason(str(text))
        try:
            reason = str(why)
        except (KeyError, ValueError, TypeError, IndexError):  # a translation off its msgid
            reason = str(text)
        out.append((row, gettext("文件") if row == 0 else str(column), reason))
    return out
