"""Monitoring runs and what becomes of their warnings."""

from __future__ import annotations

import datetime as dt
import re
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext as _

from bangfu.accounts.access import access_for
from bangfu.accounts.models import User
from bangfu.audit.models import AuditAction
from bangfu.audit.services import audit_record
from bangfu.core.errors import Conflict, NotFound, Refused
from bangfu.core.progress import Progress, silent
from bangfu.core.text import UNSAFE_REFUSED, has_unsafe_chars
from bangfu.monitoring.context import Context, period_end
from bangfu.monitoring.engines import connect, disconnect
from bangfu.monitoring.models import MonitoringRun, RiskWarning, WarningStatus, evidence_source
from bangfu.monitoring.policy import Policy, load_policy
from bangfu.monitoring.run import RunResult, run_rules
from bangfu.monitoring.snapshot import registry_snapshot
from bangfu.monitoring.vulnerability import (
    MODEL_FILE,
    ModelMissing,
    VulnerabilityModel,
    evaluate,
    fit_frame,
    transitions,
)
from bangfu.registry.models import Household, IncomeRecord

# Sent once a run's warnings are stored, with `run`; a receiver may return counts for the run's
# summary. The cases app attaches the warnings of households with an open case to that case.
warnings_stored = Signal()

PERIOD = re.compile(r"^[0-9]{4}-(0[1-9]|1[0-2])$")


def period_check(period: str) -> str:
    """A monitoring period, YYYY-MM, or MonitoringError saying what was expected."""
    if not PERIOD.match(period):
        raise Refused(_("期间格式应为 YYYY-MM：{period}").format(period=period))
    return period


def current_period(today: dt.date | None = None) -> str:
    today = today or timezone.localdate()
    return f"{today:%Y-%m}"


def monitor_run(
    *,
    engine: str = "duckdb",
    period: str | None = None,
    policy: Policy | None = None,
    progress: Progress = silent,
    spark_master: str | None = None,
) -> tuple[MonitoringRun, RunResult]:
    """Snapshot the registry, run every rule on `engine`, and upsert the warnings of the
    period: a rerun (after a crash, or with a changed policy) duplicates nothing. `progress`
    hears each step as `done` of `total` steps."""
    period = period_check(period or current_period())
    policy = policy or load_policy()
    store = Path(settings.HOME) / "store"
    fit_error = ""
    fitting = _uses_model(policy) and not (store / "models" / MODEL_FILE).exists()
    total = 3 + fitting
    step = 0

    def say(message: str) -> None:
        progress(message, step, total)

    if fitting:
        say(_("首次运行：训练脆弱性模型"))
        try:
            vulnerability_fit(period=period, policy=policy, progress=say)
        except ModelMissing as exc:
            fit_error = str(exc)
            say(_("脆弱性模型未训练：{reason}").format(reason=exc))
        step += 1
    run = MonitoringRun.objects.create(
        period=period, engine=engine, policy_version=policy.version, policy_digest=policy.digest
    )
    with tempfile.TemporaryDirectory(prefix="bangfu-snapshot-") as tmp:
        say(_("导出农户信息快照"))
        registry_snapshot(folder=Path(tmp), day=period_end(period))
        step += 1
        result = run_rules(
            engine=engine,
            registry=Path(tmp),
            store=store,
            period=period,
            policy=policy,
            progress=say,
            spark_master=spark_master,
        )
        step += 1
    if fit_error:
        result.skipped = dict.fromkeys(result.skipped, fit_error)
    say(_("保存预警"))
    _stored, suppressed = warnings_store(run=run, result=result, policy=policy)
    # the layers above: warnings on a household whose case is open become signals on it
    extra: dict[str, Any] = {}
    for _receiver, counts in warnings_stored.send(sender=MonitoringRun, run=run):
        if isinstance(counts, dict):
            extra |= counts
    step += 1
    run.finished_at = timezone.now()
    run.summary = (
        result.summary()
        | {
            "policy_digest": policy.digest,
            "income_data": income_data_freshness(period=period),
            "warnings_suppressed": suppressed,
        }
        | extra
        | run_counts(period=period)
    )
    run.save(update_fields=["finished_at", "summary"])
    say(_("完成：{n} 条预警").format(n=len(result.warnings)))
    return run, result


