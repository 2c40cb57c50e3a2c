"""The answer that hands a stored upload back to its reader (a case's attachment, a problem's
evidence): the file under the type stored with it, never one the browser guesses."""

from __future__ import annotations

from pathlib import Path

from django.http import HttpResponse
from django.utils.http import content_disposition_header


def send_stored(path: Path, filename: str, content_type: str) -> HttpResponse:
    """The file at `path` (opened and audited by its service) as `filename`: images open in the
    browser, PDFs download; nosniff, and kept in no cache (it shows a household's home and
    papers)."""
    inline = content_type.startswith("image/")
    # read whole (capped at MAX_ATTACHMENT_MB): no file is left open if the reader goes away
    response = HttpResponse(path.read_bytes(), content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(not inline, filename) or ""
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
