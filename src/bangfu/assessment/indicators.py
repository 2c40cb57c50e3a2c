"""The assessment's computed indicators (系统计算的考核指标): each measure counts, from bangfu's
own records, what a scorecard's indicator asks — identifications decided in time, overdue
steps, warnings handled, measures done on time, risks eliminated, relapses, problems closed,
monthly meetings, grid readings, and a resident work team's days on post, logs, visits and
tasks — for a period and a list of regions at once. Each measure runs a few grouped queries
by village, whatever the number of regions, and folds them into each region by its code's
prefix (a township sums its villages). The rules, sources and parameters: docs/indicators.md;
the parameters are the policy file's (`[identification] total_days`, `[assessment]`)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Aggregate, Count, F, Q, QuerySet
from django.db.models.functions import TruncWeek
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from bangfu.accounts.access import code_q
from bangfu.assistance.models import Measure as PlanMeasure
from bangfu.assistance.models import MeasureStatus
from bangfu.cases.chain import OPEN_STAGES
from bangfu.cases.models import Case, Meeting, Stage, Step
from bangfu.cases.selectors import IDENTIFYING
from bangfu.core.errors import Refused
from bangfu.monitoring.models import RiskWarning, WarningStatus
from bangfu.monitoring.policy import Policy, load_policy
from bangfu.regions.models import Level, Region
from bangfu.registry.models import Household, IncomeReading
from bangfu.supervision.models import (
    Problem,
    ProblemStatus,
    TaskStatus,
    TeamMember,
    TeamTask,
    WorkLog,
)

TOWNSHIP, VILLAGE, TEAM = "township", "village", "team"  # SubjectKind values
AREAS = frozenset({TOWNSHIP, VILLAGE})
TEAMS = frozenset({TEAM})
YEAR_DAYS = 365  # the yearly days on post are prorated over a year of this many days


@dataclass(frozen=True)
class Measured:
    value: float | None  # None: nothing to measure in the period (e.g. no identification decided)
    numerator: int
    denominator: int
    text: str  # Chinese, explains the figure, e.g. "期内认定14户，12户在15日内完成"


@dataclass(frozen=True)
class Measure:
    key: str
    title: str  # Chinese
    kinds: frozenset[str]  # SubjectKind values it suits: "township", "village", "team"
    higher_is_better: bool
    clause: str  # the policy clause or source it follows
    # nothing counted (value None) earns the full points: a township with no identification
    # to decide did nothing late; not for a work team, whose nothing means nobody on post or
    # nothing done (docs/indicators.md, "Nothing to measure")
    none_earns_full: bool = True


@dataclass(frozen=True)
class _Scope:
    prefix: str  # the codes' common prefix: one filter for every query
    start: dt.date
    end: dt.date
    policy: Policy


Sums = dict[str, list[float]]  # per division code (a village, or a township's own rows)


def _prefix(code: str) -> str:
    """A region's leading digits: a 12-digit code loses its trailing zeros by level (a
    township's 140123100000 is 140123100); a 9- or 6-digit prefix stays as it is."""
    if len(code) == 12:
        for length in (6, 9):
            if code[length:] == "0" * (12 - length):
                return code[:length]
    return code


def _common(prefixes: Sequence[str]) -> str:
    first, last = min(prefixes), max(prefixes)
    n = 0
    while n < min(len(first), len(last)) and first[n] == last[n]:
        n += 1
    return first[:n]


def _add(sums: Sums, code: str, *values: float) -> None:
    row = sums.setdefault(code, [0.0] * len(values))
    for i, v in enumerate(values):
        row[i] += v


def _grouped(qs: QuerySet[Any], path: str, **counts: Aggregate) -> Sums:
    """One grouped query: the counts per division code at `path`."""
    sums: Sums = {}
    for row in qs.values(path).annotate(**counts).order_by():
        _add(sums, row[path], *(float(row[k] or 0) for k in counts))
    return sums


def _date(at: dt.datetime) -> dt.date:
    return timezone.localtime(at).date() if timezone.is_aware(at) else at.date()


def _months(start: dt.date, end: dt.date) -> list[str]:
    """The months (YYYY-MM) the period touches."""
    out, y, m = [], start.year, start.month
    while (y, m) <= (end.year, end.month):
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def _quarters(start: dt.date, end: dt.date) -> list[tuple[str, list[str]]]:
    """The whole calendar quarters inside the period: (YYYY-Qn, its three months)."""
    out = []
    for year in range(start.year, end.year + 1):
        for q in range(1, 5):
            first = dt.date(year, 3 * q - 2, 1)
            after = dt.date(year + 1, 1, 1) if q == 4 else dt.date(year, 3 * q + 1, 1)
            last = after - dt.timedelta(days=1)
            if start <= first and last <= end:
                out.append((f"{year}-Q{q}", _months(first, last)))
    return out


