"""The demo county's contact details (村委会联系方式): each village committee's office phone and
address, made up from its division code, and the county's supervision phone, which a village's
notice prints when it has none of its own. Made-up office numbers, not anyone's phone."""

from __future__ import annotations

from bangfu.accounts.access import region_q
from bangfu.regions.models import Level, Region, RegionContact
from bangfu.regions.selectors import committee_name

# the demo county's supervision phone (监督举报电话), a made-up 娄烦 office number
DEMO_SUPERVISION_PHONE = "0351-5122317"
# each demo user's work phone (工作电话): an office number of their unit, never a mobile
DEMO_WORK_PHONES = {
    "county": "0351-5121106",
    "township": "0351-5132208",
    "village": "0351-5800216",
    "village2": "0351-5800217",
    "grid": "0351-5800226",
    "helper": "0351-5121135",
    "dept": "0351-5123120",
    "civil": "0351-5124151",
    "auditor": "0351-5125170",
}


def village_office_phone(village: Region) -> str:
    """A village committee's made-up office phone: 0351-5 + the township's and the village's
    three digits of its division code (so no two villages of the county share one)."""
    return f"0351-5{village.code[6:12]}"


def demo_contacts(county: Region) -> int:
    """Contact details for the county (its supervision phone) and each of its villages (the
    committee, its office phone and address); kept where already set. Returns how many were
    made."""
    villages = Region.objects.filter(region_q("code", county), level=Level.VILLAGE).select_related(
        "parent"
    )
    made = [
        RegionContact(
            region=county,
            office=f"{county.name}农业农村局",
            phone="0351-5121100",
            supervision_phone=DEMO_SUPERVISION_PHONE,
            address=f"{county.name}人民政府大院",
        )
    ]
    for village in villages:
        township = village.parent.name if village.parent else ""
        made.append(
            RegionContact(
                region=village,
                office=committee_name(village),
                phone=village_office_phone(village),
                address=f"{county.name}{township}{village.name}村委会办公室",
            )
        )
    have = set(
        RegionContact.objects.filter(region_q("region__code", county)).values_list(
            "region_id", flat=True
        )
    )
    new = [c for c in made if c.region_id not in have]
    RegionContact.objects.bulk_create(new)
    return len(new)
