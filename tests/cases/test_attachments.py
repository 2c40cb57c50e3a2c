"""A case's attachments: the type read from the content, the size capped, images that open,
stored by a random name under ATTACHMENT_DIR, audited on upload and on every reading; a refused
file leaves nothing behind, and out of scope is absent."""

from __future__ import annotations

import hashlib
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from bangfu.audit.models import AuditAction, AuditEvent
from bangfu.cases.attachments import (
    attachment_add,
    attachment_get_for_user,
    attachment_open,
    clean_filename,
)
from bangfu.cases.models import Attachment, AttachmentKind, Channel, Stage
from bangfu.cases.services import lead_open
from bangfu.core.errors import Forbidden, NotFound, Refused
from tests.conftest import household_rows

pytestmark = pytest.mark.django_db


def image_bytes(fmt: str = "PNG", size: tuple[int, int] = (4, 3)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buf, fmt)
    return buf.getvalue()


PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture
def root(settings, tmp_path):
    settings.ATTACHMENT_DIR = tmp_path / "attachments"
    return settings.ATTACHMENT_DIR


@pytest.fixture
def case(make_households, people):
    (household,) = make_households(household_rows("H-ATT"))
    case, _ = lead_open(household=household, channel=Channel.VISIT, by=people["grid"])
    return case


def upload(name: str, data: bytes, kind: str = "image/png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, kind)


def stored_files(root) -> list:
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


@pytest.mark.parametrize(
    ("name", "data", "content_type", "ext"),
    [
        ("入户核查表.png", image_bytes("PNG"), "image/png", "png"),
        ("IMG_0001.JPG", image_bytes("JPEG"), "image/jpeg", "jpg"),
        ("评议记录.pdf", PDF, "application/pdf", "pdf"),
        # the browser's word and the name do not matter: the content does
        ("photo.pdf", image_bytes("JPEG"), "image/jpeg", "jpg"),
    ],
)
def test_a_file_is_kept_by_its_content_under_a_random_name(
    case, people, root, name, data, content_type, ext
):
    a = attachment_add(
        user=people["village"],
        case=case,
        upload=upload(name, data, "application/octet-stream"),
        kind=AttachmentKind.VERIFICATION,
    )
    assert (a.content_type, a.size, a.stage) == (content_type, len(data), Stage.LEAD)
    assert a.sha256 == hashlib.sha256(data).hexdigest()
    assert a.filename == name.rsplit(".", 1)[0] + "." + ext
    (stored,) = stored_files(root)
    assert stored == root / a.path and stored.parent.name == str(case.pk)
    assert stored.suffix == f".{ext}" and name.rsplit(".", 1)[0] not in stored.name
    assert stored.read_bytes() == data
    event = AuditEvent.objects.get(object_type="attachment", object_id=str(a.pk))
    assert event.action == AuditAction.CREATE and "入户核查表" in event.note


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"MZ\x90\x00 an executable", "文件类型不支持"),
        (b"<html><script>alert(1)</script></html>", "文件类型不支持"),
        (b"\xff\xd8\xff\xe0 not really a jpeg", "图片无法打开"),  # JPEG's magic, then garbage
        (image_bytes("PNG")[:40], "图片无法打开"),  # a truncated photo
        # a JPEG cut off in its image data: its header opens, its pixels do not decode
        (image_bytes("JPEG", (64, 64))[:-200], "图片无法打开"),
        (b"", "文件是空的"),
    ],
)
def test_a_file_of_another_type_or_broken_is_refused_and_nothing_is_kept(
    case, people, root, data, reason
):
    with pytest.raises(Refused, match=reason):
        attachment_add(
            user=people["village"],
            case=case,
            upload=upload("核查表.jpg", data, "image/jpeg"),
            kind=AttachmentKind.VERIFICATION,
        )
    assert not Attachment.objects.exists() and stored_files(root) == []
    assert not AuditEvent.objects.filter(object_type="attachment").exists()


