"""A background job: who started what, in which region, how it ended.

The queue itself is django-tasks-db's table (run by `bangfu worker`); a job is the part a
county office reads: its kind, its user and region (for scope), and its result. Live progress is
kept in the cache while it runs (`bangfu.jobs.services.JobProgress`)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class JobKind(models.TextChoices):
    HOUSEHOLD_IMPORT = "household_import", _("导入农户信息")
    FEED_IMPORT = "feed_import", _("导入部门数据")
    MONITORING_RUN = "monitoring_run", _("批量监测")
    MONITORING_IMPORT = "monitoring_import", _("导入存量监测对象")


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("运行中")
    SUCCEEDED = "succeeded", _("已完成")
    FAILED = "failed", _("失败")


FINISHED = (JobStatus.SUCCEEDED, JobStatus.FAILED)


class Job(models.Model):
    kind = models.CharField(_("任务"), max_length=32, choices=JobKind.choices)
    status = models.CharField(
        _("状态"), max_length=16, choices=JobStatus.choices, default=JobStatus.QUEUED
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")
    language = models.CharField(max_length=16, default="zh-hans")
    params = models.JSONField(default=dict, blank=True)
    file_name = models.CharField(_("文件"), max_length=255, blank=True)
    task_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(_("提交时间"), auto_now_add=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    result: Any = models.JSONField(default=dict, blank=True)
    error = models.TextField(_("错误"), blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["region", "-created_at"])]
        constraints = [
            # one monitoring run at a time, whatever two requests do at the same moment
            models.UniqueConstraint(
                fields=["kind"],
                condition=models.Q(
                    kind=JobKind.MONITORING_RUN, status__in=[JobStatus.QUEUED, JobStatus.RUNNING]
                ),
                name="one_monitoring_run_at_a_time",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def finished(self) -> bool:
        return self.status in FINISHED

    @property
    def seconds(self) -> float | None:
        if self.started_at and self.finished_at:
            return (self.finished_at - self.started_at).total_seconds()
        return None