def _overlap(scope: _Scope, begin: dt.date, finish: dt.date | None) -> tuple[dt.date, dt.date]:
    return max(scope.start, begin), min(scope.end, finish or scope.end)


# -- the measures' counts: one to three grouped queries each, by village -------------------
def _identified_in_time(s: _Scope) -> Sums:
    """Identifications decided (the county's decision, or not identified at any level) in
    the period, and of those, decided within total_days of the lead."""
    limit = s.policy.deadlines["total_days"]
    rows = Step.objects.filter(
        code_q("case__household__village__code", s.prefix),
        from_stage__in=IDENTIFYING,
        to_stage__in=(Stage.MONITORING, Stage.NOT_IDENTIFIED),
        at__date__gte=s.start,
        at__date__lte=s.end,
    ).values_list("case__household__village_id", "at", "case__opened_at")
    sums: Sums = {}
    for village, at, opened in rows:  # the period's decisions, not its households
        _add(sums, village, float((_date(at) - _date(opened)).days <= limit), 1)
    return sums


def _overdue_steps(s: _Scope) -> Sums:
    """Steps taken in the period (overdue: after their deadline), and the steps due in the
    period, its last day included, still waiting (overdue too), as the siblings count what
    falls due in the period."""
    done = _grouped(
        Step.objects.filter(
            code_q("case__household__village__code", s.prefix),
            at__date__gte=s.start,
            at__date__lte=s.end,
        ),
        "case__household__village_id",
        late=Count("id", filter=Q(overdue=True)),
        steps=Count("id"),
    )
    waiting = _grouped(
        Case.objects.filter(
            code_q("household__village__code", s.prefix),
            stage__in=OPEN_STAGES,
            due__gte=s.start,
            due__lte=s.end,
        ),
        "household__village_id",
        late=Count("id"),
        steps=Count("id"),
    )
    for village, row in waiting.items():
        _add(done, village, *row)
    return done


def _warnings_in_time(s: _Scope) -> Sums:
    """Warnings of the monthly list (not the watch list, not attached to an open case by the
    run) whose warning_days ran out in the period, and those decided within them: a warning
    counts in the period its handling deadline falls in, as a measure or a task by its due
    date, so one still inside its days is not yet a failure, and none escapes counting."""
    days = dt.timedelta(days=s.policy.assessment["warning_days"])
    return _grouped(
        RiskWarning.objects.filter(
            code_q("household__village__code", s.prefix),
            watch=False,
            created_at__date__gte=s.start - days,
            created_at__date__lte=s.end - days,
        ).exclude(status=WarningStatus.ATTACHED),
        "household__village_id",
        handled=Count(
            "id",
            filter=~Q(status=WarningStatus.NEW) & Q(status_at__lte=F("created_at") + days),
        ),
        raised=Count("id"),
    )


def _measures_on_time(s: _Scope) -> Sums:
    """Measures due in the period (not cancelled), and those done by their deadline."""
    return _grouped(
        PlanMeasure.objects.filter(
            code_q("case__household__village__code", s.prefix),
            deadline__gte=s.start,
            deadline__lte=s.end,
        ).exclude(status=MeasureStatus.CANCELLED),
        "case__household__village_id",
        done=Count("id", filter=Q(status=MeasureStatus.DONE, done_on__lte=F("deadline"))),
        due=Count("id"),
    )


def _elimination_rate(s: _Scope) -> Sums:
    """Cases in monitoring at some time in the period (identified by its end, not eliminated
    or closed before its start), and those whose risk was eliminated in it."""
    return _grouped(
        Case.objects.filter(
            Q(closed_at__isnull=True) | Q(closed_at__date__gte=s.start),
            code_q("household__village__code", s.prefix),
            identified_on__isnull=False,
            identified_on__lte=s.end,
        ),
        "household__village_id",
        eliminated=Count(
            "id",
            filter=Q(stage=Stage.ELIMINATED, closed_at__date__gte=s.start)
            & Q(closed_at__date__lte=s.end),
        ),
        monitored=Count("id"),
    )


