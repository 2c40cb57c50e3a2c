"""The registry pages' forms: the household filter and a grid worker's income reading."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bangfu.registry.models import Category, ReadingKind
from bangfu.registry.selectors import HouseholdFilters

TRI = [("", _("全部")), ("1", _("是")), ("0", _("否"))]


class HouseholdFilterForm(forms.Form):
    q = forms.CharField(required=False, max_length=64, label=_("搜索"))
    village = forms.ChoiceField(required=False, label=_("村"))
    grid = forms.TypedChoiceField(required=False, coerce=int, empty_value=None, label=_("网格"))
    formerly_poor = forms.ChoiceField(required=False, choices=TRI, label=_("原建档立卡脱贫户"))
    category = forms.ChoiceField(required=False, label=_("监测类别"))

    def __init__(
        self,
        *args: Any,
        villages: list[tuple[str, str]],
        grids: list[tuple[int, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["village"]).choices = [("", _("全部")), *villages]
        cast(forms.ChoiceField, self.fields["grid"]).choices = [("", _("全部")), *grids]
        cast(forms.ChoiceField, self.fields["category"]).choices = [
            ("", _("全部")),
            ("none", Category.NONE.label),
        ] + [(c.value, c.label) for c in Category if c.value]

    def filters(self) -> HouseholdFilters:
        d = self.cleaned_data
        category = d.get("category") or None
        return HouseholdFilters(
            q=d.get("q") or "",
            village=d.get("village") or "",
            grid=d.get("grid"),
            formerly_poor={"1": True, "0": False}.get(d.get("formerly_poor") or ""),
            category="" if category == "none" else category,
        )


def _period_start(period: str) -> str:
    """2026-03 -> 2026-03; 2026-Q2 -> 2026-04 (the quarter's first month)."""
    if "Q" in period:
        return f"{period[:4]}-{(int(period[-1]) - 1) * 3 + 1:02d}"
    return period


class ReadingForm(forms.Form):
    kind = forms.ChoiceField(choices=ReadingKind.choices, label=_("周期"))
    period = forms.RegexField(
        regex=r"^[0-9]{4}-(0[1-9]|1[0-2]|Q[1-4])$",
        label=_("期间"),
        help_text=_("月度如 2026-03，季度如 2026-Q1"),
        error_messages={"invalid": _("期间格式应为 2026-03 或 2026-Q1")},
    )
    income = forms.DecimalField(
        min_value=0, max_digits=12, decimal_places=2, label=_("本期收入（元）")
    )
    production_costs = forms.DecimalField(
        min_value=0, max_digits=12, decimal_places=2, initial=0, label=_("本期生产经营费用（元）")
    )
    note = forms.CharField(required=False, max_length=255, label=_("说明"))

    def clean(self) -> dict[str, object]:
        d = super().clean() or {}
        period, kind = d.get("period"), d.get("kind")
        if period and _period_start(str(period)) > timezone.localdate().strftime("%Y-%m"):
            self.add_error("period", _("期间不能晚于本月"))
        if period and kind and ("Q" in str(period)) != (kind == ReadingKind.QUARTERLY):
            self.add_error("period", _("期间与周期不符"))
        return d
