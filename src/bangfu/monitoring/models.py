from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from bangfu.accounts.access import ScopePaths
from bangfu.registry.models import Category, Household


class WarningStatus(models.TextChoices):
    NEW = "new", _("待处理")
    DISMISSED = "dismissed", _("已排除")
    LEAD = "lead", _("已转为线索")
    # the household's case is open: the warning is a new signal on it, not a new lead
    ATTACHED = "attached", _("已并入监测帮扶")


class RiskWarning(models.Model):  # 预警: one rule flagging one household in one period
    SCOPE = ScopePaths(
        village="household__village",
        grid="household__grid",
        assisted="household__cases__measures__responsible",
    )

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="warnings")
    period = models.CharField(_("期间"), max_length=7)  # YYYY-MM
    rule_id = models.CharField(_("规则"), max_length=32)
    rule_kind = models.CharField(_("规则类型"), max_length=48)
    rule_title = models.CharField(_("规则名称"), max_length=128)
    clause = models.TextField(_("政策条款"), blank=True)
    risk_types = models.JSONField(_("风险类型"), default=list)
    risk_text = models.CharField(max_length=255, blank=True)  # 因病、因残: for filtering
    category = models.CharField(_("建议类别"), max_length=8, choices=Category.choices)
    policy_version = models.CharField(_("政策版本"), max_length=32)
    evidence = models.JSONField(_("依据"), default=list)  # [{value, reference, detail, source}]
    # the department (or registry) the first evidence came from: medical, civil, income ...
    source = models.CharField(_("来源"), max_length=32, blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=WarningStatus.choices, default=WarningStatus.NEW
    )
    status_reason = models.CharField(_("处理说明"), max_length=255, blank=True)
    status_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status_at = models.DateTimeField(null=True, blank=True)
    run = models.ForeignKey("MonitoringRun", null=True, on_delete=models.SET_NULL, related_name="+")
    # the rule puts the household on the watch list (重点关注), not on the list of new leads
    watch = models.BooleanField(_("重点关注"), default=False)
    # the household's priority on the monthly list: its leads' highest severity x 100 plus the
    # vulnerability model's probability (%, at most 99) of falling below the range next year
    priority = models.PositiveSmallIntegerField(_("优先级"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-period", "household_id", "rule_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["household", "period", "rule_id"], name="warning_unique_per_period"
            )
        ]
        indexes = [
            models.Index(fields=["period", "rule_id", "status"], name="warning_filter_idx"),
            models.Index(fields=["status", "source"], name="warning_source_idx"),
            models.Index(fields=["period", "status", "watch"], name="warning_list_idx"),
        ]
        verbose_name = _("预警")
        verbose_name_plural = _("预警")

    def __str__(self) -> str:
        return f"{self.household_id} {self.period} {self.rule_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.source = evidence_source(self.evidence)
        super().save(*args, **kwargs)

    @property
    def severity(self) -> int:
        return self.priority // 100

    @property
    def probability(self) -> int:
        """The vulnerability model's probability (%) behind the priority."""
        return self.priority % 100


class MonitoringRun(models.Model):  # 一次批量监测
    period = models.CharField(_("期间"), max_length=7)
    engine = models.CharField(_("引擎"), max_length=16)
    policy_version = models.CharField(_("政策版本"), max_length=32)
    # the policy file's content hash: the version is what the file says, the hash what it is
    policy_digest = models.CharField(_("政策文件摘要"), max_length=64, blank=True)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    summary = models.JSONField(default=dict)

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("监测运行")
        verbose_name_plural = _("监测运行")

    def __str__(self) -> str:
        return f"{self.period} {self.engine} {self.started_at:%Y-%m-%d %H:%M}"


def evidence_source(evidence: list[dict[str, object]]) -> str:
    """The department of a warning's first evidence ("medical:M-1" and "medical" → medical)."""
    return str(evidence[0].get("source") or "").split(":")[0] if evidence else ""
