"""The identification chain's pages: cases per region, a case with its trail and the actions
open to the user, overdue steps for the level above, batch approval, visits, and the public
self-declaration page behind each village's QR code."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from bangfu.accounts.models import Role
from bangfu.audit.services import audit_record
from bangfu.cases.chain import ACTIONS, Action
from bangfu.cases.dashboard import dashboard, dashboard_region
from bangfu.cases.evaluation import (
    EVALUATORS,
    GUARANTEES,
    evaluation_reasons,
    evaluation_record,
    evaluations_due,
    long_stays,
)
from bangfu.cases.meetings import meeting_agenda, meeting_record
from bangfu.cases.models import (
    Case,
    MeasureKind,
    MeasureStatus,
    Meeting,
    Objection,
    Stage,
)
from bangfu.cases.plans import (
    NEED_LABELS,
    PLANNERS,
    measure_update,
    measures_propose,
    plan_confirm,
    responsible_candidates,
)
from bangfu.cases.results import has_amount, results_table, results_xlsx
from bangfu.cases.selectors import (
    CaseFilters,
    actions_for_user,
    case_get_for_user,
    case_list_for_user,
    cases_in_scope,
    declarations_for_user,
    measure_get_for_user,
    overdue_for_user,
    stage_counts,
    tasks_for_user,
)
from bangfu.cases.services import (
    CaseError,
    case_act,
    case_bulk_act,
    declaration_handle,
    declaration_submit,
    objection_add,
    objection_resolve,
    visit_record,
)
from bangfu.core.crypto import decrypt
from bangfu.core.idcard import IdNumberError, mask_name, mask_phone
from bangfu.monitoring.policy import RISK_TYPES
from bangfu.regions.models import Level, Region
from bangfu.registry.models import Category
from bangfu.registry.selectors import household_get_for_user
from bangfu.registry.sheets import XLSX
from bangfu.web.paging import page_of

RISK_CHOICES = [(r, _(r)) for r in sorted(RISK_TYPES)]  # the words are marked in monitoring.policy
ALSO_SERVES = ["低保", "特困供养", "临时救助", "医疗救助", "教育资助", "残疾人补贴"]
DECLARATIONS_PER_HOUR = 5  # per address, on the public page


class CaseFilterForm(forms.Form):
    stage = forms.ChoiceField(required=False, label=_("环节"))
    village = forms.ChoiceField(required=False, label=_("村"))
    overdue = forms.BooleanField(required=False, label=_("仅看逾期"))

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        all_ = [("", _("全部"))]
        villages = Region.objects.filter(code__startswith=user.region.prefix, level=Level.VILLAGE)
        self.fields["stage"].choices = all_ + list(Stage.choices)  # type: ignore[attr-defined]
        self.fields["village"].choices = all_ + list(villages.values_list("code", "name"))  # type: ignore[attr-defined]


class ActionForm(forms.Form):
    """The fields an action records; built for one action (see FIELDS)."""

    findings = forms.CharField(label=_("入户核查情况"), widget=forms.Textarea(attrs={"rows": 3}))
    per_capita = forms.DecimalField(label=_("核实的家庭年人均纯收入（元）"), min_value=0)
    education = forms.BooleanField(required=False, label=_("义务教育有保障"))
    medical = forms.BooleanField(required=False, label=_("基本医疗有保障"))
    housing = forms.BooleanField(required=False, label=_("住房安全有保障"))
    water = forms.BooleanField(required=False, label=_("饮水安全有保障"))
    also_serves = forms.MultipleChoiceField(
        required=False,
        label=_("本次核查同时服务的救助事项（不再重复入户）"),
        choices=[(x, x) for x in ALSO_SERVES],
        widget=forms.CheckboxSelectMultiple,
    )
    visited_on = forms.DateField(
        label=_("入户日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    meeting_on = forms.DateField(
        label=_("评议日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    attendees = forms.CharField(label=_("参加评议人员"), max_length=500)
    category = forms.ChoiceField(
        label=_("监测对象类别"), choices=[c for c in Category.choices if c[0]]
    )
    risk_types = forms.MultipleChoiceField(
        label=_("风险类型"), choices=RISK_CHOICES, widget=forms.CheckboxSelectMultiple
    )
    note = forms.CharField(required=False, label=_("说明"), max_length=1000)

    FIELDS = {
        "verify": [
            "findings",
            "per_capita",
            "education",
            "medical",
            "housing",
            "water",
            "also_serves",
            "visited_on",
            "note",
        ],
        "appraise": ["meeting_on", "attendees", "note"],
        "appraise_reject": ["meeting_on", "attendees", "note"],
        "exit_appraise": ["meeting_on", "attendees", "note"],
        "exit_appraise_reject": ["meeting_on", "attendees", "note"],
        "county_approve": ["category", "risk_types", "note"],
    }

    def __init__(self, *args: Any, action: Action, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        keep = self.FIELDS.get(action.name, ["note"])
        for name in list(self.fields):
            if name not in keep:
                del self.fields[name]
        if action.note_required:
            self.fields["note"].required = True
            self.fields["note"].label = _("理由")


def _reader(request: HttpRequest) -> Any:
    if not request.user.can_read_registry:  # type: ignore[union-attr]
        raise Http404
    return request.user


def _action_forms(user: Any, case: Case) -> list[tuple[Action, ActionForm]]:
    forms_ = []
    for action in actions_for_user(user=user, case=case):
        initial: dict[str, Any] = {}
        if action.name == "county_approve":
            initial = {"risk_types": case.risk_types, "category": case.category or None}
        if action.name in ("verify",):
            initial = {"visited_on": timezone.localdate()}
        if "appraise" in action.name:
            initial = {"meeting_on": timezone.localdate()}
        forms_.append((action, ActionForm(action=action, initial=initial, prefix=action.name)))
    return forms_


@login_required
@require_GET
def case_list(request: HttpRequest) -> HttpResponse:
    user = _reader(request)
    form = CaseFilterForm(request.GET or None, user=user)
    filters = (
        CaseFilters(
            stage=form.cleaned_data["stage"],
            village=form.cleaned_data["village"],
            overdue=form.cleaned_data["overdue"],
        )
        if form.is_valid()
        else CaseFilters()
    )
    page, query = page_of(request, case_list_for_user(user=user, filters=filters), 30)
    counts = stage_counts(user=user)
    print_village = None
    if user.role in (Role.VILLAGE_CADRE, Role.TOWNSHIP_CADRE, Role.COUNTY_OFFICER):
        code = user.region.code if user.region.level == Level.VILLAGE else filters.village
        print_village = Region.objects.filter(code=code, level=Level.VILLAGE).first()
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
            "can_batch": user.role in (Role.TOWNSHIP_CADRE, Role.COUNTY_OFFICER),
            "print_village": print_village,
        },
    )


@login_required
@require_GET
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _reader(request)
    case = case_get_for_user(user=user, pk=pk)
    return render(
        request,
        "web/case_detail.html",
        {
            "case": case,
            "signals": case.signals.select_related("by", "warning"),
            "steps": case.steps.select_related("by"),
            "objections": case.objections.select_related("by", "resolved_by"),
            "action_forms": _action_forms(user, case),
            "can_object": case.stage == Stage.NOTICE
            and user.role in (Role.VILLAGE_CADRE, Role.TOWNSHIP_CADRE, Role.COUNTY_OFFICER),
            "can_resolve": user.role in (Role.VILLAGE_CADRE, Role.TOWNSHIP_CADRE),
            "today": timezone.localdate(),
            **_plan_context(user, case),
        },
    )


@login_required
@require_POST
def case_act_view(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    user = _reader(request)
    case = case_get_for_user(user=user, pk=pk)
    spec = ACTIONS.get(action)
    if spec is None:
        raise Http404
    form = ActionForm(request.POST, action=spec, prefix=action)
    if not form.is_valid():
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            messages.error(request, f"{label}：{'；'.join(str(e) for e in errors)}")
        return redirect("case", pk=case.pk)
    data = dict(form.cleaned_data)
    note = data.pop("note", "") or ""
    for key in ("visited_on", "meeting_on"):
        if data.get(key):
            data[key] = data[key].isoformat()
    if "per_capita" in data:
        data["per_capita"] = float(data["per_capita"])
    try:
        case_act(user=user, case=case, action=action, note=note, data=data)
    except CaseError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("已办理：") + str(spec.label))
    return redirect("case", pk=case.pk)


@login_required
@require_POST
def objection_add_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = _reader(request)
    case = case_get_for_user(user=user, pk=pk)
    try:
        objection_add(user=user, case=case, text=request.POST.get("text", ""))
    except CaseError as exc:
        messages.error(request, str(exc))
    return redirect("case", pk=case.pk)


@login_required
@require_POST
def objection_resolve_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = _reader(request)
    objection = get_object_or_404(Objection.objects.select_related("case__household"), pk=pk)
    case_get_for_user(user=user, pk=objection.case_id)  # 404 out of scope
    try:
        objection_resolve(
            user=user, objection=objection, resolution=request.POST.get("resolution", "")
        )
    except CaseError as exc:
        messages.error(request, str(exc))
    return redirect("case", pk=objection.case_id)


@login_required
@require_GET
def case_overdue(request: HttpRequest) -> HttpResponse:
    user = _reader(request)
    return render(
        request,
        "web/case_overdue.html",
        {
            "cases": overdue_for_user(user=user),
            "due": evaluations_due(user=user),
            "long": long_stays(user=user),
            "today": timezone.localdate(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def case_batch(request: HttpRequest) -> HttpResponse:
    """Township review or county approval of a list of cases at once."""
    user = _reader(request)
    exit_ = bool(request.GET.get("exit"))  # risk elimination rather than identification
    stage, action = {
        (Role.TOWNSHIP_CADRE, False): (Stage.TOWNSHIP, "township_approve"),
        (Role.COUNTY_OFFICER, False): (Stage.COUNTY, "county_approve"),
        (Role.TOWNSHIP_CADRE, True): (Stage.EXIT_TOWNSHIP, "exit_township_approve"),
        (Role.COUNTY_OFFICER, True): (Stage.EXIT_COUNTY, "exit_county_approve"),
    }.get((user.role, exit_), (None, None))
    if stage is None or action is None:
        raise Http404
    waiting = cases_in_scope(user=user).filter(stage=stage).order_by("household__household_no")
    township = request.GET.get("township", "")
    if township:
        waiting = waiting.filter(household__village__code__startswith=township[:9])
    if request.method == "POST":
        ids = [int(x) for x in request.POST.getlist("case") if x.isdigit()]
        chosen = list(waiting.filter(pk__in=ids))
        if len(chosen) != len(set(ids)):
            raise Http404
        try:
            batch = case_bulk_act(
                user=user, cases=chosen, action=action, note=request.POST.get("note", "")
            )
        except CaseError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request, _("已批量办理 %(n)d 户（批次 %(b)s）") % {"n": len(chosen), "b": batch}
            )
        return redirect(request.get_full_path())
    townships = Region.objects.filter(code__startswith=user.region.prefix, level=Level.TOWNSHIP)
    return render(
        request,
        "web/case_batch.html",
        {
            "cases": waiting,
            "label": ACTIONS[action].label,
            "townships": townships,
            "township": township,
            "exit": exit_,
        },
    )


class VisitForm(forms.Form):
    note = forms.CharField(label=_("走访发现的情况"), widget=forms.Textarea(attrs={"rows": 3}))
    risk_types = forms.MultipleChoiceField(
        required=False,
        label=_("风险类型"),
        choices=RISK_CHOICES,
        widget=forms.CheckboxSelectMultiple,
    )


@login_required
@require_POST
def visit_add(request: HttpRequest, household_no: str) -> HttpResponse:
    user = _reader(request)
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
    except CaseError as exc:
        messages.error(request, str(exc))
        return redirect("household", household_no=household_no)
    messages.success(request, _("已登记为线索。") if created else _("已并入本户正在办理的案例。"))
    return redirect("case", pk=case.pk)


# self-declaration: public -----------------------------------------------------------------
class DeclarationForm(forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=32)
    id_number = forms.CharField(label=_("身份证号"), max_length=32)
    phone = forms.CharField(label=_("手机号"), max_length=20)
    difficulty = forms.ChoiceField(label=_("困难类型"), choices=RISK_CHOICES)
    description = forms.CharField(
        required=False,
        label=_("情况说明"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


def _client(request: HttpRequest) -> str:
    return str(request.META.get("REMOTE_ADDR", "-"))


@require_http_methods(["GET", "POST"])
def declare(request: HttpRequest, village_code: str) -> HttpResponse:
    """自主申报: reached from the village's QR code, no login. What was typed is never shown
    back (a failed form comes back empty but for the difficulty), and each address may send
    only a few declarations an hour."""
    village = get_object_or_404(Region, code=village_code, level=Level.VILLAGE)
    if request.method == "POST":
        key = f"declare:{_client(request)}"
        sent = cache.get(key, 0)
        if sent >= DECLARATIONS_PER_HOUR:
            return render(
                request, "web/declare.html", {"village": village, "limited": True}, status=429
            )
        form = DeclarationForm(request.POST)
        error = ""
        if form.is_valid():
            try:
                declaration = declaration_submit(village=village, **form.cleaned_data)
            except (CaseError, IdNumberError) as exc:
                error = str(exc)
            else:
                cache.set(key, sent + 1, 3600)
                return render(
                    request,
                    "web/declare_done.html",
                    {"village": village, "reference": declaration.reference},
                )
        else:
            error = "；".join(f"{form.fields[f].label}：{e[0]}" for f, e in form.errors.items())
        blank = DeclarationForm(initial={"difficulty": request.POST.get("difficulty", "")})
        return render(
            request,
            "web/declare.html",
            {"village": village, "form": blank, "error": error},
            status=400,
        )
    return render(request, "web/declare.html", {"village": village, "form": DeclarationForm()})


@login_required
@require_http_methods(["GET", "POST"])
def declarations(request: HttpRequest) -> HttpResponse:
    """The village cadre's list of self-declarations that matched nobody in the registry."""
    user = _reader(request)
    pending = declarations_for_user(user=user)
    if request.method == "POST":
        declaration = get_object_or_404(pending, pk=request.POST.get("declaration", "0"))
        try:
            declaration_handle(
                user=user,
                declaration=declaration,
                household_no=request.POST.get("household_no", ""),
                reject_reason=request.POST.get("reason", ""),
            )
        except CaseError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("已处理。"))
        return redirect("declarations")
    rows = [
        {
            "d": d,
            "name": mask_name(decrypt(d.name_enc)),
            "phone": mask_phone(decrypt(d.phone_enc)),
        }
        for d in pending
    ]
    return render(request, "web/declarations.html", {"rows": rows})


