"""The result sheet of an assessment (考核结果) as .xlsx: the ranking (序号, 考核对象, one column
per dimension's subtotal, 总分, 排名) and, on a second sheet, every score with what it rests on
(the measured figure of a computed indicator, the way and the deduction's note of an assessed
one). Only the subjects the user sees (`subjects_for_user`); every text cell formula-safe
(`safe_cell`), the title and the headers too (the dimensions' names are the county's text); the
export audited, as the PDF is. The ranking rows serve the assessment's page and the PDF
(assessment/prints.py) too, so the three show the same figures."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import IO

from django.db.models import Sum
from django.utils import timezone
from openpyxl import Workbook

from bangfu.accounts.models import User
from bangfu.assessment.models import Assessment, Dimension, Method, Score, Subject, SubjectKind
from bangfu.assessment.services import measured_text, subjects_for_user
from bangfu.audit.models import AuditAction
from bangfu.audit.services import audit_event, audit_save
from bangfu.core.tabular.sheets import header_row, safe_cell, title_row
from bangfu.regions.models import Level, Region

RANKING_SHEET = "考核结果"
SCORES_SHEET = "得分明细"
SCORE_HEADERS = (
    "考核对象",
    "考核方面",
    "考核指标",
    "分值",
    "得分",
    "计分方式",
    "计算依据/扣分说明",
)


@dataclass(frozen=True)
class RankRow:
    """One subject's line of the ranking: its subtotals in the scheme's dimension order."""

    subject: Subject
    label: str
    subtotals: list[Decimal | None]
    total: Decimal | None
    rank: int | None


@dataclass(frozen=True)
class Ranking:
    assessment: Assessment
    dimensions: list[Dimension]
    rows: list[RankRow]

    @property
    def table(self) -> list[tuple[RankRow, list[tuple[Decimal | None, Dimension]]]]:
        """Each row with its subtotals beside their dimensions (a phone's card labels them)."""
        return [(r, list(zip(r.subtotals, self.dimensions, strict=True))) for r in self.rows]


def subject_label(subject: Subject) -> str:
    """How a list names a subject: a village with its township (two townships may have villages
    of the same name), a work team by its village."""
    region = subject.region
    name = region.name
    if region.level == Level.VILLAGE and region.parent is not None:
        name = f"{region.parent.name}{name}"
    if subject.assessment.scheme.subject_kind == SubjectKind.TEAM:
        name = f"{name}驻村工作队"
    return name


def assessment_ranking(*, user: User, assessment: Assessment) -> Ranking:
    """The ranking of the subjects the user sees, with each dimension's subtotal (the sum of
    its scored indicators; empty while none is scored), in rank order (unranked last)."""
    subjects = subjects_for_user(user=user, assessment=assessment)
    # the villages' townships, for their labels, in one query rather than one per village
    parents = Region.objects.in_bulk({s.region.parent_id for s in subjects if s.region.parent_id})
    for s in subjects:
        if s.region.parent_id in parents:
            s.region.parent = parents[s.region.parent_id]
    dimensions = list(assessment.scheme.dimensions.all())
    sums: dict[int, dict[int, Decimal | None]] = defaultdict(dict)
    grouped = (
        Score.objects.filter(subject__in=[s.pk for s in subjects], points__isnull=False)
        .values("subject_id", "indicator__dimension_id")
        .annotate(sum=Sum("points"))
    )
    for g in grouped:
        sums[g["subject_id"]][g["indicator__dimension_id"]] = g["sum"]
    rows = [
        RankRow(
            subject=s,
            label=subject_label(s),
            subtotals=[sums[s.pk].get(d.pk) for d in dimensions],
            total=s.total,
            rank=s.rank,
        )
        for s in subjects
    ]
    return Ranking(assessment=assessment, dimensions=dimensions, rows=rows)


def ranking_title(assessment: Assessment) -> str:
    """The sheet's title: 娄烦县2026年度乡镇…考核方案 第3季度测评结果."""
    return f"{assessment.scheme.name} {assessment.title}结果"


def _number(value: Decimal | None) -> float | str:
    return float(value) if value is not None else ""


def result_sheet(*, user: User, assessment: Assessment, out: IO[bytes]) -> int:
    """The result sheet as .xlsx; returns the number of subjects written. Audited."""
    ranking = assessment_ranking(user=user, assessment=assessment)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(RANKING_SHEET)
    for letter, width in (("A", 6), ("B", 24)):
        ws.column_dimensions[letter].width = width
    published = assessment.published_on
    caption = "    ".join(
        [
            ranking_title(assessment),
            f"考核期：{assessment.start:%Y-%m-%d}至{assessment.end:%Y-%m-%d}",
            f"公布日期：{published:%Y-%m-%d}" if published else "未公布（评分中）",
            f"导出日期：{timezone.localdate():%Y-%m-%d}",
        ]
    )
    ws.append(title_row(ws, caption))  # the scheme's name is the county's text
    # so are the dimensions' names: a header is formula-safe like every text cell
    ws.append(
        header_row(ws, ["序号", "考核对象", *[d.name for d in ranking.dimensions], "总分", "排名"])
    )
    for i, row in enumerate(ranking.rows, start=1):
        ws.append(
            [
                i,
                safe_cell(ws, row.label),
                *[_number(v) for v in row.subtotals],
                _number(row.total),
                row.rank if row.rank is not None else "",
            ]
        )
    detail = wb.create_sheet(SCORES_SHEET)
    for letter, width in (("A", 24), ("B", 12), ("C", 30), ("G", 60)):
        detail.column_dimensions[letter].width = width
    detail.append(header_row(detail, SCORE_HEADERS))
    labels = {row.subject.pk: row.label for row in ranking.rows}
    place = {pk: i for i, pk in enumerate(labels)}  # the ranking's order
    scores = sorted(
        Score.objects.filter(subject__in=list(labels)).select_related("indicator__dimension"),
        key=lambda s: (place[s.subject_id], s.indicator.dimension.order, s.indicator.order, s.pk),
    )
    for score in scores:
        indicator = score.indicator
        # why it is what it is: the measured figure, or the way and the deduction's note
        if indicator.method == Method.COMPUTED:
            why = measured_text(score.measured)
        else:
            why = "：".join(
                t for t in (score.get_way_display() if score.way else "", score.note) if t
            )
        detail.append(
            [
                safe_cell(detail, labels[score.subject_id]),
                safe_cell(detail, indicator.dimension.name),
                safe_cell(detail, indicator.name),
                float(indicator.points),
                _number(score.points),
                safe_cell(detail, indicator.get_method_display()),
                safe_cell(detail, why),
            ]
        )
    wb.save(out)
    count = len(ranking.rows)
    audit_result_export(user=user, assessment=assessment, count=count, what="Excel")
    return count


def audit_result_export(*, user: User, assessment: Assessment, count: int, what: str) -> None:
    """The export of a result sheet (.xlsx or PDF) in the audit, under the assessment's county
    (where the results belong, whoever reads them)."""
    audit_save(
        [
            audit_event(
                actor=user,
                action=AuditAction.EXPORT,
                object_type="assessment",
                object_id=str(assessment.pk),
                region_code=assessment.scheme.county_id,
                note=f"导出考核结果（{what}）{assessment} {count} 个考核对象"[:255],
            )
        ]
    )
