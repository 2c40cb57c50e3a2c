import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from bangfu.audit.models import AuditEvent
from bangfu.cases.models import Case, Signal, Stage
from bangfu.monitoring.models import RiskWarning, WarningStatus
from bangfu.monitoring.services import monitor_run
from tests.conftest import KEYS, NEIGHBOUR, household_rows

pytestmark = pytest.mark.django_db

A, B, C = "1401231002060001", "1401231002060002", "1401231002060003"
THEIRS = "1401231002070001"


def poor(no, village="140123100206"):
    rows = household_rows(
        no, village=village, year=2025, wage=3000, business=2000, production_costs=500
    )
    rows[1][KEYS.index("medical_insured")] = "否"
    return rows


@pytest.fixture
def warned(settings, tmp_path, make_households):
    """Three households of 官庄村 and one of 三元村, each with R01 (income) and R14 (insurance)."""
    settings.HOME = tmp_path
    made = make_households(poor(A), poor(B), poor(C), poor(THEIRS, village=NEIGHBOUR))
    monitor_run(period="2026-10")
    return {
        "households": {h.household_no: h for h in made},
        "mine": RiskWarning.objects.get(household__household_no=A, rule_id="R01"),
        "theirs": RiskWarning.objects.get(household__household_no=THEIRS, rule_id="R01"),
        "insurance": RiskWarning.objects.get(household__household_no=A, rule_id="R14"),
    }


def rows(response):
    return list(response.context["page"].object_list)


def said(client, response):
    """The messages this response left (those of earlier requests are dropped with it)."""
    told = [str(m) for m in get_messages(response.wsgi_request)]
    client.cookies.pop("messages", None)
    return told


def test_the_list_has_one_row_per_household_scoped_and_filterable(client, people, warned):
    client.force_login(people["village"])
    r = client.get(reverse("warnings"))
    listed = rows(r)
    assert sorted(row.household.household_no for row in listed) == [A, B, C]  # not 三元村's
    row = next(row for row in listed if row.household.household_no == A)
    assert [w.rule_id for w in row.warnings] == ["R01", "R14"]
    assert (row.total, row.new, row.watch, row.period) == (2, 2, False, "2026-10")
    assert row.priority == max(w.priority for w in row.warnings) and row.severity == 3
    assert row.statuses == [("new", "待处理", 2)]
    assert "人均纯收入（元）：1500.00" in row.evidence and "7300.00" in row.evidence
    page = r.content.decode()
    assert f"测试{A}-0" in page  # named by the head, number beside
    assert "R14 " in page and "1500.00" in page and "共 3 户" in page
    assert f'value="{row.household.pk}"' in page  # a checkbox for the cadre
    # a filter narrows each household's warnings, and the households
    r = client.get(reverse("warnings"), {"rule": "R14"})
    assert {w.rule_id for row in rows(r) for w in row.warnings} == {"R14"}
    client.force_login(people["township"])
    r = client.get(reverse("warnings"), {"village": NEIGHBOUR})
    assert [row.household.household_no for row in rows(r)] == [THEIRS]


def test_the_list_sorts_by_priority_household_or_village(client, people, warned):
    RiskWarning.objects.filter(household__household_no=B).update(priority=399)
    RiskWarning.objects.filter(household__household_no=C).update(priority=120)
    RiskWarning.objects.filter(household__household_no=A).update(priority=250)
    RiskWarning.objects.filter(household__household_no=THEIRS).update(priority=100)
    client.force_login(people["township"])
    r = client.get(reverse("warnings"))
    assert [row.household.household_no for row in rows(r)] == [B, A, C, THEIRS]
    assert rows(r)[0].priority_label == "高 · 99%"
    r = client.get(reverse("warnings"), {"sort": "household"})
    assert [row.household.household_no for row in rows(r)] == [A, B, C, THEIRS]
    r = client.get(reverse("warnings"), {"sort": "village"})
    assert [row.household.household_no for row in rows(r)] == [B, A, C, THEIRS]
    # the header's links keep the filters and change the order
    r = client.get(reverse("warnings"), {"rule": "R14", "page": "1"})
    assert r.context["sorts"]["household"] == "?rule=R14&sort=household"


def test_the_status_and_list_filters_work_per_household(client, people, warned):
    RiskWarning.objects.filter(household__household_no=B).update(status=WarningStatus.DISMISSED)
    RiskWarning.objects.filter(household__household_no=C).update(watch=True)
    client.force_login(people["village"])
    r = client.get(reverse("warnings"), {"status": "new"})
    assert sorted(row.household.household_no for row in rows(r)) == [A, C]
    r = client.get(reverse("warnings"), {"listed": "watch"})
    (row,) = rows(r)
    assert row.household.household_no == C and row.watch
    r = client.get(reverse("warnings"), {"listed": "lead"})
    assert [row.household.household_no for row in rows(r)] == [A]
    r = client.get(reverse("warnings"), {"status": "dismissed"})
    (row,) = rows(r)
    assert row.statuses == [("dismissed", "已排除", 2)] and row.new == 0
    assert f'value="{row.household.pk}"' not in r.content.decode()  # nothing left to decide


def test_the_list_asks_a_bounded_number_of_queries(
    client, people, warned, django_assert_max_num_queries
):
    client.force_login(people["township"])
    client.get(reverse("warnings"))  # the session, the language: warm
    with django_assert_max_num_queries(12):
        r = client.get(reverse("warnings"))
    assert len(rows(r)) == 4


