"""Request-wide rules: Chinese unless the user chose otherwise; no NUL characters.

Chinese unless the user chose otherwise.

Django's LocaleMiddleware would follow the browser's Accept-Language; a county office's shared
computer may well say English, and the system must still speak Chinese. The language switcher
sets the cookie, and only that changes the language."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import unquote

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.utils import translation
from django.utils.translation import gettext as _

from bangfu.core.text import UNSAFE_REFUSED


class ChineseFirstLocaleMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.known = {code for code, _ in settings.LANGUAGES}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = chosen if chosen in self.known else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


class RejectNulMiddleware:
    """A NUL character in the path or the query string is refused with 400: PostgreSQL cannot
    compare text with one, and a filter holding one gave a server error (found by
    schemathesis). Text in bodies is checked by the services that store it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        query = unquote(request.META.get("QUERY_STRING", ""))
        if "\x00" in query or "\x00" in request.path:
            reason = _(UNSAFE_REFUSED)
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": reason}, status=400)
            return HttpResponseBadRequest(reason)
        return self.get_response(request)


class RequestSizeMiddleware:
    """A request body over `MAX_REQUEST_MB` is refused with 413 before anything reads it (the
    reverse proxy should cap it too: docs/jobs.md)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = settings.MAX_REQUEST_MB * 1024 * 1024
        if length > limit:
            reason = _("上传内容过大：超过 %(mb)s MB 的上限") % {
                "mb": f"{settings.MAX_REQUEST_MB:g}"
            }
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": reason}, status=413)
            return HttpResponse(reason, status=413, content_type="text/plain; charset=utf-8")
        return self.get_response(request)


# No inline script or style: the pages' scripts and styles are static files (htmx, ECharts, app.js).
CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


class SecurityHeadersMiddleware:
    """A strict Content-Security-Policy on every answer, and `Cache-Control: no-store` on the
    pages of a signed-in user and on the API (they hold personal data: no browser or proxy
    cache keeps them). Static files (served before this by WhiteNoise) keep their caching."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CSP)
        user = getattr(request, "user", None)
        if request.path.startswith("/api/") or (user is not None and user.is_authenticated):
            response.headers["Cache-Control"] = "no-store"
        return response
