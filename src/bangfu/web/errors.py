"""The web's one mapping of the services' refusals (bangfu.core.errors): NotFound is the
Chinese 404 page, Forbidden the 403 page, and any other refusal a view did not handle itself
is shown as a message on the page the user came from (or on its own page, 409)."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.defaults import page_not_found, permission_denied

from bangfu.core.errors import DomainError, Forbidden, NotFound


class DomainErrorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exc: Exception) -> HttpResponse | None:
        if not isinstance(exc, DomainError) or request.path.startswith("/api/"):
            return None
        if isinstance(exc, NotFound):
            return page_not_found(request, Http404(str(exc)))
        if isinstance(exc, Forbidden) and request.method in ("GET", "HEAD"):
            return permission_denied(request, exc)
        back = request.headers.get("referer", "")
        if request.method == "POST" and url_has_allowed_host_and_scheme(
            back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            messages.error(request, str(exc))
            return redirect(back)
        return render(request, "web/refused.html", {"reason": str(exc)}, status=409)
