"""一户一码 and the printed papers: the QR code decodes to a signed URL with nothing personal in
it; followed by a user in scope it opens the household card, by anyone else only the village's
public side; a revoked code stops working; the cards and the public notice are PDFs whose text
extracts as Chinese, and the notice never shows an ID number."""

import datetime as dt
import io

import numpy as np
import pytest
import segno
import zxingcpp
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from bangfu.cases.cards import household_token, qr_url
from bangfu.cases.models import Case, Channel, Stage
from bangfu.core.crypto import decrypt
from tests.conftest import VILLAGE, household_rows

pytestmark = pytest.mark.django_db


@pytest.fixture
def monitored(make_households):
    (h, other) = make_households(household_rows("H-CARD"), household_rows("H-NOTE"))
    h.category = "edge"
    h.save()
    Case.objects.create(
        household=h,
        channel=Channel.VISIT,
        stage=Stage.MONITORING,
        risk_types=["因病"],
        identified_on=timezone.localdate(),
    )
    Case.objects.create(
        household=other,
        channel=Channel.VISIT,
        stage=Stage.NOTICE,
        risk_types=["因灾"],
        notice_ends=timezone.localdate() + dt.timedelta(days=3),
    )
    return h, other


def decode(url):
    """Render the code as the card prints it and read it back with a real decoder."""
    matrix = np.array(list(segno.make(url, error="m").matrix_iter(scale=8, border=4)), np.uint8)
    (result,) = zxingcpp.read_barcodes((1 - matrix) * 255)
    return result.text


def text_of(pdf: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_the_qr_code_decodes_and_opens_the_card_in_scope_only(client, people, monitored):
    household, _ = monitored
    url = decode(qr_url(household_token(household=household), "http://testserver/"))
    assert url.startswith("http://testserver/q/")
    head = household.members.get(relation="head")
    for secret in (head.name, decrypt(head.id_enc), household.household_no):
        assert secret not in url  # nothing personal inside the code
    path = url.removeprefix("http://testserver")
    public = client.get(path).content.decode()  # anyone: the village and whom to call
    assert "官庄村" in public and reverse("declare", args=[VILLAGE]) in public
    assert head.name not in public and household.household_no not in public
    client.force_login(people["village"])
    card = client.get(path).content.decode()
    assert household.household_no in card and "因病" in card
    client.force_login(people["neighbour"])  # logged in, another village: the public side
    assert household.household_no not in client.get(path).content.decode()
    forged = path.replace("/q/", "/q/x")
    assert client.get(forged).status_code == 404


def test_a_revoked_code_stops_working_and_a_new_one_is_issued(client, people, monitored):
    household, _ = monitored
    old = qr_url(household_token(household=household), "/").removeprefix("/")
    client.force_login(people["village"])
    client.post(reverse("qr_revoke", args=[household.household_no]))
    assert client.get("/" + old).status_code == 410
    new = qr_url(household_token(household=household), "/")
    assert new.removeprefix("/") != old and client.get(new).status_code == 200


def test_card_pdf_text_is_chinese_and_carries_the_code(client, people, monitored):
    household, _ = monitored
    client.force_login(people["village"])
    r = client.get(reverse("card_pdf", args=[household.household_no]))
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    text = text_of(r.content)
    assert "一户一码" in text and "官庄村" in text and household.household_no in text
    village = client.get(reverse("village_cards_pdf", args=[VILLAGE]))
    assert household.household_no in text_of(village.content)
    client.force_login(people["grid"])  # grid workers do not print
    assert client.get(reverse("card_pdf", args=[household.household_no])).status_code == 404


def test_public_notice_pdf_lists_names_never_id_numbers(
    client, people, monitored, settings, tmp_path
):
    _, noticed = monitored
    client.force_login(people["township"])
    r = client.get(reverse("notice_pdf", args=[VILLAGE]))
    text = text_of(r.content)
    head = noticed.members.get(relation="head")
    assert "公示" in text and head.name in text and "因灾" in text
    for m in noticed.members.all():
        number = decrypt(m.id_enc)
        assert number not in text and number[-6:] not in text
    # the policy may ask for masked names
    from bangfu.monitoring.policy import load_policy

    masked = tmp_path / "p.toml"
    masked.write_text(
        load_policy()
        .path.read_text(encoding="utf-8")
        .replace('names = "full"', 'names = "masked"'),
        encoding="utf-8",
    )
    settings.BANGFU_POLICY = str(masked)
    text = text_of(client.get(reverse("notice_pdf", args=[VILLAGE])).content)
    assert head.name not in text and head.name[0] + "*" in text
    client.force_login(people["other_township"])
    assert client.get(reverse("notice_pdf", args=[VILLAGE])).status_code == 404
