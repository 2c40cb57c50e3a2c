"""One visit for monitoring and social assistance (不再重复入户): the home verification assesses
低保/特困/临时救助; a need found is referred to civil affairs (民政), whose officer answers it in
their region (accepted with the amount, or refused with the reason); the case shows it. Other
department officers, and civil affairs of another county, may not."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from bangfu.accounts.models import Department, Role
from bangfu.accounts.services import user_create
from bangfu.audit.models import AuditEvent
from bangfu.cases.models import Channel, Referral, ReferralStatus
from bangfu.cases.selectors import referrals_for_user
from bangfu.cases.services import case_act, lead_open, referral_answer
from bangfu.core.errors import Conflict, NotFound, Refused
from bangfu.regions.models import Region
from bangfu.regions.services import regions_load
from tests.cases.test_chain import VERIFY
from tests.conftest import COUNTY, PASSWORD, household_rows

D = dt.date(2026, 11, 2)
NEED = VERIFY | {"social_need": ["低保", "临时救助"], "social_figures": "月人均收入 400 元"}


@pytest.fixture
def civil(people):
    return user_create(
        username="civil",
        password=PASSWORD,
        role=Role.DEPARTMENT_OFFICER,
        region=Region.objects.get(code=COUNTY),
        department=Department.CIVIL,
    )


@pytest.fixture
def referred(make_households, people):
    (household,) = make_households(household_rows("H-REF"))
    case, _ = lead_open(household=household, channel=Channel.VISIT, by=people["grid"], today=D)
    return case_act(user=people["village"], case=case, action="verify", data=NEED, today=D)


def test_a_need_found_at_verification_is_referred(referred):
    referrals = {r.programme: r for r in referred.referrals.all()}
    assert set(referrals) == {"低保", "临时救助"}
    assert all(r.status == ReferralStatus.PENDING for r in referrals.values())
    assert referrals["低保"].figures == "月人均收入 400 元"


def test_no_need_no_referral(make_households, people):
    (household,) = make_households(household_rows("H-NOREF"))
    case, _ = lead_open(household=household, channel=Channel.VISIT, by=people["grid"], today=D)
    case = case_act(user=people["village"], case=case, action="verify", data=VERIFY, today=D)
    assert not case.referrals.exists()


def test_civil_affairs_answers_and_the_case_shows_it(referred, civil, people, client):
    relief = referred.referrals.get(programme="临时救助")
    dibao = referred.referrals.get(programme="低保")
    assert set(referrals_for_user(user=civil)) == {dibao, relief}
    events = AuditEvent.objects.count()
    referral_answer(user=civil, referral=dibao, accepted=True, amount="450")
    dibao.refresh_from_db()
    assert dibao.status == ReferralStatus.ACCEPTED and dibao.amount == Decimal("450.00")
    assert dibao.answered_by == civil and AuditEvent.objects.count() == events + 1
    with pytest.raises(Conflict, match="已答复"):
        referral_answer(user=civil, referral=dibao, accepted=False, reason="x")
    with pytest.raises(Refused, match="理由"):
        referral_answer(user=civil, referral=relief, accepted=False)
    # through the page
    client.force_login(civil)
    assert "H-REF" in client.get(reverse("referrals")).content.decode()
    client.post(
        reverse("referrals"),
        {"referral": relief.pk, "decision": "refuse", "reason": "已由医疗救助解决"},
    )
    relief.refresh_from_db()
    assert relief.status == ReferralStatus.REFUSED and relief.answer == "已由医疗救助解决"
    client.force_login(people["village"])
    page = client.get(reverse("case", args=[referred.pk])).content.decode()
    assert "已纳入救助" in page and "450" in page and "已由医疗救助解决" in page


def test_others_may_not_answer(referred, people, client):
    dibao = referred.referrals.get(programme="低保")
    regions_load(code="140122")  # 阳曲县, another county of the same city
    elsewhere = user_create(
        username="civil-elsewhere",
        password=PASSWORD,
        role=Role.DEPARTMENT_OFFICER,
        region=Region.objects.get(code="140122000000"),
        department=Department.CIVIL,
    )
    medical = people["dept"]  # a department officer without a department, like the medical one
    for outsider in (elsewhere, medical, people["village"], people["county"]):
        with pytest.raises(NotFound):
            referral_answer(user=outsider, referral=dibao, accepted=True, amount="450")
    # civil affairs elsewhere has the page, with its own county's referrals only
    client.force_login(elsewhere)
    page = client.get(reverse("referrals"))
    assert page.status_code == 200 and "H-REF" not in page.content.decode()
    post = {"referral": dibao.pk, "decision": "accept", "amount": "450"}
    assert client.post(reverse("referrals"), post).status_code == 404
    for outsider in (medical, people["village"], people["county"]):
        client.force_login(outsider)
        assert client.get(reverse("referrals")).status_code == 404
    assert not referrals_for_user(user=elsewhere).exists()
    assert Referral.objects.get(pk=dibao.pk).status == ReferralStatus.PENDING
    # the cadres read the referrals of the cases they may read
    assert dibao in referrals_for_user(user=people["village"])
    assert not referrals_for_user(user=people["neighbour"]).exists()
