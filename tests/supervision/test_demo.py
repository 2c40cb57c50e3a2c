"""The demo county's ledger: problems in every state, some overdue, one reopened, one sent
back, some naming 官庄村's households, each through the services (history and audit)."""

import pytest
from django.utils import timezone

from bangfu.audit.models import AuditEvent
from bangfu.demo.problems import demo_problems
from bangfu.demo.services import DEMO_VILLAGE, demo_build
from bangfu.supervision.models import Problem, ProblemStatus, UpdateKind

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def test_the_demo_ledger_has_every_state(settings, tmp_path):
    settings.HOME = tmp_path
    demo_build(households=400, seed=2026)
    counts = demo_problems(village_code=DEMO_VILLAGE)
    assert set(counts) == {s.value for s in ProblemStatus}
    today = timezone.localdate()
    problems = Problem.objects.all()
    overdue = problems.filter(deadline__lt=today).exclude(status=ProblemStatus.CLOSED)
    assert overdue.count() >= 2
    reopened = problems.get(reopened=1)
    assert reopened.status == ProblemStatus.RECTIFYING
    assert list(reopened.updates.values_list("kind", flat=True))[-2:] == [
        UpdateKind.VERIFY,
        UpdateKind.REOPEN,
    ]
    assert problems.filter(updates__kind=UpdateKind.SEND_BACK).count() == 1
    assert problems.filter(households__village_id=DEMO_VILLAGE).exists()
    waiting = problems.get(status=ProblemStatus.CLOSEOUT_REQUESTED)
    assert waiting.evidence.count() == 1 and waiting.region_id == DEMO_VILLAGE
    closed = problems.filter(status=ProblemStatus.CLOSED).get()
    assert closed.closed_on is not None and closed.closed_on <= closed.deadline
    assert AuditEvent.objects.filter(object_type="problem").count() >= problems.count()


def test_the_demo_work_team_reads_as_a_year_on_post(settings, tmp_path):
    """官庄村's team on post these ten months: most working days logged, every household
    visited, the tasks due done on time; the neighbour's team, nobody logging, earns nothing."""
    import time

    from bangfu.assessment.indicators import measure
    from bangfu.demo.services import DEMO_NEIGHBOUR
    from bangfu.demo.services import today as demo_today
    from bangfu.demo.teams import demo_teams
    from bangfu.supervision.models import MemberRole, WorkTeam
    from bangfu.supervision.teams import days_on_post

    settings.HOME = tmp_path
    demo_build(households=400, seed=2026)
    started = time.monotonic()
    counts = demo_teams(village_code=DEMO_VILLAGE)
    elapsed = time.monotonic() - started
    day = demo_today()
    team = WorkTeam.objects.get(village_id=DEMO_VILLAGE)
    start = team.term_start
    assert (day - start).days == 300 and team.logs.count() == counts["logs"]

    def figure(key: str, code: str = DEMO_VILLAGE) -> float | None:
        return measure(key, codes=[code], start=start, end=day)[code].value

    # the first secretary on post more than the 200 days a year asks, pro rata
    secretary = team.members.get(role=MemberRole.FIRST_SECRETARY)
    assert days_on_post(team=team)[secretary.pk] > 200 * 300 / 365
    assert 0.9 <= (figure("team_days_on_post") or 0) < 1  # the technician logs half his days
    assert (figure("team_logs") or 0) >= 0.9
    assert figure("team_households_visited") == 1.0
    tasks = measure("team_tasks_on_time", codes=[DEMO_VILLAGE], start=start, end=day)
    assert tasks[DEMO_VILLAGE].value == 1.0 and tasks[DEMO_VILLAGE].denominator >= 3
    assert team.tasks.filter(due__gt=day, done_on__isnull=True).count() == 3
    # the neighbour's team: a member on post who never logged, no task
    assert figure("team_days_on_post", DEMO_NEIGHBOUR) == 0.0
    assert figure("team_tasks_on_time", DEMO_NEIGHBOUR) is None
    assert elapsed < 20, elapsed
