"""A case (监测帮扶) is one household's way through the loop: the signals that opened it, every
step of the identification chain with who, when and why, and the public notice's objections.
Self-declarations from the village QR page are kept apart until a cadre has matched them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from bangfu.regions.models import Region
from bangfu.registry.models import Category, Household


class Stage(models.TextChoices):
    LEAD = "lead", _("待入户核查")
    VERIFIED = "verified", _("待村级评议")
    APPRAISED = "appraised", _("待公示")
    NOTICE = "notice", _("公示中")
    TOWNSHIP = "township", _("待乡镇审核")
    COUNTY = "county", _("待县级审批")
    MONITORING = "monitoring", _("监测帮扶中")
    NOT_IDENTIFIED = "not_identified", _("不予认定")


class Channel(models.TextChoices):
    WARNING = "warning", _("部门筛查预警")
    SELF = "self", _("农户自主申报")
    VISIT = "visit", _("干部走访/网格排查")


class Case(models.Model):  # 监测帮扶案例
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="cases")
    stage = models.CharField(_("环节"), max_length=16, choices=Stage.choices, default=Stage.LEAD)
    channel = models.CharField(_("发现渠道"), max_length=8, choices=Channel.choices)
    due = models.DateField(_("本环节办理时限"), null=True, blank=True)
    category = models.CharField(_("监测类别"), max_length=8, choices=Category.choices, blank=True)
    risk_types = models.JSONField(_("风险类型"), default=list)
    notice_ends = models.DateField(_("公示截止"), null=True, blank=True)
    opened_at = models.DateTimeField(auto_now_add=True)
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
        verbose_name = _("监测帮扶案例")
        verbose_name_plural = _("监测帮扶案例")

    def __str__(self) -> str:
        return f"{self.household_id} {self.get_stage_display()}"


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
    at = models.DateTimeField(auto_now_add=True)

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
    at = models.DateTimeField(auto_now_add=True)
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
    at = models.DateTimeField(auto_now_add=True)
    resolution = models.TextField(_("处理结果"), blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.text[:20]


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