def monitoring_runs_cut_off(*, before: dt.datetime, reason: str) -> int:
    """Mark failed the runs started before `before` that never finished (their process was
    killed): the runs page shows them as failed, not as still running."""
    return MonitoringRun.objects.filter(finished_at__isnull=True, started_at__lt=before).update(
        finished_at=timezone.now(), summary={"failed": reason}
    )


def income_data_freshness(*, period: str) -> dict[str, Any]:
    """Whether the registry's newest annual income records are of the period's previous year
    (or later): a run on older income data says so, on its page and in its JSON."""
    latest = IncomeRecord.objects.aggregate(latest=Max("year"))["latest"]
    expected = int(period[:4]) - 1
    return {
        "latest_year": latest,
        "expected_year": expected,
        "stale": latest is None or latest < expected,
    }


def _uses_model(policy: Policy) -> bool:
    return any(r.kind == "vulnerability" for r in policy.rules)


def _param(policy: Policy, kind: str, name: str, default: float) -> float:
    for rule in policy.rules:
        if rule.kind == kind:
            return float(rule.params[name])
    return default


@contextmanager
def analysis_context(*, period: str, policy: Policy, engine: str = "duckdb") -> Iterator[Context]:
    """The registry as of the period's end and the store, as Ibis tables on `engine`, for as
    long as the block runs (the snapshot and the connection go when it ends)."""
    with tempfile.TemporaryDirectory(prefix="bangfu-snapshot-") as tmp:
        registry_snapshot(folder=Path(tmp), day=period_end(period))
        con = connect(engine)
        try:
            yield Context(
                con=con,
                registry=Path(tmp),
                store=Path(settings.HOME) / "store",
                period=period,
                policy=policy,
                scratch=Path(tmp),
            )
        finally:
            disconnect(con)


def vulnerability_fit(
    *,
    period: str | None = None,
    policy: Policy | None = None,
    progress: Callable[[str], None] | None = None,
) -> VulnerabilityModel:
    """Fit the vulnerability model on every year of income history up to the period's year,
    evaluate it on the last year held out (against the policy's income rules), and save it
    with that evaluation in the analytical store."""
    period = period_check(period or current_period())
    policy = policy or load_policy()
    say = progress or (lambda _m: None)
    say(_("导出农户信息快照"))
    with analysis_context(period=period, policy=policy) as ctx:
        say(_("读取收入历史"))
        frame = transitions(ctx)
    say(_("估计模型：{n} 个户-年观测").format(n=len(frame)))
    try:
        evaluation = evaluate(
            frame,
            line=policy.line,
            near_margin=_param(policy, "income_near_line", "margin", 0.5),
            drop=_param(policy, "income_drop_year", "drop", 0.3),
            threshold=_param(policy, "vulnerability", "min_probability", 0.5),
        )
    except ModelMissing as exc:
        evaluation = {"skipped": str(exc)}
    model = fit_frame(frame, line=policy.line)
    model.evaluation = evaluation
    model.save(Path(settings.HOME) / "store" / "models")
    return model


@transaction.atomic
def dismissed_evidence(*, before: str) -> dict[tuple[int, str], list[dict[str, Any]]]:
    """The evidence of each household's and rule's latest dismissed warning before `before`."""
    found: dict[tuple[int, str], list[dict[str, Any]]] = {}
    rows = RiskWarning.objects.filter(status=WarningStatus.DISMISSED, period__lt=before)
    for household_id, rule_id, items in rows.order_by("period").values_list(
        "household_id", "rule_id", "evidence"
    ):
        found[(household_id, rule_id)] = items
    return found


