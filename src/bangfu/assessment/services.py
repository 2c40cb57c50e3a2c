"""Assessment scorecards (考核): the county's schemes loaded from their files and edited, the
quarterly and annual assessments opened with their computed scores measured at once, the
assessors' scores with their evidence, the problems they found registered into the ledger, and
the publication with totals and ranks; and the reads, always through the access layer (a
village sees its own scorecard, a township its own and its villages', the county all).

Points of a computed indicator (`points_for`): linear between the value that earns none
(zero_at) and the one that earns all (full_at), in either direction, clamped; a measure with
nothing to measure in the period (no identification to decide, no problem due) earns the full
points and says so, unless the measure's "nothing counted" means nothing was done (a work team
with nobody on post: `Measure.none_earns_full`), which earns none (docs/supervision.md,
考核测评; docs/indicators.md). The computed scores are measured when the assessment is opened,
again on request, and once more at publication, which waits for the period's end. The annual
total (年度总评) is quarter_weight × the mean of the year's quarterly totals of the same
subject + (1 − quarter_weight) × its own sum (seed 002: 季度测评 + 年度总评); it is published
once the year's four quarters are.

Every write locks its assessment's row and checks there that it is still open."""

from __future__ import annotations

import calendar
import datetime as dt
import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any, Protocol

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F, Q, QuerySet, Sum
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from bangfu.accounts.access import access_for, region_q
from bangfu.accounts.models import User
from bangfu.assessment.indicators import MEASURES, Measured, measure
from bangfu.assessment.models import (
    Assessment,
    AssessmentStatus,
    Dimension,
    Indicator,
    Method,
    Period,
    Scheme,
    Score,
    ScoreEvidence,
    Subject,
    SubjectKind,
)
from bangfu.assessment.rules import (
    assessable_q,
    why_not_assess,
    why_not_change_scheme,
    why_not_edit_scheme,
    why_not_points,
    why_not_run,
    why_not_score,
)
from bangfu.assessment.scheme import TOTAL_POINTS, SchemeSpec, plain, scheme_parse, scheme_text
from bangfu.audit.models import AuditAction
from bangfu.audit.services import audit_record
from bangfu.cases.attachments import open_stored, stored_upload
from bangfu.core.clock import stamp
from bangfu.core.errors import Forbidden, NotFound, Refused
from bangfu.core.idcard import redact_personal_numbers
from bangfu.core.text import UNSAFE_REFUSED, has_unsafe_chars
from bangfu.regions.models import Level, Region
from bangfu.supervision.models import Problem, WorkTeam
from bangfu.supervision.services import ProblemIn, problem_register

CENT = Decimal("0.01")
# said beside a computed score whose measure had nothing to count in the period: full points,
# or none where nothing counted means nothing done (`Measure.none_earns_full`)
NOTHING_TO_MEASURE = gettext_noop("期内无可计量的事项，按满分计")
NOTHING_DONE = gettext_noop("期内无可计量的事项，按零分计")


def evidence_root() -> Path:
    return Path(settings.HOME) / "assessment"


# -- points ----------------------------------------------------------------------------------
class Target(Protocol):
    """What `points_for` reads of an indicator (a stored one, or one of a parsed file)."""

    points: Decimal
    full_at: Decimal | None
    zero_at: Decimal | None
    measure: str


def none_earns_full(key: str) -> bool:
    """Whether the measure's "nothing counted" earns the full points (nothing was due) or none
    (nobody on post, nothing done): `Measure.none_earns_full`."""
    found = MEASURES.get(key)
    return found is None or found.none_earns_full


def points_for(indicator: Target, measured: Measured) -> Decimal:
    """The points a measured value earns: the indicator's points × the share of the way from
    zero_at to full_at (either direction: a rate where more is better, or an overdue share
    where less is), clamped to [0, points], rounded to the cent. Nothing to measure in the
    period (value None) earns the full points (a township without a single identification to
    decide did nothing late), or none where the measure says nothing counted is nothing done
    (`none_earns_full`: a work team with nobody on post)."""
    if measured.value is None:
        if not none_earns_full(indicator.measure):
            return Decimal(0).quantize(CENT)
        return indicator.points.quantize(CENT)
    full, zero = indicator.full_at, indicator.zero_at
    if full is None or zero is None or full == zero or not math.isfinite(measured.value):
        raise ValueError("a computed indicator needs distinct full_at and zero_at")
    share = (Decimal(repr(measured.value)) - zero) / (full - zero)
    share = min(max(share, Decimal(0)), Decimal(1))
    return (indicator.points * share).quantize(CENT, rounding=ROUND_HALF_UP)