def _relapse_rate(s: _Scope) -> Sums:
    """Households identified again in the period after an earlier elimination, over the
    cases whose risk was eliminated by the period's end."""
    return _grouped(
        Case.objects.filter(code_q("household__village__code", s.prefix)),
        "household__village_id",
        relapsed=Count(
            "id",
            filter=Q(relapse=True, identified_on__gte=s.start, identified_on__lte=s.end),
        ),
        eliminated=Count("id", filter=Q(stage=Stage.ELIMINATED, closed_at__date__lte=s.end)),
    )


def _problems_closed_on_time(s: _Scope) -> Sums:
    """Problems of the ledger due in the period, and those closed (销号) by their deadline;
    a township's or county's own problems count for it (its code)."""
    return _grouped(
        Problem.objects.filter(
            code_q("region__code", s.prefix), deadline__gte=s.start, deadline__lte=s.end
        ),
        "region_id",
        closed=Count("id", filter=Q(status=ProblemStatus.CLOSED, closed_on__lte=F("deadline"))),
        due=Count("id"),
    )


def _meetings_held(s: _Scope) -> Sums:
    """Village monthly meetings recorded for the months of the period, over the villages
    times those months."""
    months = _months(s.start, s.end)
    held = _grouped(
        Meeting.objects.filter(code_q("village__code", s.prefix), month__in=months),
        "village_id",
        held=Count("id"),
    )
    sums: Sums = {}
    villages = Region.objects.filter(code_q("code", s.prefix), level=Level.VILLAGE)
    for code in villages.values_list("code", flat=True):
        _add(sums, code, held.get(code, [0.0])[0], len(months))
    return sums


def _readings_on_schedule(s: _Scope) -> Sums:
    """For each whole quarter of the period, the households read by the grid worker (a
    quarterly reading, or a monthly one in the quarter), over the households times quarters."""
    quarters = _quarters(s.start, s.end)
    if not quarters:
        return {}
    counts = {
        q: Count("household", distinct=True, filter=Q(period__in=[q, *months]))
        for q, months in quarters
    }
    read = _grouped(
        IncomeReading.objects.filter(
            code_q("household__village__code", s.prefix),
            period__in=[p for q, months in quarters for p in (q, *months)],
        ),
        "household__village_id",
        **counts,
    )
    households = _grouped(
        Household.objects.filter(code_q("village__code", s.prefix)), "village_id", n=Count("id")
    )
    sums: Sums = {}
    for village, (n,) in households.items():
        _add(sums, village, sum(read.get(village, [0.0])), n * len(quarters))
    return sums


@dataclass(frozen=True)
class _Member:
    pk: int
    team: int
    village: str
    first: dt.date  # the member's days on post in the period, within the team's term
    last: dt.date


def _members(s: _Scope) -> list[_Member]:
    """The members of active work teams (not called back) on post in the period, within both
    their own term and their team's."""
    rows = TeamMember.objects.filter(
        Q(term_end__isnull=True) | Q(term_end__gte=s.start),
        Q(team__term_end__isnull=True) | Q(team__term_end__gte=s.start),
        code_q("team__village__code", s.prefix),
        team__active=True,
        term_start__lte=s.end,
        team__term_start__lte=s.end,
    ).values_list(
        "pk",
        "team_id",
        "team__village_id",
        "term_start",
        "term_end",
        "team__term_start",
        "team__term_end",
    )
    out = []
    for pk, team, village, begin, finish, team_begin, team_finish in rows:
        ends = [d for d in (finish, team_finish) if d is not None]
        first, last = _overlap(s, max(begin, team_begin), min(ends) if ends else None)
        if first <= last:
            out.append(_Member(pk, team, village, first, last))
    return out


def _on_post(members: list[_Member], counted: Sums) -> Sums:
    """The team measures' rows, for the villages with a member on post only: the village's
    two counts, its members on post, and its active teams (a village's teams are pooled,
    and the words say so)."""
    teams: dict[str, set[int]] = defaultdict(set)
    people: dict[str, int] = defaultdict(int)
    for m in members:
        teams[m.village].add(m.team)
        people[m.village] += 1
    return {
        village: [*counted.get(village, [0.0, 0.0]), people[village], len(ids)]
        for village, ids in teams.items()
    }


def _team_logs_q(s: _Scope) -> Q:
    return code_q("team__village__code", s.prefix) & Q(
        team__active=True, on__gte=s.start, on__lte=s.end
    )


