"""The web's one mapping of the services' refusals (bangfu.core.errors) that a view did not
handle itself: NotFound is the Chinese 404 page; a refused form goes back to the page it came
from with the reason as a message; otherwise Forbidden is the 403 page and any other refusal
its own page (409), each with the reason."""

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
        back = request.headers.get("referer", "")
        if request.method == "POST" and url_has_allowed_host_and_scheme(
            back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            messages.error(request, str(exc))
            return redirect(back)
        if isinstance(exc, Forbidden):
            return permission_denied(request, exc)
        return render(request, "web/refused.html", {"reason": str(exc)}, status=409)