def measured_text(measured: dict[str, Any]) -> str:
    """What a computed score's line says: the measure's own words (stored in Chinese), and the
    rule for None in the reader's language: full points, or none (`none_earns_full`)."""
    text = str(measured.get("text", ""))
    if measured.get("value") is None:
        rule = _(NOTHING_TO_MEASURE if measured.get("none_earns_full", True) else NOTHING_DONE)
        return f"{text}（{rule}）" if text else rule
    return text


# -- schemes ---------------------------------------------------------------------------------
def schemes_in_scope(*, user: User) -> QuerySet[Scheme]:
    """The schemes of the user's county (those of the counties inside a city's or province's
    region); nothing for roles that do not read the registry."""
    return access_for(user).by_county(Scheme.objects.select_related("county"), "county__code")


def scheme_get_for_user(*, user: User, pk: int) -> Scheme:
    found = schemes_in_scope(user=user).filter(pk=pk).first()
    if found is None:
        raise NotFound
    return found


def scheme_load(*, user: User, text: str) -> Scheme:
    """A scheme file into the county's schemes: a new one, or the dimensions and indicators of
    the county's scheme of that year and subject replaced, while no assessment used it."""
    if not access_for(user).may_edit_schemes:  # the role first: the file is read for the county
        raise Forbidden(why_not_edit_scheme(user, ""))
    spec = scheme_parse(text)
    reason = why_not_edit_scheme(user, spec.county)
    if reason:
        raise Forbidden(reason)
    with transaction.atomic():
        scheme = (
            Scheme.objects.select_for_update()
            .filter(county_id=spec.county, year=spec.year, subject_kind=spec.subject)
            .first()
        )
        created = scheme is None
        if scheme is None:
            scheme = Scheme(
                county_id=spec.county,
                year=spec.year,
                subject_kind=spec.subject,
                created_by=user,
            )
        else:
            refusal = why_not_change_scheme(scheme)
            if refusal:
                raise Refused(refusal)
            scheme.dimensions.all().delete()
        scheme.name = spec.name
        scheme.quarter_weight = spec.quarter_weight
        scheme.text = text
        scheme.save()
        _store_dimensions(scheme, spec)
        audit_record(
            actor=user,
            action=AuditAction.CREATE if created else AuditAction.UPDATE,
            obj=scheme,
            region_code=spec.county,
            note=f"{'载入' if created else '重新载入'}考核方案：{scheme.name}"[:255],
        )
    return scheme


def _store_dimensions(scheme: Scheme, spec: SchemeSpec) -> None:
    for d_order, d in enumerate(spec.dimensions):
        dimension = Dimension.objects.create(scheme=scheme, key=d.key, name=d.name, order=d_order)
        Indicator.objects.bulk_create(
            Indicator(
                dimension=dimension,
                key=i.key,
                name=i.name,
                points=i.points,
                method=i.method,
                measure=i.measure,
                full_at=i.full_at,
                zero_at=i.zero_at,
                ways=",".join(i.ways),
                guide=i.guide,
                clause=i.clause,
                order=i_order,
            )
            for i_order, i in enumerate(d.indicators)
        )


def scheme_points(scheme: Scheme) -> Decimal:
    """The sum of the scheme's indicators' points (100 for an assessment to be opened)."""
    found = Indicator.objects.filter(dimension__scheme=scheme).aggregate(total=Sum("points"))
    return found["total"] or Decimal(0)


