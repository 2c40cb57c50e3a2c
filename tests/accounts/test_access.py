"""The one access layer: what each role may do (an explicit table), and what each user may read
of households, cases, warnings and measures, with real data made through the import: their
region, their grid, the households they assist; nothing for a department officer, an anonymous
user or a role without a region."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser

from bangfu.accounts.access import Access, access_for
from bangfu.accounts.models import Role, User
from bangfu.assistance.models import Measure, MeasureKind
from bangfu.cases.models import Case, Channel, Stage
from bangfu.monitoring.models import RiskWarning
from bangfu.regions.models import Level, Region
from bangfu.registry.models import Household
from tests.conftest import (
    COUNTY,
    NEIGHBOUR,
    OTHER_TOWNSHIP_VILLAGE,
    TOWNSHIP,
    VILLAGE,
    household_rows,
)

pytestmark = pytest.mark.django_db

CITY = "140100000000"  # 太原市
PROVINCE = "140000000000"  # 山西省
OTHER_TOWNSHIP = "140123101000"  # 静游镇

# ---------------------------------------------------------------------------------------------
# What each role may do. Columns: the users of the `people` fixture, one per role (the
# department officer is bound to the county, so loads feeds). Y: may, .: may not.
ROLE_OF = {
    "county": Role.COUNTY_OFFICER,
    "township": Role.TOWNSHIP_CADRE,
    "village": Role.VILLAGE_CADRE,
    "grid": Role.GRID_WORKER,
    "helper": Role.RESPONSIBLE_PERSON,
    "dept": Role.DEPARTMENT_OFFICER,
    "auditor": Role.AUDITOR,
}
PERMISSIONS = """
                   county  township  village  grid  helper  dept  auditor
