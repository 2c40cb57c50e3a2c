from __future__ import annotations

from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class Level(models.IntegerChoices):
    PROVINCE = 1, _("省")
    CITY = 2, _("市")
    COUNTY = 3, _("县")
    TOWNSHIP = 4, _("乡镇")
    VILLAGE = 5, _("村")


# Significant digits of a 12-digit statistical division code at each level.
PREFIX_LENGTH = {1: 2, 2: 4, 3: 6, 4: 9, 5: 12}


class Region(models.Model):  # 行政区划, statistical division code (统计用区划代码)
    code = models.CharField(_("区划代码"), max_length=12, primary_key=True)
    name = models.CharField(_("名称"), max_length=64)
    level = models.PositiveSmallIntegerField(_("层级"), choices=Level.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")

    def __str__(self) -> str:
        return self.name

    @property
    def prefix(self) -> str:
        """The leading digits every division inside this one shares."""
        return self.code[: PREFIX_LENGTH[self.level]]

    def contains(self, code: str) -> bool:
        return code.startswith(self.prefix)


class Grid(models.Model):  # 网格, a part of a village looked after by a grid worker
    village = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        related_name="grids",
        limit_choices_to={"level": Level.VILLAGE},
    )
    number = models.PositiveSmallIntegerField(_("网格编号"))
    name = models.CharField(_("名称"), max_length=64)

    class Meta:
        ordering = ["village_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["village", "number"], name="grid_unique_number")
        ]
        verbose_name = _("网格")
        verbose_name_plural = _("网格")

    def __str__(self) -> str:
        return f"{self.village.name}{self.name}"


# a printed phone: digits, with the usual separators (0351-5123456, (0351)5123456, 12317)
PHONE = RegexValidator(r"^[0-9(][0-9 ()\-]{2,23}$", _("电话号码只能包含数字、空格、括号和连字符"))


class RegionContact(models.Model):  # 联系方式: of a village committee (村委会), or a county's
    """What the printed papers give as whom to call: a village's committee (its name, office
    phone, address, and the supervision phone its notices print), or, on a township or county,
    the supervision phone (监督举报电话) its villages print when they have none of their own.
    Public information of an office, never a person's."""

    region = models.OneToOneField(
        Region, primary_key=True, on_delete=models.CASCADE, related_name="contact"
    )
    office = models.CharField(
        _("单位名称"), max_length=64, blank=True, help_text=_("如：官庄村村民委员会")
    )
    phone = models.CharField(_("办公电话"), max_length=24, blank=True, validators=[PHONE])
    supervision_phone = models.CharField(
        _("监督举报电话"), max_length=24, blank=True, validators=[PHONE]
    )
    address = models.CharField(_("地址"), max_length=128, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("联系方式")
        verbose_name_plural = _("联系方式")

    def __str__(self) -> str:
        return self.office or self.region.name
