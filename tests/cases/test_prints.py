"""What the village prints (issue 12, item 7): the public notice with its year, period,
supervision phone and the committee's sign-off, one notice per kind; the monthly meeting's
agenda before it and its minutes after, each with signature lines, for the meeting page's
users only; the household card with the responsible person's work phone, else the
committee's. The PDFs' text is read back with pypdf."""

import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from bangfu.accounts.models import User
from bangfu.assistance.models import Measure, MeasureKind
from bangfu.cases.meetings import meeting_record
from bangfu.cases.models import Case, Channel, Stage
from bangfu.cases.prints import chinese_date
from bangfu.cases.services import case_act
from bangfu.core.crypto import decrypt
from bangfu.regions.models import Region, RegionContact
from bangfu.regions.selectors import SUPERVISION_HOTLINE
from tests.conftest import COUNTY, TOWNSHIP, VILLAGE, household_rows, housing_warning

pytestmark = pytest.mark.django_db


def text_of(pdf: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def pages_of(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


# the public notice ----------------------------------------------------------------------
@pytest.fixture
def published(people, make_households):
    """One household published for identification and one for risk elimination, through the
    chain's own publish steps (today)."""
    entering, leaving = make_households(household_rows("H-PUB1"), household_rows("H-PUB2"))
    a = Case.objects.create(
        household=entering,
        channel=Channel.VISIT,
        stage=Stage.APPRAISED,
        category="edge",
        risk_types=["因灾", "因病"],
    )
    b = Case.objects.create(
        household=leaving,
        channel=Channel.VISIT,
        stage=Stage.EXIT_APPRAISED,
        category="unstable",
        risk_types=["因务工就业不稳"],
    )
    case_act(user=people["village"], case=a, action="publish")
    case_act(user=people["village"], case=b, action="exit_publish")
    return entering, leaving


def test_the_notice_prints_year_period_phone_and_the_committee(client, people, published):
    entering, leaving = published
    today = timezone.localdate()
    ends = Case.objects.get(household=entering).notice_ends
    assert ends == today + dt.timedelta(days=5)  # the policy's notice days
    client.force_login(people["village"])
    r = client.get(reverse("notice_pdf", args=[VILLAGE]))
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    first, second = pages_of(r.content)  # one notice per kind, each on its own page
    assert f"官庄村{today.year}年防止返贫监测对象识别公示" in first
    assert f"官庄村{today.year}年防止返贫监测对象风险消除公示" in second
    assert entering.head_name in first and entering.head_name not in second
    assert leaving.head_name in second and leaving.head_name not in first
    for page in (first, second):
        assert f"公示时间：{chinese_date(today)}至{chinese_date(ends)}（共5天）" in page
        assert f"监督举报电话：{SUPERVISION_HOTLINE}" in page  # nobody gave one: the national line
        assert "官庄村村民委员会" in page  # the committee's default name, and the sign-off
        assert page.rstrip().endswith(chinese_date(today))  # signed the day it was posted
    assert "因灾" in first and "因病" not in first  # never health status
    for m in entering.members.all():  # names, never ID numbers
        assert decrypt(m.id_enc) not in first


def test_the_notice_prints_the_village_contact_and_the_county_default(client, people, published):
    county = RegionContact.objects.create(
        region=Region.objects.get(code=COUNTY), supervision_phone="0351-5122317"
    )
    client.force_login(people["township"])
    text = text_of(client.get(reverse("notice_pdf", args=[VILLAGE])).content)
    assert "监督举报电话：0351-5122317" in text and SUPERVISION_HOTLINE not in text
    RegionContact.objects.create(
        region=Region.objects.get(code=TOWNSHIP), supervision_phone="0351-5132999"
    )
    RegionContact.objects.create(
        region=Region.objects.get(code=VILLAGE),
        office="官庄村民委员会",
        phone="0351-5800206",
        address="娄烦镇官庄村村委会办公室",
    )
    text = text_of(client.get(reverse("notice_pdf", args=[VILLAGE])).content)
    assert "0351-5132999" in text and county.supervision_phone not in text  # the nearest
    assert "联系电话：0351-5800206" in text and "地址：娄烦镇官庄村村委会办公室" in text
    assert "村委会：官庄村民委员会" in text and "官庄村村民委员会" not in text


def test_two_publications_on_different_days_are_two_notices(client, people, published):
    entering, _ = published
    case = Case.objects.get(household=entering)
    step = case.steps.get(action="publish")
    step.at -= dt.timedelta(days=2)
    step.save()
    case.notice_ends -= dt.timedelta(days=2)
    case.save()
    client.force_login(people["village"])
    pages = pages_of(client.get(reverse("notice_pdf", args=[VILLAGE])).content)
    earlier = timezone.localdate() - dt.timedelta(days=2)
    assert len(pages) == 2 and f"公示时间：{chinese_date(earlier)}至" in pages[0]


# the meeting ----------------------------------------------------------------------------
@pytest.fixture
def agenda(make_households):
    lead_h, warned, other_grid = make_households(
        household_rows("H-AG1"), household_rows("H-AG2"), household_rows("H-AG3", grid=2)
    )
    today = timezone.localdate()
    lead = Case.objects.create(
        household=lead_h, channel="visit", stage=Stage.LEAD, due=today - dt.timedelta(days=1)
    )
    housing_warning(warned)
    Case.objects.create(household=other_grid, channel="visit", stage=Stage.LEAD, due=today)
    return lead, warned, other_grid


def test_the_agenda_names_each_household_and_what_it_needs(client, people, agenda):
    lead, warned, other_grid = agenda
    month = timezone.localdate().strftime("%Y-%m")
    url = reverse("meeting_pdf") + f"?village={VILLAGE}&month={month}"
    client.force_login(people["village"])
    page = client.get(reverse("meeting") + f"?month={month}").content.decode()
    assert reverse("meeting_pdf") in page and "打印会议议程" in page
    r = client.get(url)
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    text = text_of(r.content)
    year, mon = month.split("-")
    assert f"官庄村{year}年{int(mon)}月防止返贫动态监测村级会议议程" in text
    assert f"{lead.household.head_name}（{lead.household.household_no}）：安排入户核查" in text
    assert "（已逾期）" in text  # the lead's visit is a day late
    assert f"{warned.head_name}（{warned.household_no}）：R07 住房安全无保障" in text
    assert other_grid.head_name in text
    assert "主持人：" in text and "记录人：" in text and "会议纪要" not in text
    # a grid worker: their grid's households only, as on the page
    client.force_login(people["grid"])
    text = text_of(client.get(url).content)
    assert lead.household.head_name in text and other_grid.head_name not in text


def test_after_the_meeting_the_minutes_print_each_decision(client, people, agenda):
    lead, _, _ = agenda
    month = timezone.localdate().strftime("%Y-%m")
    village = Region.objects.get(code=VILLAGE)
    meeting_record(
        user=people["village"],
        village=village,
        month=month,
        held_on=timezone.localdate(),
        attendees="张书记、刘网格、陈同志",
        minutes="逐户研判本月线索。",
        decisions={lead.pk: "三日内完成入户核查"},
    )
    client.force_login(people["township"])
    r = client.get(reverse("meeting_pdf") + f"?village={VILLAGE}&month={month}")
    text = text_of(r.content)
    assert "村级会议纪要" in text and "议程" not in text
    assert f"会议时间：{chinese_date(timezone.localdate())}" in text
    assert "参会人员：张书记、刘网格、陈同志" in text and "逐户研判本月线索。" in text
    named = f"{lead.household.head_name}（{lead.household.household_no}）"
    assert f"{named}：三日内完成入户核查" in text
    assert "主持人：" in text and "记录人：" in text and "官庄村村民委员会" in text


def test_the_meeting_paper_has_the_meeting_pages_audience(client, people, agenda):
    url = reverse("meeting_pdf") + f"?village={VILLAGE}"
    for outsider in ("other_township", "dept"):
        client.force_login(people[outsider])
        assert client.get(url).status_code == 404
    client.force_login(people["county"])
    assert client.get(reverse("meeting_pdf")).status_code == 400  # which village?
    r = client.get(url + "&month=2026-13")  # refused: back to the meeting page with the reason
    assert r.status_code == 302 and r["Location"].startswith(reverse("meeting"))


# the card -------------------------------------------------------------------------------
@pytest.fixture
def monitored(people, make_households):
    (h,) = make_households(household_rows("H-CARDP"))
    case = Case.objects.create(
        household=h, channel=Channel.VISIT, stage=Stage.MONITORING, risk_types=["因灾"]
    )
    return h, case


def _card(client, household) -> str:
    return text_of(client.get(reverse("card_pdf", args=[household.household_no])).content)


def test_the_card_prints_the_responsible_persons_work_phone(client, people, monitored):
    household, case = monitored
    helper: User = people["helper"]
    helper.work_phone = "0351-5121135"
    helper.display_name = "陈同志"
    helper.save()
    Measure.objects.create(
        case=case,
        kind=MeasureKind.objects.get(code="migrant_work"),
        responsible=helper,
        target="务工",
        deadline=dt.date(2027, 1, 1),
        created_by=people["village"],
    )
    client.force_login(people["village"])
    text = _card(client, household)
    assert "帮扶责任人：陈同志" in text and "联系电话：0351-5121135" in text
    assert f"监督举报电话：{SUPERVISION_HOTLINE}" in text


def test_without_a_work_phone_the_card_prints_the_committees(client, people, monitored):
    household, _ = monitored  # no measure: the village cadre, who has no work phone
    client.force_login(people["village"])
    assert "联系电话：—" in _card(client, household)
    RegionContact.objects.create(region=Region.objects.get(code=VILLAGE), phone="0351-5800206")
    assert "联系电话：0351-5800206（官庄村村民委员会）" in _card(client, household)
