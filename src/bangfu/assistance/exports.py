"""The working day's spreadsheets (.xlsx): the warnings list one row per household, the roster
of monitoring objects (监测对象花名册) and the measures to carry out (帮扶任务). Each is what the
user's page shows them (the same scope and filters), in Chinese whatever the page's language
(the county files them as they are), ID numbers masked unless the role may read them whole,
bounded in rows, and audited as an export with its count.

Cells that hold text stay text: a name typed as "=HYPERLINK(...)" must not become a formula in
the county's spreadsheet."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import IO, Any

from django.db.models import Count, OuterRef, Prefetch, QuerySet, Subquery
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from bangfu.accounts.access import access_for
from bangfu.accounts.models import User
from bangfu.assistance.models import Measure
from bangfu.assistance.selectors import tasks_for_user
from bangfu.audit.models import AuditAction
from bangfu.audit.services import audit_event, audit_save
from bangfu.cases.models import Case, Stage
from bangfu.cases.selectors import CaseFilters, case_list_for_user
from bangfu.core.crypto import decrypt
from bangfu.core.errors import Refused
from bangfu.core.tabular.sheets import header_row, safe_cell, title_row
from bangfu.monitoring.selectors import WarningFilters, warning_households_for_user, warning_rows
from bangfu.registry.models import Household, Member
from bangfu.registry.selectors import household_heads

# the most rows one export writes: a county's roster is a few thousand households
MAX_ROWS = 20_000
CHUNK = 500  # households per round of queries (the warnings list)
# the roster: identified households, those whose risk was eliminated included (when no stage
# is asked for)
ROSTER_STAGES = (
    Stage.MONITORING,
    Stage.EXIT_VERIFIED,
    Stage.EXIT_APPRAISED,
    Stage.EXIT_NOTICE,
    Stage.EXIT_TOWNSHIP,
    Stage.EXIT_COUNTY,
    Stage.ELIMINATED,
)

Columns = Sequence[tuple[str, int]]  # header, width (characters)

WARNING_COLUMNS: Columns = (
    ("户编号", 20),
    ("户主", 10),
    ("乡镇", 12),
    ("村", 12),
    ("规则", 36),
    ("优先级", 10),
    ("证据", 48),
    ("状态", 18),
    ("名单", 10),
)
CASE_COLUMNS: Columns = (
    ("序号", 6),
    ("乡镇", 12),
    ("村", 12),
    ("户编号", 20),
    ("户主", 10),
    ("户主身份证号", 22),
    ("家庭人口", 8),
    ("监测对象类别", 14),
    ("风险类型", 20),
    ("纳入监测日期", 12),
    ("当前环节", 18),
    ("帮扶责任人", 16),
    ("风险消除日期", 12),
)
TASK_COLUMNS: Columns = (
    ("户编号", 20),
    ("户主", 10),
    ("村", 12),
    ("措施", 18),
    ("责任人", 10),
    ("目标", 30),
    ("完成时限", 12),
    ("状态", 10),
    ("结果", 30),
)


def _bounded(count: int) -> None:
    if count > MAX_ROWS:
        raise Refused(
            _("共 %(count)d 行，超过一次导出的上限 %(max)d 行，请缩小查询范围后再导出")
            % {"count": count, "max": MAX_ROWS}
        )


def _write(
    *, out: Path | IO[bytes], title: str, caption: str, columns: Columns, rows: Iterable[Any]
) -> int:
    """One sheet named `title`: a title row, the Chinese headers, the rows. Returns their
    number."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title[:31])
    for i, (_header, width) in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.append(title_row(ws, caption))
    ws.append(header_row(ws, (header for header, _width in columns)))
    count = 0
    for row in rows:
        ws.append([safe_cell(ws, v) for v in row])
        count += 1
    wb.save(out)
    return count


def _caption(user: User, title: str, *, masked: bool | None = None) -> str:
    region = user.region.name if user.region else ""
    parts = [f"{region}{title}", f"导出日期：{timezone.localdate():%Y-%m-%d}"]
    if masked is not None:
        parts.append("身份证号已脱敏" if masked else "含完整身份证号")
    return "    ".join(parts)


def _audited(*, user: User, object_type: str, what: str, count: int, note: str) -> None:
    audit_save(
        [
            audit_event(
                actor=user,
                action=AuditAction.EXPORT,
                object_type=object_type,
                object_id="*",
                region_code=user.region.code if user.region else "",
                note=f"导出{what} {count} 行" + (f"；条件：{note}" if note else ""),
            )
        ]
    )


def _day(value: dt.date | dt.datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value).date()
    return value.isoformat()


def _township(household: Household) -> str:
    parent = household.village.parent
    return parent.name if parent else ""


