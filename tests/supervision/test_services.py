"""The ledger's rules: who registers, rectifies and verifies; the close-out's requirements;
reopening with its history; scoping; every write audited."""

from __future__ import annotations

import datetime as dt

import pytest

from bangfu.audit.models import AuditEvent
from bangfu.core.errors import Forbidden, NotFound, Refused
from bangfu.supervision.models import Problem, ProblemStatus, UpdateKind
from bangfu.supervision.selectors import (
    ProblemFilters,
    problem_get_for_user,
    problem_list_for_user,
    problem_stats,
    problems_overdue_below,
    problems_to_verify,
)
from bangfu.supervision.services import (
    ProblemIn,
    problem_progress,
    problem_register,
    problem_reopen,
    problem_request_closeout,
    problem_send_back,
    problem_verify,
)
from tests.conftest import COUNTY, OTHER_TOWNSHIP_VILLAGE, TOWNSHIP, VILLAGE
from tests.supervision.conftest import TODAY, png

pytestmark = pytest.mark.django_db


def _audits(problem: Problem) -> int:
    return AuditEvent.objects.filter(object_type="problem", object_id=str(problem.pk)).count()


def _ready(people, problem: Problem, by: str = "village") -> Problem:
    problem_progress(user=people[by], problem=problem, text="已落实", uploads=[png()], today=TODAY)
    return problem_request_closeout(
        user=people[by], problem=problem, result="已全部整改到位", today=TODAY
    )


def test_register_is_for_auditors_county_and_township(people, register):
    problem = register(by="auditor", ref="GK-001")
    assert problem.status == ProblemStatus.REGISTERED
    assert problem.region_id == VILLAGE and problem.registered_on == TODAY
    assert problem.updates.get().kind == UpdateKind.REGISTER
    assert _audits(problem) == 1
    register(by="township", region=VILLAGE)
    register(by="county", region=TOWNSHIP)
    for who in ("village", "grid", "helper", "dept"):
        with pytest.raises(Forbidden):
            register(by=who)


def test_register_only_inside_ones_region_and_once_per_reference(people, register):
    with pytest.raises(Refused, match="所辖"):
        register(by="township", region=OTHER_TOWNSHIP_VILLAGE)
    register(ref="SJ-9", source="audit")
    with pytest.raises(Refused, match="SJ-9"):
        register(ref="SJ-9", source="audit")
    register(ref="SJ-9", source="national")  # another source's numbering
    assert Problem.objects.filter(source_ref="SJ-9").count() == 2


def test_closeout_needs_a_result_and_evidence(people, register):
    problem = register()
    with pytest.raises(Refused, match="佐证材料"):
        problem_request_closeout(user=people["village"], problem=problem, result="已整改")
    problem_progress(user=people["village"], problem=problem, text="进行中", today=TODAY)
    problem.refresh_from_db()
    assert problem.status == ProblemStatus.RECTIFYING
    with pytest.raises(Refused, match="佐证材料"):
        problem_request_closeout(user=people["village"], problem=problem, result="已整改")
    problem_progress(user=people["village"], problem=problem, text="", uploads=[png()])
    with pytest.raises(Refused, match="整改结果"):
        problem_request_closeout(user=people["village"], problem=problem, result="  ")
    problem_request_closeout(user=people["village"], problem=problem, result="已整改")
    problem.refresh_from_db()
    assert problem.status == ProblemStatus.CLOSEOUT_REQUESTED
    assert problem.result == "已整改"
    assert problem.evidence.count() == 1


def test_only_the_responsible_level_rectifies(people, register):
    problem = register()  # 官庄村's
    for who in ("township", "county", "neighbour", "grid", "auditor"):
        with pytest.raises((Forbidden, NotFound)):
            problem_progress(user=people[who], problem=problem, text="x")
    township = register(region=TOWNSHIP)
    problem_progress(user=people["township"], problem=township, text="乡镇整改")
    with pytest.raises(NotFound):
        problem_progress(user=people["village"], problem=township, text="x")


