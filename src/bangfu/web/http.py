"""Typed requests and the small helpers every view shares."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django_htmx.middleware import HtmxDetails

from bangfu.accounts.access import Access, access_for
from bangfu.accounts.models import User
from bangfu.core.errors import BadParameter, NotFound


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


def local_path(url: str) -> str:
    """`url` if it is a path of this site ("/measures/3/"), else "": never another host, whatever
    the Host header says (a redirect to `next` or the referer cannot leave the site)."""
    if url_has_allowed_host_and_scheme(url, allowed_hosts=set()) and url.startswith("/"):
        return url
    return ""


def int_param(request: HttpRequest, name: str, *, default: int, low: int, high: int) -> int:
    """A whole-number query parameter within [low, high]; BadParameter (400, with the reason)
    otherwise, never a server error."""
    text = request.GET.get(name, "").strip()
    if not text:
        return default
    if not (text.isascii() and text.isdigit()) or not low <= int(text) <= high:
        raise BadParameter(
            _("参数 %(name)s 应为 %(low)d 至 %(high)d 之间的整数")
            % {"name": name, "low": low, "high": high}
        )
    return int(text)