def test_detail_shows_evidence_and_clause_and_is_scoped(client, people, warned):
    client.force_login(people["village"])
    page = client.get(reverse("warning", args=[warned["mine"].pk])).content.decode()
    assert "人均纯收入低于监测范围" in page and "监测范围（元）" in page
    assert "1500.00" in page and "7300.00" in page  # (3000 + 2000 - 500) / 3
    assert "家庭年人均纯收入低于当年监测范围" in page  # the policy clause
    assert f"测试{A}-0" in page
    assert "本户另有 1 条待处理的预警" in page  # R14 goes along with the decision
    page = client.get(reverse("warning", args=[warned["insurance"].pk])).content.decode()
    assert f"测试{A}-1" in page and "**********" in page  # member named, ID masked
    assert client.get(reverse("warning", args=[warned["theirs"].pk])).status_code == 404


def test_the_warning_page_decides_all_of_the_households_new_warnings(client, people, warned):
    client.force_login(people["village"])
    url = reverse("warning_status", args=[warned["mine"].pk])
    r = client.post(url, {"status": "dismissed", "reason": ""})
    assert r.status_code == 400 and "理由" in r.content.decode()
    assert RiskWarning.objects.get(pk=warned["insurance"].pk).status == WarningStatus.NEW
    r = client.post(url, {"status": "lead", "reason": "入户核查"})
    case = Case.objects.get(household__household_no=A)
    assert r.status_code == 302 and r["Location"] == reverse("case", args=[case.pk])
    assert case.stage == Stage.LEAD
    for w in RiskWarning.objects.filter(household__household_no=A):
        assert (w.status, w.status_by, w.status_reason) == ("lead", people["village"], "入户核查")
        assert AuditEvent.objects.filter(object_type="riskwarning", object_id=str(w.pk)).exists()
    assert Signal.objects.filter(case=case).count() == 2  # one signal per warning, one case
    (message,) = said(client, r)
    assert "2 条预警转为线索" in message and reverse("case", args=[case.pk]) in message
    r = client.post(url, {"status": "dismissed", "reason": "again"})
    assert r.status_code == 400  # already handled


def test_dismissing_on_the_warning_page_takes_the_others_along(client, people, warned):
    client.force_login(people["village"])
    url = reverse("warning_status", args=[warned["insurance"].pk])
    r = client.post(url, {"status": "dismissed", "reason": "已参保，数据滞后"})
    assert r.status_code == 302 and r["Location"] == reverse(
        "warning", args=[warned["insurance"].pk]
    )
    assert set(
        RiskWarning.objects.filter(household__household_no=A).values_list("status", flat=True)
    ) == {"dismissed"}
    assert not Case.objects.filter(household__household_no=A).exists()
    assert said(client, r) == ["已排除 1 户的 2 条预警。"]


def test_only_cadres_in_scope_can_act(client, people, warned):
    url = reverse("warning_status", args=[warned["mine"].pk])
    for who in ("grid", "helper", "auditor", "neighbour"):
        client.force_login(people[who])
        assert client.post(url, {"status": "lead", "reason": "x"}).status_code == 404
    assert RiskWarning.objects.get(pk=warned["mine"].pk).status == "new"


def test_the_bulk_hand_over_opens_a_lead_per_household(client, people, warned):
    h = warned["households"]
    client.force_login(people["village"])
    back = reverse("warnings") + "?listed=lead"
    r = client.post(
        reverse("warning_bulk"),
        {"household": [h[A].pk, h[B].pk], "status": "lead", "reason": "", "next": back},
    )
    assert r.status_code == 302 and r["Location"] == back
    assert set(
        RiskWarning.objects.filter(household__in=[h[A], h[B]]).values_list("status", flat=True)
    ) == {"lead"}
    assert RiskWarning.objects.filter(household=h[C], status="new").count() == 2  # not chosen
    cases = Case.objects.filter(household__in=[h[A], h[B]], stage=Stage.LEAD)
    assert cases.count() == 2 and Signal.objects.filter(case__in=cases).count() == 4
    (message,) = said(client, r)
    assert "2 户的 4 条预警转为线索，新开 2 件监测帮扶" in message
    assert f'href="{reverse("cases")}?stage=lead"' in message
    # one household: to its case
    r = client.post(reverse("warning_bulk"), {"household": [h[C].pk], "status": "lead"})
    assert r["Location"] == reverse("case", args=[Case.objects.get(household=h[C]).pk])


def test_a_bulk_refusal_leaves_every_household_as_it_was(client, people, warned):
    h = warned["households"]
    client.force_login(people["village"])
    url = reverse("warning_bulk")
    # a dismissal without a reason
    r = client.post(url, {"household": [h[A].pk, h[B].pk], "status": "dismissed", "reason": ""})
    assert r.status_code == 302 and r["Location"] == reverse("warnings")
    assert said(client, r) == ["排除预警必须填写理由"]
    # a household outside the village, beside one inside
    r = client.post(url, {"household": [h[A].pk, h[THEIRS].pk], "status": "lead"})
    assert said(client, r) == ["所选农户中有的不存在，或不在您所辖区域内"]
    # a household with nothing left to decide, beside one with new warnings
    RiskWarning.objects.filter(household=h[C]).update(status=WarningStatus.DISMISSED)
    r = client.post(url, {"household": [h[A].pk, h[C].pk], "status": "lead"})
    assert said(client, r) == [f"户 {C}：没有待处理的预警"]
    # nobody chosen, a malformed id
    assert said(client, client.post(url, {"status": "lead"})) == ["请至少选择一户"]
    assert said(client, client.post(url, {"household": ["x"], "status": "lead"})) == [
        "所选农户无效"
    ]
    assert RiskWarning.objects.filter(household__in=[h[A], h[B]], status="new").count() == 4
    assert not Case.objects.exists()
    # roles that may not decide
    for who in ("grid", "helper", "auditor", "dept"):
        client.force_login(people[who])
        assert client.post(url, {"household": [h[A].pk], "status": "lead"}).status_code == 404
    assert not Case.objects.exists()