def _team_days_on_post(s: _Scope) -> Sums:
    """The members' days on post (distinct days logged, as supervision.teams.days_on_post),
    and the days required of them pro rata of their days on the roster in the period."""
    per_year = s.policy.assessment["team_days_per_year"]
    logged = {
        int(r["member_id"]): int(r["days"])
        for r in WorkLog.objects.filter(_team_logs_q(s))
        .values("member_id")
        .annotate(days=Count("on", distinct=True))
        .order_by()
    }
    members = _members(s)
    sums: Sums = {}
    for m in members:  # the members, a few per village
        _add(
            sums,
            m.village,
            logged.get(m.pk, 0),
            per_year * ((m.last - m.first).days + 1) / YEAR_DAYS,
        )
    return _on_post(members, sums)


def _weeks(first: dt.date, last: dt.date) -> int:
    monday = first - dt.timedelta(days=first.weekday())
    return (last - monday).days // 7 + 1


def _team_logs(s: _Scope) -> Sums:
    """Member-weeks on post in the period, and those with at least one log (驻村日志, with
    the week's plan)."""
    logged = {
        int(r["member_id"]): int(r["weeks"])
        for r in WorkLog.objects.filter(_team_logs_q(s))
        .values("member_id")
        .annotate(weeks=Count(TruncWeek("on"), distinct=True))
        .order_by()
    }
    members = _members(s)
    sums: Sums = {}
    for m in members:
        _add(sums, m.village, logged.get(m.pk, 0), _weeks(m.first, m.last))
    return _on_post(members, sums)


def _team_households_visited(s: _Scope) -> Sums:
    """The village's households visited by its active teams' logs in the period, over the
    households of the villages that have an active team on post."""
    visits = WorkLog.households.through.objects.filter(
        code_q("worklog__team__village__code", s.prefix),
        worklog__team__active=True,
        worklog__on__gte=s.start,
        worklog__on__lte=s.end,
    )
    visited = _grouped(visits, "worklog__team__village_id", n=Count("household_id", distinct=True))
    households = _grouped(
        Household.objects.filter(code_q("village__code", s.prefix)), "village_id", n=Count("id")
    )
    sums: Sums = {}
    for village, (n,) in households.items():
        _add(sums, village, visited.get(village, [0.0])[0], n)
    return _on_post(_members(s), sums)


def _team_tasks_on_time(s: _Scope) -> Sums:
    """Tasks of active teams due in the period, and those done by their due date."""
    tasks = _grouped(
        TeamTask.objects.filter(
            code_q("team__village__code", s.prefix),
            team__active=True,
            due__gte=s.start,
            due__lte=s.end,
        ),
        "team__village_id",
        done=Count("id", filter=Q(status=TaskStatus.DONE, done_on__lte=F("due"))),
        due=Count("id"),
    )
    return _on_post(_members(s), tasks)


# -- the figures and their words -----------------------------------------------------------
def _rate(some: str, none: str) -> Callable[[list[float], _Scope], Measured]:
    """A share numerator / denominator, explained by `some` (with %(n)d, %(d)d and the
    policy's days) or, where nothing was counted, by `none`."""

    def finish(t: list[float], s: _Scope) -> Measured:
        n, d = int(t[0]), int(t[1])
        if not d:
            return Measured(None, 0, 0, _(none))
        words = {"n": n, "d": d, **s.policy.deadlines, **s.policy.assessment}
        return Measured(n / d, n, d, _(some) % words)

    return finish


NOBODY_ON_POST = gettext_noop("期内没有在岗的驻村工作队队员")


def _pooled(teams: int) -> str:
    return _("（%(teams)d支驻村工作队合并计算）") % {"teams": teams} if teams > 1 else ""


def _team_rate(some: str, none: str) -> Callable[[list[float], _Scope], Measured]:
    """`_rate` for a work team: nobody on post, or nothing counted (`none`), is None, and
    says which; a village's teams pooled say so."""
    share = _rate(some, none)

    def finish(t: list[float], s: _Scope) -> Measured:
        if not t[2]:
            return Measured(None, 0, 0, _(NOBODY_ON_POST))
        found = share(t, s)
        return Measured(
            found.value, found.numerator, found.denominator, found.text + _pooled(int(t[3]))
        )

    return finish


def _days_on_post(t: list[float], s: _Scope) -> Measured:
    days, required, members, teams = t
    if not members:
        return Measured(None, 0, 0, _(NOBODY_ON_POST))
    return Measured(
        min(1.0, days / required),  # each member on post is required a share of a day or more
        int(days),
        round(required),
        _(
            "在岗队员%(members)d人，期内在村%(days)d天（按驻村日志计），人均%(mean).1f天；"
            "按每年%(per_year)d天折算，人均应在村%(need).1f天"
        )
        % {
            "members": members,
            "days": days,
            "mean": days / members,
            "per_year": s.policy.assessment["team_days_per_year"],
            "need": required / members,
        }
        + _pooled(int(teams)),
    )


