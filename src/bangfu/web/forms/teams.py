"""The forms of the resident work teams' pages (驻村工作队): a team, a member, a day's log, a
task and its status, and the county's mark of a weak village. Each checks what the service
checks first, so that a refusal stands beside its field with what was typed."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from bangfu.accounts.access import access_for
from bangfu.accounts.models import User
from bangfu.core.text import UNSAFE_REFUSED, has_unsafe_chars
from bangfu.regions.models import Level
from bangfu.supervision.models import (
    MOBILE,
    MemberRole,
    TaskStatus,
    UnitLevel,
    WorkTeam,
)
from bangfu.supervision.teams import MemberIn, TeamIn
from bangfu.web.forms.cases import choices_set

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TEXTAREA = forms.Textarea(attrs={"rows": 3})


class SafeForm(forms.Form):
    """Refuses the invisible characters in every text field."""

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name, value in list(data.items()):  # add_error drops the field from `data`
            if isinstance(value, str) and has_unsafe_chars(value):
                self.add_error(name, str(_(UNSAFE_REFUSED)))
        return data


def _villages(user: User) -> list[tuple[str, str]]:
    villages = access_for(user).regions(Level.VILLAGE).select_related("parent")
    return [(v.code, f"{v.parent.name if v.parent else ''}{v.name}") for v in villages]


class TeamForm(SafeForm):
    village = forms.ChoiceField(label=_("驻村"))
    sending_unit = forms.CharField(label=_("派出单位"), max_length=100)
    unit_level = forms.ChoiceField(label=_("派出单位层级"), choices=UnitLevel.choices)
    term_start = forms.DateField(label=_("派驻开始"), widget=DATE)
    term_end = forms.DateField(label=_("派驻结束"), required=False, widget=DATE)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices_set(self, "village", _villages(user))

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("term_start"), data.get("term_end")
        if start and end and end < start:
            self.add_error("term_end", _("结束日期不能早于开始日期"))
        return data

    def team_in(self) -> TeamIn:
        d = self.cleaned_data
        return TeamIn(
            village_code=d["village"],
            sending_unit=d["sending_unit"],
            unit_level=d["unit_level"],
            term_start=d["term_start"],
            term_end=d["term_end"],
        )


class TeamEditForm(TeamForm):
    """A team's details changed: its village stays (shown, not sent), and a team called back
    is no longer on post."""

    active = forms.BooleanField(label=_("在岗"), required=False)

    def __init__(self, *args: Any, user: User, team: WorkTeam, **kwargs: Any) -> None:
        fields = ("sending_unit", "unit_level", "term_start", "term_end", "active")
        initial = {name: getattr(team, name) for name in fields} | {"village": team.village_id}
        super().__init__(*args, user=user, initial=initial, **kwargs)
        self.fields["village"].disabled = True

    def team_in(self) -> TeamIn:
        return replace(super().team_in(), active=self.cleaned_data["active"])


class MemberForm(SafeForm):
    name = forms.CharField(label=_("姓名"), max_length=32)
    role = forms.ChoiceField(label=_("职务"), choices=MemberRole.choices)
    post = forms.CharField(label=_("工作单位及职务"), max_length=100, required=False)
    phone = forms.CharField(
        label=_("办公电话"),
        max_length=24,
        required=False,
        help_text=_("只登记办公电话，不登记个人手机号"),
    )
    term_start = forms.DateField(label=_("到岗日期"), widget=DATE)
    username = forms.CharField(label=_("系统账号（可选）"), max_length=150, required=False)

    def clean_phone(self) -> str:
        phone = str(self.cleaned_data.get("phone", "")).strip()
        if phone and MOBILE.match(phone):
            raise forms.ValidationError(_("请填写办公电话，不登记个人手机号"))
        return phone

    def member_in(self) -> MemberIn:
        d = self.cleaned_data
        return MemberIn(
            name=d["name"],
            role=d["role"],
            post=d["post"],
            phone=d["phone"],
            term_start=d["term_start"],
            username=d["username"],
        )


class MemberEndForm(forms.Form):
    member = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    on = forms.DateField(label=_("离岗日期"), widget=DATE)


class LogForm(SafeForm):
    member = forms.ChoiceField(label=_("队员"))
    on = forms.DateField(label=_("日期"), widget=DATE)
    text = forms.CharField(label=_("工作内容"), max_length=2000, widget=TEXTAREA)
    households = forms.CharField(
        label=_("走访农户（户编号，多个用逗号分隔）"), max_length=500, required=False
    )

    def __init__(self, *args: Any, team: WorkTeam, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "log")
        super().__init__(*args, **kwargs)
        choices_set(self, "member", [(str(m.pk), str(m)) for m in team.members.all()])

    def household_nos(self) -> list[str]:
        text = str(self.cleaned_data["households"]).replace("，", ",").replace("、", ",")
        return [n.strip() for n in text.split(",") if n.strip()]


class TaskForm(SafeForm):
    title = forms.CharField(label=_("任务"), max_length=200)
    due = forms.DateField(label=_("完成时限"), required=False, widget=DATE)
    note = forms.CharField(label=_("备注"), max_length=2000, required=False, widget=TEXTAREA)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "task")
        super().__init__(*args, **kwargs)


class TaskStatusForm(SafeForm):
    task = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    status = forms.ChoiceField(label=_("状态"), choices=TaskStatus.choices)
    note = forms.CharField(label=_("备注"), max_length=2000, required=False)


class WeakVillageForm(SafeForm):
    village = forms.ChoiceField(label=_("村"))
    weak = forms.BooleanField(label=_("认定为重点帮扶村"), required=False, initial=True)
    decided_on = forms.DateField(label=_("认定日期"), required=False, widget=DATE)
    document_no = forms.CharField(label=_("文件编号"), max_length=64, required=False)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices_set(self, "village", _villages(user))
