"""The public self-declaration form (农户自主申报), with each field checked where it is typed."""

from __future__ import annotations

import re
import unicodedata

from django import forms
from django.utils.translation import gettext as _

from bangfu.cases.services import PHONE
from bangfu.core.idcard import IdNumberError, parse_id_number
from bangfu.web.forms.cases import DeclarationForm


class PublicDeclarationForm(DeclarationForm):
    """The declaration as a household types it on a phone: the ID number and mobile number are
    checked as `cases.services.declaration_submit` checks them, so that an invalid form says
    beside each field what is wrong; the service still decides."""

    def clean_name(self) -> str:
        name = str(self.cleaned_data.get("name", "")).strip()
        if not name:
            raise forms.ValidationError(_("请填写姓名"))
        return name

    def clean_id_number(self) -> str:
        raw = str(self.cleaned_data.get("id_number", ""))
        try:
            parse_id_number(raw)
        except IdNumberError as exc:
            raise forms.ValidationError(str(exc)) from None
        return raw

    def clean_phone(self) -> str:
        raw = str(self.cleaned_data.get("phone", ""))
        if not PHONE.match(re.sub(r"[^0-9]", "", unicodedata.normalize("NFKC", raw))):
            raise forms.ValidationError(_("手机号应为11位数字"))
        return raw