def indicator_update(
    *,
    user: User,
    indicator: Indicator,
    points: Decimal,
    full_at: Decimal | None,
    zero_at: Decimal | None,
    guide: str,
) -> Indicator:
    """The county changes an indicator's points, targets or guide in the pages, one at a time:
    moving points between indicators passes through a sum other than 100, which the page
    shows and which no assessment may be opened with (`scheme_points`). A scheme already used
    is fixed. The stored file is written again, so that its download matches."""
    scheme = indicator.dimension.scheme
    if not _sees_county(user, scheme.county_id):
        raise NotFound
    reason = why_not_edit_scheme(user, scheme.county_id)
    if reason:
        raise Forbidden(reason)
    refusal = why_not_change_scheme(scheme)
    if refusal:
        raise Refused(refusal)
    if points <= 0 or points != points.quantize(CENT):
        raise Refused(_("分值必须是正数（最多两位小数）"))
    if indicator.method == Method.COMPUTED:
        if full_at is None or zero_at is None or full_at == zero_at:
            raise Refused(_("系统计算的指标须填写不同的满分值和零分值"))
    else:
        full_at = zero_at = None
    guide = guide.strip()
    if len(guide) > 2000:
        raise Refused(_("评分细则不能超过2000个字"))
    if has_unsafe_chars(guide):
        raise Refused(_(UNSAFE_REFUSED))
    changes = {
        name: [str(old), str(new)]
        for name, old, new in (
            ("points", indicator.points, points),
            ("full_at", indicator.full_at, full_at),
            ("zero_at", indicator.zero_at, zero_at),
            ("guide", indicator.guide, guide),
        )
        if old != new
    }
    with transaction.atomic():
        indicator.points = points
        indicator.full_at = full_at
        indicator.zero_at = zero_at
        indicator.guide = guide
        indicator.save()
        scheme.text = scheme_text(scheme)
        scheme.save(update_fields=["text", "updated_at"])
        audit_record(
            actor=user,
            action=AuditAction.UPDATE,
            obj=indicator,
            region_code=scheme.county_id,
            changes=changes,
            note=f"修改考核指标：{indicator.name}"[:255],
        )
    return indicator


# -- assessments -----------------------------------------------------------------------------
def period_dates(year: int, period: str, quarter: int | None) -> tuple[dt.date, dt.date]:
    """The first and last day of a quarter of the year, or of the year."""
    if period == Period.QUARTER:
        assert quarter is not None
        first = 3 * quarter - 2
        last = first + 2
        return dt.date(year, first, 1), dt.date(year, last, calendar.monthrange(year, last)[1])
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


def _subjects_of(scheme: Scheme) -> list[tuple[str, WorkTeam | None]]:
    """Who an assessment of the scheme assesses: the county's townships, its villages, or each
    village's active work team."""
    county = scheme.county
    if scheme.subject_kind == SubjectKind.TOWNSHIP:
        codes = Region.objects.filter(parent=county, level=Level.TOWNSHIP)
        return [(c, None) for c in codes.order_by("code").values_list("code", flat=True)]
    if scheme.subject_kind == SubjectKind.VILLAGE:
        codes = Region.objects.filter(region_q("code", county), level=Level.VILLAGE)
        return [(c, None) for c in codes.order_by("code").values_list("code", flat=True)]
    teams = WorkTeam.objects.filter(region_q("village__code", county), active=True)
    return [(t.village_id, t) for t in teams.order_by("village_id", "pk")]


