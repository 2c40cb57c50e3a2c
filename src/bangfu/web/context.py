"""What every page's template may ask: the user's access (`{% if access.may_print %}`)."""

from __future__ import annotations

from django.http import HttpRequest

from bangfu.accounts.access import Access, access_for


def access(request: HttpRequest) -> dict[str, Access]:
    return {"access": access_for(request.user)}
