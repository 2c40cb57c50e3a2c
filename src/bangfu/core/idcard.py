"""Resident identity card numbers (居民身份证号码), GB 11643-1999.

18 characters: 6-digit area code, 8-digit birth date, 3-digit sequence (odd for men, even for
women), and an ISO 7064 MOD 11-2 check character (0-9 or X).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

from django.utils.translation import gettext as _

from bangfu.core.errors import Refused

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"
_SHAPE = re.compile(r"^[0-9]{17}[0-9X]$")


class IdNumberError(Refused):
    """The number is not a valid ID number; the message says why (in the active language)."""


@dataclass(frozen=True)
class IdNumber:
    value: str
    birth_date: dt.date
    sex: str  # "M" or "F"

    @property
    def area_code(self) -> str:
        return self.value[:6]

    @property
    def tail(self) -> str:
        return self.value[-4:]


def check_char(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True))
    return CHECK_CHARS[total % 11]


def normalize(raw: str) -> str:
    """Full-width digits (１４０１…) fold to ASCII; anything else non-ASCII is then refused."""
    return unicodedata.normalize("NFKC", str(raw)).strip().replace(" ", "").upper()


def parse_id_number(raw: str, *, today: dt.date | None = None) -> IdNumber:
    value = normalize(raw)
    if not _SHAPE.match(value):
        raise IdNumberError(_("身份证号应为18位：前17位数字，最后一位为数字或X"))
    try:
        birth = dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        raise IdNumberError(_("身份证号中的出生日期不存在")) from None
    today = today or dt.date.today()
    if birth > today or birth.year < 1900:
        raise IdNumberError(_("身份证号中的出生日期不合理"))
    expected = check_char(value[:17])
    if value[17] != expected:
        raise IdNumberError(_("身份证号校验位错误"))
    sex = "M" if int(value[16]) % 2 == 1 else "F"
    return IdNumber(value=value, birth_date=birth, sex=sex)


def make_id_number(area_code: str, birth: dt.date, sequence: int, sex: str) -> str:
    """Build a checksum-valid number (for the demo and tests); `sequence` 0..499."""
    seq = sequence * 2 + (1 if sex == "M" else 0)
    if not 0 <= seq <= 999:
        raise ValueError("sequence out of range")
    first17 = f"{area_code}{birth:%Y%m%d}{seq:03d}"
    return first17 + check_char(first17)


def mask_id_number(value: str) -> str:
    """1401**********123X: the area and the last four stay readable."""
    if len(value) < 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def mask_phone(value: str) -> str:
    if len(value) < 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_name(name: str, *, keep_last: bool = False) -> str:
    """A name with only its first character readable (王**), or, where a notice must let
    neighbours recognise the household, its first and last (张*明, two characters: 张*)."""
    if keep_last and len(name) > 2:
        return name[0] + "*" * (len(name) - 2) + name[-1]
    if keep_last and len(name) <= 1:
        return name
    return name[:1] + "*" * max(len(name) - 1, 1)


# an ID number (18 characters, or the old 15 digits) or a mobile number inside free text, not
# part of a longer run of digits
_PERSONAL_NUMBER = re.compile(r"(?<!\d)(?:\d{17}[\dXx]|\d{15}|1[3-9]\d{9})(?!\d)")


def redact_personal_numbers(text: str) -> str:
    """`text` with every ID or mobile number in it masked (1401**********123X, 138****5678):
    what goes into a log line or an audit note never holds one in full."""

    def mask(m: re.Match[str]) -> str:
        value = m.group(0)
        return mask_phone(value) if len(value) == 11 else mask_id_number(value)

    return _PERSONAL_NUMBER.sub(mask, text)