def assessment_open(
    *,
    user: User,
    scheme: Scheme,
    period: str,
    quarter: int | None,
    today: dt.date | None = None,
) -> Assessment:
    """A quarter's (季度测评) or the year's (年度总评) assessment of the scheme's subjects, with
    the computed scores measured at once and the assessed ones left for the assessors."""
    today = today or timezone.localdate()
    if not _sees_county(user, scheme.county_id):
        raise NotFound
    if why_not_edit_scheme(user, scheme.county_id):
        raise Forbidden(_("只有本县的县级干部可以组织考核测评"))
    if period not in Period.values:
        raise Refused(_("请选择考核周期：季度测评或年度总评"))
    if period == Period.QUARTER:
        if scheme.subject_kind == SubjectKind.TEAM:
            raise Refused(_("驻村工作队按年度考核，不设季度测评"))
        if quarter not in (1, 2, 3, 4):
            raise Refused(_("请选择第1至第4季度"))
    else:
        quarter = None
    start, end = period_dates(scheme.year, period, quarter)
    if start > today:
        raise Refused(_("考核期（%(start)s起）尚未开始") % {"start": start.isoformat()})
    total = scheme_points(scheme)
    if total != TOTAL_POINTS:
        raise Refused(
            _("方案各指标分值合计为 %(sum)s 分，须为 %(total)s 分才能开展测评")
            % {"sum": plain(total), "total": TOTAL_POINTS}
        )
    subjects = _subjects_of(scheme)
    if not subjects:
        raise Refused(_("该方案没有可考核的对象"))
    indicators = list(Indicator.objects.filter(dimension__scheme=scheme))
    with transaction.atomic():
        # the scheme's row locked: two openings of one period wait for each other
        Scheme.objects.select_for_update().filter(pk=scheme.pk).first()
        if Assessment.objects.filter(scheme=scheme, period=period, quarter=quarter).exists():
            raise Refused(_("该考核周期的测评已开展"))
        assessment = Assessment.objects.create(
            scheme=scheme,
            period=period,
            quarter=quarter,
            start=start,
            end=end,
            created_by=user,
        )
        made = Subject.objects.bulk_create(
            Subject(assessment=assessment, region_id=code, team=team) for code, team in subjects
        )
        Score.objects.bulk_create(
            Score(subject=subject, indicator=indicator)
            for subject in made
            for indicator in indicators
        )
        measured = _measure(assessment, today)
        audit_record(
            actor=user,
            action=AuditAction.CREATE,
            obj=assessment,
            region_code=scheme.county_id,
            note=(
                f"开展考核测评：{scheme.year}年{assessment.title}（{scheme.name}），"
                f"考核对象 {len(made)} 个，系统计算得分 {measured} 项"
            )[:255],
        )
    return assessment


def _locked(pk: int, refusal: str) -> None:
    """The assessment's row locked for this write (inside its transaction), refused with
    `refusal` unless it is still open: what was checked on a row loaded earlier may have
    changed (a publication, a score) since."""
    status = Assessment.objects.select_for_update().values_list("status", flat=True).get(pk=pk)
    if status != AssessmentStatus.OPEN:
        raise Refused(refusal)


def _measure(assessment: Assessment, today: dt.date) -> int:
    """The computed scores of every subject measured over the period (up to today, while it
    runs); how many were written. The measures' words are stored in Chinese, whatever the
    language the user works in (`measured_text` adds the rule in the reader's)."""
    end = min(assessment.end, today)
    scores = list(
        Score.objects.filter(subject__assessment=assessment, indicator__method=Method.COMPUTED)
        .select_related("subject", "indicator")
        .order_by("pk")
    )
    by_key: dict[str, list[Score]] = defaultdict(list)
    for score in scores:
        by_key[score.indicator.measure].append(score)
    for key, group in by_key.items():
        codes = sorted({s.subject.region_id for s in group})
        with translation.override(settings.LANGUAGE_CODE):
            results = measure(key, codes=codes, start=assessment.start, end=end)
        for score in group:
            found = results.get(score.subject.region_id) or Measured(None, 0, 0, "")
            score.points = points_for(score.indicator, found)
            score.measured = {
                "value": found.value,
                "numerator": found.numerator,
                "denominator": found.denominator,
                "text": str(found.text),
                "none_earns_full": none_earns_full(key),
            }
    Score.objects.bulk_update(scores, ["points", "measured"], batch_size=500)
    return len(scores)


def assessment_recompute(
    *, user: User, assessment: Assessment, today: dt.date | None = None
) -> Assessment:
    """The computed scores measured again (records were corrected), while the assessment is
    open."""
    today = today or timezone.localdate()
    _visible(user, assessment)
    reason = why_not_run(user, assessment)
    if reason:
        raise Forbidden(reason)
    with transaction.atomic():
        _locked(assessment.pk, _("该考核测评已公布，不能重新计算"))
        n = _measure(assessment, today)
        audit_record(
            actor=user,
            action=AuditAction.UPDATE,
            obj=assessment,
            region_code=assessment.scheme.county_id,
            note=f"重新计算系统得分：{assessment.title}，{n} 项",
        )
    return assessment


