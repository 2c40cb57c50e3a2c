"""Reasons kept as their Chinese msgid and parameters, and rendered in the reader's language
only when shown: an import report is stored once (a job's result) and read in Chinese by one
cadre and in English by another. `str()` renders in the active language."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.utils.translation import gettext, pgettext


class Reason:
    """One reason, as its msgid (Chinese, marked with gettext_noop where it is written) and
    its parameters; both %-style (`%(n)d`) and brace-style (`{n}`) msgids are rendered."""

    __slots__ = ("msgid", "params")

    def __init__(self, msgid: str, /, **params: Param) -> None:
        self.msgid = msgid
        self.params = params

    def __str__(self) -> str:
        if not self.msgid:  # gettext("") is the catalogue's header
            return ""
        text = gettext(self.msgid)
        if not self.params:
            return text
        values = {k: _shown(v) for k, v in self.params.items()}
        return text % values if "%(" in self.msgid else text.format(**values)

    def __repr__(self) -> str:
        return f"Reason({self.msgid!r}, **{self.params!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Reason) and (self.msgid, self.params) == (
            other.msgid,
            other.params,
        )

    def __hash__(self) -> int:
        return hash(self.msgid)

    def stored(self) -> dict[str, Any]:
        """The JSON form a job's result keeps: {"msgid": ..., "params": {...}}."""
        return {"msgid": self.msgid, "params": {k: _stored(v) for k, v in self.params.items()}}

    @classmethod
    def loaded(cls, data: Mapping[str, Any]) -> Reason:
        """The reason back from its JSON form (see `stored`)."""
        params = data.get("params") or {}
        return cls(str(data.get("msgid", "")), **{k: _loaded(v) for k, v in params.items()})


# a parameter: a number, a text typed in the file or written in the code (never translated),
# a list of such texts (joined as the reader's language joins lists), or a Reason of its own
Param = int | float | str | Sequence[str] | Reason


def _shown(value: Param) -> Any:
    if isinstance(value, Reason):
        return str(value)
    if isinstance(value, list | tuple):
        return pgettext("list separator", "、").join(str(v) for v in value)
    return value


def _stored(value: Param) -> Any:
    if isinstance(value, Reason):
        return value.stored()
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    return value


def _loaded(value: Any) -> Param:
    if isinstance(value, dict):
        return Reason.loaded(value)
    if isinstance(value, list):
        return [str(v) for v in value]
    if isinstance(value, int | float | str):
        return value
    return str(value)


def reason_of(value: Reason | str | object) -> Reason:
    """A Reason for `value`: itself, or a text already written (its msgid is the text, so a
    Chinese message without parameters is still translated when shown)."""
    if isinstance(value, Reason):
        return value
    if isinstance(value, BaseException) and len(value.args) == 1:
        return reason_of(value.args[0])
    return Reason(str(value))
