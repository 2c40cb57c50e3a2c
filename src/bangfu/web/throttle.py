"""Abuse limits on the public and the login pages, keyed on the client's address: the one the
configured trusted proxy reports (BANGFU_TRUSTED_PROXY_HEADER), else the connection's. Counts
live in the cache (shared by every server process), for LIMIT_WINDOW seconds."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

LIMIT_WINDOW = 3600


def client_address(request: HttpRequest) -> str:
    """The client's address. Behind a reverse proxy every request comes from the proxy: with
    BANGFU_TRUSTED_PROXY_HEADER set (e.g. HTTP_X_FORWARDED_FOR) the address is the last one the
    proxy appended (what the client sent before it is the client's to forge)."""
    header = settings.TRUSTED_PROXY_HEADER
    if header:
        forwarded = str(request.META.get(header, ""))
        last = forwarded.rsplit(",", 1)[-1].strip()
        if last:
            return last
    return str(request.META.get("REMOTE_ADDR", "-"))


def attempt(kind: str, request: HttpRequest, limit: int) -> bool:
    """Count one attempt of `kind` from the request's address; False once `limit` attempts
    were made within the window (this one is refused and not counted)."""
    key = f"bangfu:limit:{kind}:{client_address(request)}"
    cache.add(key, 0, LIMIT_WINDOW)
    if int(cache.get(key, 0)) >= limit:
        return False
    try:
        cache.incr(key)
    except ValueError:  # expired between the two calls
        cache.set(key, 1, LIMIT_WINDOW)
    return True


def attempts(kind: str, request: HttpRequest) -> int:
    return int(cache.get(f"bangfu:limit:{kind}:{client_address(request)}", 0))


def login_failed(
    sender: Any, credentials: Any, request: HttpRequest | None = None, **_: Any
) -> None:
    """Every failed login counts against its address, whatever the username (axes locks a
    username from an address; this caps an address trying many usernames)."""
    if request is not None:
        attempt("login", request, limit=10**9)
