from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from bangfu.regions.models import Grid, Level, Region


class Role(models.TextChoices):
    COUNTY_OFFICER = "county_officer", _("县农业农村部门（乡村振兴）")
    TOWNSHIP_CADRE = "township_cadre", _("乡镇干部")
    VILLAGE_CADRE = "village_cadre", _("村干部/驻村工作队")
    GRID_WORKER = "grid_worker", _("网格员")
    RESPONSIBLE_PERSON = "responsible_person", _("帮扶责任人")
    DEPARTMENT_OFFICER = "department_officer", _("行业部门数据员")
    AUDITOR = "auditor", _("考核/审计")


class Department(models.TextChoices):  # 行业部门: whose data a department officer loads
    CIVIL = "civil", _("民政")
    MEDICAL = "medical", _("医保")
    HEALTH = "health", _("卫健")
    EDUCATION = "education", _("教育")
    HOUSING = "housing", _("住建")
    WATER = "water", _("水利")
    HR = "hr", _("人社")
    DISABILITY = "disability", _("残联")
    EMERGENCY = "emergency", _("应急")
    POLICE = "police", _("公安")


# The level of region each role is bound to (auditors and department officers: any level).
ROLE_LEVEL = {
    Role.COUNTY_OFFICER: Level.COUNTY,
    Role.TOWNSHIP_CADRE: Level.TOWNSHIP,
    Role.VILLAGE_CADRE: Level.VILLAGE,
    Role.GRID_WORKER: Level.VILLAGE,
    Role.RESPONSIBLE_PERSON: Level.VILLAGE,
}


class User(AbstractUser):
    role = models.CharField(_("角色"), max_length=32, choices=Role.choices, blank=True)
    region = models.ForeignKey(
        Region, null=True, blank=True, on_delete=models.PROTECT, related_name="users"
    )
    grid = models.ForeignKey(
        Grid, null=True, blank=True, on_delete=models.PROTECT, related_name="workers"
    )
    # a department officer's department (民政 answers the referrals of home verifications)
    department = models.CharField(
        _("部门"), max_length=16, choices=Department.choices, blank=True, db_default=""
    )
    display_name = models.CharField(_("姓名"), max_length=64, blank=True)
    work_phone = models.CharField(_("工作电话"), max_length=32, blank=True)

    def clean(self) -> None:
        super().clean()
        if not self.role:
            return
        region = self.region
        if region is None:
            raise ValidationError(_("每个角色都必须绑定行政区划。"))
        need = ROLE_LEVEL.get(Role(self.role))
        if need is not None and region.level != need:
            raise ValidationError(_("该角色绑定的行政区划层级不正确。"))
        if self.department and self.role != Role.DEPARTMENT_OFFICER:
            raise ValidationError(_("只有行业部门数据员绑定部门。"))
        if self.role == Role.GRID_WORKER and (
            self.grid is None or self.grid.village_id != self.region_id
        ):
            raise ValidationError(_("网格员必须绑定本村的网格。"))

    def __str__(self) -> str:
        return self.display_name or self.username
