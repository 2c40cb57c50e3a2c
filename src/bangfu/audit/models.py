from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditAction(models.TextChoices):
    CREATE = "create", _("新增")
    UPDATE = "update", _("修改")
    DELETE = "delete", _("删除")
    UNMASK = "unmask", _("查看完整号码")
    EXPORT = "export", _("导出")
    IMPORT = "import", _("导入")


class AuditEvent(models.Model):  # 审计日志: append-only
    at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    # Who acted, kept even if the user is deleted; "命令行 (root)" for the CLI.
    actor_label = models.CharField(_("操作人"), max_length=150)
    action = models.CharField(_("操作"), max_length=16, choices=AuditAction.choices)
    object_type = models.CharField(_("对象类型"), max_length=32)
    object_id = models.CharField(_("对象"), max_length=64)
    # Division code of the village (or region) the object belongs to: auditors read by prefix.
    region_code = models.CharField(_("区划"), max_length=12, db_index=True)
    changes = models.JSONField(_("变更"), default=dict, blank=True)  # {field: [old, new]}
    note = models.CharField(_("说明"), max_length=255, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object_idx")]
        verbose_name = _("审计记录")
        verbose_name_plural = _("审计日志")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_type}"
