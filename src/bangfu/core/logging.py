"""A logging filter that keeps ID and phone numbers out of every log line."""

from __future__ import annotations

import logging
import re

_ID = re.compile(r"(?<!\d)\d{17}[\dXx](?!\d)")
_PHONE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")


def redact(text: str) -> str:
    text = _ID.sub(lambda m: m.group()[:4] + "**********" + m.group()[-4:], text)
    return _PHONE.sub(lambda m: m.group()[:3] + "****" + m.group()[-4:], text)


class RedactPersonalData(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.getMessage())
        record.args = None
        if record.exc_info:  # a traceback may quote a number in an exception message
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        return True
