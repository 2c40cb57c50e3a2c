"""The village points' pages (积分制, 清单制): a village's list of items and its ranking, with the
forms of the village's cadre (an item, points recorded with their evidence, a redemption at the
积分超市); an item's edit page; a household's balance and history; the ranking and the list as
.xlsx and as the village's notice on paper (积分公示). The township and the county pick a village
of theirs and read."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from bangfu.accounts.access import access_for
from bangfu.accounts.models import User
from bangfu.core.errors import BadParameter, Forbidden, Refused
from bangfu.regions.models import Level, Region
from bangfu.registry.models import Household
from bangfu.registry.selectors import household_heads, households_in_scope
from bangfu.supervision.points import (
    entry_record,
    household_balance,
    household_history,
    item_get_for_user,
    item_save,
    item_set_active,
    points_household_for_user,
    points_village_for_user,
    redemption_record,
    village_items,
    village_ranking,
    why_not_keep_points,
)
from bangfu.supervision.points_sheets import RANKING_TITLE, points_pdf, points_xlsx
from bangfu.web.downloads import send_pdf
from bangfu.web.forms.points import EntryForm, ItemForm, RedemptionForm, VillagePickForm
from bangfu.web.http import AuthedRequest, reader
from bangfu.web.paging import page_of
from bangfu.web.views.exports import send_xlsx

ACTIONS = ("item", "item_active", "entry", "redeem")
SUGGESTIONS = 1000  # households offered in the forms' list (a village holds a few hundred)


def _village(request: AuthedRequest) -> Region | None:
    """The village asked for (`?village=`), else a village cadre's own; None: none picked."""
    user = request.user
    code = str(request.GET.get("village", "")).strip()
    if not code:
        own = access_for(user).region
        if own is None or own.level != Level.VILLAGE:
            return None
        code = own.code
    return points_village_for_user(user=user, code=code)


def _forms(
    user: User, village: Region, post: Any = None, what: str = "", household: str = ""
) -> dict[str, Any]:
    """The page's forms, the one posted bound to what was typed."""
    today = timezone.localdate()
    items = list(village_items(user=user, village=village, active_only=True))
    start = {"on": today, "household": household}
    return {
        "item_form": ItemForm(post if what == "item" else None),
        "entry_form": EntryForm(post if what == "entry" else None, items=items, initial=start),
        "redeem_form": RedemptionForm(post if what == "redeem" else None, initial=start),
    }


def _act(request: AuthedRequest, village: Region, what: str, forms: dict[str, Any]) -> bool:
    """One action of the village's cadre; True when done, False when its form is invalid (the
    page shows why)."""
    user = request.user
    if what == "item":
        form = forms["item_form"]
        if not form.is_valid():
            return False
        try:
            item_save(user=user, data=form.item_in(), village_code=village.code)
        except Refused as exc:
            form.add_error(None, str(exc))
            return False
        messages.success(request, _("已添加积分事项"))
    elif what == "item_active":
        pk = str(request.POST.get("item", ""))
        if not pk.isdigit():
            raise BadParameter(_("未知的积分事项"))
        item = item_get_for_user(user=user, pk=int(pk))
        active = request.POST.get("active") == "1"
        item_set_active(user=user, item=item, active=active)
        messages.success(request, _("已启用积分事项") if active else _("已停用积分事项"))
    elif what == "entry":
        form = forms["entry_form"]
        if not form.is_valid():
            return False
        d = form.cleaned_data
        try:
            item = item_get_for_user(user=user, pk=int(d["item"]))
            entry_record(
                user=user,
                item=item,
                household_no=d["household"],
                on=d["on"],
                evidence=d["evidence"],
                note=d["note"],
            )
        except Refused as exc:
            form.add_error(None, str(exc))
            return False
        messages.success(request, _("已记录积分"))
    else:
        form = forms["redeem_form"]
        if not form.is_valid():
            return False
        d = form.cleaned_data
        try:
            redemption_record(
                user=user,
                household_no=d["household"],
                points=d["points"],
                goods=d["goods"],
                on=d["on"],
            )
        except Refused as exc:
            form.add_error(None, str(exc))
            return False
        messages.success(request, _("已兑换"))
    return True


def _post(request: AuthedRequest, village: Region, forms: dict[str, Any]) -> tuple[bool, str]:
    """A POST's action (`what`), checked against the role first: (done, what)."""
    what = str(request.POST.get("what", ""))
    if what not in ACTIONS:
        raise BadParameter(_("未知的操作"))
    reason = why_not_keep_points(request.user, village)
    if reason:
        raise Forbidden(reason)
    try:
        return _act(request, village, what, forms), what
    except Refused as exc:
        messages.error(request, str(exc))
        return False, what


