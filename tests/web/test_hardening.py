"""Findings of issue 11, each with a test that failed before the fix: query parameters out of
range answer 400 with the reason (never 500), and a redirect never leaves the site."""

import datetime as dt

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from bangfu.assistance.models import Measure, MeasureKind
from bangfu.audit.models import AuditEvent
from bangfu.cases.models import Case, Channel, Stage
from bangfu.core.crypto import decrypt
from bangfu.core.idcard import make_id_number, redact_personal_numbers
from bangfu.core.tabular.sheets import Table
from bangfu.core.text import has_unsafe_chars
from bangfu.registry.importer import households_import
from bangfu.web.errors import _same_site
from tests.conftest import HEADERS, KEYS, PASSWORD, VILLAGE, household_rows, housing_warning

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("year", ["-1", "99999999999999999999999", "２０２６", "1999", "x"])
def test_a_year_out_of_range_is_refused_with_the_reason(client, people, year):
    client.force_login(people["county"])
    r = client.get(reverse("results"), {"year": year})
    assert r.status_code == 400 and "参数 year 应为 2000 至" in r.content.decode()


def test_the_results_of_a_year_in_range_are_shown(client, people):
    client.force_login(people["county"])
    assert client.get(reverse("results"), {"year": "2025"}).status_code == 200


@pytest.fixture
def measure(people, make_households):
    (household,) = make_households(household_rows("H-NEXT"))
    case = Case.objects.create(household=household, channel=Channel.VISIT, stage=Stage.MONITORING)
    return Measure.objects.create(
        case=case,
        kind=MeasureKind.objects.get(code="migrant_work"),
        responsible=people["helper"],
        target="务工",
        deadline=dt.date(2027, 1, 1),
        created_by=people["village"],
    )


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:alert(1)"]
)
def test_next_never_leaves_the_site_whatever_the_host_header(
    client, people, measure, settings, target
):
    settings.ALLOWED_HOSTS = ["*"]  # a careless deployment: the Host header is the attacker's
    client.force_login(people["helper"])
    r = client.post(
        reverse("measure_update", args=[measure.pk]),
        {"status": "active", "next": target},
        HTTP_HOST="evil.example",
    )
    assert r.status_code == 302 and r["Location"] == reverse("my_tasks")


def test_next_to_a_page_of_the_site_is_followed(client, people, measure):
    client.force_login(people["helper"])
    page = reverse("case", args=[measure.case_id])
    r = client.post(
        reverse("measure_update", args=[measure.pk]), {"status": "active", "next": page}
    )
    assert r["Location"] == page


def test_a_refused_form_goes_back_only_to_a_path_of_this_site():
    """The referer is the client's to forge: only its path is followed, on this site."""
    host = "127.0.0.1:8000"
    assert _same_site("http://127.0.0.1:8000/households/?q=1", host) == "/households/?q=1"
    assert _same_site("https://evil.example/cases/", host) == ""
    assert _same_site("javascript:alert(1)", host) == ""
    assert _same_site("//127.0.0.1:8000//evil.example/", host) == ""
    assert _same_site("http://127.0.0.1:8000//evil.example/", host) == ""


def test_an_export_searched_by_id_number_keeps_no_id_number_in_the_audit_log(
    client, people, make_households
):
    (household,) = make_households(household_rows("H-AUD"))
    full_id = decrypt(household.members.first().id_enc)
    client.force_login(people["county"])
    assert client.get(reverse("household_export"), {"q": full_id}).status_code == 200
    event = AuditEvent.objects.filter(action="export").latest("pk")
    assert full_id not in event.note and full_id[-4:] in event.note
    log = client.get(reverse("audit_log")).content.decode()
    assert full_id not in log


