"""Issue 12: the API's interactive docs at /api/v1/docs, from the site's own static files and
within its Content-Security-Policy (no CDN, no inline script or style)."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.contrib.staticfiles import finders
from django.test import Client


class _Assets(HTMLParser):
    """The scripts and stylesheets a page loads, and the text of its inline scripts."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.inline: list[str] = []
        self.styles = 0
        self._script: dict[str, str | None] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "script":
            self._script = a
            if a.get("src"):
                self.urls.append(a["src"] or "")
        elif tag == "link" and a.get("href"):
            self.urls.append(a["href"] or "")
        elif tag == "style":
            self.styles += 1
        if a.get("style"):
            self.styles += 1

    def handle_data(self, data: str) -> None:
        script = self._script
        # a JSON data block is not run; anything else would be inline script
        if (
            script is not None
            and not script.get("src")
            and data.strip()
            and script.get("type") != "application/json"
        ):
            self.inline.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._script = None


@pytest.mark.django_db
def test_api_docs_load_only_local_assets_within_the_csp() -> None:
    response = Client().get("/api/v1/docs")
    assert response.status_code == 200
    page = _Assets()
    page.feed(response.content.decode())
    assert page.urls, "the docs page loads Swagger UI's script and style"
    for url in page.urls:
        assert url.startswith("/static/"), f"{url} is not one of the site's static files"
        assert finders.find(url.removeprefix("/static/")), f"{url} is not shipped"
    assert any(u.endswith("swagger-ui-bundle.js") for u in page.urls)
    assert page.inline == [] and page.styles == 0
    csp = response.headers["Content-Security-Policy"]
    assert re.search(r"script-src 'self'(;|$)", csp) and "unsafe-inline" not in csp
    # the page points Swagger UI at this API's own OpenAPI document, which answers
    assert '"url": "/api/v1/openapi.json"' in response.content.decode()
    schema = Client().get("/api/v1/openapi.json").json()
    assert schema["info"]["title"] == "bangfu API"
