"""Checks on text from users that every store needs."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_noop

# the refusal, translated where it is raised: _(NUL_REFUSED)
NUL_REFUSED = gettext_noop("内容中含有不允许的空字符（NUL）")


def has_nul(value: Any) -> bool:
    """Whether a NUL character is anywhere in `value` (strings, and the keys and values of
    dicts and lists, nested): PostgreSQL stores none in text or JSON."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(has_nul(k) or has_nul(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(has_nul(v) for v in value)
    return False