def warnings_store(*, run: MonitoringRun, result: RunResult, policy: Policy) -> tuple[int, int]:
    """Upsert one warning per household and rule for the period. Warnings of the period whose
    rule no longer fires are deleted if still untouched (status new); dismissed warnings and
    leads stay, with their history. A warning dismissed in an earlier period is not raised
    again while its evidence is unchanged (counted as `warnings_suppressed` in the run's
    summary). Returns how many were stored and how many suppressed."""
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
    dismissed = dismissed_evidence(before=result.period)
    priority = household_priorities(evidence, result.probability, policy)
    new, changed, keep = [], [], set()
    suppressed = 0
    for (no, rule_id), items in evidence.items():
        key = (ids[no], rule_id)
        if key not in existing and dismissed.get(key) == items:
            # dismissed with a reason on the same evidence: not raised again until it changes
            suppressed += 1
            continue
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
            "source": evidence_source(items),
            "run": run,
            "watch": spec.list == "watch",
            "priority": 0 if spec.list == "watch" else priority.get(no, 0),
        }
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
    if changed:
        RiskWarning.objects.bulk_update(changed, [*fields, "updated_at"], batch_size=2000)
    stale = [
        w.pk for key, w in existing.items() if key not in keep and w.status == WarningStatus.NEW
    ]
    RiskWarning.objects.filter(pk__in=stale).delete()
    return len(new) + len(changed), suppressed


def household_priorities(
    evidence: dict[tuple[str, str], Any], probability: dict[str, float], policy: Policy
) -> dict[str, int]:
    """One priority per household with new leads: the highest severity of the rules that
    flag it (x 100), then the vulnerability model's probability (%, at most 99)."""
    severity: dict[str, int] = {}
    for no, rule_id in evidence:
        spec = policy.rule(rule_id)
        if spec.list == "lead":
            severity[no] = max(severity.get(no, 0), spec.severity)
    return {
        no: s * 100 + min(99, round(100 * probability.get(no, 0.0))) for no, s in severity.items()
    }


def run_counts(*, period: str) -> dict[str, int]:
    """The monthly list of the period: households with a new lead (a warning still to be
    verified, not on the watch list), and households on the watch list (重点关注)."""
    pending = RiskWarning.objects.filter(period=period, status=WarningStatus.NEW)
    return {
        "households_flagged": pending.filter(watch=False).values("household_id").distinct().count(),
        "watch_list": pending.filter(watch=True).values("household_id").distinct().count(),
    }


@transaction.atomic
def warning_set_status(
    *, user: User, warning: RiskWarning, status: str, reason: str
) -> RiskWarning:
    """Dismiss a warning (with a reason) or mark it a lead. The lead's case is opened by the
    cases app (`bangfu.cases.services.warning_decide`), which calls this first."""
    if not access_for(user).may_write_registry:
        raise NotFound
    if status not in (WarningStatus.DISMISSED, WarningStatus.LEAD):
        raise Refused(_("只能排除预警或转为线索"))
    if warning.status != WarningStatus.NEW:
        raise Conflict(_("该预警已处理"))
    if has_unsafe_chars(reason):
        raise Refused(_(UNSAFE_REFUSED))
    reason = reason.strip()
    if status == WarningStatus.DISMISSED and not reason:
        raise Refused(_("排除预警必须填写理由"))
    old = warning.status
    warning.status, warning.status_reason = status, reason
    warning.status_by, warning.status_at = user, timezone.now()
    warning.save(update_fields=["status", "status_reason", "status_by", "status_at", "updated_at"])
    audit_record(
        actor=user,
        action=AuditAction.UPDATE,
        obj=warning,
        region_code=warning.household.village_id,
        changes={"status": [old, status]},
        note=reason,
    )
    return warning
