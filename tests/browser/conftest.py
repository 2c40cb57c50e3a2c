"""Fixtures of the real-browser tests: one Chromium per module, and the divisions that each
transactional test needs again (the test before flushed the database)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser.support import CHROMIUM


@pytest.fixture(autouse=True)
def divisions(transactional_db: None) -> None:
    """A transactional test starts from an empty database (the one before flushed it)."""
    from bangfu.regions.services import regions_load

    regions_load(code="140123")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield b
        b.close()
