"""The assessment pages (考核): the year's schemes and assessments (the county opens one and
loads a scheme file), a scheme with its indicators (the county edits one in place), an
assessment's ranking with the result sheet (.xlsx and PDF), a subject's scorecard with why
each score is what it is (the assessor's form per assessed indicator, and the problem found
registered into the ledger), and the scores' evidence files (each reading audited)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from bangfu.accounts.access import access_for
from bangfu.assessment.indicators import MEASURES
from bangfu.assessment.models import (
    Assessment,
    AssessmentStatus,
    CheckWay,
    Indicator,
    Method,
    Scheme,
    Subject,
)
from bangfu.assessment.prints import result_paper
from bangfu.assessment.rules import why_not_change_scheme, why_not_run, why_not_score
from bangfu.assessment.scheme import TOTAL_POINTS, scheme_text
from bangfu.assessment.services import (
    assessment_get_for_user,
    assessment_open,
    assessment_publish,
    assessment_recompute,
    assessments_in_scope,
    evidence_get_for_user,
    evidence_open,
    indicator_update,
    scheme_get_for_user,
    scheme_load,
    schemes_in_scope,
    score_get_for_user,
    score_problem,
    score_set,
    subject_card,
    subject_get_for_user,
)
from bangfu.assessment.sheets import assessment_ranking, result_sheet, subject_label
from bangfu.core.errors import BadParameter, Forbidden, NotFound, Refused
from bangfu.web.downloads import send_pdf, send_stored
from bangfu.web.forms.assessments import (
    IndicatorForm,
    OpenForm,
    SchemeForm,
    ScoreForm,
    ScoreProblemForm,
)
from bangfu.web.http import AuthedRequest, reader
from bangfu.web.views.exports import send_xlsx


@login_required
@require_http_methods(["GET", "POST"])
def assessment_list(request: AuthedRequest) -> HttpResponse:
    """The schemes and the assessments; a POST (the county's) names its action (`what`): open
    an assessment, or load a scheme file."""
    user = reader(request)
    may_edit = access_for(user).may_edit_schemes
    what = str(request.POST.get("what", "")) if request.method == "POST" else ""
    open_form = OpenForm(request.POST if what == "open" else None, user=user)
    scheme_form = SchemeForm(
        request.POST if what == "scheme" else None, request.FILES if what == "scheme" else None
    )
    if request.method == "POST":
        if not may_edit:
            raise Forbidden(_("只有县级可以维护考核方案、组织考核"))
        if what == "open" and open_form.is_valid():
            d = open_form.cleaned_data
            try:
                scheme = scheme_get_for_user(user=user, pk=int(d["scheme"]))
                assessment = assessment_open(
                    user=user, scheme=scheme, period=d["period"], quarter=d["quarter"]
                )
            except Refused as exc:
                open_form.add_error(None, str(exc))
            else:
                messages.success(request, _("已开始考核：%(a)s") % {"a": assessment})
                return redirect("assessment", pk=assessment.pk)
        elif what == "scheme" and scheme_form.is_valid():
            try:
                scheme = scheme_load(user=user, text=scheme_form.scheme_text())
            except Refused as exc:
                scheme_form.add_error(None, str(exc))
            else:
                messages.success(request, _("已载入考核方案：%(s)s") % {"s": scheme})
                return redirect("assessment_scheme", pk=scheme.pk)
        elif what not in ("open", "scheme"):
            raise BadParameter(_("未知的操作"))
    assessments = (
        assessments_in_scope(user=user)
        .select_related("scheme")
        .annotate(subject_count=Count("subjects"))
    )
    return render(
        request,
        "web/assessment_list.html",
        {
            "schemes": schemes_in_scope(user=user),
            "assessments": assessments,
            "may_edit": may_edit,
            "open_form": open_form,
            "scheme_form": scheme_form,
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def scheme_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    """A scheme's dimensions and indicators; the county edits an indicator's points, target
    values or guide in place (refused, with the reason, once the scheme is in use)."""
    user = reader(request)
    scheme = scheme_get_for_user(user=user, pk=pk)
    may_edit = access_for(user).may_edit_schemes
    posted: IndicatorForm | None = None
    if request.method == "POST":
        if not may_edit:
            raise Forbidden(_("只有县级可以维护考核方案、组织考核"))
        posted = IndicatorForm(request.POST)
        if posted.is_valid():
            d = posted.cleaned_data
            indicator = _indicator(scheme, d["indicator"])
            try:
                indicator_update(
                    user=user,
                    indicator=indicator,
                    points=d["points"],
                    full_at=d["full_at"],
                    zero_at=d["zero_at"],
                    guide=d["guide"],
                )
            except Refused as exc:
                posted.add_error(None, str(exc))
            else:
                messages.success(request, _("已修改指标：%(i)s") % {"i": indicator.name})
                return redirect("assessment_scheme", pk=scheme.pk)
    locked = why_not_change_scheme(scheme)
    dimensions = []
    for dimension in scheme.dimensions.prefetch_related("indicators"):
        rows = []
        for indicator in dimension.indicators.all():
            form = None
            if may_edit and not locked:
                bound = posted is not None and posted.data.get("indicator") == str(indicator.pk)
                form = posted if bound else IndicatorForm(initial=_initial(indicator))
            rows.append((_described(indicator), form))
        dimension.points = sum((i.points for i, _f in rows), Decimal(0))  # type: ignore[attr-defined]
        dimensions.append((dimension, rows))
    total = sum((d.points for d, _r in dimensions), Decimal(0))  # type: ignore[attr-defined]
    return render(
        request,
        "web/assessment_scheme.html",
        {
            "scheme": scheme,
            "dimensions": dimensions,
            "may_edit": may_edit,
            "locked": locked,
            "editable": may_edit and not locked,
            "total": total,
            "total_points": TOTAL_POINTS,
        },
        status=400 if request.method == "POST" else 200,
    )


def _described(indicator: Indicator) -> Indicator:
    """The indicator with what the page says of its rule: the measure's title, the ways."""
    measure = MEASURES.get(indicator.measure)
    indicator.measure_title = measure.title if measure else indicator.measure  # type: ignore[attr-defined]
    ways = [w for w in indicator.ways.split(",") if w]
    indicator.way_labels = "、".join(str(CheckWay(w).label) for w in ways)  # type: ignore[attr-defined]
    return indicator


def _indicator(scheme: Scheme, pk: int) -> Indicator:
    indicator = Indicator.objects.filter(dimension__scheme=scheme, pk=pk).first()
    if indicator is None:
        raise NotFound
    return indicator


def _initial(indicator: Indicator) -> dict[str, Any]:
    return {
        "indicator": indicator.pk,
        "points": indicator.points,
        "full_at": indicator.full_at,
        "zero_at": indicator.zero_at,
        "guide": indicator.guide,
    }


@login_required
@require_GET
def scheme_file(request: AuthedRequest, pk: int) -> HttpResponse:
    """The scheme as the TOML file it loads from (after the pages' edits too)."""
    user = reader(request)
    scheme = scheme_get_for_user(user=user, pk=pk)
    response = HttpResponse(scheme_text(scheme), content_type="application/toml; charset=utf-8")
    name = f"{scheme.year}-{scheme.subject_kind}.toml"
    response["Content-Disposition"] = content_disposition_header(True, name) or ""
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def assessment_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    """The ranking with each dimension's subtotal; the county recomputes the computed scores
    (while open) and publishes (`what`: recompute, publish)."""
    user = reader(request)
    assessment = assessment_get_for_user(user=user, pk=pk)
    may_edit = access_for(user).may_edit_schemes
    status = 200
    if request.method == "POST":
        what = str(request.POST.get("what", ""))
        if what not in ("recompute", "publish"):
            raise BadParameter(_("未知的操作"))
        if not may_edit:
            raise Forbidden(_("只有县级可以维护考核方案、组织考核"))
        try:
            if what == "recompute":
                assessment_recompute(user=user, assessment=assessment)
                messages.success(request, _("已重新计算系统计算的指标"))
            else:
                assessment_publish(user=user, assessment=assessment)
                messages.success(request, _("已公布考核结果"))
        except Refused as exc:
            messages.error(request, str(exc))
            status = 400
        else:
            return redirect("assessment", pk=assessment.pk)
        assessment = assessment_get_for_user(user=user, pk=pk)
    return render(
        request,
        "web/assessment_detail.html",
        {
            "assessment": assessment,
            "ranking": assessment_ranking(user=user, assessment=assessment),
            "may_edit": may_edit,
            "run_reason": why_not_run(user, assessment),
            "open": assessment.status == AssessmentStatus.OPEN,
        },
        status=status,
    )


@login_required
@require_GET
def assessment_xlsx(request: AuthedRequest, pk: int) -> HttpResponseBase:
    user = reader(request)
    assessment = assessment_get_for_user(user=user, pk=pk)
    return send_xlsx(
        request,
        f"考核结果-{assessment.scheme.year}-{assessment.title}",
        "assessments",
        lambda out: result_sheet(user=user, assessment=assessment, out=out),
    )


@login_required
@require_GET
def assessment_pdf(request: AuthedRequest, pk: int) -> HttpResponse:
    user = reader(request)
    assessment = assessment_get_for_user(user=user, pk=pk)
    try:
        data = result_paper(user=user, assessment=assessment)
    except Refused as exc:
        messages.error(request, str(exc))
        return redirect("assessment", pk=assessment.pk)
    name = f"考核结果-{assessment.scheme.year}-{assessment.title}.pdf"
    return send_pdf(data, name)


def _subject(user: Any, assessment: Assessment, sid: int) -> Subject:
    subject = subject_get_for_user(user=user, pk=sid)
    if subject.assessment_id != assessment.pk:
        raise NotFound
    return subject


@login_required
@require_http_methods(["GET", "POST"])
def subject_detail(request: AuthedRequest, pk: int, sid: int) -> HttpResponse:
    """A subject's scorecard: each indicator's points and why (the measured figure, or the
    assessor's way, note, evidence and the problem found). An assessor's POST names its action
    (`what`): score (points, way, note, evidence) or problem (registered into the ledger)."""
    user = reader(request)
    assessment = assessment_get_for_user(user=user, pk=pk)
    subject = _subject(user, assessment, sid)
    what = str(request.POST.get("what", "")) if request.method == "POST" else ""
    posted: ScoreForm | ScoreProblemForm | None = None
    if request.method == "POST":
        if what not in ("score", "problem"):
            raise BadParameter(_("未知的操作"))
        if not access_for(user).may_assess:
            raise Forbidden(_("只有考核人员可以评分"))
        done, posted = _act(request, subject, what)
        if done:
            return redirect("assessment_subject", pk=assessment.pk, sid=subject.pk)
    card = subject_card(user=user, subject=subject)
    return render(
        request,
        "web/assessment_subject.html",
        {
            "assessment": assessment,
            "subject": subject,
            "label": subject_label(subject),
            "card": card,
            "rows": _rows(card, user, posted, what),
        },
        status=400 if request.method == "POST" else 200,
    )


def _act(request: AuthedRequest, subject: Subject, what: str) -> tuple[bool, Any]:
    """One assessor's action; (True, None) when done, else (False, the form with why)."""
    user = request.user
    score = score_get_for_user(user=user, pk=_score_pk(request))
    if score.subject_id != subject.pk:
        raise NotFound
    if what == "score":
        reason = why_not_score(user, score)
        if reason:
            raise Forbidden(reason)
        form: Any = ScoreForm(request.POST, request.FILES, indicator=score.indicator)
        if not form.is_valid():
            return False, form
        d = form.cleaned_data
        try:
            score_set(
                user=user,
                score=score,
                points=d["points"],
                way=d["way"],
                note=d["note"],
                uploads=d["evidence"],
            )
        except Refused as exc:
            form.add_error(None, str(exc))
            return False, form
        messages.success(request, _("已评分：%(i)s") % {"i": score.indicator.name})
        return True, None
    form = ScoreProblemForm(request.POST)
    if not form.is_valid():
        return False, form
    d = form.cleaned_data
    try:
        score_problem(
            user=user,
            score=score,
            description=d["description"],
            deadline=d["deadline"],
            responsible_unit=d["responsible_unit"],
            category=d["category"],
            source=d["source"],
        )
    except Refused as exc:
        form.add_error(None, str(exc))
        return False, form
    messages.success(request, _("已登记问题，纳入问题台账"))
    return True, None


def _score_pk(request: AuthedRequest) -> int:
    text = str(request.POST.get("score", ""))
    if not (text.isascii() and text.isdigit()):
        raise BadParameter(_("请选择评分项"))
    return int(text)


def _rows(card: Any, user: Any, posted: Any, what: str) -> list[dict[str, Any]]:
    """The card's dimensions, each score with the assessor's forms (the one posted bound, with
    why it was refused) or the reason this user may not score it."""
    assessor = access_for(user).may_assess
    out = []
    for dim in card.dimensions:
        scores = []
        for line in dim.lines:
            score = line.score
            row: dict[str, Any] = {"line": line}
            if assessor and score.indicator.method == Method.ASSESSED:
                reason = why_not_score(user, score)
                mine = posted is not None and posted.data.get("score") == str(score.pk)
                if reason:
                    row["score_reason"] = reason
                else:
                    row["score_form"] = (
                        posted
                        if mine and what == "score"
                        else ScoreForm(initial=_score_initial(score), indicator=score.indicator)
                    )
                    if score.problem_id is None or (mine and what == "problem"):
                        row["problem_form"] = (
                            posted
                            if mine and what == "problem"
                            else ScoreProblemForm(initial={"score": score.pk})
                        )
            scores.append(row)
        out.append({"card": dim, "lines": scores})
    return out


def _score_initial(score: Any) -> dict[str, Any]:
    return {"score": score.pk, "points": score.points, "way": score.way, "note": score.note}


@login_required
@require_GET
def score_evidence(request: AuthedRequest, pk: int) -> HttpResponse:
    """The stored file under its stored type (nosniff); each reading audited."""
    user = reader(request)
    evidence = evidence_get_for_user(user=user, pk=pk)
    path = evidence_open(user=user, evidence=evidence)
    return send_stored(path, evidence.filename, evidence.content_type)
