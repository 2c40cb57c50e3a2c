"""The problem ledger's pages (问题台账): the list with its filters and statistics, a problem
with its history, evidence and the actions the user may take (the others shown disabled with
the reason), registering, the import of a problem list with its template, the export in the
台账 layout, and the evidence files (each reading audited)."""

from __future__ import annotations

import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from bangfu.accounts.access import access_for
from bangfu.assessment.services import scores_in_scope
from bangfu.core.errors import NotFound, Refused
from bangfu.core.tabular.sheets import XLSX, read_table
from bangfu.registry.selectors import household_heads
from bangfu.supervision.models import ProblemStatus
from bangfu.supervision.rules import (
    why_not_closeout,
    why_not_rectify,
    why_not_reopen,
    why_not_verify,
)
from bangfu.supervision.selectors import (
    evidence_get_for_user,
    problem_get_for_user,
    problem_list_for_user,
    problem_stats,
)
from bangfu.supervision.services import (
    evidence_open,
    problem_progress,
    problem_register,
    problem_reopen,
    problem_request_closeout,
    problem_send_back,
    problem_verify,
)
from bangfu.supervision.sheets import problems_export, problems_import, problems_template
from bangfu.web.downloads import send_stored
from bangfu.web.forms.problems import (
    CloseoutForm,
    ImportForm,
    ProblemFilterForm,
    ProblemForm,
    ProgressForm,
    ReasonForm,
)
from bangfu.web.http import AuthedRequest, reader
from bangfu.web.paging import page_of


@login_required
@require_GET
def problem_list(request: AuthedRequest) -> HttpResponse:
    user = reader(request)
    today = timezone.localdate()
    form = ProblemFilterForm(request.GET or None, user=user)
    problems = problem_list_for_user(user=user, filters=form.filters(), today=today)
    page, query = page_of(request, problems, 30)
    return render(
        request,
        "web/problem_list.html",
        {
            "form": form,
            "page": page,
            "query": query,
            "today": today,
            "stats": problem_stats(user=user, by=form.grouping(), today=today, problems=problems),
            # the statistics' first column: what its rows are (and each phone card's label)
            "by_label": {"source": _("问题来源"), "category": _("问题类别"), "region": _("区划")}[
                form.grouping()
            ],
            "may_register": access_for(user).may_register_problems,
        },
    )


@login_required
@require_GET
def problem_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    user = reader(request)
    problem = problem_get_for_user(user=user, pk=pk)
    evidence = list(problem.evidence.select_related("uploaded_by"))
    rectify = why_not_rectify(user, problem)
    closeout = why_not_closeout(user, problem, result="-", evidence=len(evidence))
    verify = why_not_verify(user, problem)
    reopen = why_not_reopen(user, problem)
    return render(
        request,
        "web/problem_detail.html",
        {
            "problem": problem,
            "today": timezone.localdate(),
            "updates": problem.updates.select_related("by"),
            "evidence": evidence,
            "households": problem.households.prefetch_related(household_heads("")),
            # found at an assessment's score (考核发现): the scorecards the user may read
            "found_at": list(scores_in_scope(user=user).filter(problem=problem)),
            "actions": [
                ("progress", _("登记整改进展"), rectify, ProgressForm()),
                ("closeout", _("申请销号"), closeout, CloseoutForm()),
                ("verify", _("验收销号"), verify, ReasonForm()),
                ("send_back", _("退回整改"), verify, ReasonForm()),
                ("reopen", _("重新打开"), reopen, ReasonForm()),
            ],
            "closed": problem.status == ProblemStatus.CLOSED,
        },
    )