def assessment_publish(
    *, user: User, assessment: Assessment, today: dt.date | None = None
) -> Assessment:
    """公布, once the period is over: the computed scores measured once more (what is published
    is what the records say at publication), every score given, each subject's total and its
    rank in the assessment stored (ties share a rank). An annual total weighs the mean of the
    year's quarterly totals of the same subject by the scheme's quarter_weight, and waits for
    the four quarters' publication."""
    today = today or timezone.localdate()
    _visible(user, assessment)
    reason = why_not_run(user, assessment)
    if reason:
        raise Forbidden(reason)
    with transaction.atomic():
        _locked(assessment.pk, _("该考核测评已公布"))
        if today <= assessment.end:
            raise Refused(
                _("考核期至%(end)s止，期满后方可公布") % {"end": assessment.end.isoformat()}
            )
        weight = assessment.scheme.quarter_weight
        if assessment.period == Period.ANNUAL and weight:
            missing_quarters = _quarters_unpublished(assessment)
            if missing_quarters:
                raise Refused(
                    _(
                        "年度总评计入四个季度测评的平均分（权重%(weight)s），须待各季度测评"
                        "公布后公布；尚未公布：第%(quarters)s季度"
                    )
                    % {"weight": plain(weight), "quarters": "、".join(map(str, missing_quarters))}
                )
        measured = _measure(assessment, today)
        _publish_totals(assessment)
        assessment.status = AssessmentStatus.PUBLISHED
        assessment.published_on = today
        assessment.save(update_fields=["status", "published_on"])
        audit_record(
            actor=user,
            action=AuditAction.UPDATE,
            obj=assessment,
            region_code=assessment.scheme.county_id,
            changes={"status": [AssessmentStatus.OPEN, AssessmentStatus.PUBLISHED]},
            note=(
                f"公布考核结果：{assessment.scheme.year}年{assessment.title}，"
                f"{assessment.subjects.count()} 个对象，系统计算得分 {measured} 项于公布时重新计算"
            )[:255],
        )
    return assessment


def _publish_totals(assessment: Assessment) -> None:
    """Each subject's total and rank stored, inside publication's transaction; refused while a
    score is empty."""
    empty = Score.objects.filter(subject__assessment=assessment, points__isnull=True)
    missing = empty.count()
    if missing:
        first = empty.select_related("subject__region", "indicator").order_by("pk").first()
        assert first is not None
        raise Refused(
            _("尚有 %(n)s 项未评分（如：%(subject)s的“%(indicator)s”），不能公布")
            % {
                "n": missing,
                "subject": first.subject.region.name,
                "indicator": first.indicator.name,
            }
        )
    subjects = list(assessment.subjects.all())
    sums: dict[int, Decimal] = defaultdict(Decimal)
    for subject_id, points in Score.objects.filter(subject__assessment=assessment).values_list(
        "subject_id", "points"
    ):
        sums[subject_id] += points or Decimal(0)  # none is empty: refused above
    weight = assessment.scheme.quarter_weight
    means = _quarter_means(assessment) if assessment.period == Period.ANNUAL and weight else {}
    for subject in subjects:
        own = sums[subject.pk]
        mean = means.get((subject.region_id, subject.team_id))
        total = own if mean is None else weight * mean + (1 - weight) * own
        subject.total = total.quantize(CENT, rounding=ROUND_HALF_UP)
    totals = [s.total for s in subjects if s.total is not None]
    for subject in subjects:
        assert subject.total is not None
        subject.rank = 1 + sum(1 for t in totals if t > subject.total)  # ties share a rank
    Subject.objects.bulk_update(subjects, ["total", "rank"], batch_size=500)


