"""The village's monthly meeting: the agenda is built from the data, the minutes and each
decision are recorded against the cases, by the village cadre only."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from bangfu.cases.meetings import meeting_agenda, meeting_record
from bangfu.cases.models import Case, Channel, Meeting, Stage
from bangfu.core.errors import NotFound, Refused
from bangfu.regions.models import Region
from tests.conftest import NEIGHBOUR, VILLAGE, household_rows, housing_warning

pytestmark = pytest.mark.django_db


@pytest.fixture
def village_cases(make_households):
    hs = make_households(*[household_rows(f"H-M{i}") for i in range(5)])
    today = timezone.localdate()
    lead = Case.objects.create(household=hs[0], channel="visit", stage=Stage.LEAD, due=today)
    late = Case.objects.create(
        household=hs[1], channel="visit", stage=Stage.VERIFIED, due=today - dt.timedelta(days=3)
    )
    old = Case.objects.create(
        household=hs[2],
        channel="visit",
        stage=Stage.MONITORING,
        identified_on=today - dt.timedelta(days=200),
    )
    leaving = Case.objects.create(household=hs[3], channel="visit", stage=Stage.EXIT_VERIFIED)
    housing_warning(hs[4])
    return {"lead": lead, "late": late, "old": old, "leaving": leaving}


def test_the_agenda_is_built_from_the_data(people, village_cases):
    village = Region.objects.get(code=VILLAGE)
    month = timezone.localdate().strftime("%Y-%m")
    agenda = meeting_agenda(user=people["village"], village=village, month=month)
    assert [w.rule_id for w in agenda["warnings"]] == ["R07"]
    assert list(agenda["leads"]) == [village_cases["lead"]]
    assert list(agenda["steps_due"]) == [village_cases["late"]]
    assert list(agenda["evaluations_due"]) == [village_cases["old"]]
    assert list(agenda["exits_proposed"]) == [village_cases["leaving"]]
    with pytest.raises(Refused):
        meeting_agenda(user=people["village"], village=village, month="2026-13")


def test_minutes_and_decisions_go_against_the_cases(client, people, village_cases):
    month = timezone.localdate().strftime("%Y-%m")
    client.force_login(people["village"])
    page = client.get(reverse("meeting")).content.decode()
    assert "H-M0" in page and "住房安全无保障" in page and "记录会议" in page
    late = village_cases["late"]
    client.post(
        reverse("meeting") + f"?month={month}",
        {
            "held_on": str(timezone.localdate()),
            "attendees": "村两委、驻村工作队",
            "minutes": "逐户研究",
            f"decision_{late.pk}": "本周内完成评议",
        },
    )
    meeting = Meeting.objects.get(month=month)
    assert [(d.case_id, d.text) for d in meeting.decisions.all()] == [(late.pk, "本周内完成评议")]
    assert "本周内完成评议" in client.get(reverse("case", args=[late.pk])).content.decode()


def test_only_the_village_cadre_records_and_only_for_their_cases(
    people, village_cases, make_households
):
    village = Region.objects.get(code=VILLAGE)
    month = timezone.localdate().strftime("%Y-%m")
    kwargs = dict(
        village=village, month=month, held_on=timezone.localdate(), attendees="a", minutes="m"
    )

    with pytest.raises(NotFound):
        meeting_record(user=people["township"], decisions={}, **kwargs)
    (far,) = make_households(household_rows("H-FAR", NEIGHBOUR))
    other = Case.objects.create(household=far, channel=Channel.VISIT, stage=Stage.LEAD)
    with pytest.raises(Refused, match="本村"):
        meeting_record(user=people["village"], decisions={other.pk: "x"}, **kwargs)
    assert not Meeting.objects.exists()


def test_the_agenda_shows_a_grid_worker_and_a_responsible_person_only_their_households(
    client, people, make_households
):
    """Issue 11, finding 2: the agenda went by village only."""
    mine, other = make_households(household_rows("H-G1", grid=1), household_rows("H-G2", grid=2))
    for h in (mine, other):
        Case.objects.create(household=h, channel="visit", stage=Stage.LEAD)
        housing_warning(h)
    village = Region.objects.get(code=VILLAGE)
    month = timezone.localdate().strftime("%Y-%m")

    def seen(user):
        agenda = meeting_agenda(user=user, village=village, month=month)
        return {c.household.household_no for c in agenda["leads"]} | {
            w.household.household_no for w in agenda["warnings"]
        }

    assert seen(people["village"]) == {"H-G1", "H-G2"}
    assert seen(people["grid"]) == {"H-G1"}  # grid 1 only
    assert seen(people["helper"]) == set()  # assists none of them
    client.force_login(people["grid"])
    page = client.get(reverse("meeting"), {"village": VILLAGE, "month": month}).content.decode()
    assert "H-G1" in page and "H-G2" not in page
