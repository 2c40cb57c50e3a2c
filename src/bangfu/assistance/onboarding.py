"""Onboarding the existing caseload (存量监测对象): a county that moves to bangfu brings the
monitoring objects of the national system's list into the loop, one row per household (a
household whose risk was eliminated and that later came back has one row per time).

Each row becomes a case in monitoring, or an eliminated one, whose history says it came from
the import, with the original dates. Every cell is checked first (the household in the
importer's region, the category consistent with the household's history, dates not in the
future); on any error nothing is written. Importing the same file again changes nothing: a
case is keyed by its household and its 纳入监测日期. From then on a household's category is
its case's alone (the household import no longer sets it)."""

from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from bangfu.accounts.access import access_for, carriers_among
from bangfu.accounts.models import User
from bangfu.assistance.models import Measure, MeasureKind, MeasureStatus
from bangfu.audit.models import AuditAction
from bangfu.audit.services import audit_event, audit_save
from bangfu.cases.models import Case, Channel, Stage, Step
from bangfu.core.errors import Forbidden
from bangfu.core.progress import Every, Progress, silent
from bangfu.core.tabular.columns import Column
from bangfu.core.tabular.parsing import RowError, columns_present, row_values
from bangfu.core.tabular.reasons import Reason
from bangfu.core.tabular.sheets import Table, write_workbook
from bangfu.monitoring.policy import RISK_TYPES
from bangfu.registry.models import Category, Household

SEPARATOR = "、"

COLUMNS: list[Column] = [
    Column("户编号", "household_no", "case", "text", True, max_length=32),
    Column(
        "监测对象类别",
        "category",
        "case",
        "choice",
        True,
        options=("脱贫不稳定户", "边缘易致贫户", "突发严重困难户"),
    ),
    Column("风险类型", "risk_types", "case", "text", True, max_length=200, note="多个用“、”分隔"),
    Column("纳入监测日期", "identified_on", "case", "date", True, note="如 2024-03-15"),
    Column("风险消除日期", "eliminated_on", "case", "date", note="仍在监测的留空"),
    Column("帮扶责任人", "responsible", "case", "text", max_length=150, note="用户名"),
    Column(
        "帮扶措施",
        "measures",
        "case",
        "text",
        max_length=500,
        note="措施目录中的代码或名称，多个用“、”分隔",
    ),
]
CATEGORY_OF = {
    "脱贫不稳定户": Category.UNSTABLE,
    "边缘易致贫户": Category.EDGE,
    "突发严重困难户": Category.SUDDEN,
}
HELP = [
    "存量监测对象导入：每行一户（曾消除风险后再次纳入监测的户，每次纳入一行）。",
    "户编号须已在农户信息库中（先导入农户信息）；监测对象类别须与该户是否原建档立卡脱贫户一致：",
    "脱贫不稳定户只能是原建档立卡脱贫户，边缘易致贫户只能是一般农户，突发严重困难户两者均可。",
    "风险类型用“、”分隔，如 因病、因残；日期不能晚于今天，风险消除日期不能早于纳入监测日期。",
    "帮扶责任人填用户名，须是该村的帮扶责任人或村干部；填写帮扶措施时必须填写帮扶责任人。",
    "有任何错误时不导入任何数据；同一文件重复导入不会重复建档。",
]


def monitoring_template(*, out: Path | IO[bytes]) -> None:
    write_workbook(COLUMNS, [], out, sheet="监测对象", help_lines=HELP)


@dataclass
class OnboardReport:
    rows: int = 0
    cases_created: int = 0
    in_monitoring: int = 0
    eliminated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    written: bool = False

    def summary(self) -> str:
        return _(
            "共 {rows} 行：新建监测帮扶 {created} 户次（监测帮扶中 {open}，风险已消除 "
            "{eliminated}）；已导入过、无变化 {unchanged} 行"
        ).format(
            rows=self.rows,
            created=self.cases_created,
            open=self.in_monitoring,
            eliminated=self.eliminated,
            unchanged=self.unchanged,
        )


@dataclass
class _Row:
    number: int
    household: Household
    category: str
    risk_types: list[str]
    identified_on: dt.date
    eliminated_on: dt.date | None
    responsible: User | None
    kinds: list[MeasureKind]


def _split(text: str) -> list[str]:
    return [
        p.strip()
        for p in text.replace(",", SEPARATOR).replace("，", SEPARATOR).split(SEPARATOR)
        if p.strip()
    ]


def _cells(table: Table, today: dt.date) -> tuple[list[tuple[int, dict[str, Any]]], list[RowError]]:
    present, errors = columns_present(
        table.headers,
        COLUMNS,
        unknown=Reason(gettext_noop("无法识别的列名，请使用监测对象导入模板")),
    )
    # the sheets' own cap, for a table that did not come from a file (read_table enforces it)
    cap = settings.MAX_SHEET_ROWS
    if len(table.rows) > cap:
        errors.append(
            RowError(1, "", Reason(gettext_noop("行数超过上限 %(n)d 行，请分批导入"), n=cap))
        )
    if errors:
        return [], errors
    rows = []
    for n, cells in enumerate(table.rows, start=2):
        if not any(c.strip() for c in cells):
            continue
        values, cell_errors = row_values(present, cells, n, today=today)
        errors += cell_errors
        rows.append((n, values))
    return rows, errors


