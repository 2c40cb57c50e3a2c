"""Monitoring runs and what becomes of their warnings."""

from __future__ import annotations

import datetime as dt
import re
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from bangfu.audit.services import audit_record
from bangfu.monitoring.context import period_end
from bangfu.monitoring.models import MonitoringRun, RiskWarning, WarningStatus
from bangfu.monitoring.policy import Policy, load_policy
from bangfu.monitoring.run import RunResult, run_rules
from bangfu.monitoring.snapshot import registry_snapshot
from bangfu.registry.models import Household

PERIOD = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


class MonitoringError(ValueError):
    pass


def current_period(today: dt.date | None = None) -> str:
    today = today or timezone.localdate()
    return f"{today:%Y-%m}"


def monitor_run(
    *,
    engine: str = "duckdb",
    period: str | None = None,
    policy: Policy | None = None,
    progress: Callable[[str], None] | None = None,
    spark_master: str | None = None,
) -> tuple[MonitoringRun, RunResult]:
    """Snapshot the registry, run every rule on `engine`, and upsert the warnings of the
    period: a rerun (after a crash, or with a changed policy) duplicates nothing."""
    period = period or current_period()
    if not PERIOD.match(period):
        raise MonitoringError(f"期间格式应为 YYYY-MM：{period}")
    policy = policy or load_policy()
    store = Path(settings.HOME) / "store"
    say = progress or (lambda _m: None)
    run = MonitoringRun.objects.create(period=period, engine=engine, policy_version=policy.version)
    with tempfile.TemporaryDirectory(prefix="bangfu-snapshot-") as tmp:
        say("导出农户信息快照")
        registry_snapshot(folder=Path(tmp), day=period_end(period))
        result = run_rules(
            engine=engine,
            registry=Path(tmp),
            store=store,
            period=period,
            policy=policy,
            progress=say,
            spark_master=spark_master,
        )
    warnings_store(run=run, result=result, policy=policy)
    run.finished_at = timezone.now()
    run.summary = result.summary()
    run.save(update_fields=["finished_at", "summary"])
    return run, result


@transaction.atomic
def warnings_store(*, run: MonitoringRun, result: RunResult, policy: Policy) -> int:
    """Upsert one warning per household and rule for the period. Warnings of the period whose
    rule no longer fires are deleted if still untouched (status new); dismissed warnings and
    leads stay, with their history."""
    evidence: dict[tuple[str, str], list[dict[str, Any]]] = {}
    categories: dict[tuple[str, str], str] = {}
    for row in result.warnings.itertuples(index=False):
        key = (row.household_no, row.rule_id)
        evidence.setdefault(key, []).append(
            {
                "value": row.value,
                "reference": row.reference,
                "detail": row.detail,
                "source": row.source,
            }
        )
        categories[key] = row.category
    ids = dict(
        Household.objects.filter(household_no__in={no for no, _ in evidence}).values_list(
            "household_no", "id"
        )
    )
    existing = {
        (w.household_id, w.rule_id): w for w in RiskWarning.objects.filter(period=result.period)
    }
    new, changed, keep = [], [], set()
    for (no, rule_id), items in evidence.items():
        spec = policy.rule(rule_id)
        fields = {
            "rule_kind": spec.kind,
            "rule_title": spec.title,
            "clause": spec.clause,
            "risk_types": list(spec.risk_types),
            "risk_text": "、".join(spec.risk_types),
            "category": categories[(no, rule_id)],
            "policy_version": policy.version,
            "evidence": items,
            "run": run,
        }
        key = (ids[no], rule_id)
        keep.add(key)
        w = existing.get(key)
        if w is None:
            new.append(
                RiskWarning(household_id=ids[no], period=result.period, rule_id=rule_id, **fields)
            )
        else:
            for name, value in fields.items():
                setattr(w, name, value)
            changed.append(w)
    RiskWarning.objects.bulk_create(new, batch_size=2000)
    RiskWarning.objects.bulk_update(changed, [*fields, "updated_at"], batch_size=2000)
    stale = [
        w.pk for key, w in existing.items() if key not in keep and w.status == WarningStatus.NEW
    ]
    RiskWarning.objects.filter(pk__in=stale).delete()
    return len(new) + len(changed)


@transaction.atomic
def warning_set_status(*, user: Any, warning: RiskWarning, status: str, reason: str) -> RiskWarning:
    """Dismiss a warning (with a reason) or turn it into a lead for the identification chain."""
    if not user.can_write_registry:
        raise Http404
    if status not in (WarningStatus.DISMISSED, WarningStatus.LEAD):
        raise MonitoringError("只能排除预警或转为线索")
    if warning.status != WarningStatus.NEW:
        raise MonitoringError("该预警已处理")
    reason = reason.strip()
    if status == WarningStatus.DISMISSED and not reason:
        raise MonitoringError("排除预警必须填写理由")
    old = warning.status
    warning.status, warning.status_reason = status, reason
    warning.status_by, warning.status_at = user, timezone.now()
    warning.save(update_fields=["status", "status_reason", "status_by", "status_at", "updated_at"])
    audit_record(
        actor=user,
        action="update",
        obj=warning,
        region_code=warning.household.village_id,
        changes={"status": [old, status]},
        note=reason,
    )
    return warning
