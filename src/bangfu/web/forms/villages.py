"""The form of a village's contact details (村委会联系方式)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from bangfu.regions.models import RegionContact


class VillageContactForm(forms.ModelForm[RegionContact]):
    """The committee's name, office phone, supervision phone and address (the service saves
    and audits them); blank fields print the defaults."""

    class Meta:
        model = RegionContact
        fields = ["office", "phone", "supervision_phone", "address"]
        help_texts = {
            "office": _("留空则为“村名+村民委员会”"),
            "phone": _("印在一户一码卡片（帮扶责任人无工作电话时）和公示上"),
            "supervision_phone": _("印在公示上；留空则用乡镇或县级的监督举报电话，再无则为 12317"),
        }
