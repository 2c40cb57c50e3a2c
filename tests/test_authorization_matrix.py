"""Issue 11: an authorization matrix by construction.

Every route of the site, as Django's URL resolver has it (the pages, the admin, and the API's
operations as its OpenAPI document lists them), is requested by every role of `people` (and a
civil-affairs officer, who answers referrals) and anonymously, about an object inside 官庄村
and one outside it (a village of 静游镇) where the route names one, and must answer what
`EXPECT` declares. A route that nobody declared fails the coverage test: a new route comes
with what it answers to whom. Beside the status, no answer may show the number of a household
the role may not know, and the anonymous are sent to a login page. The groups of roles are
the access table's (`MAY`), checked below; the answers are declared, never derived.

Reading the table: `seen(200)` is "200 to whoever may read the object, 404 to anyone else,
the login page to the anonymous"; `by(404, {GROUP: 200})` is "404, but 200 to GROUP"."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, path

from bangfu.accounts.access import MAY
from bangfu.accounts.models import Department, Role, User
from bangfu.accounts.services import user_create
from bangfu.api.models import ApiToken
from bangfu.assessment.models import Method, Score
from bangfu.assessment.services import assessment_open, assessment_publish, scheme_load, score_set
from bangfu.assistance.models import Measure, MeasureKind
from bangfu.cases.attachments import attachment_add
from bangfu.cases.cards import household_token, signed
from bangfu.cases.models import AttachmentKind, Case, Channel, Objection, Referral, Stage
from bangfu.cases.services import declaration_submit
from bangfu.core.crypto import decrypt
from bangfu.jobs.models import Job, JobKind
from bangfu.monitoring.models import MonitoringRun
from bangfu.regions.models import Region
from bangfu.registry.importer import ImportReport
from bangfu.registry.models import Household
from bangfu.registry.services import rejected_store
from bangfu.supervision.models import (
    PointItem,
    Problem,
    ProblemEvidence,
    TeamMember,
    TeamTask,
    WorkTeam,
)
from bangfu.supervision.services import evidence_root
from tests.conftest import (
    HEADERS,
    OTHER_TOWNSHIP_VILLAGE,
    PASSWORD,
    TOWNSHIP,
    VILLAGE,
    household_rows,
    housing_warning,
    person_id,
)

pytestmark = pytest.mark.django_db
# the smallest PNG there is (1×1), for the attachment of each side
PNG_BYTES = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de0000000c4944415478"
    "9c63f8cfc0000003010100c9fe92ef0000000049454e44ae426082"
)

API = "/api/v1"
ANON = "anon"
# the people fixture's roles (tests/conftest.py), and a civil-affairs officer of 娄烦镇
ROLES = (
    "county",
    "township",
    "other_township",
    "village",
    "neighbour",
    "grid",
    "helper",
    "dept",
    "auditor",
    "civil",
)
WHO = (*ROLES, ANON)

# Groups. Readers of the registry are every role but department officers (MAY["read_registry"]).
READERS = frozenset(ROLES) - {"dept", "civil"}
DEPT = frozenset({"dept", "civil"})
# who may read an object of 官庄村 (grid 1, a measure of it carried by the helper) ...
SEES_IN = frozenset({"county", "township", "village", "grid", "helper", "auditor"})
# ... and one of 静游镇
SEES_OUT = frozenset({"county", "other_township", "auditor"})
# who may learn the household number (civil affairs of 娄烦镇 answers the referral of 官庄村)
KNOWS = {"in": SEES_IN | {"civil"}, "out": SEES_OUT}
WRITERS = frozenset({"county", "township", "other_township", "village", "neighbour"})
PRINTERS = WRITERS  # MAY["print"]: village, township and county
LOGIN = 302  # a page sends the anonymous to the login page
UNAUTHENTICATED = 401  # the API answers them 401
API_METHODS = tuple(f"{m} /" for m in ("GET", "POST", "PUT", "PATCH", "DELETE"))  # API keys

Answers = dict[str, int]  # who -> status


def by(default: int, rules: dict[str | frozenset[str], int] | None = None, **kw: int) -> Answers:
    """The status for each of WHO: `default`, then `rules` (a role or a group each) in order,
    then keywords (`anon=` included; the anonymous get the login page unless told)."""
    out = {who: default for who in ROLES} | {ANON: LOGIN}
    for key, status in (rules or {}).items():
        for who in [key] if isinstance(key, str) else sorted(key):
            out[who] = status
    return out | kw


@dataclass(frozen=True)
class InOut:
    """What a route answers about the object inside 官庄村 and about the one outside."""

    inside: Answers
    outside: Answers


def seen(
    ok: int, other: int = 404, rules: dict[str | frozenset[str], int] | None = None, **kw: int
) -> InOut:
    """`ok` to whoever may read the object, `other` to anyone else; `rules` say otherwise for
    some of those who may read it (on either side), keywords for anyone."""

    def side(sees: frozenset[str]) -> Answers:
        narrowed = {
            frozenset({k}) if isinstance(k, str) else k: v for k, v in (rules or {}).items()
        }
        return by(other, {sees: ok, **{k & sees: v for k, v in narrowed.items()}}, **kw)

    return InOut(side(SEES_IN), side(SEES_OUT))


def both(answers: Answers) -> InOut:
    """The same answers inside and outside (the route names an object, but not by region)."""
    return InOut(answers, answers)


def api(answers: Answers) -> Answers:
    return answers | {ANON: UNAUTHENTICATED}


def api_seen(*args: Any, **kw: Any) -> InOut:
    return InOut(**{k: api(v) for k, v in vars(seen(*args, **kw)).items()})


Cells = Answers | InOut


@dataclass(frozen=True)
class Lit:
    """A literal value of a query or body parameter (a plain string names a world value)."""

    value: Any


@dataclass(frozen=True)
class Route:
    """A route's declared answers per method. `obj` is what `<pk>` names; `query` and `body`
    map a query or body parameter to a value of the world (a key of `World.values`)."""

    get: Cells | None = None
    post: Cells | None = None
    obj: str = ""
    query: dict[str, str | Lit] = field(default_factory=dict)
    body: dict[str, str | Lit] = field(default_factory=dict)


# The admin is the superuser's: nobody of `people` is staff, so every page of it sends
# everyone to the admin's login. Each registered model is declared here.
ADMIN_MODELS = (
    "auth/group",
    "axes/accessattempt",
    "axes/accesslog",
    "axes/accessfailurelog",
    "django_tasks_database/dbtaskresult",
    "regions/region",
    "regions/grid",
    "regions/regioncontact",
    "accounts/user",
    "audit/auditevent",
    "registry/household",
)
ADMIN_LOGIN = by(302)  # to /admin/login/?next=...


def _admin() -> dict[str, Route]:
    routes: dict[str, Route] = {
        "admin:index": Route(get=ADMIN_LOGIN),
        # the login page says that the user is logged in, but not as staff
        "admin:login": Route(get=by(200, anon=200)),
        "admin:logout": Route(post=by(302, anon=302)),
        "admin:password_change": Route(get=ADMIN_LOGIN),
        "admin:password_change_done": Route(get=ADMIN_LOGIN),
        "admin:autocomplete": Route(get=ADMIN_LOGIN),
        "admin:jsi18n": Route(get=ADMIN_LOGIN),
        "admin:app_list": Route(get=ADMIN_LOGIN),
        "admin/(?P<url>.*)$": Route(get=ADMIN_LOGIN),
        "admin:view_on_site": Route(get=ADMIN_LOGIN),
        "admin:auth_user_password_change": Route(get=ADMIN_LOGIN),
    }
    for model in ADMIN_MODELS:
        name = model.replace("/", "_")
        for view in ("changelist", "add", "history", "delete", "change"):
            routes[f"admin:{name}_{view}"] = Route(get=ADMIN_LOGIN)
        routes[f"admin/{model}/<path:object_id>/"] = Route(get=ADMIN_LOGIN)
    return routes


UNMASK = frozenset({"county", "township", "other_township", "village", "neighbour"})
FEEDERS = frozenset({"county", "dept"})  # department feeds: county-level officers
AUDIT = frozenset({"county", "auditor"})
READINGS = frozenset({"village", "neighbour", "grid"})  # income readings
PLANNERS = frozenset({"township", "other_township", "village", "neighbour"})
# a job of 官庄村's village cadre, and of 静游镇's township cadre: the owner and those above
JOB = InOut(
    by(404, {frozenset({"county", "township", "village"}): 200}),
    by(404, {frozenset({"county", "other_township"}): 200}),
)
EVERYONE = by(200, anon=200)
A_DAY = Lit("2026-01-01")  # a meeting's date, in the past
# a form posted without its file (an empty POST would be the blank form again, 200)
NO_FILE: dict[str, str | Lit] = {"file": Lit("")}
REGISTRARS = frozenset({"county", "township", "other_township", "auditor"})  # of problems
TEAM_EDITORS = frozenset({"county", "township", "other_township"})  # MAY["edit_teams"]
TEAM_KEEPERS = frozenset({"township", "other_township", "village", "neighbour"})  # of logs
POINT_KEEPERS = frozenset({"village", "neighbour"})  # MAY["keep_points"]: their own village
ASSESSORS = frozenset({"county", "township", "other_township", "auditor"})  # MAY["assess"]
SCHEME_EDITORS = frozenset({"county"})  # MAY["edit_schemes"]: schemes, opening, publishing
POINT_ITEM: dict[str, str | Lit] = {
    "name": Lit("庭院整洁"),
    "points": Lit(3),
    "evidence_needed": Lit("评比记录"),
}
PROBLEM: dict[str, str | Lit] = {
    "source": Lit("audit"),
    "category": Lit("funds"),
    "description": Lit("资金拨付滞后"),
    "responsible_unit": Lit("乡镇"),
    "deadline": Lit("2026-12-31"),
}
# assessment (考核): a village scheme of the county, of one computed and one assessed indicator
# (tests/web/test_assessment_pages.py's shape); its second quarter scored and published, its
# third open. 官庄村's side names the published assessment (and 官庄村's subject, score and
# evidence in it), 静游镇's side the open one (and its village's)
SCHEME = """
[scheme]
county = "140123"
year = 2026
subject = "village"
name = "权限矩阵的村级考核方案"

