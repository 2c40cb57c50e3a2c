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


def _key(kind: str, request: HttpRequest) -> str:
    return f"bangfu:limit:{kind}:{client_address(request)}"


def attempts(kind: str, request: HttpRequest) -> int:
    """How many attempts of `kind` the request's address made within the window."""
    return int(cache.get(_key(kind, request), 0))


def count(kind: str, request: HttpRequest) -> None:
    """Count one attempt of `kind` from the request's address."""
    key = _key(kind, request)
    if cache.add(key, 1, LIMIT_WINDOW):
        return
    try:
        cache.incr(key)
    except ValueError:  # expired between the two calls
        cache.set(key, 1, LIMIT_WINDOW)


def attempt(kind: str, request: HttpRequest, limit: int) -> bool:
    """Count one attempt of `kind` from the request's address; False once `limit` attempts
    were made within the window (this one is refused and not counted)."""
    if attempts(kind, request) >= limit:
        return False
    count(kind, request)
    return True


def login_failed(
    sender: Any, credentials: Any, request: HttpRequest | None = None, **_: Any
) -> None:
    """Every failed login counts against its address, whatever the username (axes locks a
    username from an address; this caps an address trying many usernames)."""
    if request is not None:
        count("login", request)