# the warnings list, one row per household ---------------------------------------------------
def warnings_export(
    *, user: User, filters: WarningFilters, out: Path | IO[bytes], note: str = ""
) -> int:
    """The warnings list as filtered, one row per household, in the list's order."""
    groups = warning_households_for_user(user=user, filters=filters)
    total = groups.count()
    _bounded(total)

    def rows() -> Iterator[list[Any]]:
        for start in range(0, total, CHUNK):
            for r in warning_rows(user=user, filters=filters, groups=groups[start : start + CHUNK]):
                h = r.household
                yield [
                    h.household_no,
                    h.head_name,
                    _township(h),
                    h.village.name,
                    "、".join(f"{w.rule_id} {w.rule_title}" for w in r.warnings),
                    r.priority_label,
                    r.evidence,
                    "、".join(f"{label} {n}" for _s, label, n in r.statuses),
                    "重点关注" if r.watch else "线索",
                ]

    with translation.override(None):
        count = _write(
            out=out,
            title="监测预警",
            caption=_caption(user, "监测预警（一户一行）"),
            columns=WARNING_COLUMNS,
            rows=rows(),
        )
    _audited(user=user, object_type="riskwarning", what="预警农户", count=count, note=note)
    return count


# the roster of monitoring objects (监测对象花名册) -------------------------------------------
def _roster(user: User, filters: CaseFilters) -> QuerySet[Case]:
    cases = case_list_for_user(user=user, filters=filters)
    if not filters.stage:
        cases = cases.filter(stage__in=ROSTER_STAGES)
    heads = Member.objects.filter(relation="head").only(
        "id", "name", "household_id", "id_enc", "id_area", "id_tail"
    )
    size = (
        Member.objects.filter(household=OuterRef("household_id"))
        .order_by()
        .values("household_id")
        .annotate(n=Count("id"))
        .values("n")
    )
    carried = Measure.objects.exclude(status="cancelled").select_related("responsible")
    return (
        cases.select_related("household__village__parent")
        .annotate(size=Subquery(size))
        .prefetch_related(
            Prefetch("household__members", queryset=heads, to_attr="heads"),
            Prefetch("measures", queryset=carried.order_by("pk"), to_attr="carried"),
        )
        .order_by("household__village_id", "household__household_no", "pk")
    )


def cases_export(*, user: User, filters: CaseFilters, out: Path | IO[bytes], note: str = "") -> int:
    """The monitoring objects in scope (the identified households, or the cases of the stage
    asked for), one row per case; the head's ID number whole only for the roles that may read
    it (and the export says so in its audit record)."""
    cases = _roster(user, filters)
    _bounded(cases.count())
    unmask = access_for(user).may_unmask

    def rows() -> Iterator[list[Any]]:
        for n, c in enumerate(cases.iterator(chunk_size=CHUNK), start=1):
            h = c.household
            head = h.heads[0] if h.heads else None  # type: ignore[attr-defined]
            ident = (decrypt(head.id_enc) if unmask else head.id_masked) if head else ""
            people = list(dict.fromkeys(str(m.responsible) for m in c.carried))  # type: ignore[attr-defined]
            yield [
                n,
                _township(h),
                h.village.name,
                h.household_no,
                head.name if head else "",
                ident,
                c.size or 0,  # type: ignore[attr-defined]
                c.get_category_display(),
                "、".join(c.risk_types),
                _day(c.identified_on),
                c.get_stage_display(),
                "、".join(people),
                _day(c.closed_at) if c.stage == Stage.ELIMINATED else "",
            ]

    with translation.override(None):
        stage = f"监测帮扶（{Stage(filters.stage).label}）" if filters.stage else ""
        title = stage or "监测对象花名册"
        count = _write(
            out=out,
            title=title,
            caption=_caption(user, title, masked=not unmask),
            columns=CASE_COLUMNS,
            rows=rows(),
        )
    masked = "（含完整身份证号）" if unmask else "（脱敏）"
    _audited(user=user, object_type="case", what=f"监测对象{masked}", count=count, note=note)
    return count


# the measures to carry out (帮扶任务) ------------------------------------------------------
def _tasks(user: User) -> QuerySet[Measure]:
    """A responsible person's own measures; for the other roles, those of their region."""
    access = access_for(user)
    measures = (
        tasks_for_user(user=user)
        if access.may_carry_tasks
        else access.filter(Measure.objects.all())
    )
    return (
        measures.select_related("kind", "responsible", "case__household__village")
        .prefetch_related(household_heads("case__household__"))
        .order_by("case__household__village_id", "case__household__household_no", "deadline", "pk")
    )


def _result(m: Measure) -> str:
    parts = []
    if m.outcome_amount is not None:
        parts.append(f"{m.outcome_amount} 元")
    if m.outcome_text:
        parts.append(m.outcome_text)
    return "；".join(parts)


def tasks_export(*, user: User, out: Path | IO[bytes], note: str = "") -> int:
    measures = _tasks(user)
    _bounded(measures.count())

    def rows() -> Iterator[list[Any]]:
        for m in measures.iterator(chunk_size=CHUNK):
            h = m.case.household
            yield [
                h.household_no,
                h.head_name,
                h.village.name,
                m.kind.name,
                str(m.responsible),
                m.target,
                _day(m.deadline),
                m.get_status_display(),
                _result(m),
            ]

    with translation.override(None):
        count = _write(
            out=out,
            title="帮扶任务",
            caption=_caption(user, "帮扶任务"),
            columns=TASK_COLUMNS,
            rows=rows(),
        )
    _audited(user=user, object_type="measure", what="帮扶措施", count=count, note=note)
    return count