@given(
    st.from_regex(r"[一-龥 ]{0,5}", fullmatch=True), st.from_regex(r"[一-龥 ]{0,5}", fullmatch=True)
)
def test_redaction_masks_every_id_and_mobile_number_in_free_text(before, after):
    ident = make_id_number("140123", dt.date(1970, 5, 17), 12, "M")
    text = f"{before}{ident}{after}，电话13812345678"
    out = redact_personal_numbers(text)
    assert ident not in out and "13812345678" not in out
    assert out.startswith(before) and ident[-4:] in out and "5678" in out
    assert (
        redact_personal_numbers("户编号 1401231002060001 共 3 人")
        == "户编号 1401231002060001 共 3 人"
    )


@pytest.mark.parametrize("hidden", ["\u202e", "\u200b", "\u2066", "\ufeff"])
def test_names_with_bidirectional_or_zero_width_characters_are_refused(hidden):
    """Issue 11, finding 10: such names were stored and shown raw."""
    rows = household_rows("H-BIDI")
    rows[0][KEYS.index("name")] = f"张{hidden}三"
    report = households_import(table=Table(HEADERS, rows, "t"), actor=None, scope_prefix="")
    assert not report.written
    (error,) = report.errors
    assert (error.row, error.column) == (2, "姓名") and "零宽" in error.reason
    assert not has_unsafe_chars("张三 Zhang San（官庄村）")


def test_every_answer_has_a_strict_csp_and_personal_pages_are_not_cached(client, people):
    """Issue 11, finding 9."""
    login = client.get(reverse("login"))
    csp = login["Content-Security-Policy"]
    assert (
        "script-src 'self'" in csp
        and "unsafe-inline" not in csp
        and "frame-ancestors 'none'" in csp
    )
    client.force_login(people["village"])
    page = client.get(reverse("households"))
    assert page["Cache-Control"] == "no-store"
    html = page.content.decode()
    assert "onchange=" not in html and "javascript:" not in html and "<style" not in html
    api = client.get("/api/v1/households")
    assert api["Cache-Control"] == "no-store"


