"""The audit log's filter: who, what, which kind of object, where, and when."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from bangfu.accounts.access import access_for
from bangfu.accounts.models import User
from bangfu.accounts.selectors import (
    PUBLIC,
    SYSTEM,
    AuditFilters,
    audit_actors_for_user,
    audit_object_types_for_user,
)
from bangfu.audit.display import object_models, type_label
from bangfu.audit.models import AuditAction
from bangfu.audit.services import PUBLIC_CHANNEL
from bangfu.regions.models import Level

ALL = ("", _("全部"))
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class AuditFilterForm(forms.Form):
    actor = forms.ChoiceField(required=False, label=_("操作人"))
    action = forms.ChoiceField(required=False, label=_("操作"))
    object_type = forms.ChoiceField(required=False, label=_("对象类型"))
    region = forms.ChoiceField(required=False, label=_("区划"))
    since = forms.DateField(required=False, label=_("起始日期"), widget=DATE)
    until = forms.DateField(required=False, label=_("截止日期"), widget=DATE)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        """The choices are what the reader's log holds: the people who acted in it, the
        object types it names, and the regions inside the reader's (their own first)."""
        super().__init__(*args, **kwargs)
        people = [(str(u.pk), _person(u)) for u in audit_actors_for_user(user=user)]
        self._choices(
            "actor", [*people, (PUBLIC, _(PUBLIC_CHANNEL)), (SYSTEM, _("命令行（系统）"))]
        )
        self._choices("action", list(AuditAction.choices))
        types = audit_object_types_for_user(user=user)
        models_ = object_models(types)
        labelled = [(t, type_label(t, models_.get(t))) for t in types]
        self._choices("object_type", sorted(labelled, key=lambda c: c[1]))
        access = access_for(user)
        regions = [] if access.region is None else [access.region]
        regions += list(access.regions(Level.TOWNSHIP)) + list(access.regions(Level.VILLAGE))
        self._choices(
            "region",
            [
                (r.code, ("　" if r.level == Level.VILLAGE else "") + r.name)
                for r in sorted(set(regions), key=lambda r: r.code)
            ],
        )

    def _choices(self, name: str, choices: list[tuple[str, Any]]) -> None:
        cast(forms.ChoiceField, self.fields[name]).choices = [ALL, *choices]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", _("截止日期不能早于起始日期"))
        return data

    def filters(self) -> AuditFilters:
        d = self.cleaned_data
        return AuditFilters(
            actor=d.get("actor") or "",
            action=d.get("action") or "",
            object_type=d.get("object_type") or "",
            region=d.get("region") or "",
            since=d.get("since"),
            until=d.get("until"),
        )


def _person(user: User) -> str:
    name = user.display_name or user.get_full_name()
    return f"{name}（{user.username}）" if name else user.username
