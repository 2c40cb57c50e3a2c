"""一户一码 and the printed papers: the QR code of a household in monitoring (a signed,
revocable token URL; nothing personal inside), its card as a PDF, the cards of a village, and
the village's public notice (公示) list. PDFs are drawn with ReportLab in a CJK TrueType font
from Debian (fonts-wqy-microhei, installed by ./dev setup) or BANGFU_CJK_FONT."""

from __future__ import annotations

import io
import os
import secrets
from collections.abc import Iterable
from pathlib import Path

import segno
from django.core import signing
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from bangfu.accounts.access import access_for, contact_of
from bangfu.accounts.models import User
from bangfu.audit.models import AuditAction
from bangfu.audit.services import audit_record
from bangfu.cases.chain import NOTICE_STAGES
from bangfu.cases.models import Case, HouseholdToken, Stage
from bangfu.core.errors import NotFound, Refused
from bangfu.core.idcard import mask_name
from bangfu.monitoring.policy import Policy, load_policy
from bangfu.regions.models import Region
from bangfu.registry.models import Household

SALT = "bangfu.household-qr"
FONT = "BangfuCJK"
FONT_PATHS = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
)


# households in monitoring (also while their exit is under way) carry a card
CARD_STAGES = (
    Stage.MONITORING,
    Stage.EXIT_VERIFIED,
    Stage.EXIT_APPRAISED,
    Stage.EXIT_NOTICE,
    Stage.EXIT_TOWNSHIP,
    Stage.EXIT_COUNTY,
)


class PrintError(Refused):
    """Cannot print: the reason, in the active language."""


# the token -------------------------------------------------------------------------------
def household_token(*, household: Household) -> HouseholdToken:
    """The household's active token, made on first use."""
    for _attempt in range(2):
        found = HouseholdToken.objects.filter(household=household, revoked_at__isnull=True).first()
        if found is not None:
            return found
        try:
            with transaction.atomic():
                return HouseholdToken.objects.create(
                    household=household, token=secrets.token_urlsafe(12)
                )
        except IntegrityError:  # made at the same moment by another request
            continue
    raise PrintError(_("二维码生成冲突，请重试"))


def token_revoke(*, user: User, household: Household) -> None:
    """The printed code stops working (a lost or misused card); the next print gets a new one."""
    access = access_for(user)
    if not access.may_print or not access.admits(household):
        raise NotFound
    with transaction.atomic():
        n = HouseholdToken.objects.filter(household=household, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        if n:
            audit_record(
                actor=user,
                action=AuditAction.UPDATE,
                obj=household,
                region_code=household.village_id,
                note="二维码作废",
            )


def signed(token: HouseholdToken) -> str:
    return signing.Signer(salt=SALT).sign(token.token)


def token_open(value: str) -> HouseholdToken:
    """The token a scanned URL names; NotFound for a forged or unknown one. The token may be
    revoked (the caller says so)."""
    try:
        raw = signing.Signer(salt=SALT).unsign(value)
        return HouseholdToken.objects.select_related("household__village").get(token=raw)
    except (signing.BadSignature, HouseholdToken.DoesNotExist):
        raise NotFound from None


def qr_url(token: HouseholdToken, base: str) -> str:
    return f"{base.rstrip('/')}/q/{signed(token)}/"


def qr_png(url: str, scale: int = 6) -> bytes:
    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="png", scale=scale, border=2)
    return out.getvalue()


def contact_for(household: Household, case: Case | None) -> User | None:
    """Who the public side of the card names: the responsible person of an open measure of
    the household's open `case`, else the village cadre."""
    if case is not None:
        measure = case.measures.open().select_related("responsible").first()
        if measure is not None:
            return measure.responsible
    return contact_of(household.village_id)


# PDFs ------------------------------------------------------------------------------------
def _font() -> str:
    if FONT in pdfmetrics.getRegisteredFontNames():
        return FONT
    chosen = os.environ.get("BANGFU_CJK_FONT") or next(
        (p for p in FONT_PATHS if Path(p).exists()), None
    )
    if not chosen or not Path(chosen).exists():
        raise PrintError(
            _(
                "缺少中文字体：请安装 fonts-wqy-microhei（./dev setup 会安装），"
                "或设置 BANGFU_CJK_FONT"
            )
        )
    pdfmetrics.registerFont(TTFont(FONT, chosen, subfontIndex=0))
    return FONT


def _draw_qr(canvas: Canvas, url: str, x: float, y: float, size: float) -> None:
    """The QR code as vector squares, from segno's matrix: sharp at any print size."""
    qr = segno.make(url, error="m")
    matrix = list(qr.matrix_iter(scale=1, border=2))
    cell = size / len(matrix)
    canvas.setFillGray(0)
    for r, row in enumerate(matrix):
        for c, dark in enumerate(row):
            if dark:
                canvas.rect(x + c * cell, y + size - (r + 1) * cell, cell, cell, stroke=0, fill=1)


