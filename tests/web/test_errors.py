"""The one mapping of the services' refusals for the web (bangfu.web.errors) and the API
(bangfu.api.v1): out of scope is a Chinese 404 page (or a 404 with its reason), a role's
refusal a 403, and a rule's refusal a message on the page the user came from."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.cache import SessionStore
from django.test import RequestFactory

from bangfu.api.models import ApiToken
from bangfu.core.errors import Conflict, Forbidden, NotFound, Refused
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
