"""Work recorded for another day (the demo, a step entered after the visit) is stamped with that
day, so that a case's trail reads true; work recorded for today keeps the present moment."""

import datetime as dt

import pytest
from django.utils import timezone

from bangfu.cases.models import Channel
from bangfu.cases.services import case_act, lead_open, objection_add, objection_resolve
from tests.conftest import household_rows

pytestmark = pytest.mark.django_db
D = dt.date(2026, 3, 2)
VERIFY = {"findings": "户主住院", "per_capita": 5200, "visited_on": "2026-03-03"}
MEETING = {"meeting_on": "2026-03-04", "attendees": "村两委"}


def test_steps_signals_and_objections_carry_the_day_the_work_was_done(make_households, people):
    (household,) = make_households(household_rows("H-STAMP"))
    village = people["village"]
    case, _ = lead_open(household=household, channel=Channel.VISIT, by=people["grid"], today=D)
    case = case_act(user=village, case=case, action="verify", data=VERIFY, today=D.replace(day=3))
    case = case_act(
        user=village, case=case, action="appraise", data=MEETING, today=D.replace(day=4)
    )
    case = case_act(user=village, case=case, action="publish", today=D.replace(day=5))
    objection = objection_add(user=village, case=case, text="收入有出入", today=D.replace(day=6))
    objection_resolve(
        user=village, objection=objection, resolution="复核无误", today=D.replace(day=7)
    )
    objection.refresh_from_db()
    case.refresh_from_db()

    def day(at: dt.datetime) -> dt.date:
        return timezone.localtime(at).date()

    assert day(case.opened_at) == D
    assert [day(s.at) for s in case.signals.all()] == [D]
    trail = [(s.action, day(s.at)) for s in case.steps.all()]
    assert trail == [
        ("verify", dt.date(2026, 3, 3)),
        ("appraise", dt.date(2026, 3, 4)),
        ("publish", dt.date(2026, 3, 5)),
    ]
    assert (day(objection.at), day(objection.resolved_at)) == (D.replace(day=6), D.replace(day=7))


def test_the_same_day_keeps_the_order_of_writing_and_no_day_means_now(make_households, people):
    (household,) = make_households(household_rows("H-STAMP2"))
    before = timezone.now()
    case, _ = lead_open(household=household, channel=Channel.VISIT, by=people["grid"])
    case = case_act(user=people["village"], case=case, action="verify", data=VERIFY)
    step = case.steps.get()
    assert before <= case.opened_at <= step.at <= timezone.now()
    # two steps recorded for one past day: in the order they were written
    case = case_act(user=people["village"], case=case, action="appraise", data=MEETING, today=D)
    case = case_act(user=people["village"], case=case, action="publish", today=D)
    appraise, publish = case.steps.filter(at__date__lte=D)
    assert (appraise.action, publish.action) == ("appraise", "publish")
    assert appraise.at < publish.at