def _check(
    rows: list[tuple[int, dict[str, Any]]], user: User, today: dt.date
) -> tuple[list[_Row], list[RowError]]:
    access = access_for(user)
    errors: list[RowError] = []
    numbers = {v["household_no"] for _n, v in rows if "household_no" in v}
    households = {h.household_no: h for h in Household.objects.filter(household_no__in=numbers)}
    names = {v["responsible"] for _n, v in rows if "responsible" in v}
    villages = {h.village_id for h in households.values()}
    # who may carry a measure in which village: the access layer's rule, for the whole file
    carriers = {u.username: u for u in carriers_among(villages).filter(username__in=names)}
    kinds = list(MeasureKind.objects.filter(active=True))
    by_code = {k.code: k for k in kinds} | {k.name: k for k in kinds}
    good: list[_Row] = []
    for n, v in rows:
        before = len(errors)
        household = households.get(v.get("household_no", ""))
        if "household_no" in v and (household is None or not access.admits(household)):
            # outside the region reads as absent: the file learns nothing of other regions
            errors.append(
                RowError(
                    n,
                    "户编号",
                    Reason(gettext_noop("农户信息库中没有该户编号（或不在您的管辖范围内）")),
                )
            )
        category = CATEGORY_OF.get(v.get("category", ""), "")
        if household is not None and category:
            if category == Category.UNSTABLE and not household.formerly_poor:
                errors.append(
                    RowError(
                        n,
                        "监测对象类别",
                        Reason(gettext_noop("该户不是原建档立卡脱贫户，不能是脱贫不稳定户")),
                    )
                )
            if category == Category.EDGE and household.formerly_poor:
                errors.append(
                    RowError(
                        n,
                        "监测对象类别",
                        Reason(gettext_noop("该户是原建档立卡脱贫户，不能是边缘易致贫户")),
                    )
                )
        risks = _split(v.get("risk_types", ""))
        unknown = [r for r in risks if r not in RISK_TYPES]
        if unknown:
            errors.append(
                RowError(
                    n,
                    "风险类型",
                    Reason(
                        gettext_noop("未知的风险类型：%(types)s（应为：%(known)s）"),
                        types=unknown,
                        known=sorted(RISK_TYPES),
                    ),
                )
            )
        identified, eliminated = v.get("identified_on"), v.get("eliminated_on")
        for key, header in (("identified_on", "纳入监测日期"), ("eliminated_on", "风险消除日期")):
            if key in v and v[key] > today:
                errors.append(RowError(n, header, Reason(gettext_noop("日期不能晚于今天"))))
        if identified and eliminated and eliminated < identified:
            errors.append(RowError(n, "风险消除日期", Reason(gettext_noop("不能早于纳入监测日期"))))
        who = None
        if "responsible" in v:
            who = carriers.get(v["responsible"])
            if who is None or household is None or who.region_id != household.village_id:
                errors.append(
                    RowError(
                        n,
                        "帮扶责任人",
                        Reason(gettext_noop("没有该用户，或其不是该村的帮扶责任人或村干部")),
                    )
                )
        chosen: list[MeasureKind] = []
        for name in _split(v.get("measures", "")):
            kind = by_code.get(name)
            if kind is None:
                errors.append(
                    RowError(
                        n, "帮扶措施", Reason(gettext_noop("措施目录中没有：%(name)s"), name=name)
                    )
                )
            elif kind not in chosen:
                chosen.append(kind)
        if chosen and "responsible" not in v:
            errors.append(
                RowError(n, "帮扶责任人", Reason(gettext_noop("填写了帮扶措施，须填写帮扶责任人")))
            )
        if len(errors) == before and household is not None and identified is not None:
            good.append(_Row(n, household, category, risks, identified, eliminated, who, chosen))
    errors += _overlaps(good) + _open_elsewhere(good)
    return good, errors


def _overlaps(rows: list[_Row]) -> list[RowError]:
    """A household's rows may not overlap in time: only its last may be still open."""
    errors = []
    by_household: dict[int, list[_Row]] = defaultdict(list)
    for r in rows:
        by_household[r.household.pk].append(r)
    for items in by_household.values():
        items.sort(key=lambda r: r.identified_on)
        for a, b in itertools.pairwise(items):
            if a.identified_on == b.identified_on:
                errors.append(
                    RowError(
                        b.number,
                        "纳入监测日期",
                        Reason(gettext_noop("与第%(row)d行重复"), row=a.number),
                    )
                )
            elif a.eliminated_on is None or a.eliminated_on > b.identified_on:
                errors.append(
                    RowError(
                        b.number,
                        "纳入监测日期",
                        Reason(
                            gettext_noop("该户第%(row)d行的监测尚未消除风险，不能再次纳入"),
                            row=a.number,
                        ),
                    )
                )
    return errors


