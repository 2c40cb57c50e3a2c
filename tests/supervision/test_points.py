"""Village points (积分制, 清单制): balances (earned − deducted − redeemed) and the ranking (ties
share a rank) by construction, the refusals (another village's household, an overdraw, an
inactive item, a day to come, a role that does not keep points), the scope (out of it is
absent), the audit of every write; the pages and the API over the same services; the demo."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bangfu.audit.models import AuditEvent
from bangfu.core.errors import Forbidden, NotFound, Refused
from bangfu.regions.models import Region
from bangfu.registry.models import Household
from bangfu.supervision.models import PointEntry, PointItem, PointKind, Redemption
from bangfu.supervision.points import (
    ItemIn,
    entry_record,
    household_balance,
    household_history,
    item_save,
    item_set_active,
    points_household_for_user,
    points_village_for_user,
    redemption_record,
    village_balances,
    village_items,
    village_ranking,
)
from tests.conftest import NEIGHBOUR, VILLAGE, household_rows

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 20)
ON = dt.date(2026, 10, 8)
A, B, C, D = "1401231002069001", "1401231002069002", "1401231002069003", "1401231002069004"
FAR = "1401231002079001"  # a household of 三元村 (NEIGHBOUR)


def _item(
    people: Any,
    name: str = "参加义务劳动",
    points: int = 5,
    kind: str = PointKind.EARN,
    village: str = VILLAGE,
    by: str = "village",
) -> PointItem:
    data = ItemIn(name=name, kind=kind, points=points, evidence_needed="村民小组长确认")
    return item_save(user=people[by], data=data, village_code=village)


def _earn(people: Any, item: PointItem, no: str, by: str = "village", **kw: Any) -> PointEntry:
    return entry_record(
        user=people[by],
        item=item,
        household_no=no,
        on=kw.pop("on", ON),
        evidence=kw.pop("evidence", "签到表第2页"),
        today=TODAY,
        **kw,
    )


def _redeem(people: Any, no: str, points: int, by: str = "village") -> Redemption:
    return redemption_record(
        user=people[by], household_no=no, points=points, goods="食用油", on=ON, today=TODAY
    )


@pytest.fixture
def homes(make_households):
    return make_households(*(household_rows(no) for no in (A, B, C, D)))


def _ranking(people: Any, who: str = "village") -> list[tuple[str, int, int]]:
    village = Region.objects.get(code=VILLAGE)
    rows = village_balances(user=people[who], village=village)
    return [(h.household_no, h.balance, h.rank) for h in rows]


def test_balances_and_a_ranking_where_ties_share_a_rank(people, homes):
    labour = _item(people)
    filial = _item(people, "孝老爱亲", 10)
    mess = _item(people, "乱堆乱放", 3, PointKind.DEDUCT)
    for no, items in {
        A: [labour, filial],  # 15
        B: [filial, labour, mess],  # 12, then 7 redeemed: 5
        C: [labour, filial],  # 15, ties with A
        D: [labour],  # 5, ties with B
    }.items():
        for item in items:
            _earn(people, item, no)
    _redeem(people, B, 7)
    assert _ranking(people) == [(A, 15, 1), (C, 15, 1), (B, 5, 3), (D, 5, 3)]
    b = household_balance(user=people["township"], household=homes[1])
    assert (b.earned, b.deducted, b.redeemed, b.balance, b.rank) == (15, 3, 7, 5, 3)
    # a household that has not taken part is not ranked
    (none,) = (h for h in homes if h.household_no == D)
    PointEntry.objects.filter(household=none).delete()
    assert [r[0] for r in _ranking(people)] == [A, C, B]
    assert household_balance(user=people["village"], household=none).rank is None


def test_the_points_recorded_stay_when_the_item_changes(people, homes):
    labour = _item(people)
    _earn(people, labour, A)
    item_save(
        user=people["village"],
        item=labour,
        data=ItemIn(name="参加义务劳动", kind=PointKind.EARN, points=8, evidence_needed="签到"),
    )
    _earn(people, labour, A)
    assert list(PointEntry.objects.order_by("pk").values_list("points", flat=True)) == [5, 8]
    assert _ranking(people) == [(A, 13, 1)]


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    steps=st.lists(
        st.tuples(st.sampled_from(["earn", "deduct", "redeem"]), st.integers(1, 30)),
        max_size=12,
    )
)
def test_the_balance_is_earned_less_deducted_less_redeemed(people, homes, steps):
    PointEntry.objects.all().delete()
    Redemption.objects.all().delete()
    PointItem.objects.all().delete()
    home = homes[0]
    earned = deducted = redeemed = 0
    for n, (what, points) in enumerate(steps):
        if what == "redeem":
            balance = earned - deducted - redeemed
            if points > balance:
                with pytest.raises(Refused, match="积分不足"):
                    _redeem(people, A, points)
                continue
            _redeem(people, A, points)
            redeemed += points
            continue
        kind = PointKind.EARN if what == "earn" else PointKind.DEDUCT
        _earn(people, _item(people, f"事项{n}", points, kind), A)
        earned += points if what == "earn" else 0
        deducted += points if what == "deduct" else 0
    b = household_balance(user=people["village"], household=home)
    assert (b.earned, b.deducted, b.redeemed) == (earned, deducted, redeemed)
    assert b.balance == earned - deducted - redeemed


def test_the_refusals(people, homes, make_households):
    make_households(household_rows(FAR, village=NEIGHBOUR))
    labour = _item(people)
    with pytest.raises(Refused, match=FAR):  # another village's household
        _earn(people, labour, FAR)
    with pytest.raises(Refused, match="晚于今天"):  # a day still to come
        _earn(people, labour, A, on=TODAY + dt.timedelta(days=1))
    with pytest.raises(Refused, match="早于 2025-01-01"):  # older than last year's
        _earn(people, labour, A, on=dt.date(2024, 12, 31))
    with pytest.raises(Refused, match="早于 2025-01-01"):  # 2006 typed for 2026
        redemption_record(
            user=people["village"],
            household_no=A,
            points=1,
            goods="食用油",
            on=TODAY.replace(year=2006),
            today=TODAY,
        )
    _earn(people, labour, B, on=dt.date(2025, 1, 1))  # last year's still caught up
    with pytest.raises(Refused, match="佐证"):  # no evidence
        _earn(people, labour, A, evidence="  ")
    with pytest.raises(Refused, match="身份证号或手机号"):  # a phone number in the evidence
        _earn(people, labour, A, evidence="联系 13912345678")
    _earn(people, labour, A)
    with pytest.raises(Refused, match="积分不足"):  # more than the balance
        _redeem(people, A, 6)
    item_set_active(user=people["village"], item=labour, active=False)
    with pytest.raises(Refused, match="停用"):
        _earn(people, labour, A)
    assert (
        village_items(user=people["village"], village=labour.village, active_only=True).count() == 0
    )
    with pytest.raises(Refused, match="已有该事项"):
        _item(people)
    with pytest.raises(Refused):  # points out of the bounds
        _item(people, "孝老爱亲", 0)
    with pytest.raises(Refused):  # a township is no village
        _item(people, village="140123100000")
    assert PointEntry.objects.count() == 2 and Redemption.objects.count() == 0


def test_only_the_villages_cadre_keeps_points(people, homes):
    labour = _item(people)
    for who in ("township", "county", "auditor", "grid", "helper"):
        with pytest.raises(Forbidden):
            _item(people, "孝老爱亲", by=who)
        with pytest.raises(Forbidden):
            _earn(people, labour, A, by=who)
        with pytest.raises(Forbidden):
            _redeem(people, A, 1, by=who)
        with pytest.raises(Forbidden):
            item_set_active(user=people[who], item=labour, active=False)
    # another village's cadre: the item and the household are absent, not forbidden
    with pytest.raises(NotFound):
        _earn(people, labour, A, by="neighbour")
    with pytest.raises(NotFound):
        _redeem(people, A, 1, by="neighbour")
    with pytest.raises(Refused):
        _item(people, village=VILLAGE, by="neighbour")
    assert PointEntry.objects.count() == 0


def test_the_scope(people, homes, make_households):
    labour = _item(people)
    _earn(people, labour, A)
    village = labour.village
    # the ranks are the village's; the rows shown, the households the user reads
    make_households(household_rows("1401231002069005", grid=2))
    _earn(people, _item(people, "孝老爱亲", 10), "1401231002069005")
    ranked = village_ranking(user=people["township"], village=village)
    assert [(h.household_no, h.rank) for h in ranked] == [("1401231002069005", 1), (A, 2)]
    assert [
        (h.household_no, h.rank) for h in village_ranking(user=people["grid"], village=village)
    ] == [(A, 2)]
    with pytest.raises(NotFound):
        points_household_for_user(user=people["grid"], household_no="1401231002069005")
    PointEntry.objects.filter(household__household_no="1401231002069005").delete()
    for who in ("village", "grid", "township", "county", "auditor"):
        assert points_village_for_user(user=people[who], code=VILLAGE) == village
        assert [r[0] for r in _ranking(people, who)] == [A]
    for who in ("neighbour", "other_township", "dept"):
        with pytest.raises(NotFound):
            points_village_for_user(user=people[who], code=VILLAGE)
        with pytest.raises(NotFound):
            village_balances(user=people[who], village=village)
        with pytest.raises(NotFound):
            household_history(user=people[who], household=homes[0])
        assert list(village_items(user=people[who], village=village)) == []


def test_every_write_is_audited(people, homes):
    village = people["village"]
    labour = _item(people)
    item_save(
        user=village,
        item=labour,
        data=ItemIn(name="参加义务劳动", kind=PointKind.EARN, points=6, evidence_needed="签到"),
    )
    item_set_active(user=village, item=labour, active=False)
    item_set_active(user=village, item=labour, active=True)
    entry = _earn(people, labour, A)
    _redeem(people, A, 2)
    ours = AuditEvent.objects.exclude(object_type__in=("user", "household")).order_by("pk")
    assert list(ours.values_list("object_type", "action", "actor")) == [
        ("pointitem", "create", village.pk),
        ("pointitem", "update", village.pk),
        ("pointitem", "update", village.pk),
        ("pointitem", "update", village.pk),
        ("pointentry", "create", village.pk),
        ("redemption", "create", village.pk),
    ]
    assert ours[1].changes == {"points": [5, 6], "evidence_needed": ["村民小组长确认", "签到"]}
    assert AuditEvent.objects.filter(object_id=str(entry.pk), region_code=VILLAGE).exists()


def test_an_items_change_is_audited_field_by_field_and_keeps_it_stopped(people, homes):
    village = people["village"]
    labour = _item(people)
    item_set_active(user=village, item=labour, active=False)
    # the same item turned into a deduction under a new name: both in the changes; the item
    # stays stopped (an edit that does not say `active` does not put it back on the list)
    data = ItemIn(
        name="乱堆乱放", kind=PointKind.DEDUCT, points=5, evidence_needed="村民小组长确认"
    )
    item_save(user=village, item=labour, data=data)
    event = AuditEvent.objects.filter(object_type="pointitem").latest("pk")
    assert event.changes == {
        "name": ["参加义务劳动", "乱堆乱放"],
        "kind": [PointKind.EARN, PointKind.DEDUCT],
    }
    assert not PointItem.objects.get(pk=labour.pk).active


def test_the_pages(people, client, homes):
    labour = _item(people)
    _earn(people, labour, B)
    client.force_login(people["village"])
    r = client.get("/points/")
    text = r.content.decode()
    assert "参加义务劳动" in text and B in text and 'id="point-households"' in text
    assert [h.household_no for h in r.context["households"]] == [A, B, C, D]
    # an entry with no evidence stays on the page with what was typed (400); then it saves
    form = {
        "what": "entry",
        "entry-household": A,
        "entry-item": labour.pk,
        "entry-on": "2026-10-02",
    }
    r = client.post("/points/", form)
    assert r.status_code == 400 and A in r.content.decode()
    r = client.post("/points/", form | {"entry-evidence": "签到表"})
    assert r.status_code == 302 and PointEntry.objects.filter(household__household_no=A).exists()
    # an overdraw is refused beside the form
    r = client.post(
        "/points/",
        {
            "what": "redeem",
            "redeem-household": A,
            "redeem-points": "6",
            "redeem-goods": "大米",
            "redeem-on": "2026-10-03",
        },
    )
    assert r.status_code == 400 and "积分不足" in r.content.decode()
    r = client.post(
        f"/points/households/{A}/",
        {"what": "redeem", "redeem-points": "4", "redeem-goods": "大米", "redeem-on": "2026-10-03"},
    )
    assert r.status_code == 302
    text = client.get(f"/points/households/{A}/").content.decode()
    assert "大米" in text and "签到表" in text and '<dd class="balance">1</dd>' in text
    # the household's page leads to its points
    text = client.get(f"/households/{A}/").content.decode()
    assert f'href="/points/households/{A}/"' in text
    # 5 earned less 4 redeemed; B's 5 ranks first
    assert "村级积分：余额 1 分，本村第 2 名" in text
    assert "村级积分：尚无积分" in client.get(f"/households/{C}/").content.decode()
    # an item added, edited and taken off the list
    r = client.post(
        "/points/",
        {
            "what": "item",
            "item-name": "庭院整洁",
            "item-kind": "earn",
            "item-points": "3",
            "item-evidence_needed": "评比记录",
            "item-order": "1",
        },
    )
    assert r.status_code == 302
    yard = PointItem.objects.get(name="庭院整洁")
    r = client.post(
        f"/points/items/{yard.pk}/",
        {
            "item-name": "庭院整洁",
            "item-kind": "earn",
            "item-points": "4",
            "item-evidence_needed": "评比记录",
            "item-order": "1",
        },
    )
    assert r.status_code == 302 and PointItem.objects.get(pk=yard.pk).points == 4
    r = client.post("/points/", {"what": "item_active", "item": yard.pk, "active": "0"})
    assert r.status_code == 302 and not PointItem.objects.get(pk=yard.pk).active
    # the township picks its village and reads, but may not write
    client.force_login(people["township"])
    text = client.get("/points/").content.decode()
    assert "请选择一个村" in text and f'value="{VILLAGE}"' in text
    r = client.get(f"/points/?village={VILLAGE}")
    text = r.content.decode()
    assert B in text and 'name="what" value="entry"' not in text
    assert r.context["households"] == []  # no forms, no suggestions loaded for them
    r = client.post(f"/points/?village={VILLAGE}", form | {"entry-evidence": "x"})
    assert r.status_code == 403
    assert client.get(f"/points/items/{yard.pk}/").status_code == 403
    # another village's cadre sees neither the village nor the household
    client.force_login(people["neighbour"])
    assert client.get(f"/points/?village={VILLAGE}").status_code == 404
    assert client.get(f"/points/households/{A}/").status_code == 404
    assert client.get(f"/points/items/{yard.pk}/").status_code == 404


def test_the_ranking_page_asks_a_fixed_number_of_queries(
    people, client, homes, django_assert_max_num_queries
):
    labour = _item(people)
    for home in homes:
        _earn(people, labour, home.household_no)
    client.force_login(people["county"])
    with django_assert_max_num_queries(12):
        r = client.get(f"/points/?village={VILLAGE}")
    assert r.status_code == 200


def test_the_api(people, client, homes):
    from bangfu.api.models import ApiToken

    _, token = ApiToken.issue(user=people["village"])
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}

    def post(path: str, body: dict[str, Any]) -> Any:
        return client.post(path, body, content_type="application/json", **auth)

    r = post(
        "/api/v1/points/items",
        {"village": VILLAGE, "name": "孝老爱亲", "points": 10, "evidence_needed": "邻里评议"},
    )
    assert r.status_code == 200 and r.json()["kind"] == "earn"
    item = r.json()["id"]
    r = post(
        "/api/v1/points/entries",
        {"item": item, "household": A, "on": "2026-10-02", "evidence": "评议记录"},
    )
    assert r.status_code == 200 and r.json()["points"] == 10 and r.json()["household"] == A
    r = post(
        "/api/v1/points/redemptions",
        {"household": A, "points": 11, "goods": "油", "on": "2026-10-03"},
    )
    assert r.status_code == 409 and "积分不足" in r.json()["detail"]
    r = post(
        "/api/v1/points/redemptions",
        {"household": A, "points": 4, "goods": "油", "on": "2026-10-03"},
    )
    assert r.status_code == 200 and r.json()["points"] == 4
    ranking = client.get(f"/api/v1/points/ranking?village={VILLAGE}", **auth).json()["items"]
    assert [(h["household"], h["balance"], h["rank"]) for h in ranking] == [(A, 6, 1)]
    balance = client.get(f"/api/v1/points/households/{A}", **auth).json()
    assert (balance["earned"], balance["redeemed"], balance["balance"]) == (10, 4, 6)
    items = client.get(f"/api/v1/points/items?village={VILLAGE}", **auth).json()
    assert [i["name"] for i in items] == ["孝老爱亲"]
    entries = client.get(f"/api/v1/points/entries?village={VILLAGE}&household={A}", **auth)
    assert [e["evidence"] for e in entries.json()["items"]] == ["评议记录"]
    r = post(
        f"/api/v1/points/items/{item}",
        {"name": "孝老爱亲", "points": 10, "evidence_needed": "邻里评议", "active": False},
    )
    assert r.status_code == 200 and r.json()["active"] is False
    r = post(
        f"/api/v1/points/items/{item}",
        {"name": "孝老爱亲", "points": 8, "evidence_needed": "邻里评议"},
    )
    assert r.status_code == 200 and r.json()["active"] is False and r.json()["points"] == 8
    # the township reads and may not write; another village's cadre finds nothing
    _, token = ApiToken.issue(user=people["township"])
    township = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    assert client.get(f"/api/v1/points/ranking?village={VILLAGE}", **township).status_code == 200
    r = client.post(
        "/api/v1/points/redemptions",
        {"household": A, "points": 1, "goods": "油", "on": "2026-10-03"},
        content_type="application/json",
        **township,
    )
    assert r.status_code == 403
    _, token = ApiToken.issue(user=people["neighbour"])
    other = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    assert client.get(f"/api/v1/points/ranking?village={VILLAGE}", **other).status_code == 404
    assert client.get(f"/api/v1/points/households/{A}", **other).status_code == 404


@pytest.mark.slow
def test_the_demo_points(settings, tmp_path):
    from bangfu.accounts.models import User
    from bangfu.demo.points import ITEMS, SEASONAL_ITEM, demo_points
    from bangfu.demo.services import DEMO_VILLAGE, demo_build

    settings.HOME = tmp_path
    demo_build(households=400, seed=2026)
    counts = demo_points(village_code=DEMO_VILLAGE)
    assert counts["items"] == len(ITEMS) + 1 and counts["redemptions"] == 4
    homes = Household.objects.filter(village_id=DEMO_VILLAGE).count()
    assert counts["households"] == min(homes, 12) >= 4
    county = User.objects.get(username="county")
    village = Region.objects.get(code=DEMO_VILLAGE)
    rows: list[Any] = list(village_balances(user=county, village=village))
    assert all(r.balance >= 0 for r in rows) and len({r.balance for r in rows}) > 3
    assert rows[0].rank == 1 and [r.rank for r in rows] == sorted(r.rank for r in rows)
    assert sum(r.redeemed for r in rows) > 0 and sum(r.deducted for r in rows) > 0
    entries = PointEntry.objects.filter(village_id=DEMO_VILLAGE)
    assert entries.count() == counts["entries"]
    months = {e.on.month for e in entries}
    assert months <= {9, 10, 11} and len(months) == 3
    stopped = PointItem.objects.get(village_id=DEMO_VILLAGE, active=False)
    assert stopped.name == SEASONAL_ITEM and {e.on.month for e in stopped.entries.all()} == {10}
    # every entry carries the evidence its item asks for (a deduction's too)
    for e in entries.select_related("item"):
        assert e.evidence.startswith(e.item.evidence_needed.split("，")[0]), (e.item, e.evidence)
