"""A village's contact details (村委会联系方式), which its printed papers give: the committee's
name, office phone, supervision phone and address, kept by the users who print."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from bangfu.cases.contacts import (
    CONTACT_FIELDS,
    contact_village_for_user,
    region_contact_get,
    village_contact_save,
)
from bangfu.core.errors import Refused
from bangfu.regions.selectors import village_contact
from bangfu.web.forms.villages import VillageContactForm
from bangfu.web.http import AuthedRequest


@login_required
@require_http_methods(["GET", "POST"])
def village_contact_edit(request: AuthedRequest, code: str) -> HttpResponse:
    """GET the form, POST saves it (back to the form); 404 for a village outside the user's
    region or a role that does not print."""
    user = request.user
    village = contact_village_for_user(user=user, code=code)
    posted = request.POST if request.method == "POST" else None
    form = VillageContactForm(posted, instance=region_contact_get(village))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            values = {name: str(form.cleaned_data[name]) for name in CONTACT_FIELDS}
            try:
                village_contact_save(user=user, village=village, values=values)
            except Refused as exc:
                messages.error(request, str(exc))
            else:
                messages.success(request, _("联系方式已保存。"))
                return redirect("village_contact", code=village.code)
        status = 400
    return render(
        request,
        "web/village_contact.html",
        {"village": village, "form": form, "printed": village_contact(village)},
        status=status,
    )
