"""Reading a village's contact details as the printed papers give them (public information of
an office: no access check; who may edit them is the access layer's question, above)."""

from __future__ import annotations

from dataclasses import dataclass

from bangfu.regions.models import PREFIX_LENGTH, Level, Region, RegionContact

# 全国防止返贫监测和乡村振兴监督举报电话: printed where neither the village nor a region above
# it gave a supervision phone of its own, so that every notice prints one
SUPERVISION_HOTLINE = "12317"


@dataclass(frozen=True)
class Contact:
    """Whom a village's printed papers name: its committee, office phone and address, and the
    supervision phone (监督举报电话) the notice prints, the village's own or the nearest region's
    above it (township, county ...), else the national hotline."""

    office: str
    phone: str
    supervision_phone: str
    address: str


def committee_name(village: Region) -> str:
    """The village committee's usual name: 官庄村 -> 官庄村村民委员会, a 社区 -> 居民委员会."""
    body = "居民委员会" if village.name.endswith("社区") else "村民委员会"
    return f"{village.name}{body}"


def regions_above(code: str) -> list[str]:
    """The division codes above `code`, nearest first (township, county, city, province)."""
    above = (code[: PREFIX_LENGTH[level]].ljust(12, "0") for level in (4, 3, 2, 1))
    return [c for c in above if c != code]


def village_contact(village: Region) -> Contact:
    """The village's contact details with the defaults filled in (one query)."""
    if village.level != Level.VILLAGE:
        raise ValueError("not a village")
    chain = [village.code, *regions_above(village.code)]
    rows = {c.region_id: c for c in RegionContact.objects.filter(region_id__in=chain)}
    own = rows.get(village.code)
    supervision = next(
        (rows[c].supervision_phone for c in chain if c in rows and rows[c].supervision_phone),
        SUPERVISION_HOTLINE,
    )
    return Contact(
        office=(own.office if own else "") or committee_name(village),
        phone=own.phone if own else "",
        supervision_phone=supervision,
        address=own.address if own else "",
    )
