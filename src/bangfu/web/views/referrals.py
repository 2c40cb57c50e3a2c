"""Social-assistance referrals (救助转介): what a home verification found for 低保, 特困 or
临时救助, answered by civil affairs (民政) without a second visit (不再重复入户)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from bangfu.accounts.access import access_for
from bangfu.cases.selectors import referral_get_for_user, referrals_for_user
from bangfu.cases.services import referral_answer
from bangfu.core.errors import NotFound, Refused
from bangfu.registry.selectors import household_heads
from bangfu.web.http import AuthedRequest
from bangfu.web.paging import page_of


@login_required
@require_http_methods(["GET", "POST"])
def referrals(request: AuthedRequest) -> HttpResponse:
    """Civil affairs' list of the region's referrals, pending first, each answered here."""
    user = request.user
    access = access_for(user)
    if not access.may_answer_referrals:
        raise NotFound
    if request.method == "POST":
        referral = referral_get_for_user(user=user, pk=int(request.POST.get("referral") or 0))
        try:
            referral_answer(
                user=user,
                referral=referral,
                accepted=request.POST.get("decision") == "accept",
                amount=request.POST.get("amount", ""),
                reason=request.POST.get("reason", ""),
            )
        except Refused as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("已答复。"))
        return redirect("referrals")
    listed = referrals_for_user(user=user).prefetch_related(household_heads("case__household__"))
    page, query = page_of(request, listed.order_by("-status", "-pk"), 30)
    return render(request, "web/referrals.html", {"page": page, "query": query})