def _open_elsewhere(rows: list[_Row]) -> list[RowError]:
    """A household whose case is open in bangfu (not from this file) is handled on its page."""
    cases = Case.objects.filter(household_id__in=[r.household.pk for r in rows])
    imported = {(c.household_id, c.identified_on) for c in cases if c.channel == Channel.IMPORT}
    busy = {c.household_id for c in cases if c.closed_at is None}
    return [
        RowError(
            r.number, "户编号", Reason(gettext_noop("该户已有正在办理的监测帮扶，请在该户页面办理"))
        )
        for r in rows
        if r.household.pk in busy and (r.household.pk, r.identified_on) not in imported
    ]


def monitoring_import(
    *,
    table: Table,
    user: User,
    today: dt.date | None = None,
    file_name: str = "",
    progress: Progress = silent,
) -> OnboardReport:
    """Check every row, then write every case, or nothing."""
    if not access_for(user).may_onboard_monitoring:
        raise Forbidden(_("只有县农业农村部门（乡村振兴）可以导入存量监测对象"))
    today = today or timezone.localdate()
    report = OnboardReport()
    progress(_("逐行校验"), 0, 2)
    parsed, errors = _cells(table, today)
    report.rows = len(parsed)
    if errors:
        report.errors = errors
        return report
    rows, errors = _check(parsed, user, today)
    if errors:
        report.errors = sorted(errors, key=lambda e: e.row)
        return report
    progress(_("写入监测帮扶"), 1, 2)
    with transaction.atomic():
        _write(rows, user, report, file_name, progress)
    report.written = True
    progress(_("完成"), 2, 2)
    return report


def _write(
    rows: list[_Row], user: User, report: OnboardReport, file_name: str, progress: Progress
) -> None:
    ids = [r.household.pk for r in rows]
    existing = {
        (c.household_id, c.identified_on): c
        for c in Case.objects.select_for_update().filter(household_id__in=ids)
    }
    events = []
    every = Every(progress, _("写入监测帮扶"), len(rows))
    for i, r in enumerate(sorted(rows, key=lambda r: (r.household.pk, r.identified_on)), 1):
        every.tick(i)
        if (r.household.pk, r.identified_on) in existing:
            report.unchanged += 1
            continue
        case = _case(r, user, file_name, relapse=_relapse(r, existing))
        existing[(r.household.pk, r.identified_on)] = case
        if case.closed_at is None:
            report.in_monitoring += 1
        else:
            report.eliminated += 1
        report.cases_created += 1
        events.append(
            audit_event(
                actor=user,
                action=AuditAction.CREATE,
                object_type="case",
                object_id=str(case.pk),
                region_code=r.household.village_id,
                note=f"存量监测对象导入（{file_name}）第{r.number}行",
            )
        )
    audit_save(events)


def _relapse(r: _Row, existing: dict[tuple[int, dt.date | None], Case]) -> bool:
    return any(
        hid == r.household.pk
        and day is not None
        and day < r.identified_on
        and c.stage == Stage.ELIMINATED
        for (hid, day), c in existing.items()
    )


def _case(r: _Row, user: User, file_name: str, *, relapse: bool) -> Case:
    stage = Stage.ELIMINATED if r.eliminated_on else Stage.MONITORING
    closed = (
        timezone.make_aware(dt.datetime.combine(r.eliminated_on, dt.time(12)))
        if r.eliminated_on
        else None
    )
    case = Case.objects.create(
        household=r.household,
        stage=stage,
        channel=Channel.IMPORT,
        category=r.category,
        risk_types=r.risk_types,
        identified_on=r.identified_on,
        relapse=relapse,
        closed_at=closed,
    )
    data = {"identified_on": str(r.identified_on), "row": r.number, "file": file_name}
    Step.objects.create(
        case=case,
        action="import",
        from_stage=Stage.LEAD,
        to_stage=Stage.MONITORING,
        by=user,
        note=_stored_note(r.identified_on),
        data=data | {"category": r.category, "risk_types": r.risk_types},
    )
    if r.eliminated_on:
        Step.objects.create(
            case=case,
            action="import_exit",
            from_stage=Stage.MONITORING,
            to_stage=Stage.ELIMINATED,
            by=user,
            note=f"由存量监测对象导入：风险消除日期 {r.eliminated_on}",
            data=data | {"eliminated_on": str(r.eliminated_on)},
        )
    if stage == Stage.MONITORING and r.household.category != r.category:
        r.household.category = r.category
        r.household.save(update_fields=["category", "updated_at"])
    if r.responsible is not None:
        Measure.objects.bulk_create(
            Measure(
                case=case,
                kind=kind,
                responsible=r.responsible,
                target=kind.name,
                reason="存量监测对象导入",
                deadline=r.eliminated_on or r.identified_on + dt.timedelta(days=365),
                status=MeasureStatus.DONE if r.eliminated_on else MeasureStatus.ACTIVE,
                done_on=r.eliminated_on,
                created_by=user,
            )
            for kind in r.kinds
        )
    return case


def _stored_note(day: dt.date) -> str:
    return f"由存量监测对象导入：纳入监测日期 {day}"
