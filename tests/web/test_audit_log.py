"""The audit log as an auditor uses it (/audit/): people, regions, actions, object types and
changes in words, objects linked to their pages, filters by who, what, which kind, where and
when (scoped as the log is), the public's declarations as the public channel, and the filtered
log as a spreadsheet, itself audited."""

import datetime as dt
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from bangfu.accounts.selectors import AuditFilters, audit_events_for_user
from bangfu.audit.models import AuditAction, AuditEvent
from bangfu.audit.services import PUBLIC_CHANNEL, audit_record
from bangfu.cases.models import Channel
from bangfu.cases.services import lead_open
from tests.conftest import KEYS, OTHER_TOWNSHIP_VILLAGE, VILLAGE, household_rows

pytestmark = pytest.mark.django_db


@pytest.fixture
def log(people, make_households):
    """Two households imported from the command line (官庄村 and a village of 静游镇), a lead
    the village cadre opened on the first, and its case's last step of risk elimination."""
    village = people["village"]
    village.display_name = "王建国"
    village.save(update_fields=["display_name"])
    rows = household_rows("AL-1")
    home, away = make_households(rows, household_rows("AL-2", village=OTHER_TOWNSHIP_VILLAGE))
    case, _created = lead_open(household=home, channel=Channel.VISIT, by=village, note="走访")
    audit_record(
        actor=people["county"],
        action=AuditAction.UPDATE,
        obj=case,
        region_code=VILLAGE,
        changes={"stage": ["exit_county", "eliminated"]},
    )
    return {"home": home, "away": away, "case": case, "head_id": rows[0][KEYS.index("id_number")]}


def page_of(client, **params):
    r = client.get(reverse("audit_log"), params)
    assert r.status_code == 200
    return r, r.content.decode()


def test_the_log_reads_in_words_with_links(client, people, log):
    client.force_login(people["auditor"])
    _r, html = page_of(client)
    case = log["case"]
    # the people by name, the command line as such, never a bare user id
    assert "王建国" in html and "命令行" in html
    # regions by name (the code only as the cell's title), object types in words, linked
    assert ">官庄村</span>" in html and f'title="{VILLAGE}"' in html
    assert f">{VILLAGE}<" not in html
    assert '农户 <a href="/households/AL-1/">AL-1</a>' in html
    assert f'监测帮扶 <a href="/cases/{case.pk}/">{case.pk}（AL-1）</a>' in html
    # a change by its field's words and its values' labels
    assert "环节：风险消除：待县级审定 → 风险已消除" in html
    assert "stage" not in html and "exit_county" not in html
    # the action in words
    assert '<td data-label="操作">修改</td>' in html and '<td data-label="操作">新增</td>' in html


def test_the_page_costs_the_same_queries_for_more_rows(client, people, log):
    client.force_login(people["auditor"])
    with CaptureQueriesContext(connection) as few:
        page_of(client)
    for i in range(20):
        audit_record(
            actor=people["village"],
            action=AuditAction.UPDATE,
            obj=log["case"],
            region_code=VILLAGE,
            changes={"stage": ["lead", "verified"]},
            note=f"第{i}次",
        )
    with CaptureQueriesContext(connection) as many:
        page_of(client)
    assert len(many.captured_queries) == len(few.captured_queries)


def test_filters_narrow_the_log(client, people, log):
    client.force_login(people["auditor"])
    village = people["village"]
    events = AuditEvent.objects
    # who
    mine = audit_events_for_user(
        user=people["auditor"], filters=AuditFilters(actor=str(village.pk))
    )
    assert set(mine.values_list("actor_label", flat=True)) == {"village"}
    r, html = page_of(client, actor=village.pk)
    assert r.context["page"].paginator.count == events.filter(actor=village).count() > 0
    assert "命令行" not in html.split("<tbody>")[1]
    # what, and which kind of object
    r, _html = page_of(client, action="update", object_type="case")
    assert [e.pk for e in r.context["page"]] == list(
        events.filter(action="update", object_type="case").values_list("pk", flat=True)
    )
    # where: the village of 静游镇 holds the second household's events only
    r, html = page_of(client, region=OTHER_TOWNSHIP_VILLAGE)
    assert {e.object_id for e in r.context["page"]} == {str(log["away"].pk)}
    assert "AL-2" in html and "AL-1" not in html.split("<tbody>")[1]
    # when: an event of last month is outside this month's range, inside last month's
    events.filter(object_type="case", action="update").update(
        at=timezone.now() - dt.timedelta(days=40)
    )
    today = timezone.localdate()
    r, _html = page_of(client, object_type="case", since=today - dt.timedelta(days=7))
    assert all(e.action == "create" for e in r.context["page"])
    old = today - dt.timedelta(days=40)
    r, _html = page_of(client, object_type="case", since=old, until=old)
    assert [e.action for e in r.context["page"]] == ["update"]
    # a range backwards says so beside the field
    r, html = page_of(client, since=today, until=today - dt.timedelta(days=1))
    assert "截止日期不能早于起始日期" in html


