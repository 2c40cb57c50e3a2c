"""The answers that hand a file to its reader: a stored upload (a case's attachment, a problem's
evidence) under the type stored with it, never one the browser guesses; a PDF just printed."""

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


def send_pdf(data: bytes, name: str) -> HttpResponse:
    """A PDF made for the reader (a card, an agenda, a roster, a result sheet, a notice), shown
    in the browser under `name`."""
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(False, name) or "inline"
    return response