[[dimension]]
key = "groundwork"
name = "基础工作"

[[dimension.indicator]]
key = "meetings_held"
name = "月度监测例会"
points = 50
measure = "meetings_held"
full_at = 1.0
zero_at = 0.5

[[dimension.indicator]]
key = "files_complete"
name = "档案资料完整规范"
points = 50
ways = ["ledger"]
"""
ASSESSED_ON = dt.date(2026, 11, 1)  # the quarters' scores given and the second published
# read by the registry's readers once published; while open, by the county and the assessors
ASSESSMENT = InOut(by(404, {READERS: 200}), by(404, {ASSESSORS: 200}))
A_SCORE: dict[str, str | Lit] = {"points": Lit(50), "way": Lit("ledger"), "note": Lit("")}
FOUND: dict[str, str | Lit] = {
    "description": Lit("档案资料不全"),
    "deadline": Lit("2026-12-31"),
    "responsible_unit": Lit("村委会"),
    "category": Lit("funds"),
}


def states(published: InOut, running: InOut) -> InOut:
    """An assessment's route: the answers about the published one (官庄村's side) and about the
    open one (静游镇's)."""
    return InOut(published.inside, running.outside)


EXPECT: dict[str, Route] = {
    **_admin(),
    "set_language": Route(get=by(302, anon=302), post=by(302, anon=302)),
    "api-v1:openapi-json": Route(get=EVERYONE),
    "api-v1:openapi-view": Route(get=EVERYONE),  # the docs page (Swagger UI, static files)
    "api-v1:api-root": Route(get=by(404, anon=404)),
    # the pages ---------------------------------------------------------------------------
    "home": Route(get=by(200)),  # the to-do home (待办) of every role
    "healthz": Route(get=EVERYONE),
    "login": Route(get=by(302, anon=200), post=by(302, anon=200)),
    "logout": Route(get=by(405, anon=405), post=by(302, anon=302)),
    # searched by the whole ID number of a member of the household
    "households": Route(get=both(by(404, {READERS: 200})), query={"q": "id_number"}),
    # the import forms, sent without a file: 400 with the reason
    "household_import": Route(
        get=by(404, {WRITERS: 200}), post=by(404, {WRITERS: 400}), body=NO_FILE
    ),
    "feed_import": Route(get=by(404, {FEEDERS: 200}), post=by(404, {FEEDERS: 400}), body=NO_FILE),
    "monitoring_import": Route(get=by(404, county=200), post=by(404, county=400), body=NO_FILE),
    "monitoring_template": Route(get=by(404, county=200)),
    "feed_template": Route(get=by(404, {FEEDERS: 200})),
    # the county starts a run (to its job's page); the others read the runs
    "monitoring_runs": Route(
        get=by(404, {READERS: 200}), post=by(404, county=302), body={"period": Lit("")}
    ),
    "jobs": Route(get=by(200)),
    "job": Route(get=JOB, obj="job"),
    # the rejected rows of one's own import: the village's inside, the township's outside
    "import_rejected": Route(get=InOut(by(404, village=200), by(404, other_township=200))),
    "household_template": Route(get=by(200)),
    "household_export": Route(get=by(404, {READERS: 200})),
    "household": Route(get=seen(200)),
    "member_unmask": Route(
        post=InOut(by(404, {SEES_IN & UNMASK: 200}), by(404, {SEES_OUT & UNMASK: 200}))
    ),
    # the grid worker and the village cadre record readings (an empty form: 400)
    "reading_add": Route(post=InOut(by(404, {READINGS & SEES_IN: 400}), by(404))),
    "audit_log": Route(get=by(404, {AUDIT: 200})),
    "audit_export": Route(get=by(404, {AUDIT: 200})),
    "warnings": Route(get=by(404, {READERS: 200})),
    # all new warnings of the chosen households, by those who write the registry; back to the
    # list, with the reason when refused (the household of 静游镇 is outside the village's)
    "warning_bulk": Route(
        post=both(by(404, {WRITERS: 302})),
        body={"household": "object_id", "status": Lit("lead")},
    ),
    "warning_export": Route(get=by(404, {READERS: 200})),
    "warning": Route(get=seen(200), obj="warning"),
    # turned into a lead by those who write the registry, to the warning's page
    "warning_status": Route(
        post=InOut(
            by(404, {frozenset({"county", "township", "village"}): 302}),
            by(404, {frozenset({"county", "other_township"}): 302}),
        ),
        obj="warning",
        body={"status": Lit("lead")},
    ),
    "cases": Route(get=by(404, {READERS: 200})),
    "case_export": Route(get=by(404, {READERS: 200})),
    "case_overdue": Route(get=by(404, {READERS: 200})),
    # township review and county approval; an empty batch goes back with the reason
    "case_batch": Route(
        get=by(404, {frozenset({"county", "township", "other_township"}): 200}),
        post=by(404, {frozenset({"county", "township", "other_township"}): 302}),
    ),
    # the village cadre's own village's declarations; a refused one goes back with the reason
    "declarations": Route(
        get=by(404, {READERS: 200}),
        post=InOut(by(404, village=302), by(404)),
        body={"declaration": "declaration_id"},
    ),
    "case": Route(get=seen(200), obj="case"),
    # the forms of the case page go back to it, with the reason when refused; a refused
    # action's form is shown again on the case page as it was typed (400)
    "case_act": Route(post=seen(400), obj="case"),
    "objection_add": Route(post=seen(302), obj="case"),
    "objection_resolve": Route(post=seen(302), obj="objection"),
    "plan_confirm": Route(post=seen(302), obj="case"),
    "evaluation_add": Route(post=seen(302), obj="case"),
    # a case's files: the upload goes back to the case page (without a file, with the reason);
    # the file itself to whoever may read the case (each reading audited)
    "attachment_add": Route(post=seen(302), obj="case"),
    "attachment": Route(get=seen(200), obj="attachment"),
    "my_tasks": Route(get=by(404, {READERS: 200})),
    "task_export": Route(get=by(404, {READERS: 200})),
    # an empty form: its carrier gets their tasks back with the reasons (400), a cadre a message
    "measure_update": Route(post=seen(302, rules={"helper": 400}), obj="measure"),
    # the county edits the catalogue (an invalid form goes back with the reasons)
    "catalogue": Route(
        get=by(404, {READERS: 200}), post=by(404, county=302), body={"kind": "kind"}
    ),
    # a village's users see their own village's meeting, whatever the query asks; the others
    # a village in their region; only the village cadre records one
    "meeting": Route(
        get=InOut(
            by(404, {SEES_IN | {"neighbour"}: 200}),
            by(404, {SEES_OUT | {"village", "neighbour", "grid", "helper"}: 200}),
        ),
        post=both(by(404, {frozenset({"village", "neighbour"}): 302})),
        query={"village": "code"},
        body={"held_on": A_DAY},
    ),
    # civil affairs answers its region's referrals (a refusal without a reason goes back)
    "referrals": Route(
        get=by(404, civil=200),
        post=InOut(by(404, civil=302), by(404)),
        body={"referral": "referral_id"},
    ),
    "results": Route(get=by(404, {READERS: 200})),
    "dashboard": Route(get=seen(200), query={"region": "code"}),
    "visit_add": Route(post=seen(302)),
    "card_pdf": Route(get=seen(200, rules={SEES_IN - PRINTERS: 404})),
    "qr_revoke": Route(post=seen(302, rules={SEES_IN - PRINTERS: 404})),
    "village_cards_pdf": Route(get=seen(200, rules={SEES_IN - PRINTERS: 404})),
    # nobody of the village is in a notice period: back to the cases, with the reason
    "notice_pdf": Route(get=seen(302, rules={SEES_IN - PRINTERS: 404})),
    # the meeting's agenda or minutes on paper: the meeting page's users and village
    "meeting_pdf": Route(
        get=InOut(
            by(404, {SEES_IN | {"neighbour"}: 200}),
            by(404, {SEES_OUT | {"village", "neighbour", "grid", "helper"}: 200}),
        ),
        query={"village": "code"},
    ),
    # the village's contact details, kept by those who print for it (an empty form is valid)
    "village_contact": Route(
        get=seen(200, rules={SEES_IN - PRINTERS: 404}),
        post=seen(302, rules={SEES_IN - PRINTERS: 404}),
    ),
    # public: the card for whoever may read the household, the village's side for the others
    "qr_open": Route(get=both(EVERYONE)),
    "declare": Route(get=both(EVERYONE), post=both(by(400, anon=400))),
    # the problem ledger (问题台账): read by the registry's readers; registered by auditors,
    # the county and townships (an empty form: 400); an action's refusal goes back to the page
    "problems": Route(get=by(404, {READERS: 200})),
    "problem_new": Route(get=by(404, {REGISTRARS: 200}), post=by(404, {REGISTRARS: 400})),
    "problem_import": Route(
        get=by(404, {REGISTRARS: 200}), post=by(404, {REGISTRARS: 400}), body=NO_FILE
    ),
    "problem_template": Route(get=by(404, {REGISTRARS: 200})),
    "problem_export": Route(get=by(404, {READERS: 200})),
    "problem": Route(get=seen(200), obj="problem"),
    "problem_act": Route(post=seen(302), obj="problem"),
    "problem_evidence": Route(get=seen(200), obj="evidence"),
    # resident work teams (驻村工作队): read by the registry's readers; the roster kept by the
    # county and the townships, the weak villages by the county, logs and tasks by the
    # village's cadre and the township (an empty log is a form shown again with its errors)
    "teams": Route(get=by(404, {READERS: 200})),
    "team_new": Route(get=by(404, {TEAM_EDITORS: 200}), post=by(404, {TEAM_EDITORS: 400})),
    "team_weak": Route(get=by(404, county=200), post=by(404, county=400)),
    "team": Route(
        get=seen(200),
        post=seen(403, rules={TEAM_KEEPERS: 400}),
        obj="team",
        body={"what": Lit("log")},
    ),
    # the team's details, for the roster's editors (403 with the reason to the others who see
    # the team; an empty form is shown again with its errors); the roster of the teams in scope
    "team_edit": Route(
        get=seen(403, rules={TEAM_EDITORS: 200}),
        post=seen(403, rules={TEAM_EDITORS: 400}),
        obj="team",
    ),
    "team_roster_xlsx": Route(get=by(404, {READERS: 200})),
    "team_roster_pdf": Route(get=by(404, {READERS: 200})),
    # village points (积分制): read by the registry's readers of the village; the list, the
    # entries and the redemptions kept by its own cadre (an empty entry: the form again, 400)
    "points": Route(
        get=seen(200),
        post=seen(403, rules={"village": 400}),
        query={"village": "code"},
        body={"what": Lit("entry")},
    ),
    "points_item": Route(
        get=seen(403, rules={"village": 200}), post=seen(403, rules={"village": 400}), obj="item"
    ),
    "points_household": Route(
        get=seen(200), post=seen(403, rules={"village": 400}), body={"what": Lit("entry")}
    ),
    # the ranking and the list as .xlsx and as the notice on paper: the points page's readers
    "points_ranking_xlsx": Route(get=seen(200)),
    "points_ranking_pdf": Route(get=seen(200)),
    # assessment (考核): the county's schemes read by the registry's readers; the county loads
    # them, edits them and opens an assessment (an empty form: 400), 403 to the other readers
    "assessments": Route(
        get=by(404, {READERS: 200}),
        post=by(404, {READERS: 403, SCHEME_EDITORS: 400}),
        body={"what": Lit("open")},
    ),
    "assessment_scheme": Route(
        get=both(by(404, {READERS: 200})),
        post=both(by(404, {READERS: 403, SCHEME_EDITORS: 400})),
        obj="scheme",
    ),
    "assessment_scheme_file": Route(get=both(by(404, {READERS: 200})), obj="scheme"),
    # the county recomputes the open one (to its page); the published one is refused (400)
    "assessment": Route(
        get=ASSESSMENT,
        post=InOut(
            by(404, {READERS: 403, SCHEME_EDITORS: 400}),
            by(404, {ASSESSORS: 403, SCHEME_EDITORS: 302}),
        ),
        obj="assessment",
        body={"what": Lit("recompute")},
    ),
    "assessment_xlsx": Route(get=ASSESSMENT, obj="assessment"),
    "assessment_pdf": Route(get=ASSESSMENT, obj="assessment"),
    # a subject's scorecard, for whoever may read its village (a village only its own); an
    # assessor's empty score is the form again (400) while open, refused once published
    "assessment_subject": Route(
        get=seen(200),
        post=states(seen(403), seen(403, rules={ASSESSORS: 400})),
        obj="assessment",
        body={"what": Lit("score"), "score": "score_id"},
    ),
    "assessment_evidence": Route(get=seen(200), obj="score_evidence"),
    # the API --------------------------------------------------------------------------------
    f"GET {API}/regions": Route(
        get=InOut(api(by(404, {SEES_IN | DEPT: 200})), api(by(404, {SEES_OUT | {"dept"}: 200}))),
        query={"parent": "code"},
    ),
    f"GET {API}/households": Route(get=both(api(by(200))), query={"q": "id_number"}),
    f"GET {API}/households/{{household_no}}": Route(get=api_seen(200)),
    f"POST {API}/households/{{household_no}}/members/{{member_id}}/id-number": Route(
        post=InOut(api(by(404, {SEES_IN & UNMASK: 200})), api(by(404, {SEES_OUT & UNMASK: 200})))
    ),
    f"GET {API}/warnings": Route(get=api(by(200))),
    f"POST {API}/warnings/{{warning_id}}/status": Route(
        post=InOut(
            api(by(404, {frozenset({"county", "township", "village"}): 200})),
            api(by(404, {frozenset({"county", "other_township"}): 200})),
        ),
        body={"status": Lit("lead")},
    ),
    f"GET {API}/cases": Route(get=api(by(200))),
    f"GET {API}/cases/{{case_id}}": Route(get=api_seen(200)),
    # propose_exit is the village cadre's (refused: the criteria are not met), 403 for others
    f"POST {API}/cases/{{case_id}}/actions/{{action}}": Route(
        post=api_seen(403, rules={"village": 409})
    ),
    f"GET {API}/qr/{{value}}": Route(get=both(api(by(200)))),
    f"GET {API}/tasks": Route(get=api(by(200))),
    f"GET {API}/cases/{{case_id}}/plan": Route(get=api_seen(200)),
    # those who plan are refused an empty plan (409); other roles may not plan (403)
    f"POST {API}/cases/{{case_id}}/plan": Route(
        post=api_seen(403, rules={PLANNERS: 409}), body={"items": Lit([])}
    ),
    # the responsible person (the helper's, inside) and those who plan record progress
    f"POST {API}/measures/{{measure_id}}": Route(
        post=api_seen(403, rules={PLANNERS | {"helper"}: 200}),
        body={"status": Lit("active")},
    ),
    f"GET {API}/dashboard": Route(get=api_seen(200), query={"region": "code"}),
    f"GET {API}/feeds": Route(get=api(by(200))),
    # queued by whose role may (202), refused without a file (409); 403 for other roles
    f"POST {API}/imports/households": Route(post=api(by(403, {WRITERS: 409}))),
    f"POST {API}/feeds/{{dept}}": Route(post=api(by(403, {FEEDERS: 409}))),
    f"POST {API}/monitoring/runs": Route(post=api(by(403, county=202))),
    f"GET {API}/monitoring/runs": Route(get=api(by(200))),
    f"GET {API}/monitoring/runs/{{run_id}}": Route(get=api(by(404, {READERS: 200}))),
    f"GET {API}/jobs": Route(get=api(by(200))),
    f"GET {API}/jobs/{{job_id}}": Route(get=InOut(api(JOB.inside), api(JOB.outside))),
    f"GET {API}/problems": Route(get=api(by(200))),
    # registered inside the registrar's region (200), refused elsewhere (409); 403 for others
    f"POST {API}/problems": Route(
        post=InOut(
            api(by(403, {REGISTRARS: 200, "other_township": 409})),
            api(by(403, {REGISTRARS: 200, "township": 409})),
        ),
        body={"region": "code", **PROBLEM},
    ),
    f"GET {API}/problems/{{problem_id}}": Route(get=api_seen(200)),
    # the village cadre rectifies 官庄村's problem: refused an empty progress or close-out (409)
    f"POST {API}/problems/{{problem_id}}/progress": Route(
        post=api_seen(403, rules={"village": 409})
    ),
    f"POST {API}/problems/{{problem_id}}/closeout": Route(
        post=api_seen(403, rules={"village": 409})
    ),
    # nothing is waiting for verification, and an open problem is not reopened
    f"POST {API}/problems/{{problem_id}}/verify": Route(
        post=api_seen(403), body={"approve": Lit(True)}
    ),
    f"POST {API}/problems/{{problem_id}}/reopen": Route(post=api_seen(403)),
    f"GET {API}/work-teams": Route(get=api(by(200))),
    f"GET {API}/work-teams/lacking-first-secretary": Route(get=api(by(200))),
    f"GET {API}/work-teams/{{team_id}}": Route(get=api_seen(200)),
    # an empty log is refused (409) to those who keep the team's logs
    f"POST {API}/work-teams/{{team_id}}/logs": Route(
        post=api_seen(403, rules={TEAM_KEEPERS: 409}),
        body={"member": "team_member_id", "on": Lit("2026-01-05"), "text": Lit("")},
    ),
    f"POST {API}/work-teams/{{team_id}}/tasks": Route(
        post=api_seen(403, rules={TEAM_KEEPERS: 200}), body={"title": Lit("入户走访")}
    ),
    f"POST {API}/work-teams/{{team_id}}/tasks/{{task_id}}": Route(
        post=api_seen(403, rules={TEAM_KEEPERS: 200}), body={"status": Lit("done")}
    ),
    f"GET {API}/points/items": Route(get=api_seen(200), query={"village": "code"}),
    # onto the cadre's own village's list (200); another village is refused (409)
    f"POST {API}/points/items": Route(
        post=InOut(
            api(by(403, {POINT_KEEPERS: 409, "village": 200})),
            api(by(403, {POINT_KEEPERS: 409})),
        ),
        body={"village": "code", **POINT_ITEM},
    ),
    f"POST {API}/points/items/{{item_id}}": Route(
        post=api_seen(403, rules={"village": 200}), body=POINT_ITEM
    ),
    f"GET {API}/points/entries": Route(get=api_seen(200), query={"village": "code"}),
    # without its evidence, an entry is refused (409) to the village's cadre
    f"POST {API}/points/entries": Route(
        post=api_seen(403, rules={"village": 409}),
        body={
            "item": "item_id",
            "household": "household_no",
            "on": Lit("2026-10-01"),
            "evidence": Lit(""),
        },
    ),
    # nothing earned yet: any redemption is more than the balance (409)
    f"POST {API}/points/redemptions": Route(
        post=api_seen(403, rules={"village": 409}),
        body={
            "household": "household_no",
            "points": Lit(1),
            "goods": Lit("食用油"),
            "on": Lit("2026-10-01"),
        },
    ),
    f"GET {API}/points/ranking": Route(get=api_seen(200), query={"village": "code"}),
    f"GET {API}/points/households/{{household_no}}": Route(get=api_seen(200)),
    f"GET {API}/assessments/schemes": Route(get=api(by(200))),
    # a new scheme file (the township's of the year) is the county's; 403 for other roles
    f"POST {API}/assessments/schemes": Route(
        post=api(by(403, {SCHEME_EDITORS: 200})),
        body={"text": Lit(SCHEME.replace('"village"', '"township"'))},
    ),
    f"GET {API}/assessments/schemes/{{scheme_id}}": Route(get=both(api(by(404, {READERS: 200})))),
    f"GET {API}/assessments": Route(get=api(by(200))),
    # the county's: the third quarter is assessed already (409); 403 to the other readers
    f"POST {API}/assessments": Route(
        post=api(by(404, {READERS: 403, SCHEME_EDITORS: 409})),
        body={"scheme": "scheme_id", "period": Lit("quarter"), "quarter": Lit(3)},
    ),
    f"GET {API}/assessments/{{assessment_id}}": Route(
        get=InOut(api(ASSESSMENT.inside), api(ASSESSMENT.outside))
    ),
    # the county's, while open (the published one: 409)
    f"POST {API}/assessments/{{assessment_id}}/recompute": Route(
        post=InOut(
            api(by(404, {READERS: 403, SCHEME_EDITORS: 409})),
            api(by(404, {ASSESSORS: 403, SCHEME_EDITORS: 200})),
        )
    ),
    # published already, and the open one has scores to give: the county is refused (409)
    f"POST {API}/assessments/{{assessment_id}}/publish": Route(
        post=InOut(
            api(by(404, {READERS: 403, SCHEME_EDITORS: 409})),
            api(by(404, {ASSESSORS: 403, SCHEME_EDITORS: 409})),
        )
    ),
    f"GET {API}/assessments/subjects/{{subject_id}}": Route(get=api_seen(200)),
    # the assessors score the open one's (200); nobody the published one's
    f"POST {API}/assessments/scores/{{score_id}}": Route(
        post=states(api_seen(403), api_seen(403, rules={ASSESSORS: 200})), body=A_SCORE
    ),
    # the assessors register what they found into the ledger (its region's problem), while
    # the assessment is open; the published one's is refused to them (409)
    f"POST {API}/assessments/scores/{{score_id}}/problem": Route(
        post=states(api_seen(403, rules={ASSESSORS: 409}), api_seen(403, rules={ASSESSORS: 200})),
        body=FOUND,
    ),
}


# -- the world: an object of each kind inside 官庄村 and outside -------------------------------
@dataclass
class World:
    values: dict[str, dict[str, str]]  # "in" / "out" -> parameter name -> value
    households: dict[str, str]  # "in" / "out" -> household number
    users: dict[str, User]


def _side(
    *, side: str, village: Region, household: Household, carrier: User, owner: User
) -> dict[str, str]:
    head = household.members.get(relation="head")
    case = Case.objects.create(household=household, channel=Channel.VISIT, stage=Stage.MONITORING)
    measure = Measure.objects.create(
        case=case,
        kind=MeasureKind.objects.get(code="migrant_work"),
        responsible=carrier,
        target="务工",
        deadline=dt.date(2027, 1, 1),
        created_by=owner,
    )
    warning = housing_warning(household)
    referral = Referral.objects.create(case=case, programme="低保", figures="月人均收入 400 元")
    objection = Objection.objects.create(case=case, text="有异议", by=owner)
    attachment = attachment_add(
        user=owner,
        case=case,
        upload=SimpleUploadedFile("核查表.png", PNG_BYTES, "image/png"),
        kind=AttachmentKind.VERIFICATION,
    )
    problem = Problem.objects.create(
        source="audit",
        region=village,
        category="funds",
        description="资金拨付滞后",
        responsible_unit="村委会",
        deadline=dt.date(2026, 12, 31),
        registered_by=owner,
        registered_on=dt.date(2026, 11, 1),
    )
    evidence = ProblemEvidence.objects.create(
        problem=problem,
        filename="整改照片.png",
        content_type="image/png",
        size=len(PNG_BYTES),
        sha256="-",
        path=f"{problem.pk}/evidence.png",
        uploaded_by=owner,
    )
    (evidence_root() / str(problem.pk)).mkdir(parents=True, exist_ok=True)
    (evidence_root() / evidence.path).write_bytes(PNG_BYTES)
    job = Job.objects.create(
        kind=JobKind.HOUSEHOLD_IMPORT, user=owner, region=owner.region, file_name=f"{side}.xlsx"
    )
    team = WorkTeam.objects.create(
        village=village,
        sending_unit="县农业农村局",
        unit_level="county",
        term_start=dt.date(2026, 1, 1),
    )
    secretary = TeamMember.objects.create(
        team=team, name="张书记", role="first_secretary", term_start=dt.date(2026, 1, 1)
    )
    task = TeamTask.objects.create(team=team, title="入户走访", created_by=owner)
    item = PointItem.objects.create(
        village=village, name="参加义务劳动", kind="earn", points=5, evidence_needed="签到表"
    )
    declaration = declaration_submit(
        village=village,
        name="申报人",
        id_number=person_id(),
        phone="13800000000",
        difficulty="因病",
    )
    return {
        "household_no": household.household_no,
        "id_number": decrypt(head.id_enc),
        "member_id": str(head.pk),
        "case_id": str(case.pk),
        "warning_id": str(warning.pk),
        "measure_id": str(measure.pk),
        "referral_id": str(referral.pk),
        "objection_id": str(objection.pk),
        "attachment_id": str(attachment.pk),
        "job_id": str(job.pk),
        "declaration_id": str(declaration.pk),
        "problem_id": str(problem.pk),
        "evidence_id": str(evidence.pk),
        "team_id": str(team.pk),
        "team_member_id": str(secretary.pk),
        "task_id": str(task.pk),
        "item_id": str(item.pk),
        "value": signed(household_token(household=household)),
        "token": rejected_store(owner.pk, ImportReport(), HEADERS),
        "code": village.code,
        "village_code": village.code,
        "object_id": str(household.pk),
    }


def _assessments(*, county: User, assessor: User) -> dict[str, dict[str, str]]:
    """The scheme (`SCHEME`) loaded, its second quarter scored and published and its third
    open, through the services; each side's subject, assessed score and evidence: 官庄村's in
    the published quarter, the 静游镇 village's in the open one."""
    scheme = scheme_load(user=county, text=SCHEME)
    quarters = {
        side: assessment_open(
            user=county, scheme=scheme, period="quarter", quarter=q, today=ASSESSED_ON
        )
        for side, q in (("in", 2), ("out", 3))
    }
    out = {}
    for side, code in (("in", VILLAGE), ("out", OTHER_TOWNSHIP_VILLAGE)):
        subject = quarters[side].subjects.get(region_id=code)
        score = subject.scores.get(indicator__method=Method.ASSESSED)
        score_set(
            user=assessor,
            score=score,
            points=Decimal(50),
            way="ledger",
            note="",
            uploads=[SimpleUploadedFile("佐证.png", PNG_BYTES, "image/png")],
            today=ASSESSED_ON,
        )
        out[side] = {
            "scheme_id": str(scheme.pk),
            "assessment_id": str(quarters[side].pk),
            "subject_id": str(subject.pk),
            "sid": str(subject.pk),
            "score_id": str(score.pk),
            "score_evidence_id": str(score.evidence.get().pk),
        }
    published = quarters["in"]
    for score in Score.objects.filter(subject__assessment=published, points__isnull=True):
        score_set(
            user=assessor, score=score, points=Decimal(50), way="ledger", note="", today=ASSESSED_ON
        )
    assessment_publish(user=county, assessment=published, today=ASSESSED_ON)
    return out


@pytest.fixture
def world(people, make_households) -> World:
    inside, outside = make_households(
        household_rows("1401231002069001"),
        household_rows("1401231012009001", village=OTHER_TOWNSHIP_VILLAGE),
    )
    users = dict(people)
    users["civil"] = user_create(
        username="civil",
        password=PASSWORD,
        role=Role.DEPARTMENT_OFFICER,
        region=Region.objects.get(code=TOWNSHIP),
        department=Department.CIVIL,
    )
    far_village = Region.objects.get(code=OTHER_TOWNSHIP_VILLAGE)
    far_helper = user_create(
        username="far_helper",
        password=PASSWORD,
        role=Role.RESPONSIBLE_PERSON,
        region=far_village,
    )
    run = MonitoringRun.objects.create(period="2026-11", engine="duckdb", policy_version="t")
    shared = {
        "run_id": str(run.pk),
        "action": "propose_exit",  # from monitoring, the village cadre's
        "dept": "medical",
        "kind": str(MeasureKind.objects.get(code="migrant_work").pk),
        "content_type_id": str(ContentType.objects.get_for_model(Household).pk),
        "app_label": "registry",
        "url": "nowhere/",
        "id": str(people["village"].pk),
        "step": "progress",  # a problem's action (problem_act)
    }
    values = {
        "in": _side(
            side="in",
            village=Region.objects.get(code=VILLAGE),
            household=inside,
            carrier=people["helper"],
            owner=people["village"],
        ),
        "out": _side(
            side="out",
            village=far_village,
            household=outside,
            carrier=far_helper,
            owner=people["other_township"],
        ),
    }
    assessed = _assessments(county=people["county"], assessor=people["auditor"])
    return World(
        values={k: shared | v | assessed[k] for k, v in values.items()},
        households={"in": inside.household_no, "out": outside.household_no},
        users=users,
    )


# -- the routes: the resolver's and the OpenAPI document's ---------------------------------
@dataclass(frozen=True)
class Found:
    """One pattern of the resolver: its key in EXPECT (the URL name, or the pattern where it
    has none), and its route with the parameters as {name}."""

    key: str
    template: str


PARAM = re.compile(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>[^)]*\)")


