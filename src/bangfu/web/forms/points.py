"""The forms of the village points' pages (积分制): the village picked, an item of the list,
points recorded with their evidence, and a redemption. Each checks what the service checks
first, so that a refusal stands beside its field with what was typed."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from bangfu.accounts.models import User
from bangfu.supervision.models import PointItem, PointKind
from bangfu.supervision.points import (
    MAX_ITEM_POINTS,
    MAX_REDEMPTION_POINTS,
    ItemIn,
    points_villages,
)
from bangfu.web.forms.cases import choices_set
from bangfu.web.forms.teams import DATE, SafeForm

# a household number typed on a phone: digits first, the village's households offered
HOUSEHOLD = forms.TextInput(
    attrs={"list": "point-households", "inputmode": "numeric", "autocomplete": "off"}
)


class VillagePickForm(forms.Form):
    village = forms.ChoiceField(label=_("村"), required=False)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        villages = points_villages(user=user)
        choices_set(
            self,
            "village",
            [(v.code, f"{v.parent.name if v.parent else ''}{v.name}") for v in villages],
        )


class ItemForm(SafeForm):
    name = forms.CharField(label=_("积分事项"), max_length=100)
    kind = forms.ChoiceField(label=_("类型"), choices=PointKind.choices)
    points = forms.IntegerField(label=_("分值"), min_value=1, max_value=MAX_ITEM_POINTS)
    evidence_needed = forms.CharField(
        label=_("所需佐证"),
        max_length=200,
        help_text=_("如：村民小组长确认、现场照片、活动签到表"),
    )
    order = forms.IntegerField(label=_("排序"), min_value=0, max_value=999, initial=0)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "item")
        super().__init__(*args, **kwargs)

    def item_in(self, *, active: bool = True) -> ItemIn:
        d = self.cleaned_data
        return ItemIn(
            name=d["name"],
            kind=d["kind"],
            points=d["points"],
            evidence_needed=d["evidence_needed"],
            order=d["order"],
            active=active,
        )


class EntryForm(SafeForm):
    household = forms.CharField(label=_("户编号"), max_length=32, widget=HOUSEHOLD)
    item = forms.ChoiceField(label=_("积分事项"))
    on = forms.DateField(label=_("日期"), widget=DATE)
    evidence = forms.CharField(
        label=_("佐证"), max_length=200, help_text=_("按清单所需佐证填写，勿填身份证号和手机号")
    )
    note = forms.CharField(label=_("备注"), max_length=200, required=False)

    def __init__(self, *args: Any, items: list[PointItem], **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "entry")
        super().__init__(*args, **kwargs)
        choices_set(self, "item", [(str(i.pk), f"{i}：{i.evidence_needed}") for i in items])


class RedemptionForm(SafeForm):
    household = forms.CharField(label=_("户编号"), max_length=32, widget=HOUSEHOLD)
    points = forms.IntegerField(label=_("兑换积分"), min_value=1, max_value=MAX_REDEMPTION_POINTS)
    goods = forms.CharField(label=_("兑换物品"), max_length=100)
    on = forms.DateField(label=_("日期"), widget=DATE)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "redeem")
        super().__init__(*args, **kwargs)
