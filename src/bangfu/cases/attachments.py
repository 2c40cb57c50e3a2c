"""A case's attachments (附件): the home verification's form, the appraisal's minutes, the
notice's photo, taken with a phone or scanned. What is kept is what was checked: the type is
read from the content (a JPEG, a PNG or a PDF, whatever the name or the browser says), the size
is capped (MAX_ATTACHMENT_MB), images must open, and the file is stored by a random name under
ATTACHMENT_DIR, never by the uploader's. Every upload and every download is audited."""

from __future__ import annotations

import hashlib
import re
import unicodedata
import uuid
import warnings
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import models, transaction
from django.utils import translation
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from bangfu.accounts.access import access_for
from bangfu.accounts.models import User
from bangfu.audit.models import AuditAction
from bangfu.audit.services import audit_record
from bangfu.cases.models import Attachment, AttachmentKind, Case
from bangfu.cases.selectors import cases_in_scope
from bangfu.core.errors import Forbidden, NotFound, Refused
from bangfu.core.idcard import redact_personal_numbers


@dataclass(frozen=True)
class FileType:
    content_type: str
    extension: str
    image: bool


# recognised by their first bytes (magic numbers), not by the name the phone gave them
JPEG = FileType("image/jpeg", "jpg", True)
PNG = FileType("image/png", "png", True)
PDF = FileType("application/pdf", "pdf", False)
SIGNATURES = ((b"\xff\xd8\xff", JPEG), (b"\x89PNG\r\n\x1a\n", PNG), (b"%PDF-", PDF))
# what Pillow calls each: a phone's portrait or multi-picture JPEG opens as "MPO"
PILLOW_FORMATS = {JPEG: frozenset({"JPEG", "MPO"}), PNG: frozenset({"PNG"})}
UNSAFE_NAME = re.compile(r"[^\w.()（）\-— ]+")


def max_bytes() -> int:
    return int(settings.MAX_ATTACHMENT_MB * 1024 * 1024)


def attachment_root() -> Path:
    return Path(settings.ATTACHMENT_DIR)


def file_type(head: bytes) -> FileType | None:
    """The type the content's first bytes say, or None for anything else."""
    return next((t for magic, t in SIGNATURES if head.startswith(magic)), None)


def clean_filename(name: str, extension: str) -> str:
    """The uploader's name as shown on the page: no folders, no control or odd characters, no
    ID or phone number in full, at most 80 characters, and the extension of the real type."""
    base = unicodedata.normalize("NFKC", name or "").replace("\\", "/").rsplit("/", 1)[-1]
    stem = base.rsplit(".", 1)[0] if "." in base else base
    stem = UNSAFE_NAME.sub("_", redact_personal_numbers(stem)).strip(" ._")[:80]
    return f"{stem or '附件'}.{extension}"


def read_capped(upload: UploadedFile[bytes]) -> bytes:
    cap = max_bytes()
    if upload.size is not None and upload.size > cap:
        raise Refused(_size_refusal())
    data = bytearray()
    for chunk in upload.chunks():
        data += chunk
        if len(data) > cap:  # the size a client declared is not trusted either
            raise Refused(_size_refusal())
    if not data:
        raise Refused(_("文件是空的，请重新选择"))
    return bytes(data)


def _size_refusal() -> str:
    return _("文件大小超过 %(mb)s MB，请压缩或分页后再上传") % {
        "mb": f"{settings.MAX_ATTACHMENT_MB:g}"
    }


