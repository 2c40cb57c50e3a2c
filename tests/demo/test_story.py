"""The demo reads true (issue 12, item 11): each case's steps happened on their own days over
the past weeks, in order and within the policy's deadlines (but the deliberately late ones);
what waits today can be done from the pages today; the income history runs to last year and
the grid workers' readings to last month."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from bangfu.accounts.models import User
from bangfu.cases.categories import proposed_category
from bangfu.cases.chain import ACTIONS
from bangfu.cases.models import Case, Channel, Meeting, Stage
from bangfu.demo.cases import EXIT_STORY, STORY, demo_cases
from bangfu.demo.services import DEMO_VILLAGE, demo_build, today
from bangfu.monitoring.models import RiskWarning, WarningStatus
from bangfu.monitoring.policy import load_policy
from bangfu.monitoring.services import monitor_run
from bangfu.registry.models import IncomeReading, IncomeRecord, ReadingKind

pytestmark = [pytest.mark.django_db, pytest.mark.slow]
# the step actions of the deliberately late cases (STORY's notes say which)
LATE = {("verify", 46)}


@pytest.fixture
def demo(settings, tmp_path):
    settings.HOME = tmp_path
    demo_build(households=3000, seed=2026)
    monitor_run()
    # this small demo's run puts no household of the village on the monthly list: one of its
    # watch-list warnings stands for one, to be today's lead
    first = RiskWarning.objects.filter(
        household__village_id=DEMO_VILLAGE, household__cases__isnull=True, watch=True
    ).first()
    RiskWarning.objects.filter(pk=first.pk).update(watch=False)
    demo_cases(village_code=DEMO_VILLAGE)
    return Case.objects.filter(household__village_id=DEMO_VILLAGE).exclude(channel=Channel.IMPORT)


def local_day(at):
    return timezone.localdate(at)


def test_steps_are_spread_over_the_weeks_in_order_and_within_the_deadlines(demo):
    day = today()
    d = load_policy().deadlines
    days = set()
    assert demo.count() >= len(STORY) + len(EXIT_STORY)  # the relapse is a second case
    for case in demo.prefetch_related("steps", "signals"):
        steps = list(case.steps.all())
        lead = local_day(case.signals.all()[0].at)
        assert local_day(case.opened_at) == lead <= day
        on = [local_day(s.at) for s in steps]
        days.update(on)
        assert on == sorted(on) and all(lead <= x <= day for x in on), (case.pk, on)
        # each step leaves from the stage the one before led to
        stage = Stage.LEAD
        for s in steps:
            assert s.from_stage == stage and ACTIONS[s.action].source == stage
            stage = s.to_stage
        assert stage == case.stage or case.relapse
        late = {(s.action, (day - local_day(s.at)).days) for s in steps if s.overdue}
        assert late <= LATE, (case.pk, late)
        when = {s.action: local_day(s.at) for s in steps}
        for publish, close in (("publish", "close_notice"), ("exit_publish", "exit_close_notice")):
            if close in when:  # the notice ran its days
                assert (when[close] - when[publish]).days >= d["notice_days"]
        if "county_approve" in when:  # the whole identification in the 15 days
            assert (when["county_approve"] - lead).days <= d["total_days"]
            assert case.identified_on == when["county_approve"]
        if "exit_county_approve" in when:
            assert (when["exit_county_approve"] - when["propose_exit"]).days <= d["total_days"]
        if case.stage in (Stage.LEAD, Stage.VERIFIED, Stage.APPRAISED, Stage.NOTICE):
            assert case.decision_due == lead + dt.timedelta(days=d["total_days"])
    assert len(days) >= 20  # not all stamped on the day the demo ran
    assert min(days) < day - dt.timedelta(days=200)  # the exits were identified months ago
    late_steps = [s for c in demo for s in c.steps.all() if s.overdue]
    assert [(s.action, (day - local_day(s.at)).days) for s in late_steps] == sorted(LATE)
    # waiting past its deadline, for the overdue page: the visit's lead and a township review
    overdue = demo.filter(due__lt=day).values_list("stage", flat=True)
    assert sorted(overdue) == sorted([Stage.LEAD, Stage.TOWNSHIP])
    # everything else that waits is within its deadline: actionable today
    waiting = demo.filter(closed_at__isnull=True).exclude(stage=Stage.MONITORING)
    assert waiting.filter(due__gte=day).count() == waiting.count() - 2
    # today's lead came from today's monthly list, taken up today
    (lead,) = demo.filter(channel=Channel.WARNING)
    signal = lead.signals.get()
    assert lead.stage == Stage.LEAD and local_day(signal.at) == day == local_day(lead.opened_at)
    assert signal.warning.status == WarningStatus.LEAD and signal.warning.status_by.username
    # the mid-notice case has an open objection, raised during the notice
    mid = demo.get(stage=Stage.NOTICE, notice_ends__gt=day)
    objection = mid.objections.get(resolved_at__isnull=True)
    assert local_day(objection.at) == day - dt.timedelta(days=1)
    # the income history runs to last year, the readings to last month (quarters: the last one)
    assert IncomeRecord.objects.order_by("-year").first().year == day.year - 1
    assert IncomeRecord.objects.values("year").distinct().count() == 5
    monthly = IncomeReading.objects.filter(kind=ReadingKind.MONTHLY).order_by("-period")
    last_month = day.replace(day=1) - dt.timedelta(days=1)
    assert monthly.first().period == f"{last_month:%Y-%m}"
    quarters = IncomeReading.objects.filter(kind=ReadingKind.QUARTERLY).order_by("-period")
    q = (day.month - 1) // 3 or 4
    assert quarters.first().period == f"{day.year - (q == 4)}-Q{q}"
    # last month's village meeting: a day of last month, decisions on cases then open
    meeting = Meeting.objects.get(village_id=DEMO_VILLAGE)
    assert meeting.month == f"{last_month:%Y-%m}" and meeting.held_on.month == last_month.month
    decisions = list(meeting.decisions.select_related("case"))
    assert decisions
    for decision in decisions:
        assert local_day(decision.case.opened_at) <= meeting.held_on
        assert decision.case.channel != Channel.IMPORT and decision.text


def test_the_notice_that_ended_today_is_finished_from_the_pages(demo, client):
    day = today()
    ended = demo.get(stage=Stage.NOTICE, notice_ends__lte=day)
    assert ended.notice_ends == day  # published exactly the notice's days ago
    assert not ended.objections.filter(resolved_at__isnull=True).exists()
    for username, action in (("village", "close_notice"), ("township", "township_approve")):
        client.force_login(User.objects.get(username=username))
        response = client.post(reverse("case_act", args=[ended.pk, action]))
        assert response.status_code == 302
        ended.refresh_from_db()
        assert ended.steps.last().action == action and ended.steps.last().by.username == username
    assert ended.stage == Stage.COUNTY
    # the county decides on the category the facts propose (the form's initial value)
    client.force_login(User.objects.get(username="county"))
    category = proposed_category(ended)
    data = {"county_approve-category": category, "county_approve-risk_types": ended.risk_types}
    client.post(reverse("case_act", args=[ended.pk, "county_approve"]), data)
    ended.refresh_from_db()
    assert ended.stage == Stage.MONITORING and ended.identified_on == day
    assert ended.category == category != ""
    assert not ended.steps.filter(overdue=True).exists()
    # the exit notice that ended today closes too
    exit_ = demo.get(stage=Stage.EXIT_NOTICE)
    assert exit_.notice_ends == day
    client.force_login(User.objects.get(username="village"))
    client.post(reverse("case_act", args=[exit_.pk, "exit_close_notice"]))
    exit_.refresh_from_db()
    assert exit_.stage == Stage.EXIT_TOWNSHIP