def test_a_village_problem_is_verified_by_its_township_only(people, register):
    problem = _ready(people, register())
    assert problems_to_verify(user=people["township"]) == [problem]
    assert problems_to_verify(user=people["county"]) == []
    for who in ("village", "county", "auditor"):
        with pytest.raises(Forbidden, match="上一级"):
            problem_verify(user=people[who], problem=problem)
    with pytest.raises(NotFound):
        problem_verify(user=people["other_township"], problem=problem)
    problem_verify(user=people["township"], problem=problem, today=dt.date(2026, 12, 1))
    problem.refresh_from_db()
    assert problem.status == ProblemStatus.CLOSED
    assert problem.closed_on == dt.date(2026, 12, 1)


def test_a_township_problem_is_verified_by_the_county(people, register):
    problem = _ready(people, register(region=TOWNSHIP), by="township")
    with pytest.raises(Forbidden, match="县级"):
        problem_verify(user=people["township"], problem=problem)
    with pytest.raises(Forbidden):
        problem_verify(user=people["auditor"], problem=problem)
    problem_verify(user=people["county"], problem=problem)
    assert Problem.objects.get(pk=problem.pk).status == ProblemStatus.CLOSED


def test_a_county_problem_is_verified_by_the_registering_side(people, register):
    # the auditor registered it: the county rectifies, the auditor verifies
    problem = _ready(people, register(by="auditor", region=COUNTY), by="county")
    with pytest.raises(Forbidden, match="登记单位"):
        problem_verify(user=people["county"], problem=problem)
    problem_verify(user=people["auditor"], problem=problem)
    assert Problem.objects.get(pk=problem.pk).status == ProblemStatus.CLOSED
    # registered by the county itself: nobody verifies the close-out they requested
    own = _ready(people, register(by="county", region=COUNTY), by="county")
    with pytest.raises(Forbidden, match="自己申请"):
        problem_verify(user=people["county"], problem=own)


def test_auditors_cannot_close_what_they_registered(people, register):
    problem = _ready(people, register(by="auditor"))
    with pytest.raises(Forbidden):
        problem_verify(user=people["auditor"], problem=problem)
    assert Problem.objects.get(pk=problem.pk).status == ProblemStatus.CLOSEOUT_REQUESTED


def test_send_back_needs_a_reason_and_returns_to_rectifying(people, register):
    problem = _ready(people, register())
    with pytest.raises(Refused, match="原因"):
        problem_send_back(user=people["township"], problem=problem, reason="")
    with pytest.raises(Forbidden):
        problem_send_back(user=people["village"], problem=problem, reason="自己退回")
    problem_send_back(user=people["township"], problem=problem, reason="照片不清楚")
    problem.refresh_from_db()
    assert problem.status == ProblemStatus.RECTIFYING
    last = problem.updates.order_by("-pk").first()
    assert last is not None and last.kind == UpdateKind.SEND_BACK and last.text == "照片不清楚"


def test_reopen_keeps_the_history(people, register):
    problem = _ready(people, register())
    problem_verify(user=people["township"], problem=problem)
    with pytest.raises(Forbidden):
        problem_reopen(user=people["village"], problem=problem, reason="又发现")
    with pytest.raises(Refused, match="原因"):
        problem_reopen(user=people["auditor"], problem=problem, reason="")
    problem_reopen(user=people["auditor"], problem=problem, reason="回访又发现")
    problem.refresh_from_db()
    assert problem.status == ProblemStatus.RECTIFYING
    assert problem.reopened == 1 and problem.closed_on is None
    kinds = list(problem.updates.values_list("kind", flat=True))
    assert kinds == ["register", "progress", "closeout_request", "verify", "reopen"]
    with pytest.raises(Forbidden, match="已销号"):
        problem_reopen(user=people["auditor"], problem=problem, reason="再次")


def test_every_write_is_audited(people, register):
    problem = register()
    assert _audits(problem) == 1
    _ready(people, problem)
    assert _audits(problem) == 3  # progress, close-out request
    assert AuditEvent.objects.filter(object_type="problemevidence").count() == 1
    problem_send_back(user=people["township"], problem=problem, reason="不够")
    problem_request_closeout(user=people["village"], problem=problem, result="再整改")
    problem_verify(user=people["township"], problem=problem)
    problem_reopen(user=people["county"], problem=problem, reason="复发")
    assert _audits(problem) == 7


