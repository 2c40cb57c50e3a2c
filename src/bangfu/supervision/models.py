"""The problem ledger (问题台账): a problem found by an assessment, an audit, an inspection or
the county's own checks, its rectification (整改) with evidence, and its close-out (销号)
verified by the level above. A closed problem found again is reopened, its history kept.
And the resident work teams (驻村工作队) with their first secretaries, logs and task lists."""

from __future__ import annotations

import re

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bangfu.accounts.access import ScopePaths
from bangfu.cases.models import Case, StoredFile
from bangfu.regions.models import PHONE, Region
from bangfu.registry.models import Household


class Source(models.TextChoices):  # 问题来源
    NATIONAL = "national", _("国家考核评估")
    CROSS = "cross", _("省市交叉考核")
    AUDIT = "audit", _("审计")
    INSPECTION = "inspection", _("巡视巡察")
    UNANNOUNCED = "unannounced", _("督查暗访")
    DEPARTMENT = "department", _("行业部门")
    SELF_CHECK = "self_check", _("自查")
    PUBLIC = "public", _("群众反映/12317")


class ProblemCategory(models.TextChoices):  # 问题类别
    IDENTIFICATION = "identification", _("识别认定")
    ASSISTANCE = "assistance", _("帮扶落实")
    ELIMINATION = "elimination", _("风险消除")
    FUNDS = "funds", _("资金项目")
    CONDUCT = "conduct", _("作风问题")
    GROUNDWORK = "groundwork", _("基础工作")
    OTHER = "other", _("其他")


class ProblemStatus(models.TextChoices):
    REGISTERED = "registered", _("已登记")
    RECTIFYING = "rectifying", _("整改中")
    CLOSEOUT_REQUESTED = "closeout_requested", _("申请销号")
    CLOSED = "closed", _("已销号")


class Problem(models.Model):  # 问题
    # a problem's region is a county, a township or a village: scoped by its code's prefix
    SCOPE = ScopePaths(village="region")
    source = models.CharField(_("问题来源"), max_length=16, choices=Source.choices)
    # the source's own reference number (反馈问题编号): a re-import finds the problem by it
    source_ref = models.CharField(_("来源编号"), max_length=64, blank=True)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="problems")
    category = models.CharField(_("问题类别"), max_length=16, choices=ProblemCategory.choices)
    description = models.TextField(_("问题描述"), max_length=2000)
    responsible_unit = models.CharField(_("责任单位"), max_length=100)
    responsible_person = models.CharField(_("责任人"), max_length=64, blank=True)
    deadline = models.DateField(_("整改时限"))
    measures = models.TextField(_("整改措施"), max_length=2000, blank=True)
    result = models.TextField(_("整改结果"), max_length=2000, blank=True)
    status = models.CharField(
        _("状态"), max_length=20, choices=ProblemStatus.choices, default=ProblemStatus.REGISTERED
    )
    households = models.ManyToManyField(
        Household, blank=True, related_name="problems", verbose_name=_("涉及农户")
    )
    case = models.ForeignKey(
        Case, null=True, blank=True, on_delete=models.SET_NULL, related_name="problems"
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    registered_on = models.DateField(_("登记日期"))
    closed_on = models.DateField(_("销号日期"), null=True, blank=True)
    reopened = models.PositiveSmallIntegerField(_("重新打开次数"), default=0)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["deadline", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "source_ref"],
                condition=~Q(source_ref=""),
                name="problem_unique_source_ref",
            )
        ]
        indexes = [models.Index(fields=["status", "deadline"], name="problem_status_due_idx")]
        verbose_name = _("问题")
        verbose_name_plural = _("问题台账")

    def __str__(self) -> str:
        return f"{self.get_source_display()} {self.source_ref or self.pk}"


class UpdateKind(models.TextChoices):
    REGISTER = "register", _("登记")
    PROGRESS = "progress", _("整改进展")
    CLOSEOUT_REQUEST = "closeout_request", _("申请销号")
    VERIFY = "verify", _("验收销号")
    SEND_BACK = "send_back", _("退回整改")
    REOPEN = "reopen", _("重新打开")


