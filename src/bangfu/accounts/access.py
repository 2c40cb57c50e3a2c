"""The one access layer: what a user may see (their region, their grid, the households they
assist) and what their role may do. Every selector, service, view, API route and CLI command
asks it; no other module filters by a region prefix or compares roles.

Scoped models declare where their region, grid and responsible person are (`SCOPE`), so that
one rule serves households, cases, warnings and measures alike:

    class Case(models.Model):
        SCOPE = ScopePaths(village="household__village", grid="household__grid",
                           assisted="measures__responsible")

and a selector narrows any query of them with `access_for(user).filter(Case.objects.all())`.
Out of scope is absent: the selectors answer NotFound, never "forbidden", so that nobody
learns what exists in another village."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol, TypeVar

from django.contrib.auth.models import AnonymousUser
from django.db.models import Model, Q, QuerySet

from bangfu.accounts.models import Role, User
from bangfu.regions.models import PREFIX_LENGTH, Level, Region

M = TypeVar("M", bound=Model)

# What each role may do, by name. Adding a permission is one line here and one property below.
MAY: dict[str, frozenset[Role]] = {
    # the whole ID number (verification, approval); each unmasking is audited
    "unmask": frozenset({Role.COUNTY_OFFICER, Role.TOWNSHIP_CADRE, Role.VILLAGE_CADRE}),
    "write_registry": frozenset({Role.COUNTY_OFFICER, Role.TOWNSHIP_CADRE, Role.VILLAGE_CADRE}),
    "read_registry": frozenset(Role) - {Role.DEPARTMENT_OFFICER},
    "read_audit": frozenset({Role.AUDITOR, Role.COUNTY_OFFICER}),
    "record_readings": frozenset({Role.GRID_WORKER, Role.VILLAGE_CADRE}),
    "load_feeds": frozenset({Role.COUNTY_OFFICER, Role.DEPARTMENT_OFFICER}),
    "run_monitoring": frozenset({Role.COUNTY_OFFICER}),
    # bringing the existing caseload (存量监测对象) in from the national system's list
    "onboard_monitoring": frozenset({Role.COUNTY_OFFICER}),
    "oversee_jobs": frozenset({Role.COUNTY_OFFICER, Role.TOWNSHIP_CADRE}),
    "see_overdue": frozenset({Role.COUNTY_OFFICER, Role.TOWNSHIP_CADRE}),
    "visit": frozenset({Role.VILLAGE_CADRE, Role.GRID_WORKER, Role.TOWNSHIP_CADRE}),
    "object": frozenset({Role.VILLAGE_CADRE, Role.TOWNSHIP_CADRE, Role.COUNTY_OFFICER}),
    "resolve": frozenset({Role.VILLAGE_CADRE, Role.TOWNSHIP_CADRE}),
    "print": frozenset({Role.VILLAGE_CADRE, Role.TOWNSHIP_CADRE, Role.COUNTY_OFFICER}),
    "batch_approve": frozenset({Role.TOWNSHIP_CADRE, Role.COUNTY_OFFICER}),
    "edit_catalogue": frozenset({Role.COUNTY_OFFICER}),
    "plan": frozenset({Role.VILLAGE_CADRE, Role.TOWNSHIP_CADRE}),
    "evaluate": frozenset({Role.VILLAGE_CADRE, Role.RESPONSIBLE_PERSON, Role.TOWNSHIP_CADRE}),
    "hold_meetings": frozenset({Role.VILLAGE_CADRE}),
    "handle_declarations": frozenset({Role.VILLAGE_CADRE}),
    # answer the social-assistance referrals of home verifications (民政 only: see below)
    "answer_referrals": frozenset({Role.DEPARTMENT_OFFICER}),
    # who has a task list of their own (帮扶责任人)
    "carry_tasks": frozenset({Role.RESPONSIBLE_PERSON}),
    # the problem ledger (问题台账): who registers problems, and the responsible levels that
    # rectify them and request the close-out (销号); the level above verifies (supervision)
    "register_problems": frozenset({Role.AUDITOR, Role.COUNTY_OFFICER, Role.TOWNSHIP_CADRE}),
    "rectify_problems": frozenset({Role.VILLAGE_CADRE, Role.TOWNSHIP_CADRE, Role.COUNTY_OFFICER}),
    # resident work teams (驻村工作队): the roster is the county's and the township's (for its
    # villages); the weak villages (重点帮扶村) the county's; logs and tasks the village's and
    # the township's (supervision.teams)
    "edit_teams": frozenset({Role.COUNTY_OFFICER, Role.TOWNSHIP_CADRE}),
    "mark_weak_villages": frozenset({Role.COUNTY_OFFICER}),
    "keep_team_logs": frozenset({Role.VILLAGE_CADRE, Role.TOWNSHIP_CADRE}),
    # assessment (考核): the county keeps the schemes and opens and publishes the assessments;
    # assessors score (the county, its auditors, and a township for its villages)
    "edit_schemes": frozenset({Role.COUNTY_OFFICER}),
    "assess": frozenset({Role.COUNTY_OFFICER, Role.AUDITOR, Role.TOWNSHIP_CADRE}),
    # village points (积分制, 清单制): the village keeps its list, records and redeems points
    "keep_points": frozenset({Role.VILLAGE_CADRE}),
}
# Who may be named responsible for a measure (帮扶责任人), and who a household card names when
# no measure is open.
CARRIERS = (Role.RESPONSIBLE_PERSON, Role.VILLAGE_CADRE)
CONTACT = Role.VILLAGE_CADRE


@dataclass(frozen=True)
class ScopePaths:
    """Where a scoped model keeps its village (the path to a foreign key to a village Region,
    whose key is its division code), its grid, and the user responsible for a measure that
    concerns it (None: not narrowed that way)."""

    village: str
    grid: str | None = None
    assisted: str | None = None


def scope_paths(model: type[Model]) -> ScopePaths:
    """A scoped model's declaration; a model without one cannot be filtered by scope."""
    paths = getattr(model, "SCOPE", None)
    if not isinstance(paths, ScopePaths):
        raise TypeError(f"{model.__name__} declares no SCOPE: it is not scoped by region")
    return paths


