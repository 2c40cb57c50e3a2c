"""The warnings pages' forms: the list's filters and the hand-over."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from bangfu.accounts.access import access_for
from bangfu.accounts.models import User
from bangfu.monitoring.models import WarningStatus
from bangfu.monitoring.policy import RISK_TYPES, rule_title_shown
from bangfu.monitoring.selectors import WarningFilters, warnings_for_user
from bangfu.regions.models import Level
from bangfu.web.forms.cases import choices_set


class WarningFilterForm(forms.Form):
    period = forms.ChoiceField(required=False, label=_("期间"))
    rule = forms.ChoiceField(required=False, label=_("规则"))
    risk = forms.ChoiceField(required=False, label=_("风险类型"))
    village = forms.ChoiceField(required=False, label=_("村"))
    status = forms.ChoiceField(required=False, label=_("状态"))
    listed = forms.ChoiceField(
        required=False,
        label=_("名单"),
        choices=[("", _("全部")), ("lead", _("新线索（待核实）")), ("watch", _("重点关注"))],
    )
    sort = forms.ChoiceField(
        required=False,
        label=_("排序"),
        choices=[("", _("按优先级")), ("household", _("按户编号")), ("village", _("按村"))],
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        mine = warnings_for_user(user=user)
        all_: list[tuple[str, Any]] = [("", _("全部"))]
        periods = mine.values_list("period", flat=True).distinct().order_by("-period")
        # each rule once, titled in the reader's language (the policy file's English)
        rules = {
            r["rule_id"]: rule_title_shown(SimpleNamespace(**r))
            for r in mine.values("rule_id", "rule_title", "policy_version")
            .distinct()
            .order_by("rule_id", "-policy_version")
        }
        villages = access_for(user).regions(Level.VILLAGE)
        choices_set(self, "period", all_ + [(p, p) for p in periods])
        choices_set(self, "rule", all_ + [(r, f"{r} {t}") for r, t in rules.items()])
        choices_set(self, "risk", all_ + [(r, _(r)) for r in sorted(RISK_TYPES)])
        choices_set(self, "village", all_ + list(villages.values_list("code", "name")))
        choices_set(self, "status", all_ + list(WarningStatus.choices))

    def filters(self) -> WarningFilters:
        return WarningFilters(**{k: self.cleaned_data.get(k) or "" for k in self.fields})


class StatusForm(forms.Form):
    status = forms.ChoiceField(
        choices=[(WarningStatus.DISMISSED, _("排除")), (WarningStatus.LEAD, _("转为线索"))]
    )
    reason = forms.CharField(required=False, max_length=255, label=_("理由"))


class HouseholdIdsField(forms.Field):
    """The list's checkboxes: the chosen households' ids (each a positive whole number)."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value: Any) -> list[int]:
        values = value if isinstance(value, list | tuple) else [value] if value else []
        if not all(isinstance(v, str) and v.isascii() and v.isdigit() for v in values):
            raise forms.ValidationError(_("所选农户无效"))
        return [int(v) for v in values]

    def validate(self, value: Any) -> None:
        if not value:
            raise forms.ValidationError(_("请至少选择一户"))


class BulkDecisionForm(StatusForm):
    """The list's hand-over: the same decision for all new warnings of the chosen households."""

    household = HouseholdIdsField()