def test_a_refused_file_leaves_nothing_behind(people, register, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    problem = register()
    bad = SimpleUploadedFile("x.png", b"not an image at all", "image/png")
    with pytest.raises(Refused):
        problem_progress(user=people["village"], problem=problem, text="x", uploads=[png(), bad])
    assert problem.evidence.count() == 0 and problem.updates.count() == 1
    root = settings.HOME / "problems"
    assert not root.exists() or not any(p.is_file() for p in root.rglob("*"))


def test_lists_are_scoped(people, register):
    inside = register()
    outside = register(by="county", region=OTHER_TOWNSHIP_VILLAGE)
    everyone = ProblemFilters()

    def listed(who: str) -> set[int]:
        return set(
            problem_list_for_user(user=people[who], filters=everyone, today=TODAY).values_list(
                "pk", flat=True
            )
        )

    assert listed("village") == {inside.pk}
    assert listed("township") == {inside.pk}
    assert listed("other_township") == {outside.pk}
    assert listed("county") == listed("auditor") == {inside.pk, outside.pk}
    assert listed("neighbour") == set() and listed("dept") == set()
    with pytest.raises(NotFound):
        problem_get_for_user(user=people["township"], pk=outside.pk)
    with pytest.raises(NotFound):
        problem_get_for_user(user=people["dept"], pk=inside.pk)


def test_overdue_is_listed_to_the_level_above(people, register):
    late = register(deadline=dt.date(2026, 10, 1))
    register(deadline=dt.date(2027, 1, 1))
    township_late = register(region=TOWNSHIP, deadline=dt.date(2026, 9, 1))
    assert list(problems_overdue_below(user=people["township"], today=TODAY)) == [late]
    assert set(problems_overdue_below(user=people["county"], today=TODAY)) == {late, township_late}
    assert not problems_overdue_below(user=people["village"], today=TODAY).exists()
    filters = ProblemFilters(overdue=True)
    found = problem_list_for_user(user=people["county"], filters=filters, today=TODAY)
    assert set(found) == {late, township_late}


def test_statistics_per_source_category_and_region(people, register):
    on_time = _ready(people, register(source="audit", deadline=dt.date(2026, 12, 31)))
    problem_verify(user=people["township"], problem=on_time, today=dt.date(2026, 12, 1))
    late = _ready(people, register(source="audit", deadline=dt.date(2026, 11, 1)))
    problem_verify(user=people["township"], problem=late, today=dt.date(2026, 11, 25))
    problem_reopen(user=people["auditor"], problem=late, reason="复发")
    register(source="national", category="funds", deadline=dt.date(2026, 10, 1))  # overdue
    register(by="county", region=OTHER_TOWNSHIP_VILLAGE, source="national")
    today = dt.date(2026, 12, 5)
    rows = {r.key: r for r in problem_stats(user=people["county"], by="source", today=today)}
    audit = rows["audit"]
    assert (audit.found, audit.rectified, audit.on_time, audit.overdue, audit.reopened) == (
        2,
        1,
        1,
        1,
        1,
    )
    assert rows["national"].found == 2 and rows["national"].overdue == 1
    assert rows[""].found == 4

    def found(who: str, by: str) -> dict[str, int]:
        return {r.label: r.found for r in problem_stats(user=people[who], by=by, today=today)}

    by_category = found("county", "category")
    assert by_category["资金项目"] == 1 and by_category["帮扶落实"] == 3
    by_region = found("county", "region")
    assert by_region["娄烦镇"] == 3 and by_region["静游镇"] == 1
    mine = found("township", "region")
    assert mine == {"官庄村": 3, "合计": 3}


def test_households_must_lie_in_the_problems_region(people, register, make_households):
    from tests.conftest import household_rows

    inside, outside = make_households(
        household_rows("1401231002060001"),
        household_rows("1401231012000001", village=OTHER_TOWNSHIP_VILLAGE),
    )
    problem = register(household_nos=[inside.household_no])
    assert list(problem.households.all()) == [inside]
    with pytest.raises(Refused, match=outside.household_no):
        register(by="county", household_nos=[outside.household_no])
    data = ProblemIn(
        source="self_check",
        region_code=VILLAGE,
        category="other",
        description="",
        responsible_unit="村委会",
        deadline=TODAY,
    )
    with pytest.raises(Refused, match="问题描述"):
        problem_register(user=people["county"], data=data)