class ProblemUpdate(models.Model):  # 整改记录: the history, never rewritten
    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="updates")
    kind = models.CharField(_("类型"), max_length=20, choices=UpdateKind.choices)
    text = models.TextField(_("说明"), max_length=2000, blank=True)
    result = models.TextField(_("整改结果"), max_length=2000, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    on = models.DateField(_("日期"))
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("整改记录")
        verbose_name_plural = _("整改记录")

    def __str__(self) -> str:
        return f"{self.problem_id} {self.get_kind_display()}"


class ProblemEvidence(StoredFile):  # 佐证材料: a checked file, stored by a random name
    problem = models.ForeignKey(Problem, on_delete=models.PROTECT, related_name="evidence")
    update = models.ForeignKey(
        ProblemUpdate, null=True, blank=True, on_delete=models.SET_NULL, related_name="evidence"
    )

    class Meta(StoredFile.Meta):
        verbose_name = _("佐证材料")
        verbose_name_plural = _("佐证材料")


# -- resident work teams (驻村工作队) and first secretaries (第一书记) ------------------------
# a work phone only (办公电话): a mobile number is personal and refused (as the village contact)
MOBILE = re.compile(r"^\s*(?:\+?86)?[\s-]*1[3-9]\d(?:[\s-]*\d){8}\s*$")


class UnitLevel(models.TextChoices):  # 派出单位层级
    CENTRAL = "central", _("中央")
    PROVINCE = "province", _("省")
    CITY = "city", _("市")
    COUNTY = "county", _("县")


class WorkTeam(models.Model):  # 驻村工作队
    SCOPE = ScopePaths(village="village")
    village = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="work_teams")
    sending_unit = models.CharField(_("派出单位"), max_length=100)
    unit_level = models.CharField(_("派出单位层级"), max_length=16, choices=UnitLevel.choices)
    term_start = models.DateField(_("派驻开始"))
    term_end = models.DateField(_("派驻结束"), null=True, blank=True)
    active = models.BooleanField(_("在岗"), default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["village_id", "-term_start", "pk"]
        verbose_name = _("驻村工作队")
        verbose_name_plural = _("驻村工作队")

    def __str__(self) -> str:
        return f"{self.village.name} {self.sending_unit}"


class MemberRole(models.TextChoices):
    FIRST_SECRETARY = "first_secretary", _("第一书记")
    LEADER = "leader", _("队长")
    MEMBER = "member", _("队员")


class TeamMember(models.Model):  # 工作队队员
    SCOPE = ScopePaths(village="team__village")
    team = models.ForeignKey(WorkTeam, on_delete=models.CASCADE, related_name="members")
    name = models.CharField(_("姓名"), max_length=32)
    role = models.CharField(_("职务"), max_length=16, choices=MemberRole.choices)
    post = models.CharField(_("工作单位及职务"), max_length=100, blank=True)
    phone = models.CharField(_("办公电话"), max_length=24, blank=True, validators=[PHONE])
    term_start = models.DateField(_("到岗日期"))
    term_end = models.DateField(_("离岗日期"), null=True, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="team_memberships",
        verbose_name=_("系统账号"),
    )

    class Meta:
        ordering = ["team_id", "role", "term_start", "pk"]
        verbose_name = _("工作队队员")
        verbose_name_plural = _("工作队队员")

    def __str__(self) -> str:
        return f"{self.name}（{self.get_role_display()}）"


class WeakVillage(models.Model):  # 重点帮扶村/软弱涣散村: the county's decision
    SCOPE = ScopePaths(village="village")
    village = models.OneToOneField(Region, on_delete=models.CASCADE, related_name="weak_mark")
    decided_on = models.DateField(_("认定日期"))
    document_no = models.CharField(_("文件编号"), max_length=64, blank=True)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["village_id"]
        verbose_name = _("重点帮扶村")
        verbose_name_plural = _("重点帮扶村")

    def __str__(self) -> str:
        return self.village.name


class WorkLog(models.Model):  # 驻村日志
    SCOPE = ScopePaths(village="team__village")
    team = models.ForeignKey(WorkTeam, on_delete=models.CASCADE, related_name="logs")
    member = models.ForeignKey(TeamMember, on_delete=models.PROTECT, related_name="logs")
    on = models.DateField(_("日期"))
    text = models.TextField(_("工作内容"), max_length=2000)
    households = models.ManyToManyField(
        Household, blank=True, related_name="team_visits", verbose_name=_("走访农户")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-on", "-pk"]
        verbose_name = _("驻村日志")
        verbose_name_plural = _("驻村日志")

    def __str__(self) -> str:
        return f"{self.member.name} {self.on}"


class TaskStatus(models.TextChoices):
    TODO = "todo", _("待办")
    DOING = "doing", _("进行中")
    DONE = "done", _("已完成")


class TeamTask(models.Model):  # 任务清单
    SCOPE = ScopePaths(village="team__village")
    team = models.ForeignKey(WorkTeam, on_delete=models.CASCADE, related_name="tasks")
    title = models.CharField(_("任务"), max_length=200)
    due = models.DateField(_("完成时限"), null=True, blank=True)
    status = models.CharField(
        _("状态"), max_length=8, choices=TaskStatus.choices, default=TaskStatus.TODO
    )
    done_on = models.DateField(_("完成日期"), null=True, blank=True)
    note = models.TextField(_("备注"), max_length=2000, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["status", "due", "pk"]
        verbose_name = _("任务清单")
        verbose_name_plural = _("任务清单")

    def __str__(self) -> str:
        return self.title


# -- village points (积分制) and the village's list (清单制) --------------------------------
# Seed 001: 全面推广"积分制""清单制""数字化"治理方式; 中央农办、农业农村部《关于在乡村治理中推广
# 运用积分制有关工作的通知》(2020年7月): village affairs turned into quantified items, households'
# conduct scored, with moral encouragement or material rewards (积分超市) — an incentive and a
# constraint (激励约束), so an item may add points (加分) or deduct them (扣分).
class PointKind(models.TextChoices):  # 加分/扣分
    EARN = "earn", _("加分")
    DEDUCT = "deduct", _("扣分")


class PointItem(models.Model):  # 积分清单的一项
    SCOPE = ScopePaths(village="village")
    village = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="point_items")
    name = models.CharField(_("积分事项"), max_length=100)
    kind = models.CharField(_("类型"), max_length=8, choices=PointKind.choices)
    points = models.PositiveSmallIntegerField(_("分值"))
    evidence_needed = models.CharField(_("所需佐证"), max_length=200)
    active = models.BooleanField(_("启用"), default=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["village_id", "-active", "order", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(points__gt=0), name="pointitem_points_positive"),
            models.UniqueConstraint(fields=["village", "name"], name="pointitem_unique_name"),
        ]
        verbose_name = _("积分事项")
        verbose_name_plural = _("积分清单")

    def __str__(self) -> str:
        sign = "+" if self.kind == PointKind.EARN else "-"
        return f"{self.name}（{sign}{self.points}）"

    @property
    def signed(self) -> int:
        """The points an entry of this item adds to a balance (negative for a deduction)."""
        return self.points if self.kind == PointKind.EARN else -self.points


class PointEntry(models.Model):  # 积分记录: never rewritten
    SCOPE = ScopePaths(village="village")
    village = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="point_entries")
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="point_entries")
    item = models.ForeignKey(PointItem, on_delete=models.PROTECT, related_name="entries")
    # the item's points when recorded, signed (a deduction negative): a later edit of the list
    # does not rewrite the balances already earned
    points = models.SmallIntegerField(_("积分"))
    on = models.DateField(_("日期"))
    evidence = models.CharField(_("佐证"), max_length=200)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-on", "-pk"]
        indexes = [models.Index(fields=["village", "household"], name="pointentry_village_hh_idx")]
        verbose_name = _("积分记录")
        verbose_name_plural = _("积分记录")

    def __str__(self) -> str:
        return f"{self.household_id} {self.points:+d}"


class Redemption(models.Model):  # 积分兑换 (积分超市)
    SCOPE = ScopePaths(village="village")
    village = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="redemptions")
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="redemptions")
    points = models.PositiveIntegerField(_("兑换积分"))
    goods = models.CharField(_("兑换物品"), max_length=100)
    on = models.DateField(_("日期"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-on", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(points__gt=0), name="redemption_points_positive")
        ]
        indexes = [models.Index(fields=["village", "household"], name="redemption_village_hh_idx")]
        verbose_name = _("积分兑换")
        verbose_name_plural = _("积分兑换")

    def __str__(self) -> str:
        return f"{self.household_id} -{self.points} {self.goods}"
