"""Typed requests and the small helpers every view shares."""

from __future__ import annotations

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails

from bangfu.accounts.access import Access, access_for
from bangfu.accounts.models import User
from bangfu.core.errors import NotFound


class AuthedRequest(HttpRequest):
    """A request behind `login_required`: its user is an account."""

    user: User
    htmx: HtmxDetails


def reader(request: AuthedRequest) -> User:
    """The user, if their role reads the registry (a department officer does not): NotFound
    otherwise, as for anything out of scope."""
    if not access_for(request.user).may_read_registry:
        raise NotFound
    return request.user


def access(request: HttpRequest) -> Access:
    return access_for(request.user)
