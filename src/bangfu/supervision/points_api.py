"""The village points' API routes (`/api/v1/points`): a village's list (清单) and its items,
the entries recorded (积分记录) and a new one, a redemption (积分兑换), a household's balance,
and the village's ranking; the same services and refusals as the pages. (No `from __future__
import annotations`: django-ninja reads the annotations.)"""

import datetime as dt
import enum
from typing import Any

from django.db.models import QuerySet
from ninja import Field, Router, Schema
from ninja.pagination import paginate
from ninja.params.functions import Query

from bangfu.accounts.api import ApiRequest
from bangfu.core.api import REFUSALS, Pages
from bangfu.registry.models import Household
from bangfu.supervision.models import PointEntry, PointItem, PointKind, Redemption
from bangfu.supervision.points import (
    MAX_ITEM_POINTS,
    MAX_REDEMPTION_POINTS,
    ItemIn,
    entries_in_scope,
    entry_record,
    household_balance,
    item_get_for_user,
    item_save,
    points_household_for_user,
    points_village_for_user,
    redemption_record,
    village_items,
    village_ranking,
)

router = Router(tags=["points"])

PointKindName = enum.Enum(  # type: ignore[misc]
    "PointKindName", {k.value: k.value for k in PointKind}, type=str
)
TEXT = "^[^\\x00]*$"
VILLAGE = "^[0-9]{12}$"  # a village's 12-digit division code


class ItemOut(Schema):
    id: int
    village: str
    name: str
    kind: str
    points: int
    evidence_needed: str
    active: bool
    order: int

    @staticmethod
    def resolve_village(obj: Any) -> str:
        return str(obj.village_id)


class EntryOut(Schema):
    id: int
    household: str
    item: int
    item_name: str
    points: int
    on: dt.date
    evidence: str
    note: str

    @staticmethod
    def resolve_household(obj: Any) -> str:
        return str(obj.household.household_no)

    @staticmethod
    def resolve_item(obj: Any) -> int:
        return int(obj.item_id)

    @staticmethod
    def resolve_item_name(obj: Any) -> str:
        return str(obj.item.name)


class RedemptionOut(Schema):
    id: int
    household: str
    points: int
    goods: str
    on: dt.date

    @staticmethod
    def resolve_household(obj: Any) -> str:
        return str(obj.household.household_no)


class BalanceOut(Schema):
    household: str
    head: str
    earned: int
    deducted: int
    redeemed: int
    balance: int
    rank: int | None

    @staticmethod
    def resolve_household(obj: Any) -> str:
        return str(obj.household_no)

    @staticmethod
    def resolve_head(obj: Any) -> str:
        return str(obj.head_name)


@router.get("/points/items", response=list[ItemOut])
def point_items(
    request: ApiRequest,
    village: str = Query(..., pattern=VILLAGE, description="村的12位区划代码"),
    active: bool = False,
) -> Any:
    """A village's list (清单): its items, the active first (`active`: only those)."""
    found = points_village_for_user(user=request.user, code=village)
    return village_items(user=request.user, village=found, active_only=active)


class ItemBody(Schema):
    name: str = Field(..., max_length=100, pattern=TEXT)
    kind: PointKindName = PointKindName.earn  # type: ignore[attr-defined]
    points: int = Field(..., ge=1, le=MAX_ITEM_POINTS)
    evidence_needed: str = Field(..., max_length=200, pattern=TEXT)
    order: int = Field(0, ge=0, le=999)
    active: bool | None = Field(None, description="启用；不填：新事项启用，已有事项不变")

    def item_in(self) -> ItemIn:
        return ItemIn(
            name=self.name,
            kind=self.kind.value,
            points=self.points,
            evidence_needed=self.evidence_needed,
            order=self.order,
            active=self.active,
        )


class ItemCreate(ItemBody):
    village: str = Field(..., pattern=VILLAGE, description="村的12位区划代码")


@router.post("/points/items", response={200: ItemOut, **REFUSALS})
def point_item_create(request: ApiRequest, body: ItemCreate) -> PointItem:
    """An item onto the village's list (the village's cadre)."""
    return item_save(user=request.user, data=body.item_in(), village_code=body.village)


@router.post("/points/items/{item_id}", response={200: ItemOut, **REFUSALS})
def point_item_update(request: ApiRequest, item_id: int, body: ItemBody) -> PointItem:
    """An item's details, or `active: false` to take it off the list (停用)."""
    item = item_get_for_user(user=request.user, pk=item_id)
    return item_save(user=request.user, data=body.item_in(), item=item)


@router.get("/points/entries", response=list[EntryOut])
@paginate(Pages, page_size=50)
def point_entries(
    request: ApiRequest,
    village: str = Query(..., pattern=VILLAGE, description="村的12位区划代码"),
    household: str = Query("", max_length=32, pattern=TEXT, description="户编号"),
) -> QuerySet[PointEntry]:
    """The points recorded in a village (of one household with `household`), the latest first."""
    found = points_village_for_user(user=request.user, code=village)
    entries = entries_in_scope(user=request.user).filter(village=found)
    return entries.filter(household__household_no=household) if household else entries


class EntryIn(Schema):
    item: int = Field(..., ge=1, le=2**31 - 1)
    household: str = Field(..., max_length=32, pattern=TEXT, description="户编号")
    on: dt.date
    evidence: str = Field(..., max_length=200, pattern=TEXT, description="佐证（清单所列）")
    note: str = Field("", max_length=200, pattern=TEXT)


@router.post("/points/entries", response={200: EntryOut, **REFUSALS})
def point_entry_create(request: ApiRequest, body: EntryIn) -> PointEntry:
    """Points of an active item to a household of its village, with the evidence."""
    item = item_get_for_user(user=request.user, pk=body.item)
    return entry_record(
        user=request.user,
        item=item,
        household_no=body.household,
        on=body.on,
        evidence=body.evidence,
        note=body.note,
    )


class RedemptionIn(Schema):
    household: str = Field(..., max_length=32, pattern=TEXT, description="户编号")
    points: int = Field(..., ge=1, le=MAX_REDEMPTION_POINTS)
    goods: str = Field(..., max_length=100, pattern=TEXT, description="兑换物品")
    on: dt.date


@router.post("/points/redemptions", response={200: RedemptionOut, **REFUSALS})
def point_redemption_create(request: ApiRequest, body: RedemptionIn) -> Redemption:
    """积分兑换: refused (409) for more points than the household's balance."""
    return redemption_record(
        user=request.user,
        household_no=body.household,
        points=body.points,
        goods=body.goods,
        on=body.on,
    )


@router.get("/points/ranking", response=list[BalanceOut])
@paginate(Pages, page_size=50)
def point_ranking(
    request: ApiRequest, village: str = Query(..., pattern=VILLAGE, description="村的12位区划代码")
) -> list[Household]:
    """The village's households by balance, ties sharing a rank."""
    found = points_village_for_user(user=request.user, code=village)
    return village_ranking(user=request.user, village=found)


@router.get("/points/households/{household_no}", response=BalanceOut)
def point_balance(request: ApiRequest, household_no: str) -> Household:
    """One household's balance (earned − deducted − redeemed) and rank in its village."""
    household = points_household_for_user(user=request.user, household_no=household_no)
    b = household_balance(user=request.user, household=household)
    for name in ("earned", "deducted", "redeemed", "balance", "rank"):
        setattr(household, name, getattr(b, name))
    return household
