"""The forms that start background jobs: a household import, a department feed, a monitoring
run."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from bangfu.feeds.sources import FEEDS


class UploadForm(forms.Form):
    file = forms.FileField(label=_("文件（.xlsx 或 .csv）"))

    def clean_file(self) -> object:
        f = self.cleaned_data["file"]
        if not f.name.lower().endswith((".xlsx", ".csv")):
            raise forms.ValidationError(_("仅支持 .xlsx 和 .csv 文件"))
        return f


class ImportForm(UploadForm):
    skip_invalid = forms.BooleanField(required=False, label=_("跳过有错误的户，导入其余各户"))


class FeedImportForm(forms.Form):
    dept = forms.ChoiceField(label=_("部门数据"))
    file = forms.FileField(label=_("文件（.xlsx 或 .csv）"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["dept"]).choices = [
            (code, f"{gettext(spec.title)}（{gettext(spec.department)}）")
            for code, spec in FEEDS.items()
        ]

    clean_file = UploadForm.clean_file


class MonitoringRunForm(forms.Form):
    period = forms.RegexField(
        regex=r"^[0-9]{4}-(0[1-9]|1[0-2])$",
        required=False,
        label=_("监测期间"),
        help_text=_("YYYY-MM，留空为本月"),
        error_messages={"invalid": _("期间格式应为 YYYY-MM")},
    )
