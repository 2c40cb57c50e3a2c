"""The demo county holds cases in every stage of the chain, so that a new user can click through."""

import pytest
from django.utils import timezone

from bangfu.cases.models import Case, Meeting, Stage
from bangfu.demo.cases import demo_cases
from bangfu.demo.services import DEMO_VILLAGE, demo_build
from bangfu.monitoring.services import monitor_run

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def test_demo_village_has_a_case_in_every_stage(settings, tmp_path):
    settings.HOME = tmp_path
    demo_build(households=3000, seed=2026)
    monitor_run()
    counts = demo_cases(village_code=DEMO_VILLAGE)
    cases = Case.objects.filter(household__village_id=DEMO_VILLAGE)
    assert set(counts) == {s.value for s in Stage}
    assert cases.filter(relapse=True, stage=Stage.LEAD).count() == 1
    notices = cases.filter(stage=Stage.NOTICE)
    assert notices.count() == 2  # one mid-notice, one whose notice ended today
    open_objection = [n.objections.filter(resolved_at__isnull=True).exists() for n in notices]
    assert sorted(open_objection) == [False, True]
    assert cases.filter(stage=Stage.LEAD, due__lt=timezone.localdate()).exists()  # overdue
    monitoring = cases.filter(stage=Stage.MONITORING, steps__action="county_approve").first()
    assert monitoring.household.category == monitoring.category != ""
    assert [s.by.username for s in monitoring.steps.all()][-1] == "county"
    measures = [m for c in cases.filter(stage=Stage.MONITORING) for m in c.measures.all()]
    assert measures and {m.responsible.username for m in measures} == {"helper"}
    assert any(m.status == "done" for m in measures)
    assert Meeting.objects.filter(village_id=DEMO_VILLAGE).get().decisions.count() >= 1
