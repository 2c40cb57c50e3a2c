"""A case's attachments: the upload from the case page (a phone's camera or a file) and the
download, each through the service that checks and audits it."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from bangfu.cases.attachments import attachment_add, attachment_get_for_user, attachment_open
from bangfu.cases.selectors import case_get_for_user
from bangfu.core.errors import Refused
from bangfu.web.downloads import send_stored
from bangfu.web.forms.cases import AttachmentForm
from bangfu.web.http import AuthedRequest, reader


@login_required
@require_POST
def attachment_add_view(request: AuthedRequest, pk: int) -> HttpResponse:
    user = reader(request)
    case = case_get_for_user(user=user, pk=pk)
    form = AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            messages.error(request, f"{label}：{'；'.join(str(e) for e in errors)}")
        return redirect("case", pk=case.pk)
    try:
        attachment = attachment_add(
            user=user, case=case, upload=form.cleaned_data["file"], kind=form.cleaned_data["kind"]
        )
    except Refused as exc:
        messages.error(request, _("附件未保存：%(reason)s") % {"reason": exc})
    else:
        messages.success(request, _("已上传附件：%(name)s") % {"name": attachment.filename})
    return redirect("case", pk=case.pk)


@login_required
@require_GET
def attachment_view(request: AuthedRequest, pk: int) -> HttpResponse:
    """The stored file under its stored type: images open in the browser, PDFs download; the
    browser is told not to guess another type (nosniff)."""
    user = reader(request)
    attachment = attachment_get_for_user(user=user, pk=pk)
    path = attachment_open(user=user, attachment=attachment)
    return send_stored(path, attachment.filename, attachment.content_type)