def _template(route: str) -> str:
    return "/" + PARAM.sub(lambda m: f"{{{m[1] or m[2]}}}", route).replace("^", "").rstrip("$")


def walk(patterns: Iterable[Any], prefix: str = "", namespace: str = "") -> Iterator[Found]:
    """Every pattern under `patterns`, recursively."""
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
            yield from walk(p.url_patterns, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern):
            route = prefix + str(p.pattern)
            yield Found(f"{namespace}{p.name}" if p.name else route, _template(route))


def operations(schema: dict[str, Any]) -> set[str]:
    """The API's operations, "METHOD /api/v1/path", from its OpenAPI document (its paths
    are the site's)."""
    return {f"{method.upper()} {p}" for p, item in schema["paths"].items() for method in item}


def coverage(
    found: Iterable[Found], ops: set[str], expect: dict[str, Route]
) -> tuple[list[str], list[str]]:
    """The routes nobody declared, and the declarations of routes that are gone. A pattern of
    the API is the OpenAPI document's operations at its path."""
    api_paths = {op.split(" ", 1)[1] for op in ops}
    keys = {f.key for f in found if f.template not in api_paths} | ops
    return sorted(keys - set(expect)), sorted(set(expect) - keys)


def _openapi(client: Client) -> dict[str, Any]:
    r = client.get(f"{API}/openapi.json")
    assert r.status_code == 200
    return r.json()  # type: ignore[no-any-return]


