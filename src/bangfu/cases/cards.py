"""一户一码 and the printed papers: the QR code of a household in monitoring (a signed,
revocable token URL; nothing personal inside), its card as a PDF, the cards of a village, and
the village's public notice (公示) list. PDFs are drawn with ReportLab in a CJK TrueType font
from Debian (fonts-wqy-microhei, installed by ./dev setup) or BANGFU_CJK_FONT, with the
helpers every printed paper shares (cases/prints.py)."""

from __future__ import annotations

import datetime as dt
import io
import secrets
from collections.abc import Iterable
from itertools import groupby

import segno
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from bangfu.accounts.access import access_for, contact_of
from bangfu.accounts.models import User
from bangfu.audit.models import AuditAction
from bangfu.audit.services import audit_record
from bangfu.cases.chain import NOTICE_STAGES
from bangfu.cases.models import Case, HouseholdToken, Stage, Step
from bangfu.cases.prints import PrintError as PrintError  # the views catch it from here
from bangfu.cases.prints import Sheet, chinese_date, cjk_font
from bangfu.core.errors import NotFound
from bangfu.core.idcard import mask_name
from bangfu.monitoring.policy import Policy, load_policy
from bangfu.regions.models import Region
from bangfu.regions.selectors import village_contact
from bangfu.registry.models import Household
from bangfu.registry.selectors import household_heads

SALT = "bangfu.household-qr"


# households in monitoring (also while their exit is under way) carry a card
CARD_STAGES = (
    Stage.MONITORING,
    Stage.EXIT_VERIFIED,
    Stage.EXIT_APPRAISED,
    Stage.EXIT_NOTICE,
    Stage.EXIT_TOWNSHIP,
    Stage.EXIT_COUNTY,
)


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
    font = cjk_font()
    token = household_token(household=household)
    url = qr_url(token, base)
    case = household.cases.filter(closed_at__isnull=True).first()
    contact = contact_for(household, case)
    office = village_contact(household.village)
    # the person's work phone, else the village committee's office phone
    phone = contact.work_phone if contact and contact.work_phone else ""
    if not phone and office.phone:
        phone = f"{office.phone}（{office.office}）"
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
        f"联系电话：{phone or '—'}",
        f"监督举报电话：{office.supervision_phone}",
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
    cjk_font()
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


# the actions that open a notice period (the chain's publish steps)
PUBLISH = ("publish", "exit_publish")
NOTICE_TITLES = {
    Stage.NOTICE: "%(village)s%(year)d年防止返贫监测对象识别公示",
    Stage.EXIT_NOTICE: "%(village)s%(year)d年防止返贫监测对象风险消除公示",
}
NOTICE_LEADS = {
    Stage.NOTICE: "经农户自主申报、干部走访排查或部门筛查预警，入户核查和村级民主评议，"
    "拟将以下%(n)d户识别为防止返贫监测对象，现予以公示。",
    Stage.EXIT_NOTICE: "经入户核查和村级民主评议，以下%(n)d户收入持续稳定，"
    "“三保障”和饮水安全有保障，拟标注风险消除，现予以公示。",
}


def notice_period(case: Case, policy: Policy) -> tuple[dt.date, dt.date]:
    """The first and last day of the case's notice: from its publish step (the latest, should
    the chain have run twice) to `notice_ends`; a case published outside the chain (the
    import, a test) counts back the policy's notice days from its end."""
    ends = case.notice_ends or timezone.localdate()
    published = getattr(case, "published", None)
    if published is None:
        published = list(case.steps.filter(action__in=PUBLISH).order_by("-at"))
    if published:
        return timezone.localdate(published[0].at), ends
    return ends - dt.timedelta(days=policy.deadlines["notice_days"]), ends


Batch = tuple[Stage, dt.date, dt.date, list[Case]]  # a notice: its kind, first and last day


def notice_batches(village: Region, policy: Policy) -> list[Batch]:
    """The village's households in a notice period, one batch per notice posted: its kind
    (identification or risk elimination) and its period."""
    cases = (
        Case.objects.filter(household__village=village, stage__in=NOTICE_STAGES)
        .select_related("household")
        .prefetch_related(
            household_heads("household__"),
            Prefetch(
                "steps",
                queryset=Step.objects.filter(action__in=PUBLISH).order_by("-at"),
                to_attr="published",
            ),
        )
    )
    dated = sorted(
        ((NOTICE_STAGES.index(Stage(c.stage)), *notice_period(c, policy), c) for c in cases),
        key=lambda t: (t[0], t[1], t[2], t[3].household.household_no),
    )
    return [
        (NOTICE_STAGES[kind], start, end, [t[3] for t in rows])
        for (kind, start, end), rows in groupby(dated, key=lambda t: (t[0], t[1], t[2]))
    ]


def notice_pdf(village: Region) -> bytes:
    """The village's public notice (公示; a Chinese document posted in the village, so its text
    is not translated, as the card's is not), one page (or more) per notice posted: its title with
    the year, the period, the households (names as the policy file allows, never ID numbers,
    never health status), whom to raise an objection with, the supervision phone, and the
    committee's sign-off dated the day it was posted."""
    policy = load_policy()
    batches = notice_batches(village, policy)
    if not batches:
        raise PrintError(_("本村目前没有处于公示期的农户"))
    office = village_contact(village)
    sheet = Sheet(f"{village.name}公示")
    for n, (stage, start, end, cases) in enumerate(batches):
        if n:
            sheet.new_page()
        sheet.heading(NOTICE_TITLES[stage] % {"village": village.name, "year": start.year})
        sheet.text("　　" + NOTICE_LEADS[stage] % {"n": len(cases)})
        sheet.text(
            f"　　公示时间：{chinese_date(start)}至{chinese_date(end)}"
            f"（共{(end - start).days}天）。"
        )
        sheet.space(2 * mm)
        header = ("序号", "户主", "村", "监测类别", "事项", "风险类型")
        columns = (0, 14 * mm, 40 * mm, 68 * mm, 100 * mm, 124 * mm)
        sheet.row(list(zip(columns, header, strict=True)))
        what = "纳入监测" if stage == Stage.NOTICE else "风险消除"
        for i, case in enumerate(cases, start=1):
            name = case.household.head_name
            shown = name if policy.notice_names == "full" else mask_name(name, keep_last=True)
            category = case.get_category_display() if case.category else ""
            cells = (
                str(i),
                shown,
                village.name,
                category,
                what,
                "、".join(notice_risks(case, policy))[:12],
            )
            sheet.row(list(zip(columns, cells, strict=True)))
        sheet.space(4 * mm)
        sheet.text("　　公示期间，如有异议，请以书面或口头形式向村民委员会或乡镇人民政府反映。")
        reach = [f"村委会：{office.office}"]
        if office.phone:
            reach.append(f"联系电话：{office.phone}")
        if office.address:
            reach.append(f"地址：{office.address}")
        sheet.text("　　" + "　".join(reach))
        sheet.text(f"　　监督举报电话：{office.supervision_phone}")
        sheet.space(10 * mm)
        sheet.right([office.office, chinese_date(start)])
    return sheet.done()
