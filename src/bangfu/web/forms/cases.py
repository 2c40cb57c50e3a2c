"""The case pages' forms. An action's form is built from its declaration in the chain
(`bangfu.cases.chain.ACTIONS`): the same fields the service validates and the API documents."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from bangfu.accounts.access import access_for
from bangfu.accounts.models import User
from bangfu.cases.chain import Action, Field
from bangfu.cases.models import AttachmentKind, Case, Stage
from bangfu.cases.selectors import CaseFilters
from bangfu.monitoring.policy import RISK_TYPES
from bangfu.regions.models import Level

RISK_CHOICES = [(r, _(r)) for r in sorted(RISK_TYPES)]  # the words are marked in monitoring.policy


class CaseFilterForm(forms.Form):
    stage = forms.ChoiceField(required=False, label=_("环节"))
    village = forms.ChoiceField(required=False, label=_("村"))
    overdue = forms.BooleanField(required=False, label=_("仅看逾期"))

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        all_: list[tuple[str, Any]] = [("", _("全部"))]
        villages = access_for(user).regions(Level.VILLAGE)
        choices_set(self, "stage", all_ + list(Stage.choices))
        choices_set(self, "village", all_ + list(villages.values_list("code", "name")))

    def filters(self) -> CaseFilters:
        """The list's filters as chosen (none where the query string is not valid)."""
        if not self.is_valid():
            return CaseFilters()
        data = self.cleaned_data
        return CaseFilters(stage=data["stage"], village=data["village"], overdue=data["overdue"])


def choices_set(form: forms.Form, name: str, choices: list[tuple[Any, Any]]) -> None:
    """Set the choices of one of the form's choice fields (made when the form is)."""
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    field.choices = choices


def _form_field(spec: Field) -> forms.Field:
    """The form field of one declared fact."""
    date = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    if spec.kind == "text":
        widget = forms.Textarea(attrs={"rows": 3}) if spec.multiline else None
        return forms.CharField(
            label=spec.label,
            required=spec.required,
            max_length=spec.max_length or None,
            widget=widget,
        )
    if spec.kind == "money":
        return forms.DecimalField(label=spec.label, required=spec.required, min_value=0)
    if spec.kind == "flag":
        return forms.BooleanField(label=spec.label, required=False)
    if spec.kind == "date":
        return forms.DateField(label=spec.label, required=spec.required, widget=date)
    choices = spec.choices() if spec.choices else []
    if spec.kind == "choice":
        return forms.ChoiceField(label=spec.label, required=spec.required, choices=choices)
    return forms.MultipleChoiceField(
        label=spec.label,
        required=spec.required,
        choices=choices,
        widget=forms.CheckboxSelectMultiple,
    )


class ActionForm(forms.Form):
    """The fields one action records (its declaration's), and the note or reason."""

    def __init__(self, *args: Any, action: Action, case: Case | None = None, **kwargs: Any) -> None:
        if case is not None and "initial" not in kwargs:
            kwargs["initial"] = {f.name: f.initial(case) for f in action.fields if f.initial}
        super().__init__(*args, **kwargs)
        for spec in action.fields:
            field = self.fields[spec.name] = _form_field(spec)
            # the same words the service refuses a missing fact with (API, CLI)
            field.error_messages["required"] = spec.missing or _("请填写%(field)s") % {
                "field": spec.label
            }
        self.fields["note"] = forms.CharField(
            required=action.note_required,
            label=_("理由") if action.note_required else _("说明"),
            max_length=1000,
        )

    def record(self) -> tuple[str, dict[str, Any]]:
        """The note, and the data for `case_act` (which validates it again, as for the API)."""
        data = dict(self.cleaned_data)
        note = data.pop("note", "") or ""
        return note, data


class AttachmentForm(forms.Form):
    """One file for the case: a phone opens its camera (capture), a computer its files. The
    service checks the content; `accept` only narrows the picker."""

    kind = forms.ChoiceField(label=_("附件类型"), choices=AttachmentKind.choices)
    file = forms.FileField(
        label=_("文件（JPG、PNG 图片或 PDF）"),
        widget=forms.ClearableFileInput(
            attrs={"accept": "image/*,application/pdf", "capture": "environment"}
        ),
    )


class VisitForm(forms.Form):
    note = forms.CharField(label=_("走访发现的情况"), widget=forms.Textarea(attrs={"rows": 3}))
    risk_types = forms.MultipleChoiceField(
        required=False,
        label=_("风险类型"),
        choices=RISK_CHOICES,
        widget=forms.CheckboxSelectMultiple,
    )


class DeclarationForm(forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=32)
    id_number = forms.CharField(label=_("身份证号"), max_length=32)
    phone = forms.CharField(label=_("手机号"), max_length=20)
    difficulty = forms.ChoiceField(label=_("困难类型"), choices=RISK_CHOICES)
    description = forms.CharField(
        required=False,
        label=_("情况说明"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
