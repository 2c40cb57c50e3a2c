"""The forms of plans and the measure catalogue."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from bangfu.assistance.models import MeasureKind
from bangfu.assistance.selectors import NEED_LABELS
from bangfu.web.forms.cases import RISK_CHOICES


class KindForm(forms.ModelForm[MeasureKind]):
    """One catalogue entry, as the county edits it (the service saves and audits it)."""

    risk_types = forms.MultipleChoiceField(
        label=_("针对的风险类型"), choices=RISK_CHOICES, widget=forms.CheckboxSelectMultiple
    )
    needs = forms.MultipleChoiceField(
        required=False,
        label=_("适用条件"),
        choices=list(NEED_LABELS.items()),
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = MeasureKind
        fields = ["name", "name_en", "group", "risk_types", "needs", "outcome", "active"]