def _methods(route: Route) -> set[str]:
    return {m for m, cells in (("GET", route.get), ("POST", route.post)) if cells is not None}


def test_every_route_has_a_declared_expectation(client):
    missing, stale = coverage(
        walk(get_resolver().url_patterns), operations(_openapi(client)), EXPECT
    )
    assert not missing, f"routes without a declared expectation in EXPECT: {missing}"
    assert not stale, f"EXPECT declares routes that no longer exist: {stale}"
    # an API operation declares its own method; a page at least one
    odd = [
        key
        for key, route in EXPECT.items()
        if (
            _methods(route) != {key.split(" ", 1)[0]}
            if key.startswith(API_METHODS)
            else not _methods(route)
        )
    ]
    assert not odd, f"EXPECT declares other methods than the route's: {odd}"


def test_the_role_groups_are_the_access_tables(people):
    role = {name: Role(user.role) for name, user in people.items()} | {
        "civil": Role.DEPARTMENT_OFFICER
    }

    def having(what: str) -> frozenset[str]:
        return frozenset(name for name in ROLES if role[name] in MAY[what])

    assert set(role) == set(ROLES)
    assert having("read_registry") == READERS
    assert having("write_registry") == WRITERS
    assert having("unmask") == UNMASK
    assert having("print") == PRINTERS
    assert having("load_feeds") - {"civil"} == FEEDERS  # and bound to the county or above
    assert having("read_audit") == AUDIT
    assert having("record_readings") == READINGS
    assert having("plan") == PLANNERS
    assert having("register_problems") == REGISTRARS
    assert having("edit_teams") == TEAM_EDITORS
    assert having("keep_team_logs") == TEAM_KEEPERS
    assert having("keep_points") == POINT_KEEPERS
    assert having("assess") == ASSESSORS
    assert having("edit_schemes") == SCHEME_EDITORS