@login_required
@require_POST
def problem_act(request: AuthedRequest, pk: int, step: str) -> HttpResponse:
    """One action of the problem page; a refusal goes back to it with the reason."""
    user = reader(request)
    problem = problem_get_for_user(user=user, pk=pk)
    action = step
    try:
        if action == "progress":
            form = ProgressForm(request.POST, request.FILES)
            if not form.is_valid():
                raise Refused("；".join(str(e) for errs in form.errors.values() for e in errs))
            problem_progress(
                user=user,
                problem=problem,
                text=form.cleaned_data["text"],
                uploads=form.cleaned_data["evidence"],
            )
            messages.success(request, _("已登记整改进展"))
        elif action == "closeout":
            result = str(request.POST.get("result", ""))
            problem_request_closeout(user=user, problem=problem, result=result)
            messages.success(request, _("已申请销号，等待上一级验收"))
        elif action in ("verify", "send_back", "reopen"):
            reason = str(request.POST.get("reason", ""))
            if action == "verify":
                problem_verify(user=user, problem=problem, note=reason)
                messages.success(request, _("已验收销号"))
            elif action == "send_back":
                problem_send_back(user=user, problem=problem, reason=reason)
                messages.success(request, _("已退回整改"))
            else:
                problem_reopen(user=user, problem=problem, reason=reason)
                messages.success(request, _("已重新打开"))
        else:
            raise NotFound
    except Refused as exc:
        messages.error(request, str(exc))
    return redirect("problem", pk=problem.pk)


@login_required
@require_http_methods(["GET", "POST"])
def problem_new(request: AuthedRequest) -> HttpResponse:
    user = reader(request)
    if not access_for(user).may_register_problems:
        raise NotFound
    form = ProblemForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        try:
            problem = problem_register(user=user, data=form.problem_in())
        except Refused as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("已登记问题"))
            return redirect("problem", pk=problem.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "web/problem_form.html", {"form": form}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def problem_import(request: AuthedRequest) -> HttpResponse:
    """A problem list handed down by an assessment: errors by row, column and reason, nothing
    written on any error; a re-import registers nothing twice."""
    user = reader(request)
    if not access_for(user).may_register_problems:
        raise NotFound
    form = ImportForm(request.POST or None, request.FILES or None)
    report = None
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                table = read_table(upload, upload.name or "")
                report = problems_import(user=user, table=table)
            except Refused as exc:
                form.add_error("file", str(exc))
            else:
                status = 200 if not report.errors else 400
                if not report.errors:
                    messages.success(
                        request,
                        _("已导入 %(n)d 个问题；已登记过的 %(m)d 个未重复登记")
                        % {"n": report.created, "m": report.existing},
                    )
                    return redirect("problems")
    context = {"form": form, "report": report}
    return render(request, "web/problem_import.html", context, status=status)


@login_required
@require_GET
def problem_template(request: AuthedRequest) -> HttpResponseBase:
    user = reader(request)
    if not access_for(user).may_register_problems:
        raise NotFound
    buf = io.BytesIO()
    problems_template(user=user, out=buf)
    buf.seek(0)
    return FileResponse(buf, as_attachment=True, filename="问题清单模板.xlsx", content_type=XLSX)


@login_required
@require_GET
def problem_export(request: AuthedRequest) -> HttpResponseBase:
    user = reader(request)
    today = timezone.localdate()
    form = ProblemFilterForm(request.GET or None, user=user)
    problems = problem_list_for_user(user=user, filters=form.filters(), today=today)
    buf = io.BytesIO()
    problems_export(user=user, problems=problems, out=buf, note=request.GET.urlencode())
    buf.seek(0)
    region = user.region.name if user.region else ""
    name = f"问题整改台账-{region}-{today:%Y%m%d}.xlsx"
    return FileResponse(buf, as_attachment=True, filename=name, content_type=XLSX)


@login_required
@require_GET
def problem_evidence(request: AuthedRequest, pk: int) -> HttpResponse:
    """The stored file under its stored type (nosniff); each reading audited."""
    user = reader(request)
    evidence = evidence_get_for_user(user=user, pk=pk)
    path = evidence_open(user=user, evidence=evidence)
    return send_stored(path, evidence.filename, evidence.content_type)