@dataclass(frozen=True)
class _How:
    measure: Measure
    sums: Callable[[_Scope], Sums]
    finish: Callable[[list[float], _Scope], Measured]
    width: int = 2


_HOW: dict[str, _How] = {
    h.measure.key: h
    for h in (
        _How(
            Measure(
                "identified_in_time",
                gettext_noop("识别认定按时完成率"),
                AREAS,
                True,
                "从发现风险线索到县级审定一般不超过15天（秦安县人民政府：防止返贫监测对象"
                "有哪几类？分别是怎么识别认定的？）；政策文件 [identification] total_days",
            ),
            _identified_in_time,
            _rate(
                gettext_noop("期内完成认定%(d)d户，%(n)d户在%(total_days)d日内完成"),
                gettext_noop("期内没有完成认定的线索"),
            ),
        ),
        _How(
            Measure(
                "overdue_steps",
                gettext_noop("识别认定环节逾期率"),
                AREAS,
                False,
                "识别认定和风险消除各环节办理时限（政策文件 [identification]），逾期环节列给"
                "上一级（docs/cases.md）",
            ),
            _overdue_steps,
            _rate(
                gettext_noop("期内办理或到期的环节%(d)d个，逾期%(n)d个（含到期未办）"),
                gettext_noop("期内没有办理或到期的环节"),
            ),
        ),
        _How(
            Measure(
                "warnings_in_time",
                gettext_noop("预警按期处置率"),
                AREAS,
                True,
                "部门筛查预警每月推送、各村每月核查研判（旺苍县乡村振兴局，2021-10-27；"
                "施官镇，安徽财经网 2024-10-18）；政策文件 [assessment] warning_days",
            ),
            _warnings_in_time,
            _rate(
                gettext_noop(
                    "期内到处置时限（新增后%(warning_days)d日）的预警%(d)d条，"
                    "%(n)d条按期转为线索或排除"
                ),
                gettext_noop("期内没有到处置时限的预警"),
            ),
        ),
        _How(
            Measure(
                "measures_on_time",
                gettext_noop("帮扶措施按期落实率"),
                AREAS,
                True,
                "一户一策：每项措施有责任人、目标和完成时限（docs/cases.md，一户一策）",
            ),
            _measures_on_time,
            _rate(
                gettext_noop("期内到期的帮扶措施%(d)d项（不含已取消），%(n)d项按期完成"),
                gettext_noop("期内没有到期的帮扶措施"),
            ),
        ),
        _How(
            Measure(
                "elimination_rate",
                gettext_noop("风险消除率"),
                AREAS,
                True,
                "收入稳定超过监测范围、“三保障”和饮水安全持续巩固的，按程序标注风险消除"
                "（秦安县人民政府）；保山市2021年：49.69%的监测对象已消除风险",
            ),
            _elimination_rate,
            _rate(
                gettext_noop("期内监测对象%(d)d户（次），%(n)d户期内标注风险消除"),
                gettext_noop("期内没有监测对象"),
            ),
        ),
        _How(
            Measure(
                "relapse_rate",
                gettext_noop("返贫致贫率"),
                AREAS,
                False,
                "守住不发生规模性返贫底线；曾消除风险的户再次纳入监测即返贫致贫"
                "（docs/cases.md，Relapse）",
            ),
            _relapse_rate,
            _rate(
                gettext_noop("截至期末已消除风险%(d)d户（次），期内%(n)d户再次纳入监测"),
                gettext_noop("截至期末没有已消除风险的户"),
            ),
        ),
        _How(
            Measure(
                "problems_closed_on_time",
                gettext_noop("问题按期整改销号率"),
                AREAS,
                True,
                "聚焦国家考核评估、审计督查等反馈的问题建立相应台账，并抓好整改、实行销号"
                "管理……确保问题“发现一例、解决一例”（种子文件001）",
            ),
            _problems_closed_on_time,
            _rate(
                gettext_noop("期内到整改时限的问题%(d)d个，%(n)d个按期销号"),
                gettext_noop("期内没有到整改时限的问题"),
            ),
        ),
        _How(
            Measure(
                "meetings_held",
                gettext_noop("村级月度监测会议召开率"),
                AREAS,
                True,
                "村级每月召开一次监测会议，评议监测对象（DOMAIN.md：the village holds a "
                "monitoring meeting every month；docs/cases.md，村级月度监测会议）",
            ),
            _meetings_held,
            _rate(
                gettext_noop("期内应召开村级月度监测会议%(d)d次（村数×月数），已召开%(n)d次"),
                gettext_noop("没有需要召开会议的村"),
            ),
        ),
        _How(
            Measure(
                "readings_on_schedule",
                gettext_noop("网格员收入核查按期完成率"),
                AREAS,
                True,
                "监测全覆盖；网格员按月、按季度对所联系农户开展收入和情况核查（DOMAIN.md，"
                "grid worker；docs/calibration.md，Grid readings）",
            ),
            _readings_on_schedule,
            _rate(
                gettext_noop("期内各完整季度应核查%(d)d户次（户数×季度数），已核查%(n)d户次"),
                gettext_noop("期内没有完整的季度，或没有农户"),
            ),
        ),
        _How(
            Measure(
                "team_days_on_post",
                gettext_noop("驻村工作队在村天数"),
                TEAMS,
                True,
                "驻村干部每年驻村工作时间不少于200天（乐都区，乡村振兴政策应知应会（二十五），"
                "2024-11-23）；政策文件 [assessment] team_days_per_year",
                none_earns_full=False,
            ),
            _team_days_on_post,
            _days_on_post,
            width=4,
        ),
        _How(
            Measure(
                "team_logs",
                gettext_noop("驻村日志记录率"),
                TEAMS,
                True,
                "驻村日志制度：驻村干部写好驻村日志，如实记录工作进展……和每周计划"
                "（乐都区，乡村振兴政策应知应会（二十五），2024-11-23）",
                none_earns_full=False,
            ),
            _team_logs,
            _team_rate(
                gettext_noop("在岗队员期内在岗%(d)d人周，%(n)d人周记有驻村日志"),
                NOBODY_ON_POST,
            ),
            width=4,
        ),
        _How(
            Measure(
                "team_households_visited",
                gettext_noop("驻村工作队走访农户覆盖率"),
                TEAMS,
                True,
                "驻村工作队、村干部入户走访摸排（DOMAIN.md；docs/supervision.md，驻村日志的"
                "走访农户）",
                none_earns_full=False,
            ),
            _team_households_visited,
            _team_rate(
                gettext_noop("有在岗驻村工作队的村共有农户%(d)d户，期内走访%(n)d户"),
                gettext_noop("村内没有农户"),
            ),
            width=4,
        ),
        _How(
            Measure(
                "team_tasks_on_time",
                gettext_noop("驻村任务清单按期完成率"),
                TEAMS,
                True,
                "明确第一书记实施乡村振兴红色头雁工程的任务清单（种子文件004）",
                none_earns_full=False,
            ),
            _team_tasks_on_time,
            _team_rate(
                gettext_noop("期内到期的驻村任务%(d)d项，%(n)d项按期完成"),
                gettext_noop("期内没有到期的驻村任务"),
            ),
            width=4,
        ),
    )
}