def _card(canvas: Canvas, household: Household, base: str, top: float) -> None:
    font = _font()
    token = household_token(household=household)
    url = qr_url(token, base)
    case = household.cases.filter(closed_at__isnull=True).first()
    contact = contact_for(household, case)
    left = 20 * mm
    canvas.setStrokeGray(0.6)
    canvas.roundRect(left - 6 * mm, top - 118 * mm, 182 * mm, 124 * mm, 4 * mm)
    canvas.setFont(font, 16)
    canvas.drawString(left, top - 4 * mm, "一户一码 · 防止返贫动态监测和帮扶")
    canvas.setFont(font, 11)
    lines = [
        f"村：{household.village.name}",
        f"户编号：{household.household_no}",
        f"户主：{household.head_name}",
        f"监测类别：{household.get_category_display()}",
        f"风险类型：{'、'.join(case.risk_types) if case else '—'}",
        f"帮扶责任人：{contact.display_name or contact.username if contact else '—'}",
        f"联系电话：{contact.work_phone if contact and contact.work_phone else '—'}",
    ]
    if case is not None:
        for m in case.measures.select_related("kind")[:4]:
            lines.append(f"措施：{m.kind.name}（{m.get_status_display()}）")
    for i, line in enumerate(lines):
        canvas.drawString(left, top - (16 + 8 * i) * mm, line[:40])
    _draw_qr(canvas, url, left + 112 * mm, top - 76 * mm, 62 * mm)
    canvas.setFont(font, 8)
    canvas.drawString(left + 112 * mm, top - 82 * mm, "扫码查看本户信息（须登录）")
    canvas.drawString(left + 112 * mm, top - 87 * mm, "或向村里申报困难")


def cards_pdf(households: Iterable[Household], *, base: str) -> bytes:
    """Household cards, two to an A4 page."""
    _font()
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=A4)
    canvas.setTitle("一户一码")
    height = A4[1]
    n = 0
    for household in households:
        slot = n % 2
        if n and slot == 0:
            canvas.showPage()
        _card(canvas, household, base, height - (20 + slot * 135) * mm)
        n += 1
    if n == 0:
        raise PrintError(_("没有可打印的监测户"))
    canvas.save()
    return out.getvalue()


def monitored_households(village: Region) -> list[Household]:
    """The village's households in monitoring (or on their way in or out)."""
    ids = Case.objects.filter(
        household__village=village, closed_at__isnull=True, stage__in=CARD_STAGES
    ).values("household_id")
    return list(
        Household.objects.filter(pk__in=ids).select_related("village").order_by("household_no")
    )


def notice_risks(case: Case, policy: Policy) -> list[str]:
    """The risk types the public notice shows: never health status (因病, 因残), nor what the
    policy file leaves off besides (county guidance: notices never show ID numbers, phones,
    bank accounts or health status)."""
    return [r for r in case.risk_types if r not in policy.notice_hidden_risks]


def notice_pdf(village: Region) -> bytes:
    """The village's public notice (公示) list: the households in a notice period, for
    identification or for risk elimination; names as the policy file allows, never ID numbers."""
    font = _font()
    policy = load_policy()
    cases = list(
        Case.objects.filter(household__village=village, stage__in=NOTICE_STAGES)
        .select_related("household")
        .order_by("stage", "household__household_no")
    )
    if not cases:
        raise PrintError(_("本村目前没有处于公示期的农户"))
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=A4)
    canvas.setTitle(f"{village.name}公示")
    width, height = A4
    canvas.setFont(font, 16)
    canvas.drawCentredString(width / 2, height - 25 * mm, f"{village.name}防止返贫监测对象公示")
    canvas.setFont(font, 10)
    y = height - 40 * mm
    canvas.drawString(20 * mm, y, "序号")
    canvas.drawString(35 * mm, y, "户主")
    canvas.drawString(65 * mm, y, "村")
    canvas.drawString(100 * mm, y, "事项")
    canvas.drawString(135 * mm, y, "风险类型")
    canvas.drawString(175 * mm, y, "公示截止")
    for i, case in enumerate(cases, start=1):
        y -= 8 * mm
        if y < 30 * mm:
            canvas.showPage()
            canvas.setFont(font, 10)
            y = height - 25 * mm
        name = case.household.head_name
        shown = name if policy.notice_names == "full" else mask_name(name, keep_last=True)
        what = "纳入监测" if case.stage == Stage.NOTICE else "风险消除"
        canvas.drawString(20 * mm, y, str(i))
        canvas.drawString(35 * mm, y, shown)
        canvas.drawString(65 * mm, y, village.name)
        canvas.drawString(100 * mm, y, what)
        canvas.drawString(135 * mm, y, "、".join(notice_risks(case, policy))[:12])
        canvas.drawString(175 * mm, y, f"{case.notice_ends:%m-%d}" if case.notice_ends else "")
    y -= 14 * mm
    canvas.drawString(20 * mm, y, "如有异议，请在公示期内向村委会或乡镇反映。")
    canvas.save()
    return out.getvalue()