def _quarters_unpublished(assessment: Assessment) -> list[int]:
    """The quarters of the scheme's year not yet published (or not opened)."""
    published = set(
        Assessment.objects.filter(
            scheme=assessment.scheme,
            period=Period.QUARTER,
            status=AssessmentStatus.PUBLISHED,
        ).values_list("quarter", flat=True)
    )
    return [q for q in (1, 2, 3, 4) if q not in published]


def _quarter_means(assessment: Assessment) -> dict[tuple[str, int | None], Decimal]:
    """The mean of the published quarterly totals of each subject in the scheme's year."""
    totals: dict[tuple[str, int | None], list[Decimal]] = defaultdict(list)
    rows = Subject.objects.filter(
        assessment__scheme=assessment.scheme,
        assessment__period=Period.QUARTER,
        assessment__status=AssessmentStatus.PUBLISHED,
        total__isnull=False,
    ).values_list("region_id", "team_id", "total")
    for region_id, team_id, total in rows:
        if total is not None:
            totals[(region_id, team_id)].append(total)
    return {key: sum(values, Decimal(0)) / len(values) for key, values in totals.items()}


# -- scores ----------------------------------------------------------------------------------
def _text(value: str, label: str, model: type[Score | Problem], field: str) -> str:
    """An assessor's free text (a deduction's note, a problem found and its responsible unit):
    stripped, within the length of the field it is stored in, no unsafe characters, no ID or
    phone number."""
    value = value.strip()
    limit = int(getattr(model._meta.get_field(field), "max_length", 0) or 0)
    if len(value) > limit:
        raise Refused(_("%(label)s不能超过%(n)s个字") % {"label": label, "n": limit})
    if has_unsafe_chars(value):
        raise Refused(_(UNSAFE_REFUSED))
    if redact_personal_numbers(value) != value:
        raise Refused(_("%(label)s中不能填写身份证号或手机号") % {"label": label})
    return value


def score_set(
    *,
    user: User,
    score: Score,
    points: Decimal,
    way: str,
    note: str,
    uploads: Sequence[UploadedFile[bytes]] = (),
    today: dt.date | None = None,
) -> Score:
    """An assessor's score of an assessed indicator, with how it was checked (查阅台账, 村民访谈,
    实地核查), the reason for a deduction and the evidence files. A refused file leaves nothing
    behind, on disk or in the database."""
    today = today or timezone.localdate()
    if not _sees_subject(user, score.subject):
        raise NotFound
    reason = why_not_score(user, score)
    if reason:
        raise Forbidden(reason)
    note = _text(note, _("扣分说明"), Score, "note")
    refusal = why_not_points(score, points=points, way=way, note=note)
    if refusal:
        raise Refused(refusal)
    written: list[Path] = []
    try:
        stored = []
        for upload in uploads:
            path, facts = stored_upload(upload, evidence_root(), str(score.pk))
            written.append(path)
            stored.append(facts)
        with transaction.atomic():
            _locked(score.subject.assessment_id, _("该考核测评已公布，不能再评分"))
            current = Score.objects.select_for_update().get(pk=score.pk)
            old = [str(current.points) if current.points is not None else "", current.way]
            region = score.subject.region_id
            for facts in stored:
                evidence = ScoreEvidence.objects.create(score=score, uploaded_by=user, **facts)
                audit_record(
                    actor=user,
                    action=AuditAction.CREATE,
                    obj=evidence,
                    region_code=region,
                    note=f"上传考核佐证材料：{evidence.filename}",
                )
            score.points = points
            score.way = way
            score.note = note
            score.assessor = user
            score.scored_at = stamp(today)
            score.save(update_fields=["points", "way", "note", "assessor", "scored_at"])
            audit_record(
                actor=user,
                action=AuditAction.UPDATE,
                obj=score,
                region_code=region,
                changes={"points": [old[0], str(points)], "way": [old[1], way]},
                note=f"考核评分：{score.indicator.name} {points}分 {note}"[:255],
            )
    except BaseException:
        for path in written:
            path.unlink(missing_ok=True)
        raise
    return score


