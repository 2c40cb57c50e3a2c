"""The identification chain's pages: cases per region, a case with its trail and the actions
open to the user, objections during a notice, overdue steps for the level above, batch
approval, visits that found a difficulty, and evaluations of a household in monitoring."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from bangfu.accounts.access import access_for, region_q
from bangfu.accounts.models import User
from bangfu.assistance.models import MeasureStatus
from bangfu.assistance.selectors import measure_kinds, measures_propose, responsible_candidates
from bangfu.cases.attachments import may_attach
from bangfu.cases.categories import CATEGORY_PREFETCH, proposed_category
from bangfu.cases.chain import ACTIONS, NOTICE_STAGES, Action, batch_approval
from bangfu.cases.elimination import GUARANTEES
from bangfu.cases.evaluation import (
    evaluation_reasons,
    evaluation_record,
    evaluations_due,
    held_for_follow_up,
    long_stays,
)
from bangfu.cases.models import AttachmentKind, Case, Objection, Stage
from bangfu.cases.selectors import (
    actions_held_for_user,
    case_get_for_user,
    case_list_for_user,
    cases_in_scope,
    declarations_for_user,
    help_before_decision,
    household_summary,
    objection_get_for_user,
    overdue_for_user,
    own_steps_for_user,
    stage_counts,
)
from bangfu.cases.services import (
    case_act,
    case_bulk_act,
    objection_add,
    objection_resolve,
    visit_record,
)
from bangfu.core.errors import NotFound, Refused
from bangfu.regions.models import Level
from bangfu.registry.models import Category
from bangfu.registry.selectors import household_get_for_user, household_heads
from bangfu.web.forms.cases import ActionForm, AttachmentForm, CaseFilterForm, VisitForm
from bangfu.web.http import AuthedRequest, reader
from bangfu.web.paging import page_of

PLAN_DAYS = 90  # the deadline a new measure is offered with


# the attachment a stage most likely brings: the verification's form while verifying, ...
STAGE_ATTACHMENT = {
    Stage.LEAD: AttachmentKind.VERIFICATION,
    Stage.VERIFIED: AttachmentKind.APPRAISAL,
    Stage.EXIT_VERIFIED: AttachmentKind.APPRAISAL,
    Stage.APPRAISED: AttachmentKind.NOTICE,
    Stage.NOTICE: AttachmentKind.NOTICE,
    Stage.EXIT_APPRAISED: AttachmentKind.NOTICE,
    Stage.EXIT_NOTICE: AttachmentKind.NOTICE,
}


def _action_forms(
    user: User, case: Case, bound: ActionForm | None = None
) -> list[tuple[Action, ActionForm | None, str]]:
    """Each action open to the user with its form, or, held (the notice still running), no
    form and why, with the day it can be taken: shown disabled rather than refused. `bound`
    is a submitted form shown again with what was typed and its errors."""

    def form(action: Action) -> ActionForm:
        if bound is not None and bound.prefix == action.name:
            return bound
        return ActionForm(action=action, case=case, prefix=action.name)

    return [
        (action, None if held else form(action), held)
        for action, held in actions_held_for_user(user=user, case=case)
    ]


@login_required
@require_GET
def case_list(request: AuthedRequest) -> HttpResponse:
    user = reader(request)
    access = access_for(user)
    form = CaseFilterForm(request.GET or None, user=user)
    filters = form.filters()
    cases = case_list_for_user(user=user, filters=filters)
    page, query = page_of(request, cases.prefetch_related(household_heads("household__")), 30)
    counts = stage_counts(user=user)
    print_village = None
    if access.may_print and access.region is not None:
        code = access.region.code if access.region.level == Level.VILLAGE else filters.village
        print_village = access.regions(Level.VILLAGE).filter(code=code).first()
    return render(
        request,
        "web/case_list.html",
        {
            "form": form,
            "page": page,
            "query": query,
            "counts": [(s.label, s.value, counts[s.value]) for s in Stage],
            "today": timezone.localdate(),
            "declarations": declarations_for_user(user=user).count(),
            "can_batch": access.may_batch_approve,
            "print_village": print_village,
        },
    )


@login_required
@require_GET
def case_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    user = reader(request)
    return _case_page(request, user, case_get_for_user(user=user, pk=pk))


def _case_page(
    request: AuthedRequest,
    user: User,
    case: Case,
    bound: ActionForm | None = None,
    status: int = 200,
) -> HttpResponse:
    """The case page; with `bound`, an action's form as it was submitted (status 400)."""
    access = access_for(user)
    kind = STAGE_ATTACHMENT.get(Stage(case.stage), AttachmentKind.OTHER)
    return render(
        request,
        "web/case_detail.html",
        {
            "case": case,
            "summary": household_summary(user=user, case=case),
            "attachments": case.attachments.select_related("uploaded_by"),
            "attachment_form": AttachmentForm(initial={"kind": kind})
            if may_attach(user, case)
            else None,
            "signals": case.signals.select_related("by", "warning"),
            # signals since the household was identified: new risks while in monitoring
            "new_signals": case.signals.filter(at__date__gt=case.identified_on).count()
            if case.identified_on
            else 0,
            "steps": case.steps.select_related("by"),
            "objections": case.objections.select_related("by", "resolved_by"),
            "referrals": case.referrals.all(),
            "action_forms": _action_forms(user, case, bound),
            # objections are heard during either notice: identification or risk elimination
            "can_object": case.stage in NOTICE_STAGES and access.may_object,
            "can_resolve": access.may_resolve,
            "today": timezone.localdate(),
            **_plan_context(user, case),
        },
        status=status,
    )