def check_image(data: bytes, kind: FileType) -> None:
    """An image must open as what its first bytes claim and decode whole (a truncated or
    forged file does not), and not be a decompression bomb."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(BytesIO(data)) as image:
                found = image.format
                image.verify()
            with Image.open(BytesIO(data)) as image:
                image.load()  # verify() does not decode a JPEG: a cut-off one fails here
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise Refused(_("图片无法打开，可能已损坏，请重新拍照上传")) from None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise Refused(_("图片像素过多，请缩小后再上传")) from None
    if found not in PILLOW_FORMATS[kind]:
        raise Refused(_type_refusal())


def _type_refusal() -> str:
    return _("文件类型不支持：只能上传 JPG、PNG 图片或 PDF 文件")


def _stored(label: object) -> str:
    """A label as the audit log keeps it: in Chinese, whatever language the user works in."""
    with translation.override(None):
        return str(label)


def stored_upload(
    upload: UploadedFile[bytes], root: Path, folder: str
) -> tuple[Path, dict[str, Any]]:
    """One upload checked (size, type by content, an image that decodes) and written under
    `root/folder` by a random name, mode 0600; the file on disk and the facts its record keeps
    (filename, content_type, size, sha256, path). The caller removes the file when its
    transaction fails. Serves a case's attachments and a problem's evidence alike."""
    data = read_capped(upload)
    found = file_type(data[:16])
    if found is None:
        raise Refused(_type_refusal())
    if found.image:
        check_image(data, found)
    relative = f"{folder}/{uuid.uuid4().hex}.{found.extension}"
    target = root / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    target.chmod(0o600)
    return target, {
        "filename": clean_filename(upload.name or "", found.extension),
        "content_type": found.content_type,
        "size": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
        "path": relative,
    }


def open_stored(
    *, user: User, obj: models.Model, root: Path, path: str, region_code: str, note: str
) -> Path:
    """A file `stored_upload` kept (its record `obj`, at `path` under `root`), for the user to
    read: each reading is an audit record (an export), since such files show a household's home
    and papers. A file missing on disk is absent. Serves a case's attachments and a problem's
    evidence alike."""
    found = root / path
    if not found.is_file():
        raise NotFound
    with transaction.atomic():
        audit_record(
            actor=user, action=AuditAction.EXPORT, obj=obj, region_code=region_code, note=note
        )
    return found


def may_attach(user: User, case: Case) -> bool:
    """Who may add an attachment to a case: the cadres who write the registry, in the case's
    region, while the case is open (a closed case's record is final)."""
    access = access_for(user)
    return access.may_write_registry and access.admits(case.household) and case.closed_at is None


def attachment_add(*, user: User, case: Case, upload: UploadedFile[bytes], kind: str) -> Attachment:
    """Check and keep one uploaded file with the case (the stage it was uploaded at recorded);
    a refused file (type, size, broken image) leaves nothing behind, on disk or in the
    database."""
    access = access_for(user)
    if not access.admits(case.household):
        raise NotFound
    if not access.may_write_registry:
        raise Forbidden(_("只有村、乡镇、县级干部可以上传附件"))
    if case.closed_at is not None:
        raise Refused(_("本案已办结，不能再上传附件"))
    if kind not in AttachmentKind.values:
        raise Refused(_("请选择附件类型"))
    target, facts = stored_upload(upload, attachment_root(), str(case.pk))
    try:
        with transaction.atomic():
            attachment = Attachment.objects.create(
                case=case, kind=kind, stage=case.stage, uploaded_by=user, **facts
            )
            audit_record(
                actor=user,
                action=AuditAction.CREATE,
                obj=attachment,
                region_code=case.household.village_id,
                note=f"上传附件（{_stored(AttachmentKind(kind).label)}）：{attachment.filename}",
            )
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    return attachment


def attachment_get_for_user(*, user: User, pk: int) -> Attachment:
    """An attachment of a case the user may read; any other is absent (404)."""
    found = (
        Attachment.objects.select_related("case__household", "uploaded_by").filter(pk=pk).first()
    )
    if found is None or not cases_in_scope(user=user).filter(pk=found.case_id).exists():
        raise NotFound
    return found


def attachment_open(*, user: User, attachment: Attachment) -> Path:
    """The stored file, for the user to read: each reading is an audit record (an attachment
    shows a household's home and papers). A file missing on disk is absent."""
    return open_stored(
        user=user,
        obj=attachment,
        root=attachment_root(),
        path=attachment.path,
        region_code=attachment.case.household.village_id,
        note=f"查看附件：{attachment.filename}",
    )