def test_with_secure_cookies_http_is_redirected_and_hsts_is_sent(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31_536_000
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    plain = client.get(reverse("login"))
    assert plain.status_code == 301 and plain["Location"].startswith("https://")
    assert client.get("/healthz").status_code == 200  # health checks stay on HTTP
    secure = client.get(reverse("login"), HTTP_X_FORWARDED_PROTO="https")
    assert secure.status_code == 200 and "max-age=31536000" in secure["Strict-Transport-Security"]


def test_the_documented_production_settings_pass_the_deploy_check(tmp_path):
    """`bangfu check --deploy` with docs/deploy.md's settings: no warning (CI runs it too)."""
    import os
    import subprocess
    import sys

    env = os.environ | {
        "BANGFU_HOME": str(tmp_path),
        "BANGFU_DEBUG": "0",
        "BANGFU_SECURE_COOKIES": "1",
        "BANGFU_ALLOWED_HOSTS": "bangfu.example.gov.cn",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    done = subprocess.run(
        [sys.executable, "-m", "bangfu.cli", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def declare_from(client, address, **meta):
    return client.post(
        reverse("declare", args=[VILLAGE]),
        {"name": "王小明", "id_number": "1401", "phone": "13912345678", "difficulty": "因病"},
        REMOTE_ADDR=address,
        **meta,
    )


def test_declaration_attempts_count_even_when_refused(client, db, settings):
    """Issue 11, finding 10: only successful declarations counted (guessing was free)."""
    settings.DECLARATION_ATTEMPTS_PER_HOUR = 3
    for _ in range(3):
        assert declare_from(client, "10.0.0.1").status_code == 400  # a bad ID number
    assert declare_from(client, "10.0.0.1").status_code == 429
    assert declare_from(client, "10.0.0.2").status_code == 400  # another address: its own count


def test_behind_the_trusted_proxy_the_limit_keys_on_the_client(client, db, settings):
    settings.DECLARATION_ATTEMPTS_PER_HOUR = 2
    settings.TRUSTED_PROXY_HEADER = "HTTP_X_FORWARDED_FOR"
    proxy = "127.0.0.1"  # every request reaches the server from the proxy
    for _ in range(2):
        declare_from(client, proxy, HTTP_X_FORWARDED_FOR="203.0.113.7")
    assert declare_from(client, proxy, HTTP_X_FORWARDED_FOR="203.0.113.7").status_code == 429
    # another client behind the same proxy is not held back; a forged first entry changes nothing
    assert declare_from(client, proxy, HTTP_X_FORWARDED_FOR="203.0.113.8").status_code == 400
    forged = declare_from(client, proxy, HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.7")
    assert forged.status_code == 429


def test_an_address_trying_many_usernames_is_capped(client, people, settings):
    settings.LOGIN_FAILURES_PER_ADDRESS = 4
    url = reverse("login")
    for name in ("county", "township", "village", "grid"):  # one failure each: axes locks none
        assert client.post(url, {"username": name, "password": "wrong"}).status_code == 200
    r = client.post(url, {"username": "helper", "password": PASSWORD})
    assert r.status_code == 429  # the address is refused, even with a right password


HOSTILE = [
    "-1",
    "9" * 30,
    "２０２６-１３",
    "1e309",
    "' OR 1=1 --",
    "<script>",
    "..%2f..%2f",
    "\u202e",
]
PARAMS = [
    "page",
    "year",
    "month",
    "period",
    "q",
    "village",
    "rule",
    "status",
    "listed",
    "region",
    "format",
    "category",
    "stage",
    "risk",
    "grid",
    "formerly_poor",
    "dept",
    "kind",
]


def test_no_query_parameter_makes_a_page_fail(client, people, make_households):
    """Issue 11: every query parameter is checked (400 with a reason or ignored), never 500."""
    from django.urls import URLPattern, URLResolver, get_resolver

    def walk(patterns, prefix=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                if not str(p.pattern).startswith(("admin", "api")):
                    yield from walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern) and p.name and not p.pattern.converters:
                yield p.name

    make_households(household_rows("H-FUZZ"))
    client.force_login(people["county"])
    pages = sorted(set(walk(get_resolver().url_patterns)))
    assert len(pages) > 15
    failures = []
    for name in pages:
        url = reverse(name)
        if name in ("logout", "set_language"):
            continue
        for value in HOSTILE:
            r = client.get(url, {p: value for p in PARAMS})
            if r.status_code >= 500:
                failures.append((name, value, r.status_code))
    assert failures == []


def test_every_list_page_shows_a_grid_worker_and_a_helper_only_their_households(
    client, people, make_households
):
    """Issue 11, finding 2, for every list: 官庄村 has a household in grid 1 that the helper
    assists and one in grid 2 that nobody of theirs does; each list shows each of them only
    the first."""
    ours, theirs = make_households(
        household_rows("1401231002068801", grid=1), household_rows("1401231002068802", grid=2)
    )
    kind = MeasureKind.objects.get(code="migrant_work")
    for h in (ours, theirs):
        case = Case.objects.create(household=h, channel=Channel.VISIT, stage=Stage.MONITORING)
        housing_warning(h)
        if h == ours:
            Measure.objects.create(
                case=case,
                kind=kind,
                responsible=people["helper"],
                target="务工",
                deadline=dt.date(2027, 1, 1),
                created_by=people["village"],
            )
    lists = ["households", "warnings", "cases", "case_overdue", "my_tasks", "meeting", "results"]
    for who in ("grid", "helper"):
        client.force_login(people[who])
        for name in lists:
            r = client.get(reverse(name), {"village": VILLAGE})
            if r.status_code != 200:
                continue  # a list this role does not have
            html = r.content.decode()
            assert theirs.household_no not in html, (who, name)
        households = client.get(reverse("households")).content.decode()
        assert ours.household_no in households and theirs.household_no not in households
