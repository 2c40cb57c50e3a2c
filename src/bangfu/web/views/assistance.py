"""The pages of assistance (帮扶施策): a case's plan (一户一策), a responsible person's tasks
and their progress, the measure catalogue, the results per village and year, and the region
at a glance."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from bangfu.accounts.access import access_for
from bangfu.accounts.models import User
from bangfu.assistance.dashboard import dashboard, dashboard_region
from bangfu.assistance.models import Measure, MeasureStatus
from bangfu.assistance.results import has_amount, results_table, results_xlsx
from bangfu.assistance.selectors import (
    NEED_LABELS,
    measure_get_for_user,
    measure_kinds,
    tasks_for_user,
)
from bangfu.assistance.services import measure_kind_update, measure_update, plan_confirm
from bangfu.cases.selectors import case_get_for_user
from bangfu.core.errors import NotFound, Refused
from bangfu.core.tabular.sheets import XLSX
from bangfu.registry.selectors import household_heads
from bangfu.web.forms.assistance import KindForm
from bangfu.web.forms.tasks import MeasureUpdateForm
from bangfu.web.http import AuthedRequest, int_param, local_path, reader


def _plan_items(post: Any) -> list[dict[str, Any]]:
    """The plan form: one row per proposal (ticked to keep) and one free row."""
    items = []
    try:
        rows = int(post.get("rows", "0") or 0)
    except ValueError:
        rows = 0
    for i in range(min(rows, 50) + 1):
        if not post.get(f"pick_{i}") or not post.get(f"kind_{i}"):
            continue
        try:
            deadline: dt.date | None = dt.date.fromisoformat(post.get(f"deadline_{i}", ""))
        except ValueError:
            deadline = None
        items.append(
            {
                "kind": post.get(f"kind_{i}"),
                "responsible": post.get(f"responsible_{i}") or 0,
                "target": post.get(f"target_{i}", ""),
                "deadline": deadline,
                "reason": post.get(f"reason_{i}", ""),
            }
        )
    return items


@login_required
@require_POST
def plan_confirm_view(request: AuthedRequest, pk: int) -> HttpResponse:
    user = reader(request)
    case = case_get_for_user(user=user, pk=pk)
    try:
        made = plan_confirm(user=user, case=case, items=_plan_items(request.POST))
    except Refused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("已确定 %(n)d 项帮扶措施。") % {"n": len(made)})
    return redirect("case", pk=case.pk)


@login_required
@require_GET
def my_tasks(request: AuthedRequest) -> HttpResponse:
    """帮扶责任人: my households' measures, open ones first."""
    return _tasks_page(request, reader(request))


def _tasks_page(
    request: AuthedRequest, user: User, bound: MeasureUpdateForm | None = None
) -> HttpResponse:
    """The tasks, each open one with its form; `bound` (a refused update) is shown in its
    row with its errors and what was typed, and the page answers 400."""
    tasks = tasks_for_user(user=user).prefetch_related(household_heads("case__household__"))
    rows: list[tuple[Measure, MeasureUpdateForm | None]] = []
    for m in tasks:
        form = None
        if bound is not None and bound.measure.pk == m.pk:
            form = bound
        elif m.status in (MeasureStatus.PLANNED, MeasureStatus.ACTIVE):
            form = MeasureUpdateForm(measure=m)
        rows.append((m, form))
    context = {"tasks": rows, "today": timezone.localdate()}
    return render(request, "web/my_tasks.html", context, status=400 if bound else 200)


@login_required
@require_POST
def measure_update_view(request: AuthedRequest, pk: int) -> HttpResponse:
    """Record a measure's progress; a refusal comes back on the tasks page, beside the field
    it is about, with what was typed (400)."""
    user = reader(request)
    measure = measure_get_for_user(user=user, pk=pk)
    form = MeasureUpdateForm(request.POST, measure=measure)
    if form.is_valid():
        try:
            measure_update(
                user=user,
                measure=measure,
                status=form.cleaned_data["status"],
                amount=form.cleaned_data.get("amount", ""),
                text=form.cleaned_data["text"],
            )
        except Refused as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("已登记。"))
            back = local_path(request.POST.get("next", ""))
            return redirect(back) if back else redirect("my_tasks")
    if measure.responsible_id != user.pk:  # a cadre's update: their tasks page lacks the row
        for errors in form.errors.values():
            messages.error(request, "；".join(str(e) for e in errors))
        return redirect(local_path(request.POST.get("next", "")) or "my_tasks")
    return _tasks_page(request, user, bound=form)


@login_required
@require_http_methods(["GET", "POST"])
def catalogue(request: AuthedRequest) -> HttpResponse:
    """The measure catalogue: everyone who plans reads it, the county edits it."""
    user = reader(request)
    editable = access_for(user).may_edit_catalogue
    if request.method == "POST":
        if not editable:
            raise NotFound
        kind = get_object_or_404(measure_kinds(), pk=request.POST.get("kind", "0"))
        form = KindForm(request.POST, instance=kind, prefix=f"k{kind.pk}")
        if form.is_valid():
            values = {name: form.cleaned_data[name] for name in form.Meta.fields}
            kind.refresh_from_db()  # the form wrote its values onto the instance
            measure_kind_update(user=user, kind=kind, values=values)
            messages.success(request, _("已保存：") + kind.name)
        else:
            for field, errors in form.errors.items():
                messages.error(request, f"{kind.name} {field}：{'；'.join(str(e) for e in errors)}")
        return redirect("catalogue")
    kinds = measure_kinds()
    forms_ = [(k, KindForm(instance=k, prefix=f"k{k.pk}")) for k in kinds] if editable else []
    return render(
        request, "web/catalogue.html", {"kinds": kinds, "forms": forms_, "needs": NEED_LABELS}
    )


@login_required
@require_GET
def results(request: AuthedRequest) -> HttpResponse:
    user = reader(request)
    this_year = timezone.localdate().year
    year = int_param(request, "year", default=this_year, low=2000, high=this_year + 1)
    kinds, rows = results_table(user=user, year=year)
    if request.GET.get("format") == "xlsx":
        data = results_xlsx(kinds=kinds, rows=rows, year=year)
        response = HttpResponse(data, content_type=XLSX)
        response["Content-Disposition"] = (
            content_disposition_header(True, f"帮扶成效-{year}.xlsx") or "attachment"
        )
        return response
    table = [(row, [(k, *row.cells.get(k.code, (0, 0))) for k in kinds]) for row in rows]
    return render(
        request,
        "web/results.html",
        {
            "kinds": kinds,
            "table": table,
            "year": year,
            "amounts": {k.code for k in kinds if has_amount(k)},
        },
    )


@login_required
@require_GET
def dashboard_view(request: AuthedRequest) -> HttpResponse:
    """County, township or village at a glance, with drill-down to the regions below."""
    user = reader(request)
    region = dashboard_region(user=user, code=request.GET.get("region", ""))
    data = dashboard(user=user, region=region)
    labels = {
        "risks": {r: str(_(r)) for r in data["by_risk"]},
        "statuses": {value: str(label) for value, label in MeasureStatus.choices},
        "entries": str(_("纳入监测")),
        "exits": str(_("风险消除")),
    }
    return render(
        request,
        "web/dashboard.html",
        {
            "data": data,
            "labels": labels,
            "region": region,
            "up": region.parent if region != user.region else None,
        },
    )
