"""The warnings pages: a list per region, a warning with its evidence and policy clause, and
the hand-over (dismiss with a reason, or turn into a lead for the identification chain)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from bangfu.monitoring.models import RiskWarning, WarningStatus
from bangfu.monitoring.policy import RISK_TYPES
from bangfu.monitoring.selectors import (
    WarningFilters,
    warning_evidence,
    warning_get_for_user,
    warning_list_for_user,
    warnings_for_user,
)
from bangfu.monitoring.services import MonitoringError, warning_set_status
from bangfu.regions.models import Level, Region
from bangfu.web.paging import page_of


class WarningFilterForm(forms.Form):
    period = forms.ChoiceField(required=False, label=_("期间"))
    rule = forms.ChoiceField(required=False, label=_("规则"))
    risk = forms.ChoiceField(required=False, label=_("风险类型"))
    village = forms.ChoiceField(required=False, label=_("村"))
    status = forms.ChoiceField(required=False, label=_("状态"))

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        mine = warnings_for_user(user=user)
        all_ = [("", _("全部"))]
        periods = mine.values_list("period", flat=True).distinct().order_by("-period")
        rules = mine.values_list("rule_id", "rule_title").distinct().order_by("rule_id")
        villages = Region.objects.filter(code__startswith=user.region.prefix, level=Level.VILLAGE)
        self.fields["period"].choices = all_ + [(p, p) for p in periods]  # type: ignore[attr-defined]
        self.fields["rule"].choices = all_ + [(r, f"{r} {t}") for r, t in rules]  # type: ignore[attr-defined]
        self.fields["risk"].choices = all_ + [(r, _(r)) for r in sorted(RISK_TYPES)]  # type: ignore[attr-defined]
        self.fields["village"].choices = all_ + list(villages.values_list("code", "name"))  # type: ignore[attr-defined]
        self.fields["status"].choices = all_ + list(WarningStatus.choices)  # type: ignore[attr-defined]

    def filters(self) -> WarningFilters:
        return WarningFilters(**{k: self.cleaned_data.get(k) or "" for k in self.fields})


class StatusForm(forms.Form):
    status = forms.ChoiceField(
        choices=[(WarningStatus.DISMISSED, _("排除")), (WarningStatus.LEAD, _("转为线索"))]
    )
    reason = forms.CharField(required=False, max_length=255, label=_("理由"))


def _reader(request: HttpRequest) -> Any:
    if not request.user.can_read_registry:  # type: ignore[union-attr]
        raise Http404
    return request.user


@login_required
@require_GET
def warning_list(request: HttpRequest) -> HttpResponse:
    user = _reader(request)
    form = WarningFilterForm(request.GET or None, user=user)
    filters = form.filters() if form.is_valid() else WarningFilters()
    page, query = page_of(request, warning_list_for_user(user=user, filters=filters), 30)
    return render(request, "web/warning_list.html", {"form": form, "page": page, "query": query})


@login_required
@require_GET
def warning_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _reader(request)
    warning = warning_get_for_user(user=user, pk=pk)
    return render(
        request,
        "web/warning_detail.html",
        {
            "warning": warning,
            "evidence": warning_evidence(warning=warning),
            "form": StatusForm()
            if user.can_write_registry and warning.status == WarningStatus.NEW
            else None,
            "others": RiskWarning.objects.filter(household=warning.household, period=warning.period)
            .exclude(pk=warning.pk)
            .order_by("rule_id"),
        },
    )


@login_required
@require_POST
def warning_status(request: HttpRequest, pk: int) -> HttpResponse:
    user = _reader(request)
    warning = warning_get_for_user(user=user, pk=pk)
    form = StatusForm(request.POST)
    if not form.is_valid():
        raise Http404
    try:
        warning_set_status(
            user=user,
            warning=warning,
            status=form.cleaned_data["status"],
            reason=form.cleaned_data["reason"],
        )
    except MonitoringError as exc:
        messages.error(request, str(exc))
        return render(
            request,
            "web/warning_detail.html",
            {
                "warning": warning,
                "evidence": warning_evidence(warning=warning),
                "form": form,
                "others": [],
            },
            status=400,
        )
    messages.success(request, str(_("已处理。")))
    return redirect("warning", pk=pk)