# one household, one plan ---------------------------------------------------------------------
def _plan_context(user: Any, case: Case) -> dict[str, Any]:
    if case.stage != Stage.MONITORING:
        return {}
    context: dict[str, Any] = {
        "measures": case.measures.select_related("kind", "responsible"),
        "measure_statuses": MeasureStatus.choices,
        "evaluations": case.evaluations.select_related("by"),
        "can_evaluate": user.role in EVALUATORS,
    }
    if user.role in PLANNERS:
        context["proposals"] = measures_propose(case=case)
        context["candidates"] = responsible_candidates(case=case)
        context["other_kinds"] = MeasureKind.objects.filter(active=True)
        context["default_deadline"] = timezone.localdate() + dt.timedelta(days=90)
    return context


@login_required
@require_POST
def evaluation_add(request: HttpRequest, pk: int) -> HttpResponse:
    user = _reader(request)
    case = case_get_for_user(user=user, pk=pk)
    try:
        evaluation = evaluation_record(
            user=user,
            case=case,
            per_capita=request.POST.get("per_capita", ""),
            secured={k: bool(request.POST.get(k)) for k in GUARANTEES},
            note=request.POST.get("note", ""),
        )
    except CaseError as exc:
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


@login_required
@require_POST
def plan_confirm_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The plan form: one row per proposal (ticked to keep) and one free row."""
    user = _reader(request)
    case = case_get_for_user(user=user, pk=pk)
    items = []
    for i in range(int(request.POST.get("rows", "0") or 0) + 1):
        if not request.POST.get(f"pick_{i}") or not request.POST.get(f"kind_{i}"):
            continue
        try:
            deadline = dt.date.fromisoformat(request.POST.get(f"deadline_{i}", ""))
        except ValueError:
            deadline = None
        items.append(
            {
                "kind": request.POST.get(f"kind_{i}"),
                "responsible": request.POST.get(f"responsible_{i}") or 0,
                "target": request.POST.get(f"target_{i}", ""),
                "deadline": deadline,
                "reason": request.POST.get(f"reason_{i}", ""),
            }
        )
    try:
        made = plan_confirm(user=user, case=case, items=items)
    except CaseError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("已确定 %(n)d 项帮扶措施。") % {"n": len(made)})
    return redirect("case", pk=case.pk)


@login_required
@require_GET
def my_tasks(request: HttpRequest) -> HttpResponse:
    """帮扶责任人: my households' measures, open ones first."""
    user = _reader(request)
    return render(
        request,
        "web/my_tasks.html",
        {
            "tasks": tasks_for_user(user=user),
            "statuses": MeasureStatus.choices,
            "today": timezone.localdate(),
        },
    )


