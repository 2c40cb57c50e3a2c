"""The form a responsible person records a measure's progress with (我的帮扶任务)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bangfu.assistance.models import Measure, MeasureStatus, Outcome
from bangfu.core.tabular.parsing import CellError, parse_money
from bangfu.core.text import UNSAFE_REFUSED, has_unsafe_chars

MONEY = (Outcome.AMOUNT, Outcome.LOAN)


class MeasureUpdateForm(forms.Form):
    """One measure's row: its new status and the outcome its catalogue entry asks for. The
    service (`assistance.services.measure_update`) decides; the form checks the same input
    first so that each refusal stands beside the field it is about, with what was typed."""

    status = forms.ChoiceField(
        label=gettext_lazy("状态"),
        choices=[(v, lbl) for v, lbl in MeasureStatus.choices if v != MeasureStatus.PLANNED],
    )
    amount = forms.CharField(label="", required=False, max_length=32)
    text = forms.CharField(label=gettext_lazy("说明"), required=False, max_length=255)

    def __init__(self, *args: Any, measure: Measure, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", f"m{measure.pk}_%s")
        super().__init__(*args, **kwargs)
        self.measure = measure
        outcome = measure.kind.get_outcome_display()
        if self.takes_amount:
            self.fields["amount"].label = outcome
            self.fields["amount"].widget.attrs["inputmode"] = "decimal"
        else:
            del self.fields["amount"]
            self.fields["text"].label = outcome

    @property
    def takes_amount(self) -> bool:
        return self.measure.kind.outcome in MONEY

    def clean_amount(self) -> str:
        amount = str(self.cleaned_data.get("amount", "")).strip()
        if amount:
            try:
                value = parse_money(amount)
            except CellError as exc:
                raise forms.ValidationError(str(exc)) from None
            if value <= 0:
                raise forms.ValidationError(_("金额应大于零"))
        return amount

    def clean_text(self) -> str:
        text = str(self.cleaned_data.get("text", ""))
        if has_unsafe_chars(text):
            raise forms.ValidationError(_(UNSAFE_REFUSED))
        return text.strip()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        status = data.get("status")
        needed = _("请填写%(outcome)s") % {"outcome": self.measure.kind.get_outcome_display()}
        if status == MeasureStatus.DONE:
            if self.takes_amount and not data.get("amount") and "amount" not in self.errors:
                self.add_error("amount", needed)
            elif not self.takes_amount and not data.get("text") and "text" not in self.errors:
                self.add_error("text", needed)
        if status == MeasureStatus.CANCELLED and not data.get("text") and "text" not in self.errors:
            self.add_error("text", _("取消措施必须说明理由"))
        return data
