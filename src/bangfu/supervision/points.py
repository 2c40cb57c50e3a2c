"""Village points (积分制) and the village's list (清单制): who may do what (as reasons, "" where
the user may), the reads (a village's list, a household's balance and history, the village's
ranking) and the writes (the list's items, points recorded with their evidence, points
redeemed at the village's store — 积分超市), each owning its transaction and its audit record.

Seed 001 names 积分制 and 清单制 among the ways of village governance to spread (全面推广"积分制"
"清单制""数字化"治理方式). The practice, as 中央农办、农业农村部《关于在乡村治理中推广运用积分制有关
工作的通知》(2020年7月) describes it: under the village Party organisation and by a democratic
procedure, the village turns its affairs into quantified items, scores households' conduct
and rewards it, morally or materially (积分兑换). The village keeps its own list (its items and
their points are its data, never constants here); the village's cadre records and redeems;
the registry's readers in scope (the township, the county, its auditors) read."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.db.models import (
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    Window,
)
from django.db.models.functions import Coalesce, Rank
from django.utils import timezone
from django.utils.translation import gettext as _

from bangfu.accounts.access import access_for
from bangfu.accounts.models import User
from bangfu.audit.models import AuditAction
from bangfu.audit.services import audit_record
from bangfu.core.errors import Forbidden, NotFound, Refused
from bangfu.core.idcard import redact_personal_numbers
from bangfu.core.text import UNSAFE_REFUSED, has_unsafe_chars
from bangfu.regions.models import Level, Region
from bangfu.registry.models import Household
from bangfu.registry.selectors import (
    household_get_for_user,
    household_heads,
    households_in_scope,
)
from bangfu.supervision.models import PointEntry, PointItem, PointKind, Redemption

# Bounds on what one form may carry, not policy: the notice leaves the points of an item and
# the worth of a point to each village (通过民主程序); these only keep a typing slip (5000 for
# 50) out of a village's ranking. See docs/supervision.md.
MAX_ITEM_POINTS = 100
MAX_REDEMPTION_POINTS = 10_000
# How far back an entry or a redemption may be dated: villages tally points by the year (年度
# 评比) and may still catch up on last year's, never on older ones (a 2006 typed for 2026 is a
# slip). A bound like those above, not policy.
YEARS_BACK = 1
ITEM_FIELDS = ("name", "kind", "points", "evidence_needed", "order", "active")


# -- rules ---------------------------------------------------------------------------------
def why_not_keep_points(user: User, village: Region) -> str:
    """The village's cadre keeps its list, records its households' points and redemptions."""
    access = access_for(user)
    if not access.may_keep_points or not access.contains(village.code):
        return _("只有本村（%(village)s）干部可以维护积分清单、记录积分和兑换") % {
            "village": village.name
        }
    return ""


def _sees(user: User, village_code: str) -> bool:
    access = access_for(user)
    return access.may_read_registry and access.contains(village_code)


# -- reads ---------------------------------------------------------------------------------
def points_village_for_user(*, user: User, code: str) -> Region:
    """A village of the user's region whose points they read; NotFound otherwise."""
    village = access_for(user).region_inside(code) if _sees(user, code) else None
    if village is None or village.level != Level.VILLAGE:
        raise NotFound
    return village


def points_villages(*, user: User) -> QuerySet[Region]:
    """The villages a reader may pick (a village cadre's is their own)."""
    if not access_for(user).may_read_registry:
        return Region.objects.none()
    return access_for(user).regions(Level.VILLAGE).select_related("parent").order_by("code")


def items_in_scope(*, user: User) -> QuerySet[PointItem]:
    return access_for(user).filter(PointItem.objects.select_related("village"))


def village_items(*, user: User, village: Region, active_only: bool = False) -> QuerySet[PointItem]:
    """A village's list (清单), the active items first, in the village's order."""
    items = items_in_scope(user=user).filter(village=village)
    return items.filter(active=True) if active_only else items


def item_get_for_user(*, user: User, pk: int) -> PointItem:
    found = items_in_scope(user=user).filter(pk=pk).first()
    if found is None:
        raise NotFound
    return found


def entries_in_scope(*, user: User) -> QuerySet[PointEntry]:
    """The entries of the user's villages, of the households they read in the registry."""
    entries = access_for(user).filter(
        PointEntry.objects.select_related("item", "household", "by").prefetch_related(
            household_heads("household__")
        )
    )
    return entries.filter(household__in=households_in_scope(user=user))


def _total(qs: QuerySet[PointEntry] | QuerySet[Redemption]) -> Coalesce:
    """One household's sum of `points` in `qs` (correlated on the outer household), 0 if none."""
    summed = qs.filter(household=OuterRef("pk")).values("household").annotate(t=Sum("points"))
    return Coalesce(
        Subquery(summed.values("t")[:1], output_field=IntegerField()),
        Value(0),
        output_field=IntegerField(),
    )