def test_a_phones_multi_picture_jpeg_is_kept_as_a_jpeg(case, people, root):
    """Portrait-mode and many Android photos are MPO files (JPEGs with more pictures in them):
    a photo from the phone's camera, to be kept like any JPEG."""
    buf = io.BytesIO()
    first, second = Image.new("RGB", (8, 6), (10, 90, 10)), Image.new("RGB", (8, 6), (0, 0, 0))
    first.save(buf, "MPO", save_all=True, append_images=[second])
    with Image.open(io.BytesIO(buf.getvalue())) as check:
        assert check.format == "MPO"
    kept = attachment_add(
        user=people["village"],
        case=case,
        upload=upload("IMG_2026.jpg", buf.getvalue(), "image/jpeg"),
        kind=AttachmentKind.VERIFICATION,
    )
    assert kept.content_type == "image/jpeg" and kept.filename == "IMG_2026.jpg"
    assert (root / kept.path).read_bytes() == buf.getvalue()


def test_a_file_over_the_cap_is_refused_with_the_cap(case, people, root, settings):
    settings.MAX_ATTACHMENT_MB = 0.01  # 10 KB
    big = image_bytes("PNG", (400, 400)) + b"\x00" * 20_000
    with pytest.raises(Refused, match=r"文件大小超过 0\.01 MB"):
        attachment_add(
            user=people["village"],
            case=case,
            upload=upload("big.png", big),
            kind=AttachmentKind.NOTICE,
        )
    assert not Attachment.objects.exists() and stored_files(root) == []


def test_the_name_keeps_no_folder_and_no_id_number():
    assert clean_filename("../../etc/passwd", "png") == "passwd.png"
    assert clean_filename("C:\\Users\\x\\公示 照片.jpeg", "jpg") == "公示 照片.jpg"
    cleaned = clean_filename("张三140123197005171234核查表.png", "png")
    assert "140123197005171234" not in cleaned and cleaned.startswith("张三1401")
    assert clean_filename("<script>.png", "png") == "script.png"
    assert clean_filename("", "pdf") == "附件.pdf"


@pytest.mark.parametrize(
    ("who", "error"),
    [
        ("grid", Forbidden),  # may read the case, not write it
        ("helper", Forbidden),
        ("auditor", Forbidden),
        ("neighbour", NotFound),  # another village: as if it did not exist
        ("other_township", NotFound),
    ],
)
def test_only_the_cadres_of_the_region_may_attach(case, people, root, who, error):
    with pytest.raises(error):
        attachment_add(
            user=people[who],
            case=case,
            upload=upload("a.png", image_bytes()),
            kind=AttachmentKind.OTHER,
        )
    assert stored_files(root) == []


def test_a_closed_case_takes_no_attachment_and_the_kind_must_be_known(case, people, root):
    with pytest.raises(Refused, match="附件类型"):
        attachment_add(
            user=people["village"], case=case, upload=upload("a.png", image_bytes()), kind="x"
        )
    case.stage, case.closed_at = Stage.NOT_IDENTIFIED, case.opened_at
    case.save()
    with pytest.raises(Refused, match="已办结"):
        attachment_add(
            user=people["township"],
            case=case,
            upload=upload("a.png", image_bytes()),
            kind=AttachmentKind.OTHER,
        )
    assert stored_files(root) == []


def test_reading_is_scoped_and_each_reading_is_audited(case, people, root):
    a = attachment_add(
        user=people["village"],
        case=case,
        upload=upload("核查表.png", image_bytes()),
        kind=AttachmentKind.VERIFICATION,
    )
    for who in ("neighbour", "other_township", "dept"):
        with pytest.raises(NotFound):
            attachment_get_for_user(user=people[who], pk=a.pk)
    found = attachment_get_for_user(user=people["grid"], pk=a.pk)
    for _ in range(2):
        assert (
            attachment_open(user=people["grid"], attachment=found).read_bytes()
            == (root / a.path).read_bytes()
        )
    readings = AuditEvent.objects.filter(
        object_type="attachment", object_id=str(a.pk), action=AuditAction.EXPORT
    )
    assert readings.count() == 2 and readings.first().actor == people["grid"]
    (root / a.path).unlink()  # gone from disk: absent, not a server error
    with pytest.raises(NotFound):
        attachment_open(user=people["grid"], attachment=found)


def test_an_upload_whose_audit_fails_leaves_no_file(case, people, root, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("audit store down")

    monkeypatch.setattr("bangfu.cases.attachments.audit_record", broken)
    with pytest.raises(RuntimeError):
        attachment_add(
            user=people["village"],
            case=case,
            upload=upload("a.png", image_bytes()),
            kind=AttachmentKind.OTHER,
        )
    assert not Attachment.objects.exists() and stored_files(root) == []
