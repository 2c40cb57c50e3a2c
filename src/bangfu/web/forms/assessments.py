"""The forms of the assessment pages (考核): opening an assessment, loading a scheme (its TOML as
a file or pasted), the county's edit of an indicator, an assessor's score with its evidence
files, and the problem found at a score, registered into the ledger."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.validators import MaxValueValidator
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from bangfu.accounts.models import User
from bangfu.assessment.models import CheckWay, Indicator, Period
from bangfu.assessment.scheme import MAX_BYTES  # the scheme file's bound, checked before reading
from bangfu.assessment.services import schemes_in_scope
from bangfu.supervision.models import ProblemCategory, Source
from bangfu.web.forms.cases import choices_set
from bangfu.web.forms.problems import EvidenceField, MultipleFileInput
from bangfu.web.forms.teams import DATE, TEXTAREA, SafeForm


class OpenForm(forms.Form):
    scheme = forms.ChoiceField(label=_("考核方案"))
    period = forms.ChoiceField(label=_("考核周期"), choices=Period.choices)
    quarter = forms.TypedChoiceField(
        label=_("季度"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", "—")] + [(q, format_lazy(_("第{q}季度"), q=q)) for q in range(1, 5)],
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices_set(self, "scheme", [(s.pk, str(s)) for s in schemes_in_scope(user=user)])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("period") == Period.QUARTER and not data.get("quarter"):
            self.add_error("quarter", _("季度测评请选择季度"))
        if data.get("period") == Period.ANNUAL:
            data["quarter"] = None
        return data


class SchemeForm(forms.Form):
    file = forms.FileField(label=_("方案文件（.toml）"), required=False)
    text = forms.CharField(
        label=_("或粘贴方案内容"),
        required=False,
        max_length=MAX_BYTES,
        widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        upload = data.get("file")
        if upload is not None:
            if upload.size > MAX_BYTES:
                self.add_error("file", _("方案文件不能超过 100 KB"))
                return data
            try:
                data["text"] = upload.read().decode("utf-8-sig")
            except UnicodeDecodeError:
                self.add_error("file", _("方案文件应为 UTF-8 编码的文本"))
        elif not data.get("text", "").strip():
            self.add_error(None, _("请选择方案文件或粘贴方案内容"))
        return data

    def scheme_text(self) -> str:
        return str(self.cleaned_data["text"])


class IndicatorForm(SafeForm):
    indicator = forms.IntegerField(widget=forms.HiddenInput)
    points = forms.DecimalField(label=_("分值"), max_digits=5, decimal_places=2, min_value=0)
    full_at = forms.DecimalField(label=_("满分值"), max_digits=8, decimal_places=4, required=False)
    zero_at = forms.DecimalField(label=_("零分值"), max_digits=8, decimal_places=4, required=False)
    guide = forms.CharField(label=_("评分细则"), max_length=2000, required=False, widget=TEXTAREA)


class ScoreForm(SafeForm):
    score = forms.IntegerField(widget=forms.HiddenInput)
    points = forms.DecimalField(label=_("得分"), max_digits=5, decimal_places=2, min_value=0)
    way = forms.ChoiceField(label=_("考核方式"), choices=CheckWay.choices)
    note = forms.CharField(label=_("扣分说明"), max_length=2000, required=False, widget=TEXTAREA)
    evidence = EvidenceField(
        label=_("佐证材料（JPG、PNG 图片或 PDF，可多选）"),
        required=False,
        widget=MultipleFileInput(
            attrs={"accept": "image/*,application/pdf", "capture": "environment", "multiple": True}
        ),
    )

    def __init__(self, *args: Any, indicator: Indicator, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        ways = [w for w in indicator.ways.split(",") if w]
        listed = [(v, label) for v, label in CheckWay.choices if v in ways]
        choices_set(self, "way", listed or list(CheckWay.choices))
        points = self.fields["points"]
        assert isinstance(points, forms.DecimalField)
        points.validators.append(MaxValueValidator(indicator.points))
        points.widget.attrs.update({"max": str(indicator.points), "step": "0.01"})


class ScoreProblemForm(SafeForm):
    score = forms.IntegerField(widget=forms.HiddenInput)
    source = forms.ChoiceField(label=_("问题来源"), choices=Source.choices, initial="self_check")
    category = forms.ChoiceField(label=_("问题类别"), choices=ProblemCategory.choices)
    description = forms.CharField(label=_("问题描述"), max_length=2000, widget=TEXTAREA)
    responsible_unit = forms.CharField(label=_("责任单位"), max_length=100)
    deadline = forms.DateField(label=_("整改时限"), widget=DATE)