def test_an_undeclared_route_fails_the_check(client):
    def view(request: Any) -> None:
        raise AssertionError

    extra = [
        *get_resolver().url_patterns,
        path("households/<str:household_no>/delete", view, name="household_delete"),
        path("undeclared/", view),
    ]
    ops = operations(_openapi(client)) | {f"DELETE {API}/households/{{household_no}}"}
    expect = EXPECT | {"gone_page": Route(get=by(200)), f"GET {API}/gone": Route(get=by(200))}
    missing, stale = coverage(walk(extra), ops, expect)
    assert missing == [
        "DELETE /api/v1/households/{household_no}",
        "household_delete",
        "undeclared/",
    ]
    assert stale == ["GET /api/v1/gone", "gone_page"]


# -- the matrix ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Request:
    key: str
    method: str
    side: str  # "in", "out", or "-" where the route names nothing of a region
    who: str


def _path(template: str, values: dict[str, str], obj: str) -> str:
    def fill(m: re.Match[str]) -> str:
        name = m[0][1:-1]
        return values[f"{obj}_id"] if name == "pk" else values[name]

    return re.sub(r"\{\w+\}", fill, template)


def _value(v: str | Lit, values: dict[str, str]) -> Any:
    return v.value if isinstance(v, Lit) else values[v]


