from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from bangfu.accounts.access import ScopePaths
from bangfu.core.idcard import mask_id_number
from bangfu.regions.models import Grid, Level, Region
from bangfu.registry.income import per_capita_net_income

# Coded fields: the Chinese label is the statutory term, written as such in the spreadsheets.


class Category(models.TextChoices):  # 监测对象类别
    NONE = "", _("非监测对象")
    UNSTABLE = "unstable", _("脱贫不稳定户")
    EDGE = "edge", _("边缘易致贫户")
    SUDDEN = "sudden", _("突发严重困难户")


class Assistance(models.TextChoices):  # 兜底保障
    NONE = "none", _("无")
    DIBAO = "dibao", _("低保")
    TEKUN = "tekun", _("特困供养")


class Guarantee(models.TextChoices):  # "3+1" 保障状况
    SECURED = "yes", _("已保障")
    NOT_SECURED = "no", _("未保障")
    NOT_APPLICABLE = "na", _("不涉及")


class Relation(models.TextChoices):  # 与户主关系
    HEAD = "head", _("户主")
    SPOUSE = "spouse", _("配偶")
    SON = "son", _("之子")
    DAUGHTER = "daughter", _("之女")
    CHILD_IN_LAW = "child_in_law", _("之儿媳/女婿")
    GRANDCHILD = "grandchild", _("之孙子女")
    PARENT = "parent", _("之父母")
    SIBLING = "sibling", _("兄弟姐妹")
    OTHER = "other", _("其他")


class Health(models.TextChoices):  # 健康状况
    HEALTHY = "healthy", _("健康")
    CHRONIC = "chronic", _("长期慢性病")
    SERIOUS = "serious", _("患有大病")
    DISABLED = "disabled", _("残疾")


class Labour(models.TextChoices):  # 劳动能力
    ORDINARY = "ordinary", _("普通劳动力")
    SKILLED = "skilled", _("技能劳动力")
    WEAK = "weak", _("弱劳动力或半劳动力")
    LOST = "lost", _("丧失劳动力")
    NONE = "none", _("无劳动力")


class Schooling(models.TextChoices):  # 在校情况
    NOT_IN_SCHOOL = "none", _("不在校")
    PRESCHOOL = "preschool", _("学前教育")
    COMPULSORY = "compulsory", _("义务教育")
    HIGH_SCHOOL = "high", _("普通高中")
    VOCATIONAL = "vocational", _("中职")
    UNIVERSITY = "university", _("大学")
    DROPOUT = "dropout", _("辍学")


class WorkPlace(models.TextChoices):  # 务工地点
    NONE = "none", _("未务工")
    IN_COUNTY = "county", _("县内")
    IN_PROVINCE = "province", _("县外省内")
    OUT_OF_PROVINCE = "outside", _("省外")


class Household(models.Model):  # 户
    SCOPE = ScopePaths(village="village", grid="grid", assisted="cases__measures__responsible")

    household_no = models.CharField(_("户编号"), max_length=32, unique=True)
    village = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        related_name="households",
        limit_choices_to={"level": Level.VILLAGE},
        verbose_name=_("村"),
    )
    grid = models.ForeignKey(
        Grid, null=True, blank=True, on_delete=models.SET_NULL, related_name="households"
    )
    address = models.CharField(_("家庭住址"), max_length=128, blank=True)
    phone_enc = models.TextField(blank=True)  # 联系电话, encrypted
    formerly_poor = models.BooleanField(_("原建档立卡脱贫户"), default=False)
    assistance = models.CharField(
        _("低保特困"), max_length=8, choices=Assistance.choices, default=Assistance.NONE
    )
    temporary_relief = models.BooleanField(_("临时救助"), default=False)
    category = models.CharField(
        _("监测类别"), max_length=8, choices=Category.choices, blank=True, default=""
    )
    education_secured = models.CharField(
        _("义务教育保障"), max_length=3, choices=Guarantee.choices, default=Guarantee.SECURED
    )
    medical_secured = models.CharField(
        _("基本医疗保障"), max_length=3, choices=Guarantee.choices, default=Guarantee.SECURED
    )
    housing_secured = models.CharField(
        _("住房安全"), max_length=3, choices=Guarantee.choices, default=Guarantee.SECURED
    )
    water_secured = models.CharField(
        _("饮水安全"), max_length=3, choices=Guarantee.choices, default=Guarantee.SECURED
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["household_no"]
        indexes = [models.Index(fields=["village", "household_no"], name="household_village_idx")]
        verbose_name = _("农户")
        verbose_name_plural = _("农户")

    def __str__(self) -> str:
        return self.household_no

    @property
    def head_name(self) -> str:
        """The head's name (户主), as lists and titles name a household; the first member's
        where none is marked head. Reads `members` through a list's prefetch where it made one
        (`household_heads`), so a page of thirty rows asks once."""
        heads = getattr(self, "heads", None)
        if heads is not None:
            return heads[0].name if heads else ""
        members = list(self.members.all())
        head = next((m for m in members if m.relation == "head"), members[0] if members else None)
        return head.name if head else ""

    @property
    def guarantees_secured(self) -> bool:
        return all(
            g != Guarantee.NOT_SECURED
            for g in (
                self.education_secured,
                self.medical_secured,
                self.housing_secured,
                self.water_secured,
            )
        )


class Member(models.Model):  # 家庭成员
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="members")
    name = models.CharField(_("姓名"), max_length=64, db_index=True)
    id_enc = models.TextField()  # 身份证号, encrypted
    id_hash = models.CharField(max_length=64, unique=True)  # keyed hash, for look-ups
    id_tail = models.CharField(max_length=4, db_index=True)  # shown in the mask anyway
    id_area = models.CharField(max_length=4)  # first four, also shown in the mask
    relation = models.CharField(_("与户主关系"), max_length=16, choices=Relation.choices)
    sex = models.CharField(_("性别"), max_length=1, choices=[("M", _("男")), ("F", _("女"))])
    birth_date = models.DateField(_("出生日期"))
    health = models.CharField(
        _("健康状况"), max_length=16, choices=Health.choices, default=Health.HEALTHY
    )
    disability_grade = models.PositiveSmallIntegerField(_("残疾等级"), null=True, blank=True)
    labour = models.CharField(
        _("劳动能力"), max_length=16, choices=Labour.choices, default=Labour.ORDINARY
    )
    schooling = models.CharField(
        _("在校情况"), max_length=16, choices=Schooling.choices, default=Schooling.NOT_IN_SCHOOL
    )
    work_place = models.CharField(
        _("务工地点"), max_length=16, choices=WorkPlace.choices, default=WorkPlace.NONE
    )
    work_months = models.PositiveSmallIntegerField(_("务工月数"), default=0)
    medical_insured = models.BooleanField(_("基本医疗保险"), default=True)
    pension_insured = models.BooleanField(_("养老保险"), default=False)
    phone_enc = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["household_id", "id"]
        verbose_name = _("家庭成员")
        verbose_name_plural = _("家庭成员")

    def __str__(self) -> str:
        return self.name

    @property
    def id_masked(self) -> str:
        return mask_id_number(self.id_area + "0" * 10 + self.id_tail)

    def age_on(self, day: dt.date) -> int:
        b = self.birth_date
        return day.year - b.year - ((day.month, day.day) < (b.month, b.day))


