"""The result sheet of an assessment on paper (考核结果通报): A4 landscape, the ranking table
(排名, 考核对象, each dimension's subtotal, 总分), the period and the publication date, in the
CJK font and on the cases app's landscape A4 sheet (cases/prints.py). The same rows as the
.xlsx and the assessment's page (`assessment_ranking`), of the subjects the user sees."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics

from bangfu.accounts.models import User
from bangfu.assessment.models import Assessment
from bangfu.assessment.sheets import (
    RankRow,
    assessment_ranking,
    audit_result_export,
    ranking_title,
)
from bangfu.cases.prints import BOTTOM, MARGIN, LandscapeSheet, chinese_date

RANK_WIDTH = 16 * mm
TOTAL_WIDTH = 22 * mm
SUBJECT_SHARE = 0.3  # of what the rank and total columns leave; the dimensions share the rest
SIZE = 10


def _fit(text: str, font: str, width: float) -> str:
    """`text` cut to fit one cell (a long name loses its end, never overlaps the next)."""
    if pdfmetrics.stringWidth(text, font, SIZE) <= width:
        return text
    while text and pdfmetrics.stringWidth(text + "…", font, SIZE) > width:
        text = text[:-1]
    return text + "…"


def _figure(value: Decimal | None) -> str:
    return f"{value:.2f}" if value is not None else "—"


def result_paper(*, user: User, assessment: Assessment) -> bytes:
    """The ranking on paper, headed with the scheme, the period and 公布日期; audited like the
    .xlsx."""
    ranking = assessment_ranking(user=user, assessment=assessment)
    title = ranking_title(assessment)
    sheet = LandscapeSheet(title)  # a column per dimension is wide
    sheet.heading(title)
    sheet.text(
        _("考核期：%(start)s至%(end)s")
        % {
            "start": chinese_date(assessment.start),
            "end": chinese_date(assessment.end),
        }
    )
    published = assessment.published_on
    sheet.text(
        _("公布日期：%(day)s") % {"day": chinese_date(published)}
        if published
        else _("公布日期：未公布（评分中，排名未定）")
    )
    sheet.space(3 * mm)
    inner = sheet.width - 2 * MARGIN
    rest = inner - RANK_WIDTH - TOTAL_WIDTH
    subject_width = rest * SUBJECT_SHARE if ranking.dimensions else rest
    step = (rest - subject_width) / len(ranking.dimensions) if ranking.dimensions else 0
    xs = [0.0, RANK_WIDTH] + [
        RANK_WIDTH + subject_width + i * step for i in range(len(ranking.dimensions))
    ]
    xs.append(RANK_WIDTH + subject_width + len(ranking.dimensions) * step)
    widths = [RANK_WIDTH, subject_width] + [step] * len(ranking.dimensions) + [TOTAL_WIDTH]

    def line(values: list[str]) -> None:
        sheet.row(
            [
                (x, _fit(v, sheet.font, w - 2 * mm))
                for x, v, w in zip(xs, values, widths, strict=True)
            ],
            size=SIZE,
        )

    def header() -> None:
        line([_("排名"), _("考核对象"), *[d.name for d in ranking.dimensions], _("总分")])
        rule = sheet.y + SIZE * 1.2
        sheet.canvas.line(MARGIN, rule, sheet.width - MARGIN, rule)

    header()
    for row in ranking.rows:
        if sheet.y - SIZE * 1.8 < BOTTOM:  # each page keeps the table's head
            sheet.new_page()
            header()
        line(_cells(row))
    if not ranking.rows:
        sheet.text(_("没有可显示的考核对象。"))
    data = sheet.done()
    audit_result_export(user=user, assessment=assessment, count=len(ranking.rows), what="PDF")
    return data


def _cells(row: RankRow) -> list[str]:
    rank = str(row.rank) if row.rank is not None else "—"
    return [rank, row.label, *[_figure(v) for v in row.subtotals], _figure(row.total)]