def _plan_context(user: User, case: Case) -> dict[str, Any]:
    early = help_before_decision(case=case)  # 先帮后认
    if case.stage != Stage.MONITORING and not early:
        return {}
    access = access_for(user)
    context: dict[str, Any] = {
        "measures": case.measures.select_related("kind", "responsible"),
        "measure_statuses": MeasureStatus.choices,
        "evaluations": case.evaluations.select_related("by"),
        "can_evaluate": access.may_evaluate and not early,
        "help_before_decision": early,
    }
    if access.may_plan:
        context["proposals"] = measures_propose(case=case)
        context["candidates"] = responsible_candidates(case=case)
        context["other_kinds"] = measure_kinds(active_only=True)
        context["default_deadline"] = timezone.localdate() + dt.timedelta(days=PLAN_DAYS)
    return context


@login_required
@require_POST
def case_act_view(request: AuthedRequest, pk: int, action: str) -> HttpResponse:
    user = reader(request)
    case = case_get_for_user(user=user, pk=pk)
    spec = ACTIONS.get(action)
    if spec is None:
        raise NotFound
    form = ActionForm(request.POST, action=spec, prefix=action)
    if not form.is_valid():  # shown again as typed, each field's error beside it
        messages.error(request, _("请按提示修改后再提交。"))
        return _case_page(request, user, case, bound=form, status=400)
    note, data = form.record()
    try:
        case_act(user=user, case=case, action=action, note=note, data=data)
    except Refused as exc:
        messages.error(request, str(exc))
        return _case_page(request, user, case, bound=form, status=400)
    messages.success(request, _("已办理：") + str(spec.label))
    return redirect("case", pk=case.pk)


@login_required
@require_POST
def objection_add_view(request: AuthedRequest, pk: int) -> HttpResponse:
    user = reader(request)
    case = case_get_for_user(user=user, pk=pk)
    try:
        objection_add(user=user, case=case, text=request.POST.get("text", ""))
    except Refused as exc:
        messages.error(request, str(exc))
    return redirect("case", pk=case.pk)


@login_required
@require_POST
def objection_resolve_view(request: AuthedRequest, pk: int) -> HttpResponse:
    user = reader(request)
    objection: Objection = objection_get_for_user(user=user, pk=pk)
    try:
        objection_resolve(
            user=user, objection=objection, resolution=request.POST.get("resolution", "")
        )
    except Refused as exc:
        messages.error(request, str(exc))
    return redirect("case", pk=objection.case_id)