def score_problem(
    *,
    user: User,
    score: Score,
    description: str,
    deadline: dt.date,
    responsible_unit: str,
    category: str,
    source: str = "self_check",
    today: dt.date | None = None,
) -> Problem:
    """The problem an assessor found at this score, registered into the ledger (问题台账) for
    the subject's region and linked on the score: one per score, while the assessment is open.
    The texts are checked as an assessor's note is (`_text`); the rest as the ledger checks any
    problem registered (`problem_register`)."""
    today = today or timezone.localdate()
    if not _sees_subject(user, score.subject):
        raise NotFound
    reason = why_not_assess(user, score.subject)
    if reason:
        raise Forbidden(reason)
    description = _text(description, _("问题描述"), Problem, "description")
    responsible_unit = _text(responsible_unit, _("责任单位"), Problem, "responsible_unit")
    data = ProblemIn(
        source=source,
        region_code=score.subject.region_id,
        category=category,
        description=description,
        responsible_unit=responsible_unit,
        deadline=deadline,
    )
    with transaction.atomic():
        _locked(score.subject.assessment_id, _("该考核测评已公布，不能再登记考核发现的问题"))
        if Score.objects.select_for_update().get(pk=score.pk).problem_id is not None:
            raise Refused(_("该项得分已登记问题"))
        problem = problem_register(user=user, data=data, today=today)
        score.problem = problem
        score.save(update_fields=["problem"])
        audit_record(
            actor=user,
            action=AuditAction.UPDATE,
            obj=score,
            region_code=score.subject.region_id,
            changes={"problem": ["", str(problem.pk)]},
            note=f"考核发现问题登记入台账：{score.indicator.name}"[:255],
        )
    return problem


def evidence_open(*, user: User, evidence: ScoreEvidence) -> Path:
    """The stored file, for the user to read: each reading is audited."""
    return open_stored(
        user=user,
        obj=evidence,
        root=evidence_root(),
        path=evidence.path,
        region_code=evidence.score.subject.region_id,
        note=f"查看考核佐证材料：{evidence.filename}",
    )


# -- reads -----------------------------------------------------------------------------------
def _runs(user: User) -> bool:
    """Assessors and the county follow an assessment while it is open; the others read it
    once published."""
    access = access_for(user)
    return access.may_assess or access.may_edit_schemes


def _sees_county(user: User, county_code: str) -> bool:
    """`schemes_in_scope` for one loaded scheme's county."""
    return access_for(user).reads_county(county_code)


def _sees(user: User, assessment: Assessment) -> bool:
    """`assessments_in_scope` for one loaded assessment."""
    return _sees_county(user, assessment.scheme.county_id) and (
        assessment.status == AssessmentStatus.PUBLISHED or _runs(user)
    )


def _sees_subject(user: User, subject: Subject) -> bool:
    """`subjects_in_scope` for one loaded subject."""
    if not (_sees(user, subject.assessment) and access_for(user).contains(subject.region_id)):
        return False
    return subject.assessment.status == AssessmentStatus.PUBLISHED or not why_not_assess(
        user, subject
    )


def assessments_in_scope(*, user: User) -> QuerySet[Assessment]:
    qs = Assessment.objects.select_related("scheme", "scheme__county").filter(
        scheme__in=schemes_in_scope(user=user)
    )
    return qs if _runs(user) else qs.filter(status=AssessmentStatus.PUBLISHED)


def assessment_get_for_user(*, user: User, pk: int) -> Assessment:
    found = assessments_in_scope(user=user).filter(pk=pk).first()
    if found is None:
        raise NotFound
    return found


def _visible(user: User, assessment: Assessment) -> None:
    if not _sees(user, assessment):
        raise NotFound


def subjects_in_scope(*, user: User) -> QuerySet[Subject]:
    """The subjects of the visible assessments inside the user's region: a village its own, a
    township its own and its villages' (and their teams'), the county all; while an assessment
    is open, only those the user may assess (`assessable_q`): a township does not read its own
    draft scorecard."""
    return access_for(user).filter(
        Subject.objects.select_related("region", "team", "assessment__scheme").filter(
            Q(assessment__status=AssessmentStatus.PUBLISHED) | assessable_q(user),
            assessment__in=assessments_in_scope(user=user),
        )
    )


