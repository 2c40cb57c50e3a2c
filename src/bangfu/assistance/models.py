"""The measures of assistance (帮扶措施): the catalogue the county edits, and the measures of each
household's plan (一户一策), each with its responsible person, target, deadline and recorded
outcome. The tables were the cases app's until migration assistance/0001 moved them here."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from bangfu.accounts.access import ScopePaths
from bangfu.cases.models import Case
from bangfu.core.i18n import english_active


class MeasureGroup(models.TextChoices):
    DEVELOPMENT = "development", _("开发式帮扶")
    PROTECTION = "protection", _("兜底保障")  # 低保、特困、临时救助 only
    EDUCATION = "education", _("教育保障")
    MEDICAL = "medical", _("医疗保障")
    HOUSING = "housing", _("住房安全保障")
    WATER = "water", _("饮水安全保障")
    WELFARE = "welfare", _("社会保障与关爱服务")


class Outcome(models.TextChoices):  # what is recorded when a measure is done
    AMOUNT = "amount", _("金额（元）")
    JOB = "job", _("岗位或就业单位")
    ENROLMENT = "enrolment", _("就读学校")
    LOAN = "loan", _("贷款金额（元）")
    DONE = "done", _("完成情况")


class MeasureKind(models.Model):  # 帮扶措施目录: data, edited by the county
    code = models.SlugField(_("代码"), max_length=32, unique=True)
    name = models.CharField(_("措施"), max_length=64)
    # the name for English readers (catalogue.toml's name_en); "" shows the Chinese name
    name_en = models.CharField(_("措施（英文）"), max_length=200, blank=True)
    group = models.CharField(_("类别"), max_length=12, choices=MeasureGroup.choices)
    risk_types = models.JSONField(_("针对的风险类型"), default=list)
    needs = models.JSONField(_("适用条件"), default=list)  # see catalogue.toml
    outcome = models.CharField(_("办结记录"), max_length=10, choices=Outcome.choices)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        ordering = ["group", "code"]
        verbose_name = _("帮扶措施目录")
        verbose_name_plural = _("帮扶措施目录")

    def __str__(self) -> str:
        return self.name  # stored in notes and exports: always the Chinese name

    @property
    def shown_name(self) -> str:
        """The name in the active language: name_en for English readers where there is one."""
        return (english_active() and self.name_en) or self.name


class MeasureStatus(models.TextChoices):
    PLANNED = "planned", _("待实施")
    ACTIVE = "active", _("实施中")
    DONE = "done", _("已完成")
    CANCELLED = "cancelled", _("已取消")


OPEN_STATUSES = (MeasureStatus.PLANNED, MeasureStatus.ACTIVE)


class MeasureQuerySet(models.QuerySet["Measure"]):
    def open(self) -> MeasureQuerySet:
        """Measures still to be carried out (planned or under way)."""
        return self.filter(status__in=OPEN_STATUSES)

    def confirm_provisional(self) -> int:
        """先帮后认: the county's decision confirms the measures begun before it."""
        return self.filter(provisional=True).update(provisional=False)

    def close_provisional(self, *, reason: str) -> int:
        """Not identified: the measures begun before the decision end, with the reason."""
        return (
            self.filter(provisional=True)
            .open()
            .update(status=MeasureStatus.CANCELLED, outcome_text=reason[:255])
        )


class Measure(models.Model):  # 一户一策 的一项措施
    SCOPE = ScopePaths(
        village="case__household__village",
        grid="case__household__grid",
        assisted="case__measures__responsible",
    )

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="measures")
    kind = models.ForeignKey(MeasureKind, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("推荐理由"), max_length=255, blank=True)
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="measures"
    )
    target = models.CharField(_("目标"), max_length=255)
    deadline = models.DateField(_("完成时限"))
    status = models.CharField(
        _("状态"), max_length=10, choices=MeasureStatus.choices, default=MeasureStatus.PLANNED
    )
    outcome_amount = models.DecimalField(
        _("金额（元）"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    outcome_text = models.CharField(_("结果"), max_length=255, blank=True)
    done_on = models.DateField(_("办结日期"), null=True, blank=True)
    # 先帮后认: begun before the county's decision (a sudden severe difficulty), until it
    provisional = models.BooleanField(_("先帮后认"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = MeasureQuerySet.as_manager()

    class Meta:
        ordering = ["deadline", "pk"]
        verbose_name = _("帮扶措施")
        verbose_name_plural = _("帮扶措施")

    def __str__(self) -> str:
        return f"{self.kind} ({self.get_status_display()})"
