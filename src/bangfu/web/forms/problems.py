"""The problem ledger's forms: the list's filters, registering a problem, progress with
evidence files (a phone opens its camera), the close-out request, the verification, reopening,
and the import of a problem list."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from bangfu.accounts.access import access_for
from bangfu.accounts.models import User
from bangfu.regions.models import Level, Region
from bangfu.supervision.models import ProblemCategory, ProblemStatus, Source
from bangfu.supervision.selectors import BY, ProblemFilters
from bangfu.supervision.services import ProblemIn
from bangfu.web.forms.cases import choices_set

ALL: list[tuple[str, Any]] = [("", _("全部"))]
TEXTAREA = forms.Textarea(attrs={"rows": 3})
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _regions(user: User) -> list[tuple[str, str]]:
    access = access_for(user)
    if access.region is None:
        return []
    own = [(access.region.code, access.region.name)]
    below = [
        (r.code, _label(r))
        for level in (Level.TOWNSHIP, Level.VILLAGE)
        for r in access.regions(level).select_related("parent")
    ]
    return own + below


def _label(region: Region) -> str:
    """A village with its township (two townships may have villages of the same name)."""
    if region.level == Level.VILLAGE and region.parent is not None:
        return f"{region.parent.name}{region.name}"
    return region.name


class ProblemFilterForm(forms.Form):
    source = forms.ChoiceField(required=False, label=_("问题来源"))
    category = forms.ChoiceField(required=False, label=_("问题类别"))
    status = forms.ChoiceField(required=False, label=_("状态"))
    region = forms.ChoiceField(required=False, label=_("区划"))
    overdue = forms.BooleanField(required=False, label=_("仅看逾期"))
    by = forms.ChoiceField(required=False, label=_("统计口径"))

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices_set(self, "source", ALL + list(Source.choices))
        choices_set(self, "category", ALL + list(ProblemCategory.choices))
        choices_set(self, "status", ALL + list(ProblemStatus.choices))
        choices_set(self, "region", ALL + _regions(user))
        labels = {"source": _("按来源"), "category": _("按类别"), "region": _("按区划")}
        choices_set(self, "by", [(b, labels[b]) for b in BY])

    def filters(self) -> ProblemFilters:
        if not self.is_valid():
            return ProblemFilters()
        d = self.cleaned_data
        return ProblemFilters(
            source=d["source"],
            category=d["category"],
            status=d["status"],
            region=d["region"],
            overdue=d["overdue"],
        )

    def grouping(self) -> str:
        return (self.cleaned_data.get("by") or "source") if self.is_valid() else "source"


class ProblemForm(forms.Form):
    source = forms.ChoiceField(label=_("问题来源"), choices=Source.choices)
    source_ref = forms.CharField(label=_("来源编号"), max_length=64, required=False)
    region = forms.ChoiceField(label=_("问题所在区划"))
    category = forms.ChoiceField(label=_("问题类别"), choices=ProblemCategory.choices)
    description = forms.CharField(
        label=_("问题描述"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
    )
    responsible_unit = forms.CharField(label=_("责任单位"), max_length=100)
    responsible_person = forms.CharField(label=_("责任人"), max_length=64, required=False)
    deadline = forms.DateField(label=_("整改时限"), widget=DATE)
    measures = forms.CharField(
        label=_("整改措施"), max_length=2000, required=False, widget=TEXTAREA
    )
    households = forms.CharField(
        label=_("涉及农户（户编号，多个用逗号分隔）"), max_length=500, required=False
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices_set(self, "region", _regions(user))

    def problem_in(self) -> ProblemIn:
        d = self.cleaned_data
        nos = [n.strip() for n in d["households"].replace("，", ",").split(",") if n.strip()]
        return ProblemIn(
            source=d["source"],
            source_ref=d["source_ref"],
            region_code=d["region"],
            category=d["category"],
            description=d["description"],
            responsible_unit=d["responsible_unit"],
            responsible_person=d["responsible_person"],
            deadline=d["deadline"],
            measures=d["measures"],
            household_nos=nos,
        )


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class EvidenceField(forms.FileField):
    def clean(self, data: Any, initial: Any = None) -> Any:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data]
        return [single(data, initial)] if data else []


class ProgressForm(forms.Form):
    text = forms.CharField(label=_("整改进展"), max_length=2000, required=False, widget=TEXTAREA)
    evidence = EvidenceField(
        label=_("佐证材料（JPG、PNG 图片或 PDF，可多选）"),
        required=False,
        widget=MultipleFileInput(
            attrs={"accept": "image/*,application/pdf", "capture": "environment", "multiple": True}
        ),
    )


class CloseoutForm(forms.Form):
    result = forms.CharField(label=_("整改结果"), max_length=2000, required=False, widget=TEXTAREA)


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("原因或意见"), max_length=2000, required=False, widget=TEXTAREA
    )


class ImportForm(forms.Form):
    file = forms.FileField(label=_("问题清单（.xlsx）"))
