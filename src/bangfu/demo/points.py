"""The demo village's points (积分制, 清单制), through the same services as the pages: 官庄村's
list of items (加分 and 扣分, each with the evidence it asks for), points recorded for a dozen
households over September to November of the demo's year, and a few redemptions at the
village's store (积分超市), so that the ranking shows balances and shared ranks. The village's
cadre (the demo user "village") keeps them."""

from __future__ import annotations

import datetime as dt

from bangfu.accounts.models import User
from bangfu.demo.services import today as demo_today
from bangfu.registry.models import Household
from bangfu.supervision.models import PointItem, PointKind, Redemption
from bangfu.supervision.points import (
    ItemIn,
    entry_record,
    household_balance,
    item_save,
    item_set_active,
    redemption_record,
    village_balances,
)

# 官庄村's list as a village might adopt it by its villagers' meeting: the usual headings of the
# published 积分制 practice (公益劳动, 人居环境, 孝老爱亲, 移风易俗, 遵纪守法)
ITEMS = (
    ("参加义务劳动（每次）", PointKind.EARN, 5, "村民小组长确认，附活动签到表"),
    ("庭院整洁（月度评比）", PointKind.EARN, 3, "村“两委”评比记录，附照片"),
    ("孝老爱亲", PointKind.EARN, 10, "邻里评议记录，村民小组长确认"),
    ("移风易俗：红白事简办", PointKind.EARN, 5, "红白理事会登记"),
    ("参加技能培训", PointKind.EARN, 3, "培训签到表"),
    ("垃圾分类投放", PointKind.EARN, 2, "保洁员检查记录"),
    ("乱堆乱放，经劝导不改", PointKind.DEDUCT, 5, "村“两委”检查记录，附照片"),
    ("大操大办红白事", PointKind.DEDUCT, 10, "红白理事会记录"),
)
GOODS = ("食用油 1 桶", "洗衣粉 2 袋", "大米 10 斤", "毛巾 2 条")
SEASONAL_ITEM = "秋收秸秆禁烧值守"  # the watch on burning straw after the autumn harvest


def _proof(item: PointItem, on: dt.date) -> str:
    """The evidence the item asks for (its first part), of the month: 红白理事会记录（11月）."""
    return f"{item.evidence_needed.split('，')[0]}（{on.month}月）"


def demo_points(*, village_code: str) -> dict[str, int]:
    """The demo's points; returns how many items, entries, redemptions and households ranked."""
    day = demo_today()
    cadre = User.objects.get(username="village")
    items = [
        item_save(
            user=cadre,
            village_code=village_code,
            data=ItemIn(name=name, kind=kind, points=points, evidence_needed=proof, order=i),
        )
        for i, (name, kind, points, proof) in enumerate(ITEMS)
    ]
    # a season's item, stopped once the season is over: its entries stay in the balances
    old = item_save(
        user=cadre,
        village_code=village_code,
        data=ItemIn(
            name=SEASONAL_ITEM,
            kind=PointKind.EARN,
            points=5,
            evidence_needed="值班表，村民小组长确认",
        ),
    )
    homes = list(Household.objects.filter(village_id=village_code).order_by("household_no")[:12])
    if not homes:  # a demo too small to hold the village's households
        return {"items": len(items) + 1, "entries": 0, "redemptions": 0, "households": 0}
    # the last September to November already past
    year = day.year if day >= dt.date(day.year, 12, 1) else day.year - 1
    start, end = dt.date(year, 9, 1), dt.date(year, 11, 30)
    span = (end - start).days
    entries = 0
    entry_record(
        user=cadre,
        item=old,
        household_no=homes[0].household_no,
        on=start + dt.timedelta(days=30),  # the harvest's burning season (October)
        evidence="值班表第 3 页",
        today=day,
    )
    entries += 1
    item_set_active(user=cadre, item=old, active=False)
    earn = [i for i in items if i.kind == PointKind.EARN]
    deduct = [i for i in items if i.kind == PointKind.DEDUCT]
    for n, home in enumerate(homes):
        # a dozen households, from the most active (eight entries) to the least (two)
        for k in range(8 - (n * 6) // len(homes)):
            item = earn[(n + k * 3) % len(earn)]
            on = start + dt.timedelta(days=(n * 7 + k * 11) % (span + 1))
            entry_record(
                user=cadre,
                item=item,
                household_no=home.household_no,
                on=on,
                evidence=_proof(item, on),
                today=day,
            )
            entries += 1
        if n % 5 == 2:
            item = deduct[n % len(deduct)]
            entry_record(
                user=cadre,
                item=item,
                household_no=home.household_no,
                on=end,
                evidence=_proof(item, end),
                today=day,
            )
            entries += 1
    # the first four spend part of what they hold (a small demo village may hold less)
    for n, home in enumerate(homes[:4]):
        held = household_balance(user=cadre, household=home).balance
        if held > 0:
            redemption_record(
                user=cadre,
                household_no=home.household_no,
                points=min(10 + 5 * n, held),
                goods=GOODS[n % len(GOODS)],
                on=end,
                today=day,
            )
    county = User.objects.get(username="county")
    ranked = village_balances(user=county, village=homes[0].village).count()
    return {
        "items": len(items) + 1,
        "entries": entries,
        "redemptions": Redemption.objects.filter(village_id=village_code).count(),
        "households": ranked,
    }
