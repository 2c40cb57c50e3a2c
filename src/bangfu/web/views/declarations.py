"""Self-declaration (农户自主申报): the public page behind each village's QR code, and the
village cadre's list of declarations that matched nobody in the registry."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from bangfu.cases.selectors import declaration_rows, declarations_for_user
from bangfu.cases.services import declaration_handle, declaration_submit
from bangfu.core.errors import Refused
from bangfu.core.idcard import IdNumberError
from bangfu.regions.models import Level, Region
from bangfu.web.forms.declarations import PublicDeclarationForm
from bangfu.web.http import AuthedRequest, reader
from bangfu.web.throttle import attempt


@require_http_methods(["GET", "POST"])
def declare(request: HttpRequest, village_code: str) -> HttpResponse:
    """自主申报: reached from the village's QR code, no login. An invalid form comes back to
    the one who typed it (400) with each field's error beside it and what they typed kept, and
    is never cached; the success page shows only the reference. Each address may send only a
    few declarations an hour."""
    village = get_object_or_404(Region, code=village_code, level=Level.VILLAGE)
    if request.method != "POST":
        return render(
            request, "web/declare.html", {"village": village, "form": PublicDeclarationForm()}
        )
    # every attempt counts, valid or not: guessing ID numbers costs attempts too
    if not attempt("declare", request, settings.DECLARATION_ATTEMPTS_PER_HOUR):
        return render(
            request, "web/declare.html", {"village": village, "limited": True}, status=429
        )
    form = PublicDeclarationForm(request.POST)
    if form.is_valid():
        try:
            declaration = declaration_submit(village=village, **form.cleaned_data)
        except IdNumberError as exc:
            form.add_error("id_number", str(exc))
        except Refused as exc:
            form.add_error(None, str(exc))
        else:
            return render(
                request,
                "web/declare_done.html",
                {"village": village, "reference": declaration.reference},
            )
    response = render(request, "web/declare.html", {"village": village, "form": form}, status=400)
    add_never_cache_headers(response)  # what was typed holds an ID number
    return response


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
