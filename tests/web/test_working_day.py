"""The cadre's working day (issue 12, part): amounts as a county office writes them, messages
told apart, a favicon."""

from decimal import Decimal

import pytest
from django.contrib.staticfiles import finders
from django.urls import path, reverse

from bangfu.web.templatetags.bangfu import yuan


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (Decimal("5800.0"), "5,800"),
        (5800.5, "5,800.50"),
        ("12000", "12,000"),
        (Decimal("0.00"), "0"),
        ("1234567.891", "1,234,567.89"),
        ("n/a", "n/a"),
        ("NaN", "NaN"),
    ],
)
def test_amounts_have_separators_and_no_trailing_zero(value, shown):
    assert yuan(value) == shown


@pytest.mark.django_db
def test_messages_carry_their_level_and_the_pages_a_favicon(client, people):
    client.force_login(people["county"])
    page = client.get(reverse("households")).content.decode()
    assert 'rel="icon"' in page and "favicon.svg" in page
    assert finders.find("bangfu/favicon.svg")
    # a success and an error of the catalogue's form, each with its level
    from django.contrib.messages import constants
    from django.contrib.messages.storage.fallback import FallbackStorage
    from django.template.loader import render_to_string
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    request.user = people["county"]
    request.session = client.session
    storage = FallbackStorage(request)
    storage.add(constants.SUCCESS, "已保存")
    storage.add(constants.ERROR, "出错了")
    request._messages = storage
    html = render_to_string("web/base.html", {"messages": storage}, request=request)
    assert '<li class="success" role="status">已保存</li>' in html
    assert '<li class="error" role="alert">出错了</li>' in html


def test_an_overdue_step_counts_its_days():
    import datetime as dt

    from bangfu.web.templatetags.bangfu import days_before

    today = dt.date(2026, 12, 1)
    assert days_before(dt.date(2026, 11, 18), today) == 13  # not "1 周，6 日"
    assert days_before(today, today) == 0 and days_before(dt.date(2026, 12, 5), today) == 0
    assert days_before(None, today) == 0


@pytest.mark.django_db
def test_the_overdue_page_says_days(client, people, make_households):
    import datetime as dt

    from django.utils import timezone

    from bangfu.cases.models import Case, Channel, Stage
    from tests.conftest import household_rows

    (home,) = make_households(household_rows("H-LATE"))
    due = timezone.localdate() - dt.timedelta(days=13)
    Case.objects.create(household=home, channel=Channel.VISIT, stage=Stage.LEAD, due=due)
    client.force_login(people["township"])
    page = client.get(reverse("case_overdue")).content.decode()
    assert "13 天" in page and "周" not in page


def _broken(request):
    raise RuntimeError("a bug")


urlpatterns = [path("broken/", _broken)]


def test_a_server_error_is_a_chinese_page(client, settings):
    """Never Django's bare English page: 500.html stands alone (it may not rely on a context)."""
    settings.ROOT_URLCONF = __name__
    client.raise_request_exception = False
    r = client.get("/broken/")
    html = r.content.decode()
    assert r.status_code == 500 and "系统出错" in html and "返回首页" in html
    assert "Server Error (500)" not in html and "a bug" not in html


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_language_menu_names_each_language_in_itself(client, language):
    """Issue 12, item 9: not 英语 in the Chinese interface, nor Simplified Chinese in English."""
    client.cookies["django_language"] = language
    page = client.get(reverse("login")).content.decode()
    assert ">简体中文</option>" in page and ">English</option>" in page
    assert "英语" not in page and "Simplified Chinese" not in page
