"""The monitoring app's own refusal, raised where a policy file is read and where its rules
check their parameters (both sides import it from here)."""

from __future__ import annotations

from bangfu.core.errors import Refused


class PolicyError(Refused):
    """The policy file says something that cannot be applied; the message says where."""