class IncomeRecord(models.Model):  # 年度收支
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="incomes")
    year = models.PositiveSmallIntegerField(_("年度"))
    household_size = models.PositiveSmallIntegerField(_("家庭人口"))
    wage = models.DecimalField(_("工资性收入"), max_digits=12, decimal_places=2, default=0)
    business = models.DecimalField(_("生产经营性收入"), max_digits=12, decimal_places=2, default=0)
    property_income = models.DecimalField(
        _("财产性收入"), max_digits=12, decimal_places=2, default=0
    )
    transfer = models.DecimalField(_("转移性收入"), max_digits=12, decimal_places=2, default=0)
    # 政策性收入: the part of the income above (wages of a 公益性岗位, transfers) that comes from
    # policy; what the household would lose if the policies ended (rule kind policy_dependent)
    policy_income = models.DecimalField(
        _("其中：政策性收入"), max_digits=12, decimal_places=2, default=0
    )
    production_costs = models.DecimalField(
        _("生产经营费用"), max_digits=12, decimal_places=2, default=0
    )
    medical_out_of_pocket = models.DecimalField(
        _("医疗自付支出"), max_digits=12, decimal_places=2, default=0
    )
    schooling_costs = models.DecimalField(_("教育支出"), max_digits=12, decimal_places=2, default=0)

    class Meta:
        ordering = ["household_id", "year"]
        constraints = [
            models.UniqueConstraint(fields=["household", "year"], name="income_unique_year")
        ]
        verbose_name = _("年度收支")
        verbose_name_plural = _("年度收支")

    def __str__(self) -> str:
        return f"{self.household_id}/{self.year}"

    @property
    def total_income(self) -> Decimal:
        return self.wage + self.business + self.property_income + self.transfer

    @property
    def per_capita_net(self) -> Decimal:
        return per_capita_net_income(
            total_income=self.total_income,
            production_costs=self.production_costs,
            size=self.household_size,
        )


class ReadingKind(models.TextChoices):
    MONTHLY = "month", _("月度")
    QUARTERLY = "quarter", _("季度")


class IncomeReading(models.Model):  # 网格员月度/季度收入核查
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="readings")
    kind = models.CharField(_("周期"), max_length=8, choices=ReadingKind.choices)
    period = models.CharField(_("期间"), max_length=7)  # 2026-03 or 2026-Q1
    household_size = models.PositiveSmallIntegerField(_("家庭人口"))
    income = models.DecimalField(_("本期收入"), max_digits=12, decimal_places=2)
    production_costs = models.DecimalField(
        _("本期生产经营费用"), max_digits=12, decimal_places=2, default=0
    )
    note = models.CharField(_("说明"), max_length=255, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["household_id", "period"]
        constraints = [
            models.UniqueConstraint(fields=["household", "period"], name="reading_unique_period")
        ]
        verbose_name = _("收入核查")
        verbose_name_plural = _("收入核查")

    def __str__(self) -> str:
        return f"{self.household_id}/{self.period}"

    @property
    def per_capita_net(self) -> Decimal:
        return per_capita_net_income(
            total_income=self.income,
            production_costs=self.production_costs,
            size=self.household_size,
        )
