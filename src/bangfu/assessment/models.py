"""Assessment scorecards (考核): a county's scheme per year and per kind of subject (乡镇, 村,
驻村工作队) as data — dimensions, indicators with their points, each either computed from
bangfu's own records or scored by an assessor with evidence —, the quarterly assessments
(季度测评) and the annual one (年度总评, which weighs the quarters' mean), each subject's scores,
total and rank, and the problems an assessor found, registered into the ledger."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bangfu.accounts.access import ScopePaths
from bangfu.cases.models import StoredFile
from bangfu.regions.models import Region
from bangfu.supervision.models import Problem, WorkTeam


class SubjectKind(models.TextChoices):  # 考核对象
    TOWNSHIP = "township", _("乡镇")
    VILLAGE = "village", _("村")
    TEAM = "team", _("驻村工作队")


class Period(models.TextChoices):
    QUARTER = "quarter", _("季度测评")
    ANNUAL = "annual", _("年度总评")


class Method(models.TextChoices):
    COMPUTED = "computed", _("系统计算")
    ASSESSED = "assessed", _("考核评分")


class CheckWay(models.TextChoices):  # 考核方式 (seed 002: 查阅台账、村民访谈、实地核查)
    LEDGER = "ledger", _("查阅台账")
    INTERVIEW = "interview", _("村民访谈")
    SITE = "site", _("实地核查")


class Scheme(models.Model):  # 考核方案: one per county, year and kind of subject
    SCOPE = ScopePaths(village="county")
    county = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="schemes")
    year = models.PositiveSmallIntegerField(_("年度"))
    subject_kind = models.CharField(_("考核对象"), max_length=8, choices=SubjectKind.choices)
    name = models.CharField(_("方案名称"), max_length=100)
    # 年度总评 = quarter_weight × the quarters' mean + (1 − quarter_weight) × the annual scores
    quarter_weight = models.DecimalField(
        _("季度测评权重"), max_digits=3, decimal_places=2, default=0
    )
    text = models.TextField(_("方案文件"), max_length=100_000)  # the TOML as loaded, kept
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-year", "subject_kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["county", "year", "subject_kind"], name="scheme_one_per_year"
            )
        ]
        verbose_name = _("考核方案")
        verbose_name_plural = _("考核方案")

    def __str__(self) -> str:
        return f"{self.year} {self.name}"


class Dimension(models.Model):  # 考核方面 (e.g. 识别认定, or 产业兴旺 …)
    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="dimensions")
    key = models.SlugField(max_length=32)
    name = models.CharField(_("考核方面"), max_length=50)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["scheme_id", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "key"], name="dimension_unique_key")
        ]
        verbose_name = _("考核方面")
        verbose_name_plural = _("考核方面")

    def __str__(self) -> str:
        return self.name


class Indicator(models.Model):  # 考核指标, with its points (分值)
    dimension = models.ForeignKey(Dimension, on_delete=models.CASCADE, related_name="indicators")
    key = models.SlugField(max_length=32)
    name = models.CharField(_("考核指标"), max_length=100)
    points = models.DecimalField(_("分值"), max_digits=5, decimal_places=2)
    method = models.CharField(_("计分方式"), max_length=8, choices=Method.choices)
    # computed: the measure's key in bangfu.assessment.indicators.MEASURES, and the value that
    # earns the full points and the one that earns none (linear between; either direction)
    measure = models.CharField(_("计算口径"), max_length=32, blank=True)
    full_at = models.DecimalField(
        _("满分值"), max_digits=8, decimal_places=4, null=True, blank=True
    )
    zero_at = models.DecimalField(
        _("零分值"), max_digits=8, decimal_places=4, null=True, blank=True
    )
    # assessed: how it is checked (comma-separated CheckWay values) and the scoring guide
    ways = models.CharField(_("考核方式"), max_length=40, blank=True)
    guide = models.TextField(_("评分细则"), max_length=2000, blank=True)
    clause = models.CharField(_("依据"), max_length=200, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["dimension_id", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["dimension", "key"], name="indicator_unique_key")
        ]
        verbose_name = _("考核指标")
        verbose_name_plural = _("考核指标")

    def __str__(self) -> str:
        return self.name


class AssessmentStatus(models.TextChoices):
    OPEN = "open", _("评分中")
    PUBLISHED = "published", _("已公布")


class Assessment(models.Model):  # 一次测评: a quarter's or the year's
    SCOPE = ScopePaths(village="scheme__county")
    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="assessments")
    period = models.CharField(_("考核周期"), max_length=8, choices=Period.choices)
    # 1 to 4; the annual assessment has none
    quarter = models.PositiveSmallIntegerField(_("季度"), null=True, blank=True)
    start = models.DateField(_("考核期起"))
    end = models.DateField(_("考核期止"))
    status = models.CharField(
        _("状态"), max_length=10, choices=AssessmentStatus.choices, default=AssessmentStatus.OPEN
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    published_on = models.DateField(_("公布日期"), null=True, blank=True)

    class Meta:
        ordering = ["-start", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["scheme", "period", "quarter"], name="assessment_one_per_period"
            ),
            # the annual has no quarter, and NULLs are distinct: one annual per scheme
            models.UniqueConstraint(
                fields=["scheme", "period"],
                condition=models.Q(quarter__isnull=True),
                name="assessment_one_annual",
            ),
        ]
        verbose_name = _("考核测评")
        verbose_name_plural = _("考核测评")

    def __str__(self) -> str:
        return f"{self.scheme.year} {self.title}"

    @property
    def title(self) -> str:
        if self.period == Period.QUARTER:
            return f"第{self.quarter}季度测评"
        return "年度总评"


class Subject(models.Model):  # 考核对象: a township, a village or a village's work team
    SCOPE = ScopePaths(village="region")
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="subjects")
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    team = models.ForeignKey(
        WorkTeam, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    total = models.DecimalField(_("总分"), max_digits=6, decimal_places=2, null=True, blank=True)
    rank = models.PositiveSmallIntegerField(_("排名"), null=True, blank=True)

    class Meta:
        ordering = ["assessment_id", "rank", "region_id", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "region", "team"], name="subject_unique"),
            # a township or a village (no team; NULLs are distinct) once per assessment
            models.UniqueConstraint(
                fields=["assessment", "region"],
                condition=models.Q(team__isnull=True),
                name="subject_unique_region",
            ),
        ]
        verbose_name = _("考核对象")
        verbose_name_plural = _("考核对象")

    def __str__(self) -> str:
        return self.region.name


class Score(models.Model):  # 一项得分: computed (with what was measured) or an assessor's
    SCOPE = ScopePaths(village="subject__region")
    subject = models.ForeignKey(Subject, on_delete=models.CASCADE, related_name="scores")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="scores")
    points = models.DecimalField(_("得分"), max_digits=5, decimal_places=2, null=True, blank=True)
    # computed: {"value": .., "numerator": .., "denominator": .., "text": "…"}
    measured = models.JSONField(_("计算依据"), default=dict, blank=True)
    way = models.CharField(_("考核方式"), max_length=10, choices=CheckWay.choices, blank=True)
    note = models.TextField(_("扣分说明"), max_length=2000, blank=True)
    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    scored_at = models.DateTimeField(null=True, blank=True)
    # the problem the assessor found here, registered into the ledger (问题台账)
    problem = models.ForeignKey(
        Problem, null=True, blank=True, on_delete=models.SET_NULL, related_name="scores"
    )

    class Meta:
        ordering = ["subject_id", "indicator__dimension__order", "indicator__order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["subject", "indicator"], name="score_unique")
        ]
        verbose_name = _("得分")
        verbose_name_plural = _("得分")

    def __str__(self) -> str:
        return f"{self.subject} {self.indicator}"


class ScoreEvidence(StoredFile):  # 佐证材料: a checked file, stored by a random name
    score = models.ForeignKey(Score, on_delete=models.PROTECT, related_name="evidence")

    class Meta(StoredFile.Meta):
        verbose_name = _("佐证材料")
        verbose_name_plural = _("佐证材料")
