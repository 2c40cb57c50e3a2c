"""A case (监测帮扶) is one household's way through the loop: the signals that opened it, every
step of the identification chain with who, when and why, and the public notice's objections.
Self-declarations from the village QR page are kept apart until a cadre has matched them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bangfu.accounts.access import ScopePaths
from bangfu.regions.models import Region
from bangfu.registry.models import Category, Household


class Stage(models.TextChoices):
    LEAD = "lead", _("待入户核查")
    VERIFIED = "verified", _("待村级评议")
    APPRAISED = "appraised", _("待公示")
    NOTICE = "notice", _("公示中")
    TOWNSHIP = "township", _("待乡镇审核")
    COUNTY = "county", _("待县级审定")
    MONITORING = "monitoring", _("监测帮扶中")
    NOT_IDENTIFIED = "not_identified", _("不予认定")
    # risk elimination goes through the same chain
    EXIT_VERIFIED = "exit_verified", _("风险消除：待村级评议")
    EXIT_APPRAISED = "exit_appraised", _("风险消除：待公示")
    EXIT_NOTICE = "exit_notice", _("风险消除：公示中")
    EXIT_TOWNSHIP = "exit_township", _("风险消除：待乡镇审核")
    EXIT_COUNTY = "exit_county", _("风险消除：待县级审定")
    ELIMINATED = "eliminated", _("风险已消除")


class Channel(models.TextChoices):
    WARNING = "warning", _("部门筛查预警")
    SELF = "self", _("农户自主申报")
    VISIT = "visit", _("干部走访/网格排查")
    # the existing caseload brought in from the national system's list (存量监测对象)
    IMPORT = "import", _("存量监测对象导入")


class Case(models.Model):  # 监测帮扶
    SCOPE = ScopePaths(
        village="household__village", grid="household__grid", assisted="measures__responsible"
    )
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="cases")
    stage = models.CharField(_("环节"), max_length=16, choices=Stage.choices, default=Stage.LEAD)
    channel = models.CharField(_("发现渠道"), max_length=8, choices=Channel.choices)
    due = models.DateField(_("本环节办理时限"), null=True, blank=True)
    category = models.CharField(_("监测类别"), max_length=8, choices=Category.choices, blank=True)
    risk_types = models.JSONField(_("风险类型"), default=list)
    notice_ends = models.DateField(_("公示截止"), null=True, blank=True)
    # the whole chain's deadline: from the day the lead was found (or the exit proposed) to the
    # county's decision (policy total_days, 15 by the guidance)
    decision_due = models.DateField(_("认定时限"), null=True, blank=True)
    identified_on = models.DateField(_("纳入监测日期"), null=True, blank=True)
    relapse = models.BooleanField(_("返贫致贫（曾消除风险）"), default=False)
    opened_at = models.DateTimeField(default=timezone.now)  # the lead's day (lead_open)
    closed_at = models.DateTimeField(null=True, blank=True)  # not identified (later: exited)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-opened_at"]
        constraints = [
            # one open case per household: a second signal attaches to it
            models.UniqueConstraint(
                fields=["household"], condition=Q(closed_at__isnull=True), name="case_one_open"
            )
        ]
        indexes = [models.Index(fields=["stage", "due"], name="case_stage_due_idx")]
        verbose_name = _("监测帮扶")
        verbose_name_plural = _("监测帮扶")

    def __str__(self) -> str:
        return f"{self.household_id} {self.get_stage_display()}"


class Evaluation(models.Model):  # 帮扶成效评估
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="evaluations")
    on = models.DateField(_("评估日期"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    per_capita = models.DecimalField(_("人均纯收入（元）"), max_digits=12, decimal_places=2)
    secured = models.JSONField(default=dict)  # education, medical, housing, water: bool
    note = models.TextField(_("说明"), blank=True)
    meets = models.BooleanField(_("符合风险消除条件"), default=False)
    reasons = models.JSONField(default=list)  # why not, one line each, in Chinese (the record)
    gaps = models.JSONField(default=list)  # the same as [code, figures]: shown in any language
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-on", "-pk"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.on}"


class Signal(models.Model):  # 线索: what brought the household to attention, by any channel
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="signals")
    channel = models.CharField(_("发现渠道"), max_length=8, choices=Channel.choices)
    warning = models.ForeignKey(
        "monitoring.RiskWarning", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    declaration = models.ForeignKey(
        "SelfDeclaration", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    risk_types = models.JSONField(_("风险类型"), default=list)
    note = models.TextField(_("情况"), blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)  # a service backdates work recorded late

    class Meta:
        ordering = ["at"]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.at:%Y-%m-%d}"


class Step(models.Model):  # 一个环节的办理记录: who, when, why
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="steps")
    action = models.CharField(_("操作"), max_length=24)
    from_stage = models.CharField(max_length=16, choices=Stage.choices)
    to_stage = models.CharField(max_length=16, choices=Stage.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)  # a service backdates work recorded late
    note = models.TextField(_("说明"), blank=True)
    data = models.JSONField(default=dict)  # findings, meeting, result ... (no ID numbers)
    batch = models.CharField(max_length=32, blank=True)  # a bulk approval's id
    overdue = models.BooleanField(default=False)  # done after the step's deadline

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.action} {self.at:%Y-%m-%d}"


class Objection(models.Model):  # 公示期间的异议
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="objections")
    text = models.TextField(_("异议内容"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)  # a service backdates work recorded late
    resolution = models.TextField(_("处理结果"), blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.text[:20]


class AttachmentKind(models.TextChoices):
    VERIFICATION = "verification", _("入户核查表")
    APPRAISAL = "appraisal", _("评议记录")
    NOTICE = "notice", _("公示照片")
    OTHER = "other", _("其他")


class StoredFile(models.Model):
    """A checked file kept with a record (a case's attachment, a problem's or a score's
    evidence): stored by a random name (never the uploader's) under its app's folder, its type
    found from its content, its digest kept to show it is unchanged
    (`cases.attachments.stored_upload` writes it, `open_stored` reads it, audited)."""

    filename = models.CharField(_("文件名"), max_length=120)  # sanitised, numbers masked
    content_type = models.CharField(max_length=32)
    size = models.PositiveIntegerField(_("大小（字节）"))
    sha256 = models.CharField(max_length=64)
    path = models.CharField(max_length=128)  # relative to the app's folder: <owner>/<uuid>.<ext>
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        abstract = True
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return self.filename


class Attachment(StoredFile):  # 附件: the paper behind a step, photographed or scanned
    """A file kept with a case, under ATTACHMENT_DIR/<case>/."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="attachments")
    kind = models.CharField(_("附件类型"), max_length=16, choices=AttachmentKind.choices)
    stage = models.CharField(_("上传时环节"), max_length=16, choices=Stage.choices)

    class Meta(StoredFile.Meta):
        verbose_name = _("附件")
        verbose_name_plural = _("附件")


class ReferralStatus(models.TextChoices):
    PENDING = "pending", _("待民政答复")
    ACCEPTED = "accepted", _("已纳入救助")
    REFUSED = "refused", _("不予救助")


class Referral(models.Model):  # 救助转介: the home verification found a need of social assistance
    SCOPE = ScopePaths(village="case__household__village", grid="case__household__grid")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="referrals")
    programme = models.CharField(_("救助事项"), max_length=16)  # 低保、特困供养、临时救助
    figures = models.CharField(_("核查情况"), max_length=500, blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=ReferralStatus.choices, default=ReferralStatus.PENDING
    )
    amount = models.DecimalField(
        _("救助金额（元/月）"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    answer = models.CharField(_("答复"), max_length=255, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("救助转介")
        verbose_name_plural = _("救助转介")

    def __str__(self) -> str:
        return f"{self.case_id} {self.programme}"


class DeclarationStatus(models.TextChoices):
    NEW = "new", _("待处理")
    MATCHED = "matched", _("已转为线索")
    REJECTED = "rejected", _("不予受理")


class SelfDeclaration(models.Model):  # 自主申报, from the village's public QR page
    village = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    reference = models.CharField(_("受理编号"), max_length=16, unique=True)
    # personal data encrypted at rest (core.crypto); the hash finds the person in the registry
    name_enc = models.TextField()
    id_enc = models.TextField()
    id_hash = models.CharField(max_length=64, db_index=True)
    phone_enc = models.TextField()
    difficulty = models.CharField(_("困难类型"), max_length=32)
    description = models.TextField(_("情况说明"), blank=True)
    status = models.CharField(
        max_length=10, choices=DeclarationStatus.choices, default=DeclarationStatus.NEW
    )
    household = models.ForeignKey(
        Household, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    handled_note = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.reference


class HouseholdToken(models.Model):  # 一户一码: what the QR code holds, revocable
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="tokens")
    token = models.CharField(max_length=32, unique=True)  # random; the URL carries it signed
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["household"],
                condition=Q(revoked_at__isnull=True),
                name="token_one_active",
            )
        ]

    def __str__(self) -> str:
        return f"{self.household_id} {self.created_at:%Y-%m-%d}"


class Meeting(models.Model):  # 村级月度监测会议
    village = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    month = models.CharField(_("月份"), max_length=7)  # YYYY-MM
    held_on = models.DateField(_("会议日期"))
    attendees = models.CharField(_("参会人员"), max_length=500)
    minutes = models.TextField(_("会议纪要"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-month"]
        constraints = [
            models.UniqueConstraint(fields=["village", "month"], name="meeting_one_per_month")
        ]

    def __str__(self) -> str:
        return f"{self.village_id} {self.month}"


class MeetingDecision(models.Model):  # 会议对某户的决定, recorded against the case
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="decisions")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="decisions")
    text = models.CharField(_("决定"), max_length=500)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.text[:20]
