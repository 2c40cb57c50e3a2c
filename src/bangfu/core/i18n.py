"""The language a reader works in, as the code that picks a stored text needs it."""

from __future__ import annotations

from django.utils.translation import get_language


def english_active() -> bool:
    """Whether the active language is English ("en", "en-us", ...): the one test every place
    that shows a stored English text (a measure's name_en, a rule's English title) asks;
    Chinese, the default, otherwise."""
    return (get_language() or "").lower().startswith("en")