MEASURES: dict[str, Measure] = {key: how.measure for key, how in _HOW.items()}


def measure(key: str, *, codes: Sequence[str], start: dt.date, end: dt.date) -> dict[str, Measured]:
    """Measure `key` for each region code (a village's 12 digits, a township's 9 or its
    12-digit code) over [start, end], both days included: one entry per code. The queries
    are the same few whatever the number of codes. A period that ends before it starts (an
    assessment measured before its first day) has nothing to measure."""
    how = _HOW.get(key)
    if how is None:
        raise Refused(_("没有这项计算口径：%(key)s") % {"key": key})
    if end < start:
        return {code: Measured(None, 0, 0, _("考核期尚未开始")) for code in codes}
    if not codes:
        return {}
    prefixes = {code: _prefix(code) for code in codes}
    scope = _Scope(_common(list(prefixes.values())), start, end, load_policy())
    sums = how.sums(scope)
    # each row into its region at every prefix length asked for: rows × lengths, not × codes
    folded: dict[str, list[float]] = defaultdict(lambda: [0.0] * how.width)
    for length in {len(p) for p in prefixes.values()}:
        for where, row in sums.items():
            total = folded[where[:length]]
            for i, v in enumerate(row):
                total[i] += v
    empty = [0.0] * how.width
    return {code: how.finish(folded.get(prefixes[code], empty), scope) for code in codes}
