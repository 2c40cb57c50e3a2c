"""Self-declaration (农户自主申报): the public page behind each village's QR code, and the
village cadre's list of declarations that matched nobody in the registry."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from bangfu.cases.selectors import declaration_rows, declarations_for_user
from bangfu.cases.services import declaration_handle, declaration_submit
from bangfu.core.errors import Refused
from bangfu.regions.models import Level, Region
from bangfu.web.forms.cases import DeclarationForm
from bangfu.web.http import AuthedRequest, reader
from bangfu.web.throttle import attempt


@require_http_methods(["GET", "POST"])
def declare(request: HttpRequest, village_code: str) -> HttpResponse:
    """自主申报: reached from the village's QR code, no login. What was typed is never shown
    back (a failed form comes back empty but for the difficulty), and each address may send
    only a few declarations an hour."""
    village = get_object_or_404(Region, code=village_code, level=Level.VILLAGE)
    if request.method == "POST":
        # every attempt counts, valid or not: guessing ID numbers costs attempts too
        if not attempt("declare", request, settings.DECLARATION_ATTEMPTS_PER_HOUR):
            return render(
                request, "web/declare.html", {"village": village, "limited": True}, status=429
            )
        form = DeclarationForm(request.POST)
        error = ""
        if form.is_valid():
            try:
                declaration = declaration_submit(village=village, **form.cleaned_data)
            except Refused as exc:  # IdNumberError is one
                error = str(exc)
            else:
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
def declarations(request: AuthedRequest) -> HttpResponse:
    """The village cadre's list of self-declarations that matched nobody in the registry."""
    user = reader(request)
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
        except Refused as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("已处理。"))
        return redirect("declarations")
    return render(request, "web/declarations.html", {"rows": declaration_rows(pending)})
