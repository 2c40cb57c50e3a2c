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
