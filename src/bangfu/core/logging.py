"""A logging filter that keeps ID and phone numbers out of every log line."""

from __future__ import annotations

import logging

from bangfu.core.idcard import redact_personal_numbers


class RedactPersonalData(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact_personal_numbers(record.getMessage())
        record.args = None
        if record.exc_info:  # a traceback may quote a number in an exception message
            formatted = logging.Formatter().formatException(record.exc_info)
            record.exc_text = redact_personal_numbers(formatted)
            record.exc_info = None
        return True
