"""Objections are heard during either public notice, identification (公示中) and risk
elimination (风险消除：公示中): the case page offers the form in both, and not once the household
is in monitoring. (The form used to be hidden during a risk-elimination notice, although the
service accepts objections then.) A cadre of another village does not even see the case."""

import datetime as dt

import pytest
from django.urls import reverse

from bangfu.cases.models import Case, Channel, Objection, Stage
from tests.conftest import household_rows

pytestmark = pytest.mark.django_db
NOTICE_ENDS = dt.date(2026, 11, 27)


@pytest.fixture
def cases(people, make_households):
    """One case of 官庄村 (grid 1) in each stage, by stage."""
    stages = [Stage.NOTICE, Stage.EXIT_NOTICE, Stage.MONITORING]
    homes = make_households(*(household_rows(f"H-OBJ{i}") for i in range(len(stages))))
    return {
        stage: Case.objects.create(
            household=home,
            channel=Channel.VISIT,
            stage=stage,
            notice_ends=NOTICE_ENDS if stage != Stage.MONITORING else None,
        )
        for stage, home in zip(stages, homes, strict=True)
    }


def page(client, case):
    response = client.get(f"/cases/{case.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def form_of(case):
    return f'action="{reverse("objection_add", args=[case.pk])}"'


def test_the_objection_url_is_the_one_the_page_posts_to(cases):
    case = cases[Stage.NOTICE]
    assert reverse("objection_add", args=[case.pk]) == f"/cases/{case.pk}/objections"
    assert reverse("case", args=[case.pk]) == f"/cases/{case.pk}/"


@pytest.mark.parametrize("stage", [Stage.NOTICE, Stage.EXIT_NOTICE])
def test_the_form_is_offered_during_either_notice(client, people, cases, stage):
    client.force_login(people["village"])
    html = page(client, cases[stage])
    assert form_of(cases[stage]) in html
    assert "登记异议" in html
    assert "2026-11-27" in html  # the notice's end


def test_no_form_once_in_monitoring(client, people, cases):
    client.force_login(people["village"])
    html = page(client, cases[Stage.MONITORING])
    assert form_of(cases[Stage.MONITORING]) not in html
    assert "登记异议" not in html


def test_no_form_for_a_role_that_may_not_object(client, people, cases):
    client.force_login(people["grid"])  # the case is in their grid: they see it, but may not
    html = page(client, cases[Stage.EXIT_NOTICE])
    assert form_of(cases[Stage.EXIT_NOTICE]) not in html
    assert "登记异议" not in html


def test_an_objection_during_a_risk_elimination_notice_is_recorded(client, people, cases):
    case = cases[Stage.EXIT_NOTICE]
    client.force_login(people["village"])
    response = client.post(reverse("objection_add", args=[case.pk]), {"text": "  收入情况有误  "})
    assert response.status_code == 302
    assert response["Location"] == f"/cases/{case.pk}/"
    (objection,) = Objection.objects.all()
    assert objection.case == case
    assert objection.text == "收入情况有误"
    assert objection.by == people["village"]
    assert objection.resolved_at is None
    html = page(client, case)
    assert "收入情况有误" in html
    # the village cadre resolves it on the same page
    assert f'action="{reverse("objection_resolve", args=[objection.pk])}"' in html
    assert Case.objects.get(pk=case.pk).stage == Stage.EXIT_NOTICE


def test_no_objection_once_in_monitoring(client, people, cases):
    case = cases[Stage.MONITORING]
    client.force_login(people["village"])
    response = client.post(
        reverse("objection_add", args=[case.pk]), {"text": "迟到的异议"}, follow=True
    )
    assert response.status_code == 200
    assert "只有公示期间可以登记异议" in response.content.decode()
    assert not Objection.objects.exists()


def test_a_neighbour_village_cadre_does_not_see_the_case(client, people, cases):
    case = cases[Stage.EXIT_NOTICE]
    client.force_login(people["neighbour"])
    assert client.get(f"/cases/{case.pk}/").status_code == 404
    response = client.post(reverse("objection_add", args=[case.pk]), {"text": "别村的异议"})
    assert response.status_code == 404
    assert not Objection.objects.exists()
