"""Checks on text from users that every store needs."""

from __future__ import annotations

import re
from typing import Any

from django.utils.translation import gettext_noop

# the refusal, translated where it is raised: _(UNSAFE_REFUSED)
UNSAFE_REFUSED = gettext_noop("内容中含有不允许的字符（空字符、双向控制字符或零宽字符）")

# NUL (PostgreSQL stores none in text or JSON); bidirectional overrides and isolates, which
# reorder what a reader sees (a name shown reversed); zero-width characters, which make two
# names look the same
UNSAFE = re.compile("[\x00\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]")


def has_unsafe_chars(value: Any) -> bool:
    """Whether an unsafe character is anywhere in `value` (strings, and the keys and values of
    dicts and lists, nested)."""
    if isinstance(value, str):
        return UNSAFE.search(value) is not None
    if isinstance(value, dict):
        return any(has_unsafe_chars(k) or has_unsafe_chars(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(has_unsafe_chars(v) for v in value)
    return False
