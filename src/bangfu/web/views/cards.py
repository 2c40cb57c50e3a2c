"""一户一码: the page a scanned QR code opens (the household card for a user in scope, the
village's public side for anyone else), and the printed cards and public notice as PDFs."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from bangfu.accounts.access import access_for
from bangfu.accounts.models import User
from bangfu.cases.cards import (
    CARD_STAGES,
    PrintError,
    cards_pdf,
    contact_for,
    monitored_households,
    notice_pdf,
    token_open,
    token_revoke,
)
from bangfu.core.errors import NotFound
from bangfu.regions.models import Level, Region
from bangfu.registry.selectors import household_get_for_user, household_in_scope
from bangfu.web.downloads import send_pdf


def _printer(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User) or not access_for(user).may_print:
        raise NotFound
    return user


@require_GET
def qr_open(request: HttpRequest, value: str) -> HttpResponse:
    token = token_open(value)
    household = token.household
    if token.revoked_at is not None:
        return render(request, "web/qr_public.html", {"revoked": True}, status=410)
    case = household.cases.filter(closed_at__isnull=True).first()
    if household_in_scope(user=request.user, household=household):
        return render(
            request,
            "web/household_card.html",
            {
                "household": household,
                "case": case,
                "measures": case.measures.select_related("kind", "responsible") if case else [],
                "history": household.cases.order_by("-opened_at"),
                "contact": contact_for(household, case),
            },
        )
    # anyone else: the village, whom to call, and where to declare a difficulty; nothing else
    return render(
        request,
        "web/qr_public.html",
        {"village": household.village, "contact": contact_for(household, case)},
    )


@login_required
@require_GET
def household_card_pdf(request: HttpRequest, household_no: str) -> HttpResponse:
    user = _printer(request)
    household = household_get_for_user(user=user, household_no=household_no)
    if not household.cases.filter(closed_at__isnull=True, stage__in=CARD_STAGES).exists():
        raise NotFound
    try:
        data = cards_pdf([household], base=request.build_absolute_uri("/"))
    except PrintError as exc:
        messages.error(request, str(exc))
        return redirect("household", household_no=household_no)
    return send_pdf(data, f"一户一码-{household.household_no}.pdf")


def _village(request: HttpRequest, code: str) -> tuple[User, Region]:
    user = _printer(request)
    village = access_for(user).regions(Level.VILLAGE).filter(code=code).first()
    if village is None:
        raise NotFound
    return user, village


def _village_pdf(request: HttpRequest, code: str, what: str) -> HttpResponse:
    _, village = _village(request, code)
    try:
        if what == "cards":
            data, name = (
                cards_pdf(monitored_households(village), base=request.build_absolute_uri("/")),
                f"一户一码-{village.name}.pdf",
            )
        else:
            data, name = notice_pdf(village), f"公示-{village.name}.pdf"
    except PrintError as exc:
        messages.error(request, str(exc))
        return redirect("cases")
    return send_pdf(data, name)


@login_required
@require_GET
def village_cards_pdf(request: HttpRequest, code: str) -> HttpResponse:
    return _village_pdf(request, code, "cards")


@login_required
@require_GET
def village_notice_pdf(request: HttpRequest, code: str) -> HttpResponse:
    return _village_pdf(request, code, "notice")


@login_required
@require_POST
def qr_revoke(request: HttpRequest, household_no: str) -> HttpResponse:
    user = _printer(request)
    household = household_get_for_user(user=user, household_no=household_no)
    token_revoke(user=user, household=household)
    messages.success(request, _("原二维码已作废，重新打印即生成新码。"))
    return redirect("household", household_no=household_no)
