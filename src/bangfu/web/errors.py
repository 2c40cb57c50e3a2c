"""The web's one mapping of the services' refusals (bangfu.core.errors) that a view did not
handle itself: NotFound is the Chinese 404 page; a refused form goes back to the page it came
from with the reason as a message; otherwise Forbidden is the 403 page and any other refusal
its own page (409), each with the reason."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.defaults import page_not_found, permission_denied

from bangfu.core.errors import BadParameter, DomainError, Forbidden, NotFound
from bangfu.web.http import local_path


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
        back = _same_site(request.headers.get("referer", ""), request.get_host())
        if request.method == "POST" and back:
            messages.error(request, str(exc))
            return redirect(back)
        if isinstance(exc, Forbidden):
            return permission_denied(request, exc)
        if isinstance(exc, BadParameter):
            return render(request, "web/refused.html", {"reason": str(exc)}, status=400)
        return render(request, "web/refused.html", {"reason": str(exc)}, status=409)


def _same_site(referer: str, host: str) -> str:
    """The path of the page the form was on, when it was a page of this site (the referer's
    host is the request's); "" otherwise. Only the path is followed, never a host."""
    parts = urlsplit(referer)
    if parts.scheme not in ("http", "https") or parts.netloc != host:
        return ""
    return local_path(parts.path + (f"?{parts.query}" if parts.query else ""))
