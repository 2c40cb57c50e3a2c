"""The move of the measure catalogue and the measures from the cases app to the assistance app
(assistance/0001, cases/0008, assistance/0002) keeps a database's rows: a database made by the
code before the move migrates forward with every measure and catalogue row intact, same ids and
values, its foreign keys following the renamed tables, and the move can be undone and redone
without losing anything. The content types (what the admin's history points at) keep their ids.

The migrations run with Django's MigrationExecutor on the test database, outside a transaction
(SQLite's schema editor refuses to run inside one), and every test leaves the database fully
migrated, as the other tests expect it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.recorder import MigrationRecorder

from bangfu.accounts.models import User
from bangfu.assistance.models import Measure, MeasureKind
from bangfu.cases.models import Case
from bangfu.regions.models import Region
from bangfu.regions.services import regions_load
from bangfu.registry.models import Household
from tests.conftest import VILLAGE

LAST_BEFORE_MOVE = ("cases", "0007_evaluation_gaps")
# Unapplying assistance/0001 also unapplies what depends on it (cases/0008, assistance/0002);
# cases/0007 is named too so that the cases app stops exactly there.
BEFORE_MOVE = [LAST_BEFORE_MOVE, ("assistance", None)]
OLD_TABLES = {"cases_measure", "cases_measurekind"}
NEW_TABLES = {"assistance_measure", "assistance_measurekind"}


@pytest.fixture
def executor(transactional_db: None) -> Iterator[MigrationExecutor]:
    """An executor on the test database, which is migrated to the latest again afterwards,
    whatever the test did (the flush after a transactional test expects the latest tables)."""
    # an earlier transactional test flushed the divisions the session loaded
    if not Region.objects.filter(code=VILLAGE).exists():
        regions_load(code="140123")
    executor = MigrationExecutor(connection)
    try:
        yield executor
    finally:
        migrate(executor, executor.loader.graph.leaf_nodes())


def migrate(executor: MigrationExecutor, targets: list[tuple[str, str | None]]) -> None:
    executor.migrate(targets)
    # the loader must see what is applied now, or the next plan is made from the old one
    executor.loader.build_graph()


def migrate_back(executor: MigrationExecutor) -> Any:
    """Migrate to the state before the move; return the historical apps of that state."""
    migrate(executor, BEFORE_MOVE)
    # the database really is as the old code left it: nothing of the move applied, old tables
    assert LAST_BEFORE_MOVE[1] in applied("cases")
    assert "0008_measures_to_assistance" not in applied("cases")
    assert applied("assistance") == set()
    assert tables() & (OLD_TABLES | NEW_TABLES) == OLD_TABLES
    return executor.loader.project_state(LAST_BEFORE_MOVE).apps


def migrate_forward(executor: MigrationExecutor) -> None:
    migrate(executor, executor.loader.graph.leaf_nodes())
    assert {"0001_measures_from_cases", "0002_rename_tables"} <= applied("assistance")
    assert "0008_measures_to_assistance" in applied("cases")


def applied(app: str) -> set[str]:
    """The app's migrations the database records as applied."""
    recorded = MigrationRecorder(connection).applied_migrations()
    return {name for label, name in recorded if label == app}


def tables() -> set[str]:
    return set(connection.introspection.table_names())


def foreign_keys(table: str) -> set[tuple[str, str]]:
    """The (table, column) pairs the table's foreign keys point at, as the database has them."""
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, table)
    return {c["foreign_key"] for c in constraints.values() if c["foreign_key"]}


def make_old_rows(apps: Any) -> dict[str, Any]:
    """A user, a household of 官庄村, its case, a catalogue entry and a finished measure, made
    with the historical models of the cases app before the move (the old code's tables)."""
    user = apps.get_model("accounts", "User").objects.create(
        username="helper-before-the-move", password="!"
    )
    household = apps.get_model("registry", "Household").objects.create(
        household_no="MIG-0001", village_id=VILLAGE
    )
    case = apps.get_model("cases", "Case").objects.create(household=household, channel="visit")
    kind = apps.get_model("cases", "MeasureKind").objects.create(
        code="migration-test",
        name="迁移前的产业帮扶",
        group="development",
        risk_types=["income"],
        needs=[],
        outcome="amount",
    )
    measure = apps.get_model("cases", "Measure").objects.create(
        case=case,
        kind=kind,
        responsible=user,
        created_by=user,
        target="年增收3000元",
        deadline=dt.date(2026, 12, 31),
        status="done",
        outcome_amount=Decimal("3200.50"),
        done_on=dt.date(2026, 11, 30),
    )
    return {"user": user.pk, "case": case.pk, "kind": kind.pk, "measure": measure.pk}


def snapshot(measure_model: Any, kind_model: Any) -> dict[str, Any]:
    """Every row of both tables, by id, as the given models (old or new) read them."""
    return {
        "measures": {row["id"]: row for row in measure_model.objects.values()},
        "kinds": {row["id"]: row for row in kind_model.objects.values()},
    }


