"""What the browser tests share: where Chromium and the screenshots are, and the rule that
without Chromium they are skipped, unless BANGFU_REQUIRE_BROWSER is set (as .ci/run does)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("BANGFU_CHROMIUM", "/usr/bin/chromium")
OUT = Path(__file__).resolve().parents[2] / "test-output" / "browser"


def require_chromium() -> None:
    """Skip the calling test module when there is no Chromium (fail where CI requires it)."""
    if Path(CHROMIUM).exists():
        os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's loop
        return
    if os.environ.get("BANGFU_REQUIRE_BROWSER"):
        raise RuntimeError(
            f"Chromium is required (BANGFU_REQUIRE_BROWSER) but {CHROMIUM} is missing"
        )
    pytest.skip("no Chromium: browser tests skipped (.ci/run installs it)", allow_module_level=True)