unmask               Y        Y         Y      .      .      .      .
write_registry       Y        Y         Y      .      .      .      .
read_registry        Y        Y         Y      Y      Y      .      Y
read_audit           Y        .         .      .      .      .      Y
record_readings      .        .         Y      Y      .      .      .
load_feeds           Y        .         .      .      .      Y      .
run_monitoring       Y        .         .      .      .      .      .
onboard_monitoring   Y        .         .      .      .      .      .
oversee_jobs         Y        Y         .      .      .      .      .
see_overdue          Y        Y         .      .      .      .      .
visit                .        Y         Y      Y      .      .      .
object               Y        Y         Y      .      .      .      .
resolve              .        Y         Y      .      .      .      .
print                Y        Y         Y      .      .      .      .
batch_approve        Y        Y         .      .      .      .      .
edit_catalogue       Y        .         .      .      .      .      .
plan                 .        Y         Y      .      .      .      .
evaluate             .        Y         Y      .      Y      .      .
carry_tasks          .        .         .      .      Y      .      .
answer_referrals     .        .         .      .      .      .      .
register_problems    Y        Y         .      .      .      .      Y
rectify_problems     Y        Y         Y      .      .      .      .
edit_teams           Y        Y         .      .      .      .      .
mark_weak_villages   Y        .         .      .      .      .      .
keep_team_logs       .        Y         Y      .      .      .      .
edit_schemes         Y        .         .      .      .      .      .
assess               Y        Y         .      .      .      .      Y
keep_points          .        .         Y      .      .      .      .
"""
# answer_referrals: a department officer of civil affairs (民政) only; the fixture's department
# officer has no department (tests/cases/test_referrals.py has the civil-affairs officer)


def _table() -> dict[str, dict[str, bool]]:
    header, *lines = [line.split() for line in PERMISSIONS.strip().splitlines()]
    table: dict[str, dict[str, bool]] = {name: {} for name in header}
    for permission, *marks in lines:
        assert len(marks) == len(header), permission
        for name, mark in zip(header, marks, strict=True):
            assert mark in "Y.", mark
            table[name][permission] = mark == "Y"
    return table


TABLE = _table()


def may_all(access: Access) -> dict[str, bool]:
    return {p: getattr(access, f"may_{p}") for p in TABLE["county"]}


def test_the_table_covers_every_role_and_every_permission():
    assert set(TABLE) == set(ROLE_OF)
    assert set(ROLE_OF.values()) == set(Role)
    properties = {
        name.removeprefix("may_")
        for name in dir(Access)
        if name.startswith("may_") and isinstance(getattr(Access, name), property)
    }
    assert properties == set(TABLE["county"])


@pytest.mark.parametrize("name", list(ROLE_OF))
def test_what_each_role_may_do(people, name):
    user = people[name]
    assert user.role == ROLE_OF[name]
    assert may_all(access_for(user)) == TABLE[name]


@pytest.mark.parametrize(
    ("role", "code", "loads"),
    [
        (Role.DEPARTMENT_OFFICER, PROVINCE, True),
        (Role.DEPARTMENT_OFFICER, CITY, True),
        (Role.DEPARTMENT_OFFICER, COUNTY, True),
        (Role.DEPARTMENT_OFFICER, TOWNSHIP, False),
        (Role.DEPARTMENT_OFFICER, VILLAGE, False),
        (Role.AUDITOR, CITY, False),
    ],
)
def test_feeds_are_loaded_from_the_county_or_above(db, role, code, loads):
    user = User.objects.create_user(
        username=f"{role}-{code}", role=role, region=Region.objects.get(code=code)
    )
    assert access_for(user).may_load_feeds is loads


def test_meetings_and_declarations_are_the_own_village_cadres(people):
    village, neighbour = Region.objects.get(code=VILLAGE), Region.objects.get(code=NEIGHBOUR)
    cadre = access_for(people["village"])
    assert cadre.may_hold_meeting(village) is True
    assert cadre.may_hold_meeting(neighbour) is False
    assert cadre.may_handle_declarations_of(VILLAGE) is True
    assert cadre.may_handle_declarations_of(NEIGHBOUR) is False
    for name in ("township", "county", "grid", "helper"):
        assert access_for(people[name]).may_hold_meeting(village) is False, name
        assert access_for(people[name]).may_handle_declarations_of(VILLAGE) is False, name


# ---------------------------------------------------------------------------------------------
# Scope, with real data: five households, cases, warnings and measures.
#   H-A1  官庄村 grid 1   case (monitoring), two measures of `helper`, one of the village cadre
#   H-A2  官庄村 grid 1   no case
#   H-B1  官庄村 grid 2   case, one measure of the village cadre
#   H-S1  三元村          case, one measure of the neighbour cadre
#   H-J1  静游镇's village case, no measure
# and a warning for every household.
ALL_H = ["H-A1", "H-A2", "H-B1", "H-J1", "H-S1"]
ALL_C = ["H-A1", "H-B1", "H-J1", "H-S1"]
ALL_M = ["A1-industry", "A1-microcredit", "A1-migrant_work", "B1-industry", "S1-industry"]
READS: dict[str, dict[str, list[str]]] = {
    "county": {"households": ALL_H, "cases": ALL_C, "warnings": ALL_H, "measures": ALL_M},
    "auditor": {"households": ALL_H, "cases": ALL_C, "warnings": ALL_H, "measures": ALL_M},
    "township": {
        "households": ["H-A1", "H-A2", "H-B1", "H-S1"],
        "cases": ["H-A1", "H-B1", "H-S1"],
        "warnings": ["H-A1", "H-A2", "H-B1", "H-S1"],
        "measures": ALL_M,
    },
    "other_township": {
        "households": ["H-J1"],
        "cases": ["H-J1"],
        "warnings": ["H-J1"],
        "measures": [],
    },
    "village": {
        "households": ["H-A1", "H-A2", "H-B1"],
        "cases": ["H-A1", "H-B1"],
        "warnings": ["H-A1", "H-A2", "H-B1"],
        "measures": ["A1-industry", "A1-microcredit", "A1-migrant_work", "B1-industry"],
    },
    "neighbour": {
        "households": ["H-S1"],
        "cases": ["H-S1"],
        "warnings": ["H-S1"],
        "measures": ["S1-industry"],
    },
    "grid": {
        "households": ["H-A1", "H-A2"],
        "cases": ["H-A1"],
        "warnings": ["H-A1", "H-A2"],
        "measures": ["A1-industry", "A1-microcredit", "A1-migrant_work"],
    },
    # the household they assist, once although two of its measures are theirs; all of that
    # household's plan (the village cadre's measure too)
    "helper": {
        "households": ["H-A1"],
        "cases": ["H-A1"],
        "warnings": ["H-A1"],
        "measures": ["A1-industry", "A1-microcredit", "A1-migrant_work"],
    },
    "dept": {"households": [], "cases": [], "warnings": [], "measures": []},
}
# The region (and grid) part only, for one loaded household: not narrowed by role.
ADMITS = {
    "county": ALL_H,
    "auditor": ALL_H,
    "dept": ALL_H,
    "township": ["H-A1", "H-A2", "H-B1", "H-S1"],
    "other_township": ["H-J1"],
    "village": ["H-A1", "H-A2", "H-B1"],
    "neighbour": ["H-S1"],
    "grid": ["H-A1", "H-A2"],
    "helper": ["H-A1", "H-A2", "H-B1"],
}
MODELS = {"households": Household, "cases": Case, "warnings": RiskWarning, "measures": Measure}


def warning_for(household: Household) -> RiskWarning:
    return RiskWarning.objects.create(
        household=household,
        period="2026-11",
        rule_id="R01",
        rule_kind="income_below_line",
        rule_title="低收入",
        risk_types=["其他"],
        category="edge",
        policy_version="t",
        evidence=[],
    )


@pytest.fixture
def world(people, make_households) -> dict[str, dict[int, str]]:
    """The data above; for each model, the label of each row by its id."""
    made = make_households(
        household_rows("H-A1", grid=1),
        household_rows("H-A2", grid=1),
        household_rows("H-B1", grid=2),
        household_rows("H-S1", NEIGHBOUR, grid=1),
        household_rows("H-J1", OTHER_TOWNSHIP_VILLAGE, grid=1),
    )
    homes = {h.household_no: h for h in made}
    assert sorted(homes) == ALL_H
    assert (homes["H-A1"].grid.number, homes["H-B1"].grid.number) == (1, 2)
    assert homes["H-A1"].grid == people["grid"].grid
    cases = {
        no: Case.objects.create(household=homes[no], channel=Channel.VISIT, stage=Stage.MONITORING)
        for no in ALL_C
    }
    kinds = {k.code: k for k in MeasureKind.objects.all()}

    def measure(no: str, kind: str, who: str) -> Measure:
        return Measure.objects.create(
            case=cases[no],
            kind=kinds[kind],
            responsible=people[who],
            target="年增收3000元",
            deadline=dt.date(2027, 3, 31),
            created_by=people["village"],
        )

    measures = {
        "A1-industry": measure("H-A1", "industry", "helper"),
        "A1-migrant_work": measure("H-A1", "migrant_work", "helper"),
        "A1-microcredit": measure("H-A1", "microcredit", "village"),
        "B1-industry": measure("H-B1", "industry", "village"),
        "S1-industry": measure("H-S1", "industry", "neighbour"),
    }
    warnings = {no: warning_for(h) for no, h in homes.items()}
    return {
        "households": {h.pk: no for no, h in homes.items()},
        "cases": {c.pk: no for no, c in cases.items()},
        "warnings": {w.pk: no for no, w in warnings.items()},
        "measures": {m.pk: label for label, m in measures.items()},
    }


def read(user: Any, what: str, world: dict[str, dict[int, str]]) -> list[str]:
    """What `filter` lists, as labels, in order and with any repetition kept."""
    ids = access_for(user).filter(MODELS[what].objects.all()).values_list("pk", flat=True)
    return sorted(world[what][pk] for pk in ids)


@pytest.mark.parametrize("what", list(MODELS))
@pytest.mark.parametrize("name", list(READS))
def test_each_user_reads_exactly_their_scope(people, world, name, what):
    assert read(people[name], what, world) == READS[name][what]


def test_two_measures_of_the_helper_list_their_household_once(people, world):
    helper = people["helper"]
    # the data does join twice: a plain filter by the responsible person repeats the household
    assert Household.objects.filter(cases__measures__responsible=helper).count() == 2
    assert Case.objects.filter(measures__responsible=helper).count() == 2
    households = access_for(helper).filter(Household.objects.all())
    assert [h.household_no for h in households] == ["H-A1"]
    assert households.count() == 1
    assert access_for(helper).filter(Case.objects.all()).count() == 1
    assert access_for(helper).filter(RiskWarning.objects.all()).count() == 1
    assert access_for(helper).filter(Measure.objects.all()).count() == 3


@pytest.mark.parametrize("name", list(ADMITS))
def test_admits_is_the_region_and_grid_part_of_the_scope(people, world, name):
    access = access_for(people[name])
    loaded = list(Household.objects.all())
    assert sorted(h.household_no for h in loaded if access.admits(h)) == ADMITS[name]
    if name not in ("helper", "dept"):  # the responsible person and no registry narrow reads
        listed = set(access.filter(Household.objects.all()).values_list("pk", flat=True))
        assert {h.pk for h in loaded if access.admits(h)} == listed


def test_the_helper_and_the_department_officer_are_admitted_but_read_less(people, world):
    a1 = Household.objects.get(household_no="H-A1")
    b1 = Household.objects.get(household_no="H-B1")
    helper, dept = access_for(people["helper"]), access_for(people["dept"])
    assert helper.admits(b1) is True
    assert not helper.filter(Household.objects.filter(pk=b1.pk)).exists()
    assert helper.filter(Household.objects.filter(pk=a1.pk)).exists()
    assert dept.admits(a1) is True
    assert not dept.filter(Household.objects.filter(pk=a1.pk)).exists()


def villages_under(code: str, depth: int) -> set[str]:
    """Villages found by walking the parent links (not by code prefix)."""
    parent = "parent__" * (depth - 1) + "parent_id"
    return set(
        Region.objects.filter(level=Level.VILLAGE, **{parent: code}).values_list("code", flat=True)
    )


def test_regions_lists_only_villages_inside_the_users_region(people):
    def villages(name: str) -> set[str]:
        listed = access_for(people[name]).regions(Level.VILLAGE)
        assert all(r.level == Level.VILLAGE for r in listed)
        return {r.code for r in listed}

    assert villages("village") == {VILLAGE}
    assert villages("grid") == {VILLAGE}
    assert villages("helper") == {VILLAGE}
    assert villages("neighbour") == {NEIGHBOUR}

    township = villages("township")
    assert township == villages_under(TOWNSHIP, 1)
    assert {VILLAGE, NEIGHBOUR} <= township
    assert OTHER_TOWNSHIP_VILLAGE not in township

    other = villages("other_township")
    assert other == villages_under(OTHER_TOWNSHIP, 1)
    assert OTHER_TOWNSHIP_VILLAGE in other
    assert VILLAGE not in other and not township & other

    county = villages("county")
    assert county == villages_under(COUNTY, 2)
    assert township | other < county
    assert villages("dept") == county == villages("auditor")


def test_regions_of_other_levels(people):
    townships = {r.code for r in access_for(people["county"]).regions(Level.TOWNSHIP)}
    assert {TOWNSHIP, OTHER_TOWNSHIP} <= townships
    assert townships == set(Region.objects.filter(parent_id=COUNTY).values_list("code", flat=True))
    assert [r.code for r in access_for(people["township"]).regions(Level.TOWNSHIP)] == [TOWNSHIP]
    assert list(access_for(people["village"]).regions(Level.TOWNSHIP)) == []
    assert list(access_for(people["township"]).regions(Level.COUNTY)) == []


def test_region_inside(people):
    village, township = access_for(people["village"]), access_for(people["township"])
    assert village.region_inside(VILLAGE) == Region.objects.get(code=VILLAGE)
    assert village.region_inside(NEIGHBOUR) is None
    assert village.region_inside(TOWNSHIP) is None  # above, not inside
    assert township.region_inside(NEIGHBOUR) == Region.objects.get(code=NEIGHBOUR)
    assert township.region_inside(TOWNSHIP) == Region.objects.get(code=TOWNSHIP)
    assert township.region_inside(OTHER_TOWNSHIP_VILLAGE) is None
    assert township.region_inside("140123100999") is None  # inside by code, but no such village
    assert township.region_inside("") is None


def test_contains(people):
    township = access_for(people["township"])
    assert township.contains(VILLAGE) and township.contains(NEIGHBOUR)
    assert not township.contains(OTHER_TOWNSHIP_VILLAGE)
    assert not township.contains(COUNTY)
    assert access_for(people["county"]).contains(OTHER_TOWNSHIP_VILLAGE)
    assert not access_for(people["neighbour"]).contains(VILLAGE)


def test_within_narrows_by_region_whatever_the_role(people, world):
    def within(user: Any) -> list[str]:
        qs = access_for(user).within(Household.objects.all(), "village__code")
        return sorted(h.household_no for h in qs)

    assert within(people["dept"]) == ALL_H  # reads no registry, but the region is the county
    assert within(people["helper"]) == ["H-A1", "H-A2", "H-B1"]
    assert within(people["grid"]) == ["H-A1", "H-A2", "H-B1"]  # not narrowed to the grid
    assert within(people["neighbour"]) == ["H-S1"]
    assert within(AnonymousUser()) == []


# ---------------------------------------------------------------------------------------------
# Nobody: an anonymous user, a role without a region, a region without a role.
NOTHING = dict.fromkeys(TABLE["county"], False)


def assert_nothing(access: Access, world: dict[str, dict[int, str]]) -> None:
    assert may_all(access) == NOTHING
    for what, model in MODELS.items():
        assert list(access.filter(model.objects.all())) == [], what
    assert list(access.within(Household.objects.all(), "village__code")) == []
    assert list(access.regions(Level.VILLAGE)) == []
    assert access.region_inside(VILLAGE) is None
    assert access.contains(VILLAGE) is False
    assert not any(access.admits(h) for h in Household.objects.all())
    assert access.may_hold_meeting(Region.objects.get(code=VILLAGE)) is False
    assert access.may_handle_declarations_of(VILLAGE) is False


def test_an_anonymous_user_may_nothing(world):
    access = access_for(AnonymousUser())
    assert access.role is None and access.region is None
    assert_nothing(access, world)


@pytest.mark.parametrize("role", list(Role))
def test_a_role_without_a_region_may_nothing(world, role):
    user = User.objects.create_user(username=f"floating-{role}", role=role, region=None)
    access = access_for(user)
    assert access.role == role and access.region is None
    assert_nothing(access, world)


def test_a_region_without_a_role_may_nothing(world):
    user = User.objects.create_user(
        username="no-role", role="", region=Region.objects.get(code=COUNTY)
    )
    access = access_for(user)
    assert access.role is None
    assert may_all(access) == NOTHING
    for what, model in MODELS.items():
        assert list(access.filter(model.objects.all())) == [], what


# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "queries"),
    [
        ("county", 1),
        ("township", 1),
        ("village", 1),
        ("grid", 1),
        ("helper", 1),  # the subquery of what they assist is part of the one query
        ("auditor", 1),
        ("dept", 0),  # nothing to read: no query at all
    ],
)
def test_listing_households_is_one_query(people, world, django_assert_num_queries, name, queries):
    user = people[name]
    with django_assert_num_queries(queries):
        listed = list(access_for(user).filter(Household.objects.all()))
    assert sorted(h.household_no for h in listed) == READS[name]["households"]
