"""The one mapping of the services' refusals for the web (bangfu.web.errors) and the API
(bangfu.api.v1): out of scope is a Chinese 404 page (or a 404 with its reason), a role's
refusal a 403, and a rule's refusal a message on the page the user came from."""

import io
from pathlib import Path

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.cache import SessionStore
from django.test import RequestFactory
from django.urls import include, path

import bangfu.web
from bangfu.api.models import ApiToken
from bangfu.core.errors import Conflict, Forbidden, NotFound, Refused
from bangfu.registry.services import households_import_file
from bangfu.web.errors import DomainErrorMiddleware
from tests.conftest import NEIGHBOUR, household_rows


@pytest.fixture
def homes(make_households):
    return make_households(household_rows("H-E1"), household_rows("H-E2", village=NEIGHBOUR))


def _handled(exc, method="get", **headers):
    request = getattr(RequestFactory(), method)("/somewhere/", **headers)
    request.user = AnonymousUser()
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    return request, DomainErrorMiddleware(lambda r: None).process_exception(request, exc)


def test_out_of_scope_is_the_chinese_404_page(client, people, homes):
    client.force_login(people["village"])
    r = client.get("/households/H-E2/")
    assert r.status_code == 404
    page = r.content.decode()
    assert "未找到" in page and "不在您所辖的区域内" in page
    assert "测试H-E2" not in page  # nothing of the other village's household is shown


def test_a_forbidden_read_is_the_403_page_with_the_reason(db):
    _request, response = _handled(Forbidden("只有县级部门可以查看"))
    assert response.status_code == 403
    assert "只有县级部门可以查看" in response.content.decode()


def test_a_refused_post_goes_back_with_the_reason(db):
    request, response = _handled(
        Conflict("该预警已处理"),
        method="post",
        HTTP_REFERER="http://testserver/warnings/1/",
    )
    assert response.status_code == 302 and response["Location"] == "/warnings/1/"  # the path only
    assert [str(m) for m in get_messages(request)] == ["该预警已处理"]


def test_a_refusal_without_a_safe_page_to_go_back_to_is_shown_with_409(db):
    _request, response = _handled(
        Refused("请填写理由"), method="post", HTTP_REFERER="https://elsewhere.example/"
    )
    assert response.status_code == 409
    assert "请填写理由" in response.content.decode()


def test_other_exceptions_and_the_api_are_not_the_web_handlers_business(db):
    assert _handled(ValueError("x"))[1] is None
    request = RequestFactory().get("/api/v1/households")
    assert DomainErrorMiddleware(lambda r: None).process_exception(request, NotFound()) is None


def test_the_api_answers_404_with_the_reason_out_of_scope(client, people, homes):
    token = ApiToken.issue(user=people["village"])[1]
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    r = client.get("/api/v1/households/H-E2", **auth)
    assert r.status_code == 404 and r.json() == {"detail": "不存在，或不在您所辖区域内"}
    assert client.get("/api/v1/households/H-E1", **auth).status_code == 200


def test_a_forbidden_post_from_nowhere_is_the_403_page(db):
    _request, response = _handled(Forbidden("只有村干部可以办理"), method="post")
    assert response.status_code == 403 and "只有村干部可以办理" in response.content.decode()


# the pages themselves: Chinese, with the navigation, in the reader's language, on a phone ------


def _forbidden_view(request):
    """A page whose service refuses the user's role (the registry import, for a grid worker)."""
    households_import_file(user=request.user, source=io.BytesIO(b""), filename="h.csv")


urlpatterns = [path("forbidden/", _forbidden_view), path("", include("bangfu.urls"))]


def test_an_unknown_page_is_the_chinese_404_with_the_navigation(client, people):
    client.force_login(people["village"])
    r = client.get("/no-such-page/")
    assert r.status_code == 404
    page = r.content.decode()
    assert "<h1>未找到</h1>" in page and "您要找的内容不存在" in page
    # the signed-in user's navigation and name: the page is the site's, not a dead end
    assert '<a href="/households/">农户</a>' in page and "village · 村干部" in page
    assert "审计日志" not in page  # the nav of this user's role
    assert '<html lang="zh-hans">' in page


def test_a_404_from_a_view_has_the_navigation_too(client, people, homes):
    client.force_login(people["auditor"])
    r = client.get("/households/NO-SUCH-HOUSEHOLD/")
    page = r.content.decode()
    assert r.status_code == 404 and "未找到" in page
    assert '<a href="/audit/">审计日志</a>' in page and "auditor · " in page


def test_the_404_of_the_anonymous_has_no_navigation(client, db):
    page = client.get("/no-such-page/").content.decode()
    assert "未找到" in page and "<nav>" not in page and "退出" not in page


def test_the_error_pages_follow_the_readers_language(client, people):
    client.force_login(people["village"])
    client.cookies["django_language"] = "en"
    r = client.get("/no-such-page/")
    assert r.status_code == 404 and '<html lang="en">' in r.content.decode()


def test_a_forbidden_from_a_service_is_the_403_page_with_the_reason(client, people, settings):
    settings.ROOT_URLCONF = __name__
    client.force_login(people["grid"])
    r = client.get("/forbidden/")
    assert r.status_code == 403
    page = r.content.decode()
    assert "<h1>无权办理</h1>" in page and "您的角色不能导入农户信息" in page
    assert '<a href="/households/">农户</a>' in page  # with the navigation


@pytest.mark.parametrize("name", ["403.html", "404.html", "500.html"])
def test_the_error_pages_fit_a_phone(name):
    """No fixed widths of their own (app.css lays them out for a 390 px screen first), and a
    viewport for phones (the base page's, or the standalone 500 page's own)."""
    source = (Path(bangfu.web.__file__).parent / "templates" / name).read_text()
    assert "style=" not in source and "width:" not in source
    assert 'extends "web/base.html"' in source or 'name="viewport"' in source
