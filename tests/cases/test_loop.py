"""The whole loop through the web pages, as the right role at each step: a department warning,
identification, a plan, measures carried out, evaluation, risk elimination, and back in on a
relapse; with the trail asserted, and illegal and out-of-scope actions refused on the way."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from bangfu.audit.models import AuditEvent
from bangfu.cases.evaluation import evaluation_record
from bangfu.cases.models import Case, Stage
from bangfu.monitoring.models import RiskWarning
from tests.conftest import household_rows

ALL = {"education": True, "medical": True, "housing": True, "water": True}

pytestmark = pytest.mark.django_db


def warning_for(household, period, rule_id, title, risks):
    return RiskWarning.objects.create(
        household=household,
        period=period,
        rule_id=rule_id,
        rule_kind="x",
        rule_title=title,
        risk_types=risks,
        category="sudden",
        policy_version="t",
        evidence=[],
    )


def as_(client, user):
    client.force_login(user)


def act(client, case, action, **fields):
    data = {f"{action}-{k}": v for k, v in fields.items()}
    return client.post(reverse("case_act", args=[case.pk, action]), data, follow=True)


def test_from_a_warning_to_elimination_and_back_on_a_relapse(client, people, make_households):
    (household,) = make_households(household_rows("H-LOOP"))
    w = warning_for(household, "2026-10", "R05", "医疗自付费用过高", ["因病"])
    village, township, county, helper = (
        people["village"],
        people["township"],
        people["county"],
        people["helper"],
    )

    # discover: the village cadre turns the warning into a lead
    as_(client, village)
    client.post(reverse("warning_status", args=[w.pk]), {"status": "lead", "reason": "属实"})
    case = Case.objects.get(household=household)

    # identify, with refusals on the way
    as_(client, people["grid"])
    assert (
        "只有村干部"
        in act(
            client, case, "verify", findings="x", per_capita="1", visited_on="2026-11-01"
        ).content.decode()
    )
    as_(client, people["neighbour"])
    assert client.get(reverse("case", args=[case.pk])).status_code == 404
    as_(client, village)
    act(
        client,
        case,
        "verify",
        findings="户主住院",
        per_capita="5100",
        education="on",
        medical="on",
        housing="on",
        water="on",
        visited_on="2026-11-02",
    )
    act(client, case, "appraise", meeting_on="2026-11-05", attendees="村两委")
    act(client, case, "publish")
    Case.objects.filter(pk=case.pk).update(notice_ends=timezone.localdate() - dt.timedelta(1))
    act(client, case, "close_notice")
    as_(client, township)
    act(client, case, "township_approve")
    as_(client, county)
    act(client, case, "county_approve", category="sudden", risk_types="因病")
    case.refresh_from_db()
    assert case.stage == Stage.MONITORING

    # intervene: the village cadre confirms a proposed measure for the responsible person
    as_(client, village)
    page = client.get(reverse("case", args=[case.pk])).content.decode()
    assert "医疗保障与医疗救助" in page or "临时救助" in page
    client.post(
        reverse("plan_confirm", args=[case.pk]),
        {
            "rows": "0",
            "pick_0": "1",
            "kind_0": "temporary_relief",
            "responsible_0": helper.pk,
            "target_0": "渡过难关",
            "deadline_0": str(timezone.localdate() + dt.timedelta(30)),
        },
    )
    measure = case.measures.get()
    as_(client, helper)
    assert "H-LOOP" in client.get(reverse("my_tasks")).content.decode()
    client.post(reverse("measure_update", args=[measure.pk]), {"status": "done", "amount": "3000"})

    # evaluate and eliminate (six months pass)
    Case.objects.filter(pk=case.pk).update(identified_on=timezone.localdate() - dt.timedelta(200))
    case.refresh_from_db()
    month_ago = timezone.localdate() - dt.timedelta(30)
    evaluation_record(  # a month before, the income was already above the range
        user=village, case=case, per_capita="9300", secured=ALL, today=month_ago
    )
    client.post(
        reverse("evaluation_add", args=[case.pk]),
        {"per_capita": "9100", "education": "1", "medical": "1", "housing": "1", "water": "1"},
    )
    as_(client, township)  # not the township's step
    assert "只有村干部" in act(client, case, "propose_exit").content.decode()
    as_(client, village)
    act(client, case, "propose_exit")
    act(client, case, "exit_appraise", meeting_on="2026-11-20", attendees="村两委")
    act(client, case, "exit_publish")
    Case.objects.filter(pk=case.pk).update(notice_ends=timezone.localdate() - dt.timedelta(1))
    act(client, case, "exit_close_notice")
    as_(client, township)
    act(client, case, "exit_township_approve")
    as_(client, county)
    act(client, case, "exit_county_approve")
    case.refresh_from_db()
    household.refresh_from_db()
    assert case.stage == Stage.ELIMINATED and household.category == ""

    # relapse: a disaster warning brings the household back
    w2 = warning_for(household, "2026-12", "R11", "灾害损失", ["因灾"])
    as_(client, village)
    client.post(reverse("warning_status", args=[w2.pk]), {"status": "lead", "reason": "灾后"})
    again = Case.objects.get(household=household, closed_at__isnull=True)
    assert again.relapse and again.pk != case.pk

    trail = [(s.action, s.by.username) for s in case.steps.all()]
    assert trail == [
        ("verify", "village"),
        ("appraise", "village"),
        ("publish", "village"),
        ("close_notice", "village"),
        ("township_approve", "township"),
        ("county_approve", "county"),
        ("propose_exit", "village"),
        ("exit_appraise", "village"),
        ("exit_publish", "village"),
        ("exit_close_notice", "village"),
        ("exit_township_approve", "township"),
        ("exit_county_approve", "county"),
    ]
    assert AuditEvent.objects.filter(object_type="case", object_id=str(case.pk)).count() == 13
    assert AuditEvent.objects.filter(object_type="measure", object_id=str(measure.pk)).count() == 2