class Asker:
    """One client per role (logged in for the pages, a token for the API)."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.pages = {who: Client(raise_request_exception=False) for who in WHO}
        self.api = {who: Client(raise_request_exception=False) for who in WHO}
        self.headers: dict[str, dict[str, str]] = {ANON: {}}
        for who in ROLES:
            self.pages[who].force_login(world.users[who])
            _, token = ApiToken.issue(user=world.users[who])
            self.headers[who] = {"HTTP_AUTHORIZATION": f"Bearer {token}"}

    def ask(self, req: Request, template: str, route: Route) -> Any:
        values = self.world.values["in" if req.side == "-" else req.side]
        url = _path(template, values, route.obj)
        is_api = req.key.startswith(API_METHODS)
        client = (self.api if is_api else self.pages)[req.who]
        extra = self.headers[req.who] if is_api else {}
        query = {k: _value(v, values) for k, v in route.query.items()}
        body = {k: _value(v, values) for k, v in route.body.items()}
        # no request changes what the next one finds (files aside: a rejected-rows file is
        # taken once, by its owner)
        sid = transaction.savepoint()
        try:
            if req.method == "GET":
                return client.get(url, query, **extra)
            if query:
                url += "?" + urlencode(query)
            if is_api:
                return client.post(url, body, content_type="application/json", **extra)
            return client.post(url, body)
        finally:
            transaction.savepoint_rollback(sid)
            if req.method == "POST":
                cache.clear()  # the abuse limits count POSTs by address: each is judged alone
                if not is_api:  # logged out, or another language chosen
                    client.cookies.clear()
                    if req.who != ANON:
                        client.force_login(self.world.users[req.who])


def _templates(client: Client) -> dict[str, str]:
    found = {f.key: f.template for f in walk(get_resolver().url_patterns)}
    for op in operations(_openapi(client)):
        found[op] = op.split(" ", 1)[1]
    return found


# where the anonymous are sent instead of the login page (which sends them on to it)
ANON_REDIRECTS = {"set_language": "/", "admin:logout": "/admin/"}


def _problems(req: Request, response: Any, world: World) -> list[str]:
    """Beside the status: a household number shown to a role that may not know it; the
    anonymous sent anywhere but to a login page."""
    if response.status_code == 302 and req.who == ANON and not req.key.startswith(API_METHODS):
        where = response["Location"]
        login = "/admin/login/" if req.key.startswith("admin") else "/login/"
        if not where.startswith(ANON_REDIRECTS.get(req.key, login)):
            return [f"sends the anonymous to {where}"]
    kind = response.get("Content-Type", "")
    if response.status_code != 200 or not kind.startswith(("text/html", "application/json")):
        return []
    text = response.content.decode()
    return [
        f"shows {world.households[side]}"
        for side in ("in", "out")
        if req.who not in KNOWS[side] and world.households[side] in text
    ]


def observe(world: World, client: Client) -> dict[Request, tuple[int, int, list[str]]]:
    """Every cell of EXPECT: (expected, answered, problems)."""
    templates = _templates(client)
    asker = Asker(world)
    out = {}
    for method in ("GET", "POST"):  # the POSTs last, though each is rolled back
        for key, route in EXPECT.items():
            cells = route.get if method == "GET" else route.post
            if cells is None:
                continue
            sides = (
                {"in": cells.inside, "out": cells.outside}
                if isinstance(cells, InOut)
                else {"-": cells}
            )
            for side, answers in sides.items():
                for who in WHO:
                    req = Request(key, method, side, who)
                    r = asker.ask(req, templates[key], route)
                    out[req] = (answers[who], r.status_code, _problems(req, r, world))
    return out


def _gaps(
    key: str, side: str, whos: Iterable[str], got: int, reason: str
) -> dict[tuple[str, ...], tuple[int, str]]:
    method = key.split(" ", 1)[0]
    return {(key, method, side, who): (got, f"issue 11: {reason}") for who in whos}


# Answers found wrong, declared above as they should be: (route, method, side, who) -> (the
# status answered, what is wrong). The matrix fails on any other wrong answer, and on a gap
# that answers as declared now (remove it then).
KNOWN_GAPS: dict[tuple[str, ...], tuple[int, str]] = {
    # none: the six found when the matrix was written (the API's measure status, role refusals
    # answered 409 instead of 403, a file asked for before the role) are fixed
}


def test_every_route_answers_every_role_as_declared(world, client):
    cells = observe(world, client)
    wrong = {
        (r.key, r.method, r.side, r.who): (got, problems)
        for r, (want, got, problems) in cells.items()
        if want != got or problems
    }
    new = {
        cell: f"expected {cells[Request(*cell)][0]}, got {got}"
        + "".join(f"; {p}" for p in problems)
        for cell, (got, problems) in wrong.items()
        if problems or KNOWN_GAPS.get(cell, (None,))[0] != got
    }
    fixed = sorted(cell for cell in KNOWN_GAPS if cell not in wrong)
    report = "\n".join(f"  {cell}: {what}" for cell, what in sorted(new.items()))
    assert not new, f"{len(new)} of {len(cells)} answers are not as declared:\n{report}"
    assert not fixed, f"known gaps that answer as declared now (remove them): {fixed}"