def subjects_for_user(*, user: User, assessment: Assessment) -> list[Subject]:
    """The ranking: by rank, then total, highest first (unranked while open)."""
    _visible(user, assessment)
    qs = subjects_in_scope(user=user).filter(assessment=assessment)
    return list(
        qs.order_by(
            F("rank").asc(nulls_last=True), F("total").desc(nulls_last=True), "region_id", "pk"
        )
    )


def subject_get_for_user(*, user: User, pk: int) -> Subject:
    found = subjects_in_scope(user=user).filter(pk=pk).first()
    if found is None:
        raise NotFound
    return found


def scores_in_scope(*, user: User) -> QuerySet[Score]:
    return Score.objects.select_related(
        "subject__region", "subject__assessment__scheme", "indicator__dimension"
    ).filter(subject__in=subjects_in_scope(user=user))


def score_get_for_user(*, user: User, pk: int) -> Score:
    found = scores_in_scope(user=user).filter(pk=pk).first()
    if found is None:
        raise NotFound
    return found


def evidence_get_for_user(*, user: User, pk: int) -> ScoreEvidence:
    found = (
        ScoreEvidence.objects.select_related("score__subject")
        .filter(pk=pk, score__in=scores_in_scope(user=user))
        .first()
    )
    if found is None:
        raise NotFound
    return found


@dataclass(frozen=True)
class ScoreLine:
    """One indicator on a scorecard: the points and why (the measured facts, or the assessor's
    way, note, evidence and the problem found)."""

    score: Score
    indicator: Indicator
    points: Decimal | None
    max: Decimal
    computed: bool
    text: str  # the measured text (computed) or the assessor's note
    way: str  # the way's label (assessed)
    evidence: list[ScoreEvidence]
    problem: Problem | None


@dataclass(frozen=True)
class DimensionCard:
    dimension: Dimension
    lines: list[ScoreLine]
    subtotal: Decimal
    max: Decimal


@dataclass(frozen=True)
class SubjectCard:
    """A subject's scorecard: each dimension with its scores and subtotal, the total (the
    annual one weighs the quarters' mean, `quarter_mean`), and its rank of how many."""

    subject: Subject
    assessment: Assessment
    dimensions: list[DimensionCard]
    total: Decimal | None
    rank: int | None
    of: int
    quarter_mean: Decimal | None
    quarter_weight: Decimal


def subject_card(*, user: User, subject: Subject) -> SubjectCard:
    if not _sees_subject(user, subject):
        raise NotFound
    assessment = subject.assessment
    scores = (
        subject.scores.select_related("indicator__dimension", "problem")
        .prefetch_related("evidence")
        .order_by("indicator__dimension__order", "indicator__order", "pk")
    )
    groups: dict[int, list[ScoreLine]] = defaultdict(list)
    dimensions: dict[int, Dimension] = {}
    for score in scores:
        indicator = score.indicator
        dimensions[indicator.dimension_id] = indicator.dimension
        computed = indicator.method == Method.COMPUTED
        groups[indicator.dimension_id].append(
            ScoreLine(
                score=score,
                indicator=indicator,
                points=score.points,
                max=indicator.points,
                computed=computed,
                text=measured_text(score.measured) if computed else score.note,
                way=score.get_way_display() if score.way else "",
                evidence=list(score.evidence.all()),
                problem=score.problem,
            )
        )
    cards = [
        DimensionCard(
            dimension=dimensions[key],
            lines=lines,
            subtotal=sum((line.points or Decimal(0) for line in lines), Decimal(0)),
            max=sum((line.max for line in lines), Decimal(0)),
        )
        for key, lines in groups.items()
    ]
    weight = assessment.scheme.quarter_weight
    mean = None
    if assessment.period == Period.ANNUAL and weight:
        mean = _quarter_means(assessment).get((subject.region_id, subject.team_id))
    return SubjectCard(
        subject=subject,
        assessment=assessment,
        dimensions=cards,
        total=subject.total,
        rank=subject.rank,
        of=assessment.subjects.count(),
        quarter_mean=mean.quantize(CENT, rounding=ROUND_HALF_UP) if mean is not None else None,
        quarter_weight=weight,
    )
