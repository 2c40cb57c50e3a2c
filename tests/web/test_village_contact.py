"""A village's contact details (村委会联系方式): kept by the village's cadre and the township and
county above it on /villages/<code>/contact/, audited, absent (404) for anyone else; the
defaults (the committee's name, the supervision phone of the region above, else 12317); the
demo fills them in for every village of its county."""

import pytest
from django.urls import reverse

from bangfu.audit.models import AuditEvent
from bangfu.cases import contacts
from bangfu.demo.contacts import DEMO_SUPERVISION_PHONE, DEMO_WORK_PHONES, demo_contacts
from bangfu.regions.models import Level, Region, RegionContact
from bangfu.regions.selectors import SUPERVISION_HOTLINE, committee_name, village_contact
from tests.conftest import COUNTY, NEIGHBOUR, OTHER_TOWNSHIP_VILLAGE, VILLAGE

pytestmark = pytest.mark.django_db

FORM = {
    "office": "官庄村村民委员会",
    "phone": "0351-5800206",
    "supervision_phone": "(0351)5122317",
    "address": "娄烦镇官庄村村委会办公室",
}


def url(code: str = VILLAGE) -> str:
    return reverse("village_contact", args=[code])


def test_the_village_cadre_saves_the_contact_and_it_is_audited(client, people):
    client.force_login(people["village"])
    page = client.get(url()).content.decode()
    # before anything is saved: the defaults the papers print
    assert "官庄村村民委员会" in page and SUPERVISION_HOTLINE in page
    r = client.post(url(), FORM)
    assert r.status_code == 302 and r["Location"] == url()
    saved = RegionContact.objects.get(region_id=VILLAGE)
    assert (saved.office, saved.phone, saved.supervision_phone, saved.address) == tuple(
        FORM.values()
    )
    event = AuditEvent.objects.get(object_type="regioncontact", object_id=VILLAGE)
    assert event.action == "create" and event.actor == people["village"]
    assert event.region_code == VILLAGE and event.changes["phone"] == ["", "0351-5800206"]
    client.post(url(), FORM | {"phone": "0351-5800299"})
    latest = AuditEvent.objects.filter(object_type="regioncontact").latest("pk")
    assert latest.action == "update" and latest.changes == {
        "phone": ["0351-5800206", "0351-5800299"]
    }
    page = client.get(url()).content.decode()
    assert "0351-5800299" in page and "(0351)5122317" in page


def test_a_bad_phone_is_refused_with_the_reason(client, people):
    client.force_login(people["township"])  # the township above may edit too
    r = client.post(url(), FORM | {"phone": "请打电话"})
    assert r.status_code == 400 and "电话号码只能包含数字" in r.content.decode()
    assert (
        not RegionContact.objects.exists()
        and not AuditEvent.objects.filter(object_type="regioncontact").exists()
    )
    assert client.post(url(), FORM).status_code == 302


def test_outside_the_region_or_without_printing_it_is_absent(client, people):
    for who in ("neighbour", "other_township", "grid", "helper", "auditor", "dept"):
        client.force_login(people[who])
        assert client.get(url()).status_code == 404, who
        assert client.post(url(), FORM).status_code == 404, who
    assert not RegionContact.objects.exists()
    client.force_login(people["county"])
    assert client.get(url(OTHER_TOWNSHIP_VILLAGE)).status_code == 200
    assert client.get(url(COUNTY)).status_code == 404  # villages only
    client.force_login(people["neighbour"])
    assert client.get(url(NEIGHBOUR)).status_code == 200  # their own


def test_the_case_list_links_the_contact_page(client, people):
    client.force_login(people["village"])
    assert url() in client.get(reverse("cases")).content.decode()


def test_defaults_committee_name_and_supervision_phone_from_above(db):
    village = Region.objects.get(code=VILLAGE)
    assert committee_name(village) == "官庄村村民委员会"
    assert committee_name(Region(name="东城社区", level=Level.VILLAGE)) == "东城社区居民委员会"
    contact = village_contact(village)
    assert contact.office == "官庄村村民委员会" and contact.phone == ""
    assert contact.supervision_phone == SUPERVISION_HOTLINE
    RegionContact.objects.create(region_id=COUNTY, supervision_phone="0351-5122317")
    assert village_contact(village).supervision_phone == "0351-5122317"
    RegionContact.objects.create(region_id=VILLAGE, supervision_phone="0351-5800200")
    assert village_contact(village).supervision_phone == "0351-5800200"


def test_the_demo_gives_every_village_its_contact_and_users_distinct_phones(db):
    county = Region.objects.get(code=COUNTY)
    made = demo_contacts(county)
    villages = Region.objects.filter(code__startswith="140123", level=Level.VILLAGE)
    assert made == villages.count() + 1  # and the county's
    phones = list(
        RegionContact.objects.filter(region__level=Level.VILLAGE).values_list("phone", flat=True)
    )
    assert len(set(phones)) == len(phones) == villages.count()
    guanzhuang = village_contact(Region.objects.get(code=VILLAGE))
    assert guanzhuang.office == "官庄村村民委员会" and guanzhuang.phone == "0351-5100206"
    assert guanzhuang.supervision_phone == DEMO_SUPERVISION_PHONE  # the county's
    assert demo_contacts(county) == 0  # kept where already set
    assert len(set(DEMO_WORK_PHONES.values())) == len(DEMO_WORK_PHONES)


def test_a_save_whose_audit_fails_leaves_nothing(people, monkeypatch):
    def refuse(**kwargs):
        raise RuntimeError("audit write refused")

    monkeypatch.setattr(contacts, "audit_record", refuse)
    with pytest.raises(RuntimeError):
        contacts.village_contact_save(
            user=people["village"], village=Region.objects.get(code=VILLAGE), values=FORM
        )
    assert not RegionContact.objects.exists()
