"""The case page as the place to decide: the household behind the case (members, incomes, the
3+1, department records, earlier cases), the category with its reason, attachments uploaded
and read through the page, actions not yet open shown disabled with the day they open, and the
county's batch approval choosing each row's category."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from bangfu.audit.models import AuditAction, AuditEvent
from bangfu.cases.models import Attachment, Case, Channel, Stage
from bangfu.cases.services import case_act, lead_open
from tests.conftest import household_rows, housing_warning

pytestmark = pytest.mark.django_db
VERIFY = {"findings": "户主住院，收入骤减", "per_capita": 5200}
MEETING = {"attendees": "村两委、村民代表7人"}


def photo() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (8, 6), (10, 120, 10)).save(buf, "JPEG")
    return buf.getvalue()


@pytest.fixture
def root(settings, tmp_path):
    settings.ATTACHMENT_DIR = tmp_path / "attachments"
    return settings.ATTACHMENT_DIR


@pytest.fixture
def household(make_households):
    (h,) = make_households(
        household_rows("H-PAGE", formerly_poor="是", year=2025, wage=9000, transfer=600)
    )
    return h


def page_of(client, user, case) -> str:
    client.force_login(user)
    response = client.get(reverse("case", args=[case.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_the_case_page_summarises_the_household_it_decides_on(client, people, household):
    housing_warning(household)
    # an earlier case, refused at the village's appraisal with its reason
    old, _ = lead_open(household=household, channel=Channel.VISIT, by=people["grid"], note="漏雨")
    old = case_act(user=people["village"], case=old, action="verify", data=VERIFY)
    case_act(
        user=people["village"],
        case=old,
        action="appraise_reject",
        data=MEETING,
        note="收入已恢复，不予认定",
    )
    case, _ = lead_open(household=household, channel=Channel.VISIT, by=people["grid"], note="住院")
    case = case_act(user=people["village"], case=case, action="verify", data=VERIFY)
    page = page_of(client, people["village"], case)
    head = household.members.get(relation="head")
    # named by the head, the number beside, in the title and the heading
    title = re.search(r"<title>(.*?)</title>", page, re.S)[1]
    assert head.name in title and "H-PAGE" in title
    h1 = re.search(r"<h1>(.*?)</h1>", page, re.S)[1]
    assert head.name in h1 and "H-PAGE" in h1
    # members with their masked ID numbers (never the whole number), relation and schooling
    for m in household.members.all():
        assert m.name in page and m.id_masked in page
    assert "义务教育" in page and "户主" in page
    # the income history: 9000 + 600 over three people
    assert "2025" in page and "3,200" in page
    # the department record behind the household's warning, and the 3+1
    assert "R07 住房安全无保障" in page and "饮水安全" in page
    # the earlier case with its outcome and why
    summary = page[page.index('id="household-summary"') :]
    assert "不予认定" in summary and "收入已恢复，不予认定" in summary
    # the category the facts propose, and why: formerly poor, within the range
    assert "建议监测对象类别" in page and "脱贫不稳定户" in page
    assert "原建档立卡脱贫户" in page and "入户核查人均纯收入 5200 元" in page


def test_an_action_not_open_yet_is_shown_disabled_with_its_day(client, people, household):
    case, _ = lead_open(household=household, channel=Channel.VISIT, by=people["grid"])
    case = case_act(user=people["village"], case=case, action="verify", data=VERIFY)
    case = case_act(user=people["village"], case=case, action="appraise", data=MEETING)
    case = case_act(user=people["village"], case=case, action="publish")
    assert case.notice_ends > timezone.localdate()
    page = page_of(client, people["village"], case)
    ends = f"{case.notice_ends:%Y-%m-%d}"
    assert f"公示期满后可办理（{ends} 起）" in page
    assert re.search(r"<button type=\"button\" disabled[^>]*>公示期满，报乡镇审核</button>", page)
    assert reverse("case_act", args=[case.pk, "close_notice"]) not in page
    # the notice has run: the action is offered
    Case.objects.filter(pk=case.pk).update(notice_ends=timezone.localdate() - dt.timedelta(1))
    page = page_of(client, people["village"], case)
    assert reverse("case_act", args=[case.pk, "close_notice"]) in page
    assert "公示期满后可办理" not in page


def test_attachments_are_uploaded_listed_and_read_through_the_page(client, people, household, root):
    case, _ = lead_open(household=household, channel=Channel.VISIT, by=people["grid"])
    page = page_of(client, people["village"], case)
    assert 'capture="environment"' in page and 'accept="image/*,application/pdf"' in page
    url = reverse("attachment_add", args=[case.pk])
    data = photo()
    response = client.post(
        url,
        {"kind": "verification", "file": io.BytesIO(data)},
        follow=True,
    )
    assert "已上传附件" in response.content.decode()
    a = Attachment.objects.get(case=case)
    page = page_of(client, people["village"], case)
    link = reverse("attachment", args=[a.pk])
    listed = re.search(r'<ul class="trail attachments">(.*?)</ul>', page, re.S)[1]
    assert link in listed and "入户核查表" in listed and str(people["village"]) in listed
    assert a.filename in listed and a.filename.endswith(".jpg")
    # read by the grid worker, who may read the case: the bytes, under the stored type
    client.force_login(people["grid"])
    got = client.get(link)
    assert got.status_code == 200 and got.content == data
    assert got["Content-Type"] == "image/jpeg" and got["X-Content-Type-Options"] == "nosniff"
    assert got["Content-Disposition"].startswith("inline")
    assert AuditEvent.objects.filter(
        object_type="attachment", object_id=str(a.pk), action=AuditAction.EXPORT
    ).exists()
    # another village's cadre: absent
    client.force_login(people["neighbour"])
    assert client.get(link).status_code == 404


def test_a_refused_file_says_why_and_nothing_is_kept(client, people, household, root):
    case, _ = lead_open(household=household, channel=Channel.VISIT, by=people["grid"])
    client.force_login(people["village"])
    fake = io.BytesIO(b"GIF89a not allowed")
    fake.name = "photo.jpg"
    response = client.post(
        reverse("attachment_add", args=[case.pk]), {"kind": "notice", "file": fake}, follow=True
    )
    assert "附件未保存：文件类型不支持" in response.content.decode()
    assert not Attachment.objects.exists() and not root.exists()
    # a grid worker reads the case but is offered no upload, and is refused one
    page = page_of(client, people["grid"], case)
    assert reverse("attachment_add", args=[case.pk]) not in page
    response = client.post(
        reverse("attachment_add", args=[case.pk]),
        {"kind": "notice", "file": io.BytesIO(photo())},
        follow=True,
    )
    assert "只有村、乡镇、县级干部可以上传附件" in response.content.decode()
    assert not Attachment.objects.exists()


def to_county(people, household) -> Case:
    case, _ = lead_open(
        household=household, channel=Channel.VISIT, by=people["grid"], risk_types=["因病"]
    )
    for user, action, data in (
        ("village", "verify", VERIFY),
        ("village", "appraise", MEETING),
        ("village", "publish", {}),
    ):
        case = case_act(user=people[user], case=case, action=action, data=data)
    Case.objects.filter(pk=case.pk).update(notice_ends=timezone.localdate())
    case.refresh_from_db()
    case = case_act(user=people["village"], case=case, action="close_notice")
    case = case_act(user=people["township"], case=case, action="township_approve")
    assert case.stage == Stage.COUNTY
    return case


def test_the_county_batch_shows_and_changes_each_rows_category(client, people, make_households):
    poor, ordinary = make_households(
        household_rows("H-BAT1", formerly_poor="是"), household_rows("H-BAT2")
    )
    first, second = to_county(people, poor), to_county(people, ordinary)
    client.force_login(people["county"])
    page = client.get(reverse("case_batch")).content.decode()
    for h in (poor, ordinary):
        assert h.head_name in page and h.household_no in page
    # each row's select starts from the proposal: formerly poor → 脱贫不稳定户, else 边缘易致贫户
    assert re.search(
        rf'name="category_{first.pk}"[^>]*>.*?<option value="unstable" selected', page, re.S
    )
    assert re.search(
        rf'name="category_{second.pk}"[^>]*>.*?<option value="edge" selected', page, re.S
    )
    # the county decides the second household is a sudden severe difficulty
    response = client.post(
        reverse("case_batch"),
        {
            "case": [first.pk, second.pk],
            f"category_{first.pk}": "unstable",
            f"category_{second.pk}": "sudden",
        },
        follow=True,
    )
    assert "已批量办理 2 户" in response.content.decode()
    first.refresh_from_db()
    second.refresh_from_db()
    ordinary.refresh_from_db()
    assert (first.stage, first.category) == (Stage.MONITORING, "unstable")
    assert (second.stage, second.category, ordinary.category) == (
        Stage.MONITORING,
        "sudden",
        "sudden",
    )
    step = second.steps.get(action="county_approve")
    assert step.data["category"] == "sudden" and step.batch


def test_a_category_against_the_history_refuses_the_batch_naming_the_household(
    client, people, make_households
):
    (ordinary,) = make_households(household_rows("H-BAT3"))
    case = to_county(people, ordinary)
    client.force_login(people["county"])
    response = client.post(
        reverse("case_batch"),
        {"case": [case.pk], f"category_{case.pk}": "unstable"},
        follow=True,
    )
    text = response.content.decode()
    assert "H-BAT3" in text and "不能认定为脱贫不稳定户" in text
    case.refresh_from_db()
    assert case.stage == Stage.COUNTY and not case.category


def test_the_batch_page_asks_the_same_queries_for_two_rows_as_for_five(
    client, people, make_households
):
    """Each row's proposed category reads the case's verification and signals: fetched for the
    whole page at once, not row by row."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    homes = make_households(*(household_rows(f"H-BQ{n}") for n in range(5)))
    for h in homes[:2]:
        to_county(people, h)
    client.force_login(people["county"])
    client.get(reverse("case_batch"))  # the session, the caches: warmed once
    with CaptureQueriesContext(connection) as two:
        assert client.get(reverse("case_batch")).status_code == 200
    for h in homes[2:]:
        to_county(people, h)
    with CaptureQueriesContext(connection) as five:
        page = client.get(reverse("case_batch")).content.decode()
    assert all(h.head_name in page for h in homes)
    assert len(five.captured_queries) == len(two.captured_queries)