class InVillage(Protocol):
    """A loaded object with a village and perhaps a grid (a household)."""

    village_id: str
    grid_id: int | None


def code_q(path: str, prefix: str) -> Q:
    """Objects whose division code at `path` (a code field: "code", "region_code",
    "village__code", never a foreign key itself) lies in the region of `prefix` (a region's
    leading digits): the one prefix filter. For system work (the CLI, the monitoring run,
    the demo) and, through `Access`, for users."""
    return Q(**{f"{path}__startswith": prefix})


def code_in(code: str, prefix: str) -> bool:
    """Whether one division code lies in the region of `prefix` (`code_q` for loaded rows)."""
    return code.startswith(prefix)


def region_q(path: str, region: Region) -> Q:
    """Objects whose division code at `path` lies inside `region`."""
    return code_q(path, region.prefix)


class Access:
    """A user's scope and permissions. Build it with `access_for(user)`."""

    def __init__(self, user: User | AnonymousUser) -> None:
        self.user = user

    # who -----------------------------------------------------------------------------------
    @property
    def role(self) -> Role | None:
        if not self.user.is_authenticated:
            return None
        role = getattr(self.user, "role", "")
        return Role(role) if role else None

    @property
    def region(self) -> Region | None:
        return getattr(self.user, "region", None) if self.user.is_authenticated else None

    @property
    def account(self) -> User:
        """The user as an account (only for authenticated users)."""
        assert isinstance(self.user, User)
        return self.user

    def may(self, what: str) -> bool:
        return self.role is not None and self.region is not None and self.role in MAY[what]

    def is_role(self, role: Role) -> bool:
        return self.role == role

    # the permissions, for code and templates ({% if access.may_print %}) ------------------
    @property
    def may_unmask(self) -> bool:
        return self.may("unmask")

    @property
    def may_write_registry(self) -> bool:
        return self.may("write_registry")

    @property
    def may_read_registry(self) -> bool:
        return self.may("read_registry")

    @property
    def may_read_audit(self) -> bool:
        return self.may("read_audit")

    @property
    def may_record_readings(self) -> bool:
        return self.may("record_readings")

    @property
    def may_load_feeds(self) -> bool:
        """Department feeds concern the whole registry: the county's officers and department
        officers bound to a county or above load them."""
        return (
            self.may("load_feeds") and self.region is not None and self.region.level <= Level.COUNTY
        )

    @property
    def may_run_monitoring(self) -> bool:
        return self.may("run_monitoring")

    @property
    def may_onboard_monitoring(self) -> bool:
        return self.may("onboard_monitoring")

    @property
    def may_oversee_jobs(self) -> bool:
        return self.may("oversee_jobs")

    @property
    def may_see_overdue(self) -> bool:
        return self.may("see_overdue")

    @property
    def may_visit(self) -> bool:
        return self.may("visit")

    @property
    def may_object(self) -> bool:
        return self.may("object")

    @property
    def may_resolve(self) -> bool:
        return self.may("resolve")

    @property
    def may_print(self) -> bool:
        return self.may("print")

    @property
    def may_batch_approve(self) -> bool:
        return self.may("batch_approve")

    @property
    def may_edit_catalogue(self) -> bool:
        return self.may("edit_catalogue")

    @property
    def may_plan(self) -> bool:
        return self.may("plan")

    @property
    def may_evaluate(self) -> bool:
        return self.may("evaluate")

    @property
    def may_register_problems(self) -> bool:
        return self.may("register_problems")

    @property
    def may_rectify_problems(self) -> bool:
        return self.may("rectify_problems")

    @property
    def may_edit_teams(self) -> bool:
        return self.may("edit_teams")

    @property
    def may_mark_weak_villages(self) -> bool:
        return self.may("mark_weak_villages")

    @property
    def may_keep_team_logs(self) -> bool:
        return self.may("keep_team_logs")

    @property
    def may_edit_schemes(self) -> bool:
        return self.may("edit_schemes")

    @property
    def may_assess(self) -> bool:
        return self.may("assess")

    @property
    def may_keep_points(self) -> bool:
        return self.may("keep_points")

    @property
    def may_carry_tasks(self) -> bool:
        return self.may("carry_tasks")

    @property
    def may_answer_referrals(self) -> bool:
        """Civil affairs (民政) answers the referrals a home verification makes (不再重复入户)."""
        return self.may("answer_referrals") and getattr(self.user, "department", "") == "civil"

    def may_hold_meeting(self, village: Region) -> bool:
        """The village cadre records their own village's monthly meeting."""
        return self.may("hold_meetings") and self.region == village

    def may_handle_declarations_of(self, village_code: str) -> bool:
        return (
            self.may("handle_declarations")
            and self.region is not None
            and (self.region.code == village_code)
        )

    # where ---------------------------------------------------------------------------------
    def contains(self, code: str) -> bool:
        """Whether a division code lies inside the user's region."""
        return self.region is not None and self.region.contains(code)

    def admits(self, obj: InVillage) -> bool:
        """The region part of the scope for one loaded household: inside the user's region,
        and for a grid worker inside their grid. Services check it before a write, then
        refuse by role with a reason; reads (`filter`) also narrow a responsible person to
        the households they assist."""
        return self.contains(obj.village_id) and (
            self.role != Role.GRID_WORKER or obj.grid_id == getattr(self.user, "grid_id", None)
        )

    def filter(self, qs: QuerySet[M]) -> QuerySet[M]:
        """The part of a query of a scoped model (households, cases, warnings, measures) the
        user may read: nothing for roles without access to the registry."""
        paths = scope_paths(qs.model)
        if not self.may_read_registry or self.region is None:
            return qs.none()
        qs = qs.filter(region_q(f"{paths.village}__code", self.region))
        if self.role == Role.GRID_WORKER and paths.grid is not None:
            qs = qs.filter(**{paths.grid: getattr(self.user, "grid_id", None)})
        if self.role == Role.RESPONSIBLE_PERSON and paths.assisted is not None:
            # only what they assist; a subquery, so that two measures do not list it twice
            assisted = qs.model._default_manager.filter(**{paths.assisted: self.user})
            qs = qs.filter(pk__in=assisted.values("pk"))
        return qs

    def within(self, qs: QuerySet[M], path: str) -> QuerySet[M]:
        """Rows of the user's region by a division code at `path`, whatever the role (jobs,
        the audit log)."""
        if self.region is None:
            return qs.none()
        return qs.filter(region_q(path, self.region))

    def county_code(self) -> str | None:
        """The county a user below the county works in (its division code), None for a county
        or a larger region (or no region)."""
        if self.region is None or self.region.level <= Level.COUNTY:
            return None
        return self.region.code[: PREFIX_LENGTH[Level.COUNTY]].ljust(12, "0")

    def by_county(self, qs: QuerySet[M], path: str) -> QuerySet[M]:
        """Rows kept per county (an assessment scheme, by the county's division code at
        `path`) that the user reads: a county's or larger region's own counties, the county a
        township or village lies in; nothing for roles without access to the registry."""
        if not self.may_read_registry or self.region is None:
            return qs.none()
        county = self.county_code()
        return qs.filter(**{path: county}) if county else self.within(qs, path)

    def reads_county(self, code: str) -> bool:
        """`by_county` for one county's division code."""
        if not self.may_read_registry or self.region is None:
            return False
        county = self.county_code()
        return code == county if county else self.contains(code)

    def regions(self, level: Level) -> QuerySet[Region]:
        """The regions of `level` inside the user's region, for pickers."""
        if self.region is None:
            return Region.objects.none()
        return Region.objects.filter(region_q("code", self.region), level=level)

    def region_inside(self, code: str) -> Region | None:
        """A region inside the user's (their own included), or None."""
        if not code or not self.contains(code):
            return None
        return Region.objects.filter(code=code).first()

    def child_prefix_length(self, region: Region) -> int:
        """Digits that tell apart the regions directly under `region`."""
        return PREFIX_LENGTH[region.level + 1]


def access_for(user: User | AnonymousUser) -> Access:
    """The access of a request's or a command's user."""
    return Access(user)


def carriers_of(village_code: str) -> QuerySet[User]:
    """Who may carry a measure for a household of this village: its responsible persons and
    village cadres."""
    return carriers_among([village_code])


def carriers_among(village_codes: Iterable[str]) -> QuerySet[User]:
    """The carriers (`carriers_of`) of several villages at once, each with its `region_id`."""
    return User.objects.filter(role__in=CARRIERS, region_id__in=list(village_codes), is_active=True)


def contact_of(village_code: str) -> User | None:
    """The village cadre a household card names when no measure is open."""
    return (
        User.objects.filter(role=CONTACT, region_id=village_code, is_active=True)
        .order_by("pk")
        .first()
    )