@login_required
@require_GET
def case_overdue(request: AuthedRequest) -> HttpResponse:
    user = reader(request)
    heads = household_heads("household__")
    return render(
        request,
        "web/case_overdue.html",
        {
            "cases": overdue_for_user(user=user).prefetch_related(heads),
            "own": own_steps_for_user(user=user, overdue=True).prefetch_related(heads),
            "due": evaluations_due(user=user).prefetch_related(heads),
            "long": long_stays(user=user).prefetch_related(heads),
            "held": held_for_follow_up(user=user).prefetch_related(heads),
            "today": timezone.localdate(),
        },
    )


def _batch_row(case: Case) -> tuple[Case, str, str]:
    category = case.category or proposed_category(case)
    return case, category, str(Category(category).label)


@login_required
@require_http_methods(["GET", "POST"])
def case_batch(request: AuthedRequest) -> HttpResponse:
    """Township review or county approval of a list of cases at once."""
    user = reader(request)
    access = access_for(user)
    exit_ = bool(request.GET.get("exit"))  # risk elimination rather than identification
    action = batch_approval(access.role, exit_) if access.may_batch_approve else None
    if action is None:
        raise NotFound
    waiting = cases_in_scope(user=user).filter(stage=action.source)
    waiting = waiting.order_by("household__household_no").prefetch_related(
        household_heads("household__"), *CATEGORY_PREFETCH
    )
    # the county's approval decides the category: each row offers the proposal, to change
    category_field = next((f for f in action.fields if f.name == "category"), None)
    township = access.region_inside(request.GET.get("township", ""))
    if township is not None:
        waiting = waiting.filter(region_q("household__village__code", township))
    if request.method == "POST":
        ids = [int(x) for x in request.POST.getlist("case") if x.isdigit()]
        chosen = list(waiting.filter(pk__in=ids))
        if len(chosen) != len(set(ids)):
            raise NotFound
        categories = (
            {c.pk: request.POST.get(f"category_{c.pk}", "") for c in chosen}
            if category_field is not None
            else None
        )
        try:
            batch = case_bulk_act(
                user=user,
                cases=chosen,
                action=action.name,
                note=request.POST.get("note", ""),
                categories=categories,
            )
        except Refused as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request, _("已批量办理 %(n)d 户（批次 %(b)s）") % {"n": len(chosen), "b": batch}
            )
        return redirect(request.get_full_path())
    return render(
        request,
        "web/case_batch.html",
        {
            # each row: the case, and the category it goes with (decided, else proposed)
            "rows": [_batch_row(c) for c in waiting],
            "category_choices": category_field.choices()
            if category_field is not None and category_field.choices
            else None,
            "label": action.label,
            "townships": access.regions(Level.TOWNSHIP),
            "township": township.code if township else "",
            "exit": exit_,
        },
    )


@login_required
@require_POST
def visit_add(request: AuthedRequest, household_no: str) -> HttpResponse:
    user = reader(request)
    household = household_get_for_user(user=user, household_no=household_no)
    form = VisitForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写走访发现的情况"))
        return redirect("household", household_no=household_no)
    try:
        case, created = visit_record(
            user=user,
            household=household,
            note=form.cleaned_data["note"],
            risk_types=form.cleaned_data["risk_types"],
        )
    except Refused as exc:
        messages.error(request, str(exc))
        return redirect("household", household_no=household_no)
    messages.success(
        request, _("已登记为线索。") if created else _("已并入本户正在办理的监测帮扶。")
    )
    return redirect("case", pk=case.pk)


@login_required
@require_POST
def evaluation_add(request: AuthedRequest, pk: int) -> HttpResponse:
    user = reader(request)
    case = case_get_for_user(user=user, pk=pk)
    try:
        evaluation = evaluation_record(
            user=user,
            case=case,
            per_capita=request.POST.get("per_capita", ""),
            secured={k: bool(request.POST.get(k)) for k in GUARANTEES},
            note=request.POST.get("note", ""),
        )
    except Refused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("符合风险消除条件。")
            if evaluation.meets
            else _("暂不符合风险消除条件：")
            + pgettext("list separator", "；").join(evaluation_reasons(evaluation)),
        )
    return redirect("case", pk=case.pk)
