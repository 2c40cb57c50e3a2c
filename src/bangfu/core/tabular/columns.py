"""A spreadsheet column: its header, the key it fills, its kind (how a cell is parsed), and
for coded columns the statutory terms it accepts."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

from django.db import models
from django.utils import translation

YES_NO = {"是": True, "否": False}


@dataclass(frozen=True)
class Column:
    header: str
    key: str
    level: str  # "household", "income" or "member"
    kind: str  # text, code, bool, int, money, id, phone, date, sex, region, grid, year
    required: bool = False
    choices: type[models.TextChoices] | None = None
    max_length: int = 64
    note: str = ""
    options: tuple[str, ...] = field(default=())

    def labels(self) -> list[str]:
        if self.kind == "bool":
            return list(YES_NO)
        if self.kind == "sex":
            return ["男", "女"]
        if self.choices is not None:
            return list(spreadsheet_labels(self.choices))
        return list(self.options)

    def code_of(self, label: str) -> str | None:
        """The stored value of a coded cell, or None when the label is not one of ours."""
        assert self.choices is not None
        return _label_to_value(self.choices).get(label)

    def label_of(self, value: str) -> str:
        assert self.choices is not None
        return {v: k for k, v in _label_to_value(self.choices).items()}[value]


@cache
def spreadsheet_labels(choices: type[models.TextChoices]) -> tuple[str, ...]:
    """The Chinese statutory terms, whatever language the user's screen is in."""
    with translation.override(None):
        return tuple(str(label) for label in choices.labels)


@cache
def _label_to_value(choices: type[models.TextChoices]) -> dict[str, str]:
    return dict(zip(spreadsheet_labels(choices), choices.values, strict=True))
