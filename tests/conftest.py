"""Shared fixtures: the real divisions of 娄烦县, one user per role inside and outside a village,
and households made through the real import."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from bangfu.accounts.models import Role, User
from bangfu.accounts.services import user_create
from bangfu.core.idcard import make_id_number
from bangfu.core.tabular.sheets import Table
from bangfu.monitoring.models import RiskWarning
from bangfu.regions.models import Grid, Region
from bangfu.regions.services import grid_ensure, regions_load
from bangfu.registry.columns import COLUMNS
from bangfu.registry.importer import households_import
from bangfu.registry.models import Household

COUNTY = "140123000000"  # 娄烦县
TOWNSHIP = "140123100000"  # 娄烦镇
VILLAGE = "140123100206"  # 官庄村
NEIGHBOUR = "140123100207"  # 三元村, same township
OTHER_TOWNSHIP_VILLAGE = "140123101200"  # a village of 静游镇
HEADERS = [c.header for c in COLUMNS]
KEYS = [c.key for c in COLUMNS]
PASSWORD = "a-long-test-password"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: Any, django_db_blocker: Any) -> None:
    with django_db_blocker.unblock():
        regions_load(code="140123")


@pytest.fixture(autouse=True)
def _fast_hasher(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _default_language() -> None:
    """Each test starts in Chinese: a request in English (the language cookie) leaves English
    active in the thread, as Django's own locale middleware does."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    """The cache is files under BANGFU_HOME (shared by the server and the worker): each test
    starts without what an earlier test or run left there (rate limits, progress)."""
    from django.core.cache import cache

    cache.clear()


def row(**values: Any) -> list[str]:
    """A spreadsheet row from column keys (everything else blank)."""
    unknown = set(values) - set(KEYS)
    assert not unknown, unknown
    return [str(values.get(k, "")) for k in KEYS]


_seq = iter(range(1, 10**6))


def person_id(birth: dt.date = dt.date(1970, 5, 17), sex: str = "M") -> str:
    return make_id_number("140123", birth, next(_seq) % 500, sex)


def household_rows(
    no: str, village: str = VILLAGE, *, size: int = 3, grid: int | None = 1, **household: Any
) -> list[list[str]]:
    base = {"household_no": no, "village": village, "grid": grid or "", **household}
    people = [
        ("户主", dt.date(1968, 3, 1), "M"),
        ("配偶", dt.date(1970, 7, 9), "F"),
        ("之子", dt.date(2012, 1, 20), "M"),
        ("之女", dt.date(2015, 9, 2), "F"),
    ][:size]
    rows = []
    for i, (relation, birth, sex) in enumerate(people):
        member = {"name": f"测试{no}-{i}", "id_number": person_id(birth, sex), "relation": relation}
        if relation in ("之子", "之女"):
            member["schooling"] = "义务教育"
        rows.append(row(**(base | member)))
    return rows


def housing_warning(household: Household) -> RiskWarning:
    """A new warning of an unsafe house (R07) on `household`, as a run of 2026-11 leaves it."""
    return RiskWarning.objects.create(
        household=household,
        period="2026-11",
        rule_id="R07",
        rule_kind="housing_unsafe",
        rule_title="住房安全无保障",
        risk_types=["住房安全"],
        category="edge",
        policy_version="t",
        evidence=[],
    )


@pytest.fixture
def make_households(db: None) -> Callable[..., list[Household]]:
    def make(*specs: list[list[str]]) -> list[Household]:
        rows = [r for spec in specs for r in spec]
        report = households_import(table=Table(HEADERS, rows, "test"), actor=None, scope_prefix="")
        assert report.written, report.errors
        nos = sorted({r[0] for r in rows})
        return list(Household.objects.filter(household_no__in=nos).order_by("household_no"))

    return make


@pytest.fixture
def people(db: None) -> dict[str, User]:
    """One user per role around 官庄村, and outsiders."""
    r = {
        code: Region.objects.get(code=code)
        for code in (COUNTY, TOWNSHIP, VILLAGE, NEIGHBOUR, OTHER_TOWNSHIP_VILLAGE)
    }
    grid1, _ = grid_ensure(village=r[VILLAGE], count=2)
    other_township = r[OTHER_TOWNSHIP_VILLAGE].parent
    spec: list[tuple[str, Role, Region, Grid | None]] = [
        ("county", Role.COUNTY_OFFICER, r[COUNTY], None),
        ("township", Role.TOWNSHIP_CADRE, r[TOWNSHIP], None),
        ("other_township", Role.TOWNSHIP_CADRE, other_township, None),
        ("village", Role.VILLAGE_CADRE, r[VILLAGE], None),
        ("neighbour", Role.VILLAGE_CADRE, r[NEIGHBOUR], None),
        ("grid", Role.GRID_WORKER, r[VILLAGE], grid1),
        ("helper", Role.RESPONSIBLE_PERSON, r[VILLAGE], None),
        ("dept", Role.DEPARTMENT_OFFICER, r[COUNTY], None),
        ("auditor", Role.AUDITOR, r[COUNTY], None),
    ]
    return {
        name: user_create(username=name, password=PASSWORD, role=role, region=region, grid=grid)
        for name, role, region, grid in spec
    }


def _commit_callbacks() -> None:
    """What the commit of the request's transaction would run (jobs are enqueued on commit):
    a test's transaction never commits, so the worker fixture runs them first, as Django's
    `captureOnCommitCallbacks(execute=True)` does."""
    from django.db import connection

    while connection.run_on_commit:
        pending, connection.run_on_commit = connection.run_on_commit, []
        for _savepoints, callback, _robust in pending:
            callback()


@pytest.fixture
def run_worker(db: None, monkeypatch: pytest.MonkeyPatch) -> Callable[[], None]:
    """Run `bangfu db_worker --batch`: every queued job, then return. As Django's test client
    does for requests, the worker's `close_old_connections` is disconnected, so that it keeps
    the test's connection (and its transaction)."""
    from django.core.management import call_command
    from django_tasks_db.management.commands import db_worker

    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)

    def run() -> None:
        _commit_callbacks()
        call_command("db_worker", batch=True, interval=0, startup_delay=False, verbosity=0)

    return run