# what later migrations change on purpose: assistance/0004 regroups the shipped catalogue
# (兜底保障 only 低保/特困/临时救助), renames 雨露计划 and adds 以工代赈
LATER_CHANGES = {"kinds": {"group", "name"}, "measures": set()}


def _as_before(now: dict[str, Any], before: dict[str, Any]) -> dict[str, Any]:
    """The rows that were there before, as they are now, with only the columns the old tables
    had and leaving out what a later migration changes on purpose."""
    return {
        table: {
            pk: {k: v for k, v in rows[pk].items() if k in old and k not in LATER_CHANGES[table]}
            for pk, old in before[table].items()
            if pk in rows
        }
        for table, rows in now.items()
    }


def _without_later_changes(before: dict[str, Any]) -> dict[str, Any]:
    return {
        table: {
            pk: {k: v for k, v in row.items() if k not in LATER_CHANGES[table]}
            for pk, row in rows.items()
        }
        for table, rows in before.items()
    }


def assert_moved(ids: dict[str, Any], before: dict[str, Any]) -> None:
    """The rows are the assistance app's now, unchanged, in tables of its own name."""
    assert tables() & (OLD_TABLES | NEW_TABLES) == NEW_TABLES
    now = snapshot(Measure, MeasureKind)
    assert set(now["measures"]) == set(before["measures"])  # no measure lost or added
    assert set(before["kinds"]) <= set(now["kinds"])  # no catalogue entry lost
    assert _as_before(now, before) == _without_later_changes(before)
    # a column added after the move (assistance/0003: 先帮后认) takes its default on old rows
    assert not Measure.objects.filter(provisional=True).exists()

    measure = Measure.objects.select_related("case", "kind", "responsible").get(pk=ids["measure"])
    assert measure.target == "年增收3000元"
    assert measure.status == "done"
    assert measure.outcome_amount == Decimal("3200.50")
    assert measure.deadline == dt.date(2026, 12, 31)
    assert measure.case.pk == ids["case"]
    assert measure.case.household_id == Household.objects.get(household_no="MIG-0001").pk
    assert measure.kind.pk == ids["kind"]
    assert measure.kind.code == "migration-test"
    assert measure.responsible.username == "helper-before-the-move"
    assert list(Case.objects.get(pk=ids["case"]).measures.all()) == [measure]

    # the database's own foreign keys follow the renamed catalogue table
    assert ("assistance_measurekind", "id") in foreign_keys("assistance_measure")
    assert ("cases_case", "id") in foreign_keys("assistance_measure")

    # new rows get fresh ids (PostgreSQL's sequences survive the rename)
    user = User.objects.get(pk=ids["user"])
    later = Measure.objects.create(
        case=measure.case,
        kind=measure.kind,
        responsible=user,
        created_by=user,
        target="再增收",
        deadline=dt.date(2027, 6, 30),
    )
    assert later.pk > measure.pk


def test_a_database_made_before_the_move_migrates_with_its_rows(
    executor: MigrationExecutor,
) -> None:
    old = migrate_back(executor)
    ids = make_old_rows(old)
    before = snapshot(old.get_model("cases", "Measure"), old.get_model("cases", "MeasureKind"))
    assert ids["measure"] in before["measures"]

    migrate_forward(executor)

    assert_moved(ids, before)


def test_the_move_can_be_undone_and_redone_without_losing_rows(
    executor: MigrationExecutor,
) -> None:
    old = migrate_back(executor)
    ids = make_old_rows(old)
    before = snapshot(old.get_model("cases", "Measure"), old.get_model("cases", "MeasureKind"))
    migrate_forward(executor)

    # back again: the old code's models read the same rows from the old tables
    old = migrate_back(executor)
    after_undo = snapshot(old.get_model("cases", "Measure"), old.get_model("cases", "MeasureKind"))
    assert after_undo == before

    migrate_forward(executor)

    assert_moved(ids, before)


def test_content_types_follow_the_models_both_ways(executor: MigrationExecutor) -> None:
    ContentType.objects.clear_cache()
    new_ids = {
        model: ContentType.objects.get_or_create(app_label="assistance", model=model)[0].pk
        for model in ("measure", "measurekind")
    }

    old = migrate_back(executor)
    old_types = old.get_model("contenttypes", "ContentType").objects
    for model, pk in new_ids.items():
        # the old code's content type is the same row (admin history and permissions keep it)
        assert old_types.get(pk=pk).app_label == "cases"
        assert not old_types.filter(app_label="assistance", model=model).exists()

    migrate_forward(executor)

    ContentType.objects.clear_cache()
    assert ContentType.objects.get_for_model(Measure).pk == new_ids["measure"]
    assert ContentType.objects.get_for_model(MeasureKind).pk == new_ids["measurekind"]
    assert not ContentType.objects.filter(app_label="cases", model__startswith="measure").exists()
