from __future__ import annotations

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
