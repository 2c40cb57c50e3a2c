"""Who may do what in an assessment, as reasons: "" where the user may, else why not, so that a
service refuses with it and a page shows the action disabled with it. The county keeps its
schemes and opens and publishes its assessments; assessors score (the county's officers and
auditors any subject of the county, a township its own villages and their teams, never
itself); a village only reads its own scorecard."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Q
from django.utils.translation import gettext as _

from bangfu.accounts.access import access_for
from bangfu.accounts.models import Role, User
from bangfu.assessment.models import (
    Assessment,
    AssessmentStatus,
    CheckWay,
    Method,
    Scheme,
    Score,
    Subject,
)
from bangfu.regions.models import Level


def why_not_edit_scheme(user: User, county_code: str) -> str:
    """Schemes are the county's: its own officers load and edit them."""
    access = access_for(user)
    if not access.may_edit_schemes or access.region is None or access.region.code != county_code:
        return _("只有本县的县级干部可以维护考核方案")
    return ""


def why_not_change_scheme(scheme: Scheme) -> str:
    """A scheme is fixed once it has been used: scores were given against its points."""
    if scheme.assessments.exists():
        return _("该方案已开展考核测评，不能再修改（如需调整，请制定下一年度的方案）")
    return ""


def why_not_run(user: User, assessment: Assessment) -> str:
    """Opening, recomputing and publishing are the county's."""
    if why_not_edit_scheme(user, assessment.scheme.county_id):
        return _("只有本县的县级干部可以组织考核测评")
    return ""


def why_not_assess(user: User, subject: Subject) -> str:
    """Who assesses a subject (scores it, registers what was found): the county's officers and
    auditors any subject of the county, a township its villages (and their work teams), never
    itself."""
    access = access_for(user)
    region = subject.region
    if not access.may_assess or not access.contains(region.code):
        return _("您不能为%(subject)s评分") % {"subject": region.name}
    if user.role == Role.TOWNSHIP_CADRE and (
        region.level != Level.VILLAGE or region.parent_id != user.region_id
    ):
        return _("乡镇只能为本乡镇所辖的村评分，不能为本乡镇评分")
    return ""


def assessable_q(user: User) -> Q:
    """The subjects `why_not_assess` allows the user, as a filter of subjects inside the user's
    region (which `Access.filter` applies): all of them for the county's officers and auditors,
    a township's villages and their teams for its cadres (never the township itself), none for
    those who do not assess. Kept beside `why_not_assess`, which tests/assessment checks it
    against, role by role."""
    access = access_for(user)
    if not access.may_assess:
        return Q(pk__in=[])
    if user.role == Role.TOWNSHIP_CADRE:
        return Q(region__level=Level.VILLAGE, region__parent_id=user.region_id)
    return Q(pk__isnull=False)  # every subject (an empty Q() would vanish when or-ed)


def why_not_score(user: User, score: Score) -> str:
    """An assessor's score (`why_not_assess`), only while the assessment is open."""
    reason = why_not_assess(user, score.subject)
    if reason:
        return reason
    if score.subject.assessment.status != AssessmentStatus.OPEN:
        return _("该考核测评已公布，不能再评分")
    return ""


def why_not_points(score: Score, *, points: Decimal, way: str, note: str) -> str:
    """The rules of one assessor's score: an assessed indicator, points within [0, its
    points], a way the indicator lists, and a deduction explained (扣分须说明理由)."""
    indicator = score.indicator
    if indicator.method != Method.ASSESSED:
        return _("“%(name)s”由系统计算，不能人工评分") % {"name": indicator.name}
    if not Decimal(0) <= points <= indicator.points or points != points.quantize(Decimal("0.01")):
        return _("得分须在0到%(max)s分之间（最多两位小数）") % {"max": indicator.points}
    ways = [w for w in indicator.ways.split(",") if w]
    if way not in ways:
        labels = "、".join(str(CheckWay(w).label) for w in ways)
        return _("请选择考核方式：%(ways)s") % {"ways": labels}
    if points < indicator.points and not note.strip():
        return _("扣分须填写扣分说明")
    return ""