@login_required
@require_http_methods(["GET", "POST"])
def points_home(request: AuthedRequest) -> HttpResponse:
    """The village's list and ranking; a POST names its action (`what`): item, item_active,
    entry, redeem (the village's cadre)."""
    user = reader(request)
    picker = VillagePickForm(request.GET or None, user=user)
    village = _village(request)
    context: dict[str, Any] = {"picker": picker, "village": village}
    if village is None:
        return render(request, "web/points_list.html", context)
    what = str(request.POST.get("what", "")) if request.method == "POST" else ""
    forms = _forms(user, village, request.POST, what)
    if request.method == "POST":
        done, what = _post(request, village, forms)
        if done:
            return redirect(f"{reverse('points')}?village={village.code}")
    page, query = page_of(request, village_ranking(user=user, village=village), 30)
    may_keep = not why_not_keep_points(user, village)
    context |= forms | {
        "items": village_items(user=user, village=village),
        "page": page,
        "query": query,
        # the forms' suggestions: only the cadre, who has the forms, needs them
        "households": _households(user, village) if may_keep else [],
        "may_keep": may_keep,
    }
    return render(
        request,
        "web/points_list.html",
        context,
        status=400 if request.method == "POST" else 200,
    )


def _households(user: User, village: Region) -> list[Household]:
    """The village's households for the forms' list of suggestions (the cadre's own village),
    of those the user reads."""
    homes = households_in_scope(user=user).filter(village=village).order_by("household_no")
    return list(homes.prefetch_related(household_heads())[:SUGGESTIONS])


@login_required
@require_http_methods(["GET", "POST"])
def points_item(request: AuthedRequest, pk: int) -> HttpResponse:
    """An item's details changed (the entries recorded keep their points)."""
    user = reader(request)
    item = item_get_for_user(user=user, pk=pk)
    reason = why_not_keep_points(user, item.village)
    if reason:
        raise Forbidden(reason)
    initial = {
        "name": item.name,
        "kind": item.kind,
        "points": item.points,
        "evidence_needed": item.evidence_needed,
        "order": item.order,
    }
    form = ItemForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            item_save(user=user, data=form.item_in(active=item.active), item=item)
        except Refused as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("已保存积分事项"))
            return redirect(f"{reverse('points')}?village={item.village_id}")
    return render(
        request,
        "web/points_item.html",
        {"form": form, "item": item},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def points_household(request: AuthedRequest, household_no: str) -> HttpResponse:
    """A household's balance, rank and history; its points and redemptions recorded here."""
    user = reader(request)
    household = points_household_for_user(user=user, household_no=household_no)
    village = household.village
    what = str(request.POST.get("what", "")) if request.method == "POST" else ""
    # the page's household, whatever the form carried
    post = request.POST.copy()
    post["entry-household"] = post["redeem-household"] = household.household_no
    forms = _forms(user, village, post, what, household=household.household_no)
    if request.method == "POST":
        if what not in ("entry", "redeem"):
            raise BadParameter(_("未知的操作"))
        done, what = _post(request, village, forms)
        if done:
            return redirect("points_household", household_no=household.household_no)
    entries, redemptions = household_history(user=user, household=household)
    return render(
        request,
        "web/points_household.html",
        forms
        | {
            "household": household,
            "village": village,
            "balance": household_balance(user=user, household=household),
            "entries": entries[:200],
            "redemptions": redemptions[:200],
            "may_keep": not why_not_keep_points(user, village),
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_GET
def points_ranking_xlsx(request: AuthedRequest, village_code: str) -> HttpResponseBase:
    """The village's ranking and list as the points page shows them, as .xlsx (audited)."""
    user = reader(request)
    village = points_village_for_user(user=user, code=village_code)
    return send_xlsx(
        request,
        f"{village.name}{RANKING_TITLE}",
        "points",
        lambda out: points_xlsx(user=user, village=village, out=out),
    )


@login_required
@require_GET
def points_ranking_pdf(request: AuthedRequest, village_code: str) -> HttpResponse:
    """The same on paper, the notice the village posts (积分公示, audited); a refusal (no CJK
    font) goes back to the village's points with the reason."""
    user = reader(request)
    village = points_village_for_user(user=user, code=village_code)
    try:
        data = points_pdf(user=user, village=village)
    except Refused as exc:
        messages.error(request, str(exc))
        return redirect(f"{reverse('points')}?village={village.code}")
    name = f"{village.name}积分公示-{timezone.localdate():%Y%m%d}.pdf"
    return send_pdf(data, name)
