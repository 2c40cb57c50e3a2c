"""The one family of refusals that services and selectors raise. Each carries the reason for
the user, in the active language; the web (bangfu.web.errors) and the API (bangfu.api.errors)
each map the family once:

    NotFound   absent, or outside the user's region (as if it did not exist)   404
    Forbidden  the user's role may not do this                                 403
    Conflict   the state does not allow it now (busy, already handled)         409
    Refused    the rules refuse this input or this state, with the reason      409
    BadParameter  a query parameter out of its range or of the wrong form       400

Refused (and so Forbidden and Conflict) is a ValueError: a value the user gave was refused,
and a job shows its reason as it is."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    """Something the user asked for cannot be done; `str()` is the reason."""


class NotFound(DomainError):
    """Absent, or outside the user's scope: the two are not told apart."""

    def __init__(self, reason: object = None) -> None:
        super().__init__(
            str(reason) if reason is not None else str(_("不存在，或不在您所辖区域内"))
        )


class Refused(DomainError, ValueError):
    """The rules refuse this input or this state; the message says why."""


class Forbidden(Refused):
    """Refused because of the user's role."""


class Conflict(Refused):
    """Refused because of the state of things now (another run is busy, already handled)."""


class BadParameter(Refused):
    """A request's parameter (a year, a page, a period) out of range or malformed."""