def test_the_filters_stay_in_scope(people, log):
    """A region outside the reader's finds nothing, whatever is asked."""
    out = AuditFilters(region="110101000000")  # 北京市东城区, not 娄烦县
    assert not audit_events_for_user(user=people["auditor"], filters=out).exists()
    assert audit_events_for_user(user=people["auditor"], filters=AuditFilters()).exists()


def test_the_region_and_people_pickers_are_the_readers(client, people, log):
    client.force_login(people["auditor"])
    r, _html = page_of(client)
    form = r.context["form"]
    regions = dict(form.fields["region"].choices)
    assert "140123000000" in regions and VILLAGE in regions and OTHER_TOWNSHIP_VILLAGE in regions
    assert regions[VILLAGE].strip() == "官庄村"
    people_ = dict(form.fields["actor"].choices)
    assert people_[str(people["village"].pk)] == "王建国（village）"
    assert str(people["neighbour"].pk) not in people_  # they did nothing in the log
    kinds = dict(form.fields["object_type"].choices)
    assert kinds["household"] == "农户" and kinds["case"] == "监测帮扶"


def test_the_public_declaration_is_the_public_channel(client, people, log):
    r = client.post(
        reverse("declare", args=[VILLAGE]),
        {
            "name": "测试AL-1-0",
            "id_number": log["head_id"],
            "phone": "13800000000",
            "difficulty": "因病",
            "description": "看病花了很多钱",
        },
    )
    assert r.status_code == 200 and "受理编号" in r.content.decode()
    event = AuditEvent.objects.filter(object_type="case").order_by("-pk").first()
    assert event.actor is None and event.actor_label == PUBLIC_CHANNEL
    client.force_login(people["auditor"])
    r, html = page_of(client, actor="public")
    assert [e.pk for e in r.context["page"]] == [event.pk]
    assert "公众自主申报（扫码）" in html and "命令行" not in html.split("<tbody>")[1]
    # the command line's events are the system's, the public's not among them
    r, _html = page_of(client, actor="system")
    assert event.pk not in {e.pk for e in r.context["page"]}
    assert r.context["page"].paginator.count > 0


def test_the_export_is_the_filtered_log_and_is_audited(client, people, log):
    client.force_login(people["auditor"])
    r = client.get(reverse("audit_export"), {"object_type": "case"})
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in r["Content-Disposition"]
    ws = load_workbook(io.BytesIO(b"".join(r.streaming_content))).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][:5] == ("时间", "操作人", "操作", "对象类型", "对象")
    body = rows[1:]
    assert len(body) == AuditEvent.objects.filter(object_type="case").count() == 2
    assert {row[3] for row in body} == {"监测帮扶"}
    assert {row[4] for row in body} == {f"{log['case'].pk}（AL-1）"}
    assert {row[5] for row in body} == {"官庄村"}
    assert "环节：风险消除：待县级审定 → 风险已消除" in {row[6] for row in body}
    assert {row[1] for row in body} == {"王建国", "county"}
    export = AuditEvent.objects.get(action=AuditAction.EXPORT, object_type="auditevent")
    assert export.actor == people["auditor"] and "对象类型=case" in export.note
    assert "导出审计日志 2 条" in export.note
    # the same audience as the log
    for who in ("village", "township", "grid", "dept"):
        client.force_login(people[who])
        assert client.get(reverse("audit_export")).status_code == 404
        assert client.get(reverse("audit_log")).status_code == 404
    assert AuditEvent.objects.filter(action=AuditAction.EXPORT).count() == 1