def village_balances(*, user: User, village: Region) -> QuerySet[Household]:
    """The village's households that took part (any entry or redemption), each with `earned`
    (the points added), `deducted` (taken off by 扣分 items), `redeemed` and `balance`
    (earned − deducted − redeemed), and `rank` by balance (ties share a rank: 1, 1, 3), in one
    query. A filter on it would narrow the ranking itself: a household's own rank is
    `household_balance`'s, the rows a user may see `village_ranking`'s."""
    if not _sees(user, village.code):
        raise NotFound
    entries = PointEntry.objects.filter(village=village)
    redemptions = Redemption.objects.filter(village=village)
    mine = Q(household=OuterRef("pk"))
    return (
        Household.objects.filter(village=village)
        .filter(Exists(entries.filter(mine)) | Exists(redemptions.filter(mine)))
        .annotate(
            earned=_total(entries.filter(points__gt=0)),
            deducted=-_total(entries.filter(points__lt=0)),
            redeemed=_total(redemptions),
        )
        .annotate(balance=F("earned") - F("deducted") - F("redeemed"))
        .annotate(rank=Window(Rank(), order_by=F("balance").desc()))
        .prefetch_related(household_heads())
        .order_by("rank", "household_no")
    )


BALANCE_FIELDS = ("pk", "earned", "deducted", "redeemed", "rank")


def village_ranking(*, user: User, village: Region) -> list[Household]:
    """The ranking as the user may see it: the village-wide ranks (`village_balances`), of the
    households the user reads in the registry (a grid worker their grid's, a responsible
    person those they assist; a cadre, the township and the county all)."""
    rows = list(village_balances(user=user, village=village))
    seen = set(households_in_scope(user=user).filter(village=village).values_list("pk", flat=True))
    return [row for row in rows if row.pk in seen]


@dataclass(frozen=True)
class Balance:
    earned: int = 0
    deducted: int = 0
    redeemed: int = 0
    rank: int | None = None  # None: the household has not taken part yet

    @property
    def balance(self) -> int:
        return self.earned - self.deducted - self.redeemed


def household_balance(*, user: User, household: Household) -> Balance:
    """One household's balance and its rank in its village."""
    if not _sees(user, household.village_id):
        raise NotFound
    village = household.village
    rows = village_balances(user=user, village=village).values(*BALANCE_FIELDS)
    # the rank is over the whole village: read the ranking, keep the household's row
    for row in rows:
        if row["pk"] == household.pk:
            return Balance(row["earned"], row["deducted"], row["redeemed"], row["rank"])
    return Balance()


def household_history(
    *, user: User, household: Household
) -> tuple[QuerySet[PointEntry], QuerySet[Redemption]]:
    """A household's entries and redemptions in its village, the latest first."""
    if not _sees(user, household.village_id):
        raise NotFound
    entries = PointEntry.objects.filter(household=household, village_id=household.village_id)
    redemptions = Redemption.objects.filter(household=household, village_id=household.village_id)
    return entries.select_related("item", "by"), redemptions.select_related("by")


def points_household_for_user(*, user: User, household_no: str) -> Household:
    """A household whose points the user reads: one they read in the registry; NotFound
    otherwise."""
    return household_get_for_user(user=user, household_no=household_no)


# -- writes --------------------------------------------------------------------------------
def _text(value: str, label: str, *, limit: int, required: bool = True) -> str:
    value = value.strip()
    if required and not value:
        raise Refused(_("%(label)s必须填写") % {"label": label})
    if len(value) > limit:
        raise Refused(_("%(label)s不能超过 %(n)d 字") % {"label": label, "n": limit})
    if has_unsafe_chars(value):
        raise Refused(_(UNSAFE_REFUSED))
    if redact_personal_numbers(value) != value:
        raise Refused(_("%(label)s中不能填写身份证号或手机号") % {"label": label})
    return value


def _points(value: int, high: int) -> int:
    if not 1 <= value <= high:
        raise Refused(_("分值应为 1 至 %(high)d 之间的整数") % {"high": high})
    return value


def _in_range(on: dt.date, today: dt.date) -> None:
    """A day not to come, in this year or the `YEARS_BACK` before."""
    if on > today:
        raise Refused(_("日期不能晚于今天"))
    earliest = dt.date(today.year - YEARS_BACK, 1, 1)
    if on < earliest:
        raise Refused(_("日期不能早于 %(day)s") % {"day": earliest.isoformat()})


@dataclass
class ItemIn:
    name: str
    kind: str
    points: int
    evidence_needed: str
    order: int = 0
    active: bool | None = None  # None: a new item is active, a changed one stays as it was


