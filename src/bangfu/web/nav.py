"""What the navigation asks beyond the `access` properties: permissions that have no property
of their own because the services check them against an object (a village's meeting, its
declarations), but whose pages a role reaches from the navigation or not."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from bangfu.accounts.access import access_for


def navigation(request: HttpRequest) -> dict[str, Any]:
    access = access_for(request.user)
    return {
        "nav": {
            "meeting": access.may("hold_meetings"),
            "declarations": access.may("handle_declarations"),
        }
    }