@login_required
@require_POST
def measure_update_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = _reader(request)
    measure = measure_get_for_user(user=user, pk=pk)
    try:
        measure_update(
            user=user,
            measure=measure,
            status=request.POST.get("status", ""),
            amount=request.POST.get("amount", ""),
            text=request.POST.get("text", ""),
        )
    except CaseError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("已登记。"))
    return redirect(request.POST.get("next") or "my_tasks")


class KindForm(forms.ModelForm):
    risk_types = forms.MultipleChoiceField(
        label=_("针对的风险类型"), choices=RISK_CHOICES, widget=forms.CheckboxSelectMultiple
    )
    needs = forms.MultipleChoiceField(
        required=False,
        label=_("适用条件"),
        choices=list(NEED_LABELS.items()),
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = MeasureKind
        fields = ["name", "group", "risk_types", "needs", "outcome", "active"]


@login_required
@require_http_methods(["GET", "POST"])
def catalogue(request: HttpRequest) -> HttpResponse:
    """The measure catalogue: everyone who plans reads it, the county edits it."""
    user = _reader(request)
    editable = user.role == Role.COUNTY_OFFICER
    if request.method == "POST":
        if not editable:
            raise Http404
        kind = get_object_or_404(MeasureKind, pk=request.POST.get("kind", "0"))
        form = KindForm(request.POST, instance=kind, prefix=f"k{kind.pk}")
        if form.is_valid():
            form.save()
            audit_record(actor=user, action="update", obj=kind, region_code=user.region.code)
            messages.success(request, _("已保存：") + kind.name)
        else:
            for field, errors in form.errors.items():
                messages.error(request, f"{kind.name} {field}：{'；'.join(str(e) for e in errors)}")
        return redirect("catalogue")
    kinds = MeasureKind.objects.all()
    forms_ = [(k, KindForm(instance=k, prefix=f"k{k.pk}")) for k in kinds] if editable else []
    return render(
        request, "web/catalogue.html", {"kinds": kinds, "forms": forms_, "needs": NEED_LABELS}
    )


# the village's monthly meeting ---------------------------------------------------------------
@login_required
@require_http_methods(["GET", "POST"])
def meeting(request: HttpRequest) -> HttpResponse:
    """The agenda of the month's village meeting and, for the village cadre, its minutes."""
    user = _reader(request)
    code = user.region.code if user.region.level == Level.VILLAGE else request.GET.get("village")
    village = Region.objects.filter(code=code or "", level=Level.VILLAGE).first()
    month = request.GET.get("month") or timezone.localdate().strftime("%Y-%m")
    if village is None:
        villages = Region.objects.filter(code__startswith=user.region.prefix, level=Level.VILLAGE)
        return render(request, "web/meeting.html", {"villages": villages, "month": month})
    try:
        agenda = meeting_agenda(user=user, village=village, month=month)
    except CaseError as exc:
        messages.error(request, str(exc))
        return redirect("meeting")
    if request.method == "POST":
        decisions = {
            int(key.removeprefix("decision_")): str(request.POST.get(key, ""))
            for key in request.POST
            if key.startswith("decision_") and key.removeprefix("decision_").isdigit()
        }
        try:
            held_on = dt.date.fromisoformat(request.POST.get("held_on", ""))
            meeting_record(
                user=user,
                village=village,
                month=month,
                held_on=held_on,
                attendees=request.POST.get("attendees", ""),
                minutes=request.POST.get("minutes", ""),
                decisions=decisions,
            )
        except ValueError as exc:  # CaseError, or a malformed date
            messages.error(request, str(exc) if isinstance(exc, CaseError) else _("请填写会议日期"))
        else:
            messages.success(request, _("会议纪要已保存。"))
        return redirect(f"{request.path}?month={month}&village={village.code}")
    agenda_cases = {
        c.pk: c
        for key in ("leads", "steps_due", "evaluations_due", "exits_proposed")
        for c in agenda[key]
    }
    return render(
        request,
        "web/meeting.html",
        {
            "village": village,
            "month": month,
            "agenda": agenda,
            "agenda_cases": agenda_cases.values(),
            "held": Meeting.objects.filter(village=village, month=month).first(),
            "can_record": user.role == Role.VILLAGE_CADRE,
            "today": timezone.localdate(),
        },
    )


# results ------------------------------------------------------------------------------------
@login_required
@require_GET
def results(request: HttpRequest) -> HttpResponse:
    user = _reader(request)
    try:
        year = int(request.GET.get("year") or timezone.localdate().year)
    except ValueError:
        raise Http404 from None
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


# dashboard ----------------------------------------------------------------------------------
@login_required
@require_GET
def dashboard_view(request: HttpRequest) -> HttpResponse:
    """County, township or village at a glance, with drill-down to the regions below."""
    user = _reader(request)
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