def item_save(
    *, user: User, data: ItemIn, village_code: str = "", item: PointItem | None = None
) -> PointItem:
    """An item onto a village's list, or an item's details changed (the village stays). The
    entries already recorded keep the points they were recorded with."""
    if not access_for(user).may_keep_points:
        raise Forbidden(_("只有村干部可以维护积分清单"))
    if item is not None:
        village = item.village
        if not _sees(user, village.code):
            raise NotFound
    else:
        found = access_for(user).region_inside(village_code)
        if found is None or found.level != Level.VILLAGE:
            raise Refused(_("请选择您所辖的村"))
        village = found
    reason = why_not_keep_points(user, village)
    if reason:
        raise Forbidden(reason)
    name = _text(data.name, _("积分事项"), limit=100)
    if data.kind not in PointKind.values:
        raise Refused(_("请选择加分或扣分"))
    points = _points(data.points, MAX_ITEM_POINTS)
    evidence = _text(data.evidence_needed, _("所需佐证"), limit=200)
    if not 0 <= data.order <= 999:
        raise Refused(_("排序应为 0 至 999 之间的整数"))
    with transaction.atomic():
        # the village's row locked: two saves of one name at once cannot both pass the check
        Region.objects.select_for_update().get(pk=village.pk)
        twin = PointItem.objects.filter(village=village, name=name)
        if item is not None:
            twin = twin.exclude(pk=item.pk)
        if twin.exists():
            raise Refused(_("本村积分清单已有该事项：%(name)s") % {"name": name})
        created = item is None
        item = item or PointItem(village=village)
        before = {} if created else {k: getattr(item, k) for k in ITEM_FIELDS}
        item.name = name
        item.kind = data.kind
        item.points = points
        item.evidence_needed = evidence
        item.order = data.order
        if data.active is not None:  # None: as it was (a new item: active)
            item.active = data.active
        item.save()
        changes = {k: [v, getattr(item, k)] for k, v in before.items() if getattr(item, k) != v}
        audit_record(
            actor=user,
            action=AuditAction.CREATE if created else AuditAction.UPDATE,
            obj=item,
            region_code=village.code,
            changes=changes or None,
            note=f"积分清单（{village.name}）：{item}",
        )
    return item


def item_set_active(*, user: User, item: PointItem, active: bool) -> PointItem:
    """An item taken off the list (停用: no new entries; the old ones and the balances stay) or
    put back."""
    if not _sees(user, item.village_id):
        raise NotFound
    reason = why_not_keep_points(user, item.village)
    if reason:
        raise Forbidden(reason)
    if item.active == active:
        return item
    with transaction.atomic():
        item.active = active
        item.save(update_fields=["active"])
        audit_record(
            actor=user,
            action=AuditAction.UPDATE,
            obj=item,
            region_code=item.village_id,
            changes={"active": [not active, active]},
            note=f"积分事项{'启用' if active else '停用'}：{item.name}",
        )
    return item


def entry_record(
    *,
    user: User,
    item: PointItem,
    household_no: str,
    on: dt.date,
    evidence: str,
    note: str = "",
    today: dt.date | None = None,
) -> PointEntry:
    """Points of an active item to a household of the item's village, on a day not to come,
    with the evidence the item asks for (佐证: who confirmed, the photo's number …)."""
    today = today or timezone.localdate()
    village = item.village
    if not _sees(user, village.code):
        raise NotFound
    reason = why_not_keep_points(user, village)
    if reason:
        raise Forbidden(reason)
    if not item.active:
        raise Refused(_("该积分事项已停用：%(name)s") % {"name": item.name})
    no = household_no.strip()
    household = Household.objects.filter(household_no=no, village=village).first()
    if household is None:
        raise Refused(
            _("户编号 %(no)s 不是%(village)s的农户") % {"no": no[:32], "village": village.name}
        )
    _in_range(on, today)
    proof = _text(evidence, _("佐证"), limit=200)
    remark = _text(note, _("备注"), limit=200, required=False)
    with transaction.atomic():
        entry = PointEntry.objects.create(
            village=village,
            household=household,
            item=item,
            points=item.signed,
            on=on,
            evidence=proof,
            note=remark,
            by=user,
        )
        audit_record(
            actor=user,
            action=AuditAction.CREATE,
            obj=entry,
            region_code=village.code,
            note=f"积分记录：{household.household_no} {item.name} {entry.points:+d}",
        )
    return entry


def redemption_record(
    *,
    user: User,
    household_no: str,
    points: int,
    goods: str,
    on: dt.date,
    today: dt.date | None = None,
) -> Redemption:
    """Points a household spends at the village's store (积分超市), never more than its balance:
    the household's row is locked while the balance is read, so that two redemptions at once
    cannot both spend the same points."""
    today = today or timezone.localdate()
    found = (
        Household.objects.select_related("village")
        .filter(household_no=household_no.strip())
        .first()
    )
    if found is None or not _sees(user, found.village_id):
        raise NotFound
    village = found.village
    reason = why_not_keep_points(user, village)
    if reason:
        raise Forbidden(reason)
    spent = _points(points, MAX_REDEMPTION_POINTS)
    thing = _text(goods, _("兑换物品"), limit=100)
    _in_range(on, today)
    with transaction.atomic():
        household = Household.objects.select_for_update().get(pk=found.pk)
        balance = household_balance(user=user, household=found).balance
        if spent > balance:
            raise Refused(
                _("积分不足：余额 %(balance)d 分，兑换需 %(points)d 分")
                % {"balance": balance, "points": spent}
            )
        redemption = Redemption.objects.create(
            village=village, household=household, points=spent, goods=thing, on=on, by=user
        )
        audit_record(
            actor=user,
            action=AuditAction.CREATE,
            obj=redemption,
            region_code=village.code,
            note=f"积分兑换：{household.household_no} -{spent} {thing}",
        )
    return redemption
