"""Cases for the demo village in every stage of the identification chain, taken by the demo
users through the same services as the pages, so that a new user can click through the loop.

Each case's steps are dated on the days the work was done (the services' `today`), spread over
the past weeks within the policy's deadlines (STORY, EXIT_STORY; docs/calibration.md, "The demo
village's cases"), so that what waits today can be done from the pages today: the notice that
ended today can be closed by the village, then approved by the township and the county."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from bangfu.accounts.models import User
from bangfu.assistance.selectors import measures_propose
from bangfu.assistance.services import measure_update, plan_confirm
from bangfu.cases.categories import proposed_category
from bangfu.cases.elimination import reading_end
from bangfu.cases.evaluation import evaluation_record
from bangfu.cases.meetings import meeting_record
from bangfu.cases.models import Case, Channel, Stage, Step
from bangfu.cases.services import case_act, lead_open, objection_add
from bangfu.demo.services import today as demo_today
from bangfu.monitoring.models import RiskWarning, WarningStatus
from bangfu.monitoring.services import warning_set_status
from bangfu.regions.models import Region
from bangfu.registry.models import Household, IncomeReading, ReadingKind


@dataclass(frozen=True)
class Track:
    """How far one case goes and when: the lead's day and each step's, in days before today.
    Written for the shipped policy's deadlines (14-2026.toml: verify 3, appraise 2, publish 1,
    notice 5, report 1, township 2, county 1 days; 15 in all)."""

    target: Stage
    lead: int
    steps: tuple[tuple[str, int], ...] = ()
    objection: int | None = None  # an objection raised that day, not yet resolved
    note: str = ""  # what the story is for (docs/calibration.md)

    def shifted(self, days: int) -> Track:
        """The same track, `days` earlier."""
        return Track(
            self.target,
            self.lead + days,
            tuple((a, d + days) for a, d in self.steps),
            None if self.objection is None else self.objection + days,
            self.note,
        )


_IDENTIFIED = (  # the whole chain in 12 days: lead 40 days ago, decided 28 days ago
    ("verify", 38),
    ("appraise", 36),
    ("publish", 35),
    ("close_notice", 30),
    ("township_approve", 29),
    ("county_approve", 28),
)
S = Stage
STORY = [  # every stage first, then more of the common ones
    Track(S.LEAD, 0, note="今天的预警名单转为线索，待入户核查"),
    Track(S.VERIFIED, 3, (("verify", 1),), note="已核查，待村级评议"),
    Track(S.APPRAISED, 5, (("verify", 3), ("appraise", 1)), note="已评议，今天应开始公示"),
    Track(
        S.NOTICE,
        7,
        (("verify", 5), ("appraise", 3), ("publish", 2)),
        objection=1,
        note="公示中，有未处理的异议",
    ),
    Track(
        S.NOTICE,
        10,
        (("verify", 8), ("appraise", 6), ("publish", 5)),
        note="公示期今天届满，无异议：村干部可报乡镇审核",
    ),
    Track(
        S.TOWNSHIP,
        11,
        (("verify", 9), ("appraise", 7), ("publish", 6), ("close_notice", 1)),
        note="待乡镇审核",
    ),
    Track(
        S.COUNTY,
        12,
        (
            ("verify", 10),
            ("appraise", 8),
            ("publish", 7),
            ("close_notice", 2),
            ("township_approve", 1),
        ),
        note="待县级审定（系统提出监测对象类别）",
    ),
    Track(S.MONITORING, 40, _IDENTIFIED, note="纳入监测，帮扶计划已制定，一项措施已完成"),
    Track(S.NOT_IDENTIFIED, 20, (("verify", 18), ("appraise_reject", 16)), note="村级评议不予认定"),
    Track(
        S.MONITORING,
        50,
        (
            ("verify", 46),  # a day late: the step records it (逾期)
            ("appraise", 45),
            ("publish", 44),
            ("close_notice", 39),
            ("township_approve", 38),
            ("county_approve", 37),
        ),
        note="纳入监测；入户核查晚了一天（记为逾期）",
    ),
    Track(S.MONITORING, 30, tuple((a, d - 10) for a, d in _IDENTIFIED), note="纳入监测"),
    Track(S.LEAD, 5, note="走访发现的线索，入户核查已逾期两天"),
    Track(
        S.COUNTY,
        12,
        (
            ("verify", 10),
            ("appraise", 8),
            ("publish", 7),
            ("close_notice", 2),
            ("township_approve", 0),
        ),
        note="乡镇今天审核通过，待县级审定",
    ),
    Track(
        S.TOWNSHIP,
        14,
        (("verify", 12), ("appraise", 10), ("publish", 9), ("close_notice", 4)),
        note="乡镇审核已逾期两天",
    ),
]
# the exit chain, for households identified about seven months before they were proposed
EXIT_STORY = [
    Track(S.EXIT_VERIFIED, 1, (("propose_exit", 1),), note="提出风险消除，待村级评议"),
    Track(S.EXIT_APPRAISED, 3, (("propose_exit", 3), ("exit_appraise", 1)), note="今天应开始公示"),
    Track(
        S.EXIT_NOTICE,
        8,
        (("propose_exit", 8), ("exit_appraise", 6), ("exit_publish", 5)),
        note="风险消除公示今天届满",
    ),
    Track(
        S.EXIT_TOWNSHIP,
        9,
        (("propose_exit", 9), ("exit_appraise", 7), ("exit_publish", 6), ("exit_close_notice", 1)),
        note="待乡镇审核",
    ),
    Track(
        S.EXIT_COUNTY,
        10,
        (
            ("propose_exit", 10),
            ("exit_appraise", 8),
            ("exit_publish", 7),
            ("exit_close_notice", 2),
            ("exit_township_approve", 1),
        ),
        note="待县级审定",
    ),
    Track(
        S.ELIMINATED,
        40,
        (
            ("propose_exit", 40),
            ("exit_appraise", 38),
            ("exit_publish", 37),
            ("exit_close_notice", 32),
            ("exit_township_approve", 31),
            ("exit_county_approve", 30),
        ),
        note="风险已消除",
    ),
    Track(
        S.ELIMINATED,
        70,
        (
            ("propose_exit", 70),
            ("exit_appraise", 68),
            ("exit_publish", 67),
            ("exit_close_notice", 62),
            ("exit_township_approve", 61),
            ("exit_county_approve", 60),
        ),
        note="风险消除两个月后受灾，今天再次成为线索（返贫）",
    ),
]
RELAPSE = EXIT_STORY[-1]
EXIT_IDENTIFIED_BEFORE = 215  # days from the lead to the exit proposal (6 months are needed)
# what the grid workers' and cadres' visits found (干部走访/网格排查)
VISITS = [
    ("网格员走访发现家庭成员患病，医疗支出较大", "因病"),
    ("家中主要劳动力务工返乡，收入明显减少", "因务工就业不稳"),
    ("入户走访发现家庭成员因意外受伤，无法务工", "因意外事故"),
    ("村干部走访发现家中缺少劳动力，收入不稳定", "缺劳动力"),
]
DECISIONS = {  # what last month's village meeting decided, by the stage a case was in
    Stage.LEAD: "三日内完成入户核查",
    Stage.VERIFIED: "提交村级评议",
    Stage.APPRAISED: "评议通过，按时张榜公示",
    Stage.NOTICE: "公示期满无异议后报乡镇审核",
    Stage.TOWNSHIP: "跟进乡镇审核进度",
    Stage.COUNTY: "跟进县级审定进度",
    Stage.MONITORING: "落实帮扶措施，每月走访核查收入",
}


def demo_cases(*, village_code: str) -> dict[str, int]:
    """Take the demo village's households through STORY and EXIT_STORY; the stages' counts."""
    users = {
        u.username: u
        for u in User.objects.filter(username__in=["village", "township", "county", "helper"])
    }
    village = users["village"]
    today = demo_today()
    # today's monthly list: its first warning becomes today's lead
    warned = (
        RiskWarning.objects.filter(
            household__village_id=village_code, status=WarningStatus.NEW, watch=False
        )
        .exclude(household__in=Case.objects.filter(closed_at__isnull=True).values("household"))
        .order_by("household__household_no", "rule_id")
        .select_related("household")
    )
    warnings: list[RiskWarning] = []
    for w in warned:  # one a household
        if all(w.household_id != x.household_id for x in warnings):
            warnings.append(w)
    # the leads of earlier days were found by visits: households the run did not flag first
    pool = _free_households(village_code)
    taken: set[int] = set()
    for n, track in enumerate(STORY):
        warning: Any
        if track.lead == 0 and warnings:
            warning = warnings.pop(0)
            _lead_from_warning(village, warning, today)
            household = warning.household
        else:
            household = next((h for h in pool if h.pk not in taken), None)
            if household is None:
                break
            note, risk = VISITS[n % len(VISITS)]
            lead_open(
                household=household,
                channel=Channel.VISIT,
                by=village,
                note=note,
                risk_types=[risk],
                today=today - dt.timedelta(days=track.lead),
            )
            # the household the village appraisal turns down was found doing better than feared
            income = 9600 if track.target == S.NOT_IDENTIFIED else IDENTIFIED_INCOME
            warning = _FakeWarning(note, "VISIT", household, income)
        taken.add(household.pk)
        case = Case.objects.get(household=household, closed_at__isnull=True)
        _advance(case, track, warning, users, today)
    _plans(village_code, village, users["helper"], today)
    _exits(users, today, [h for h in pool if h.pk not in taken])
    _meeting(village_code, village, today)
    counts: dict[str, int] = {}
    for stage in Case.objects.filter(household__village_id=village_code).values_list(
        "stage", flat=True
    ):
        counts[stage] = counts.get(stage, 0) + 1
    return counts


def _free_households(village_code: str) -> list[Household]:
    """The village's households never in monitoring, those without a new warning first."""
    flagged = set(
        RiskWarning.objects.filter(
            household__village_id=village_code, status=WarningStatus.NEW
        ).values_list("household_id", flat=True)
    )
    free = Household.objects.filter(village_id=village_code, cases__isnull=True).order_by(
        "household_no"
    )
    return sorted(free, key=lambda h: h.pk in flagged)


def _lead_from_warning(user: User, warning: RiskWarning, day: dt.date) -> None:
    """`cases.services.warning_decide`, on the day the cadre took the warning up (that service
    records no other day yet): the warning marked a lead, its case opened that day."""
    with transaction.atomic():
        warning_set_status(
            user=user, warning=warning, status=WarningStatus.LEAD, reason="村两委研究，转入户核查"
        )
        lead_open(
            household=warning.household,
            channel=Channel.WARNING,
            by=user,
            note=f"{warning.rule_id} {warning.rule_title}：村两委研究，转入户核查",
            risk_types=warning.risk_types,
            warning=warning,
            today=day,
        )


def _step_data(action: str, warning: Any, day: dt.date, case: Case) -> dict[str, Any]:
    """What the step records: the verification's findings, the meeting, the decision."""
    if action == "verify":
        pc = (
            float(warning.evidence[0].get("value", 0))
            if warning.rule_id in ("R01", "R02", "VISIT")
            else IDENTIFIED_INCOME
        )
        return {
            "findings": f"入户核实：{warning.rule_title}，情况属实",
            "per_capita": pc,
            "food": True,
            "clothing": True,
            "education": True,
            "medical": True,
            "housing": True,
            "water": True,
            "also_serves": ["临时救助"] if pc < 7300 else [],
            # the same visit assesses social assistance: a low income is referred to 民政
            "social_need": ["低保"] if pc < 5000 else [],
            "social_figures": f"核实家庭年人均纯收入 {pc:.0f} 元，无大额存款和车辆"
            if pc < 5000
            else "",
            "visited_on": day,
        }
    if action in ("appraise", "appraise_reject", "exit_appraise"):
        return {"meeting_on": day, "attendees": "村两委、驻村工作队、村民代表"}
    if action == "county_approve":
        return {"category": proposed_category(case), "risk_types": case.risk_types}
    return {}


NOTES = {"appraise_reject": "核实后家庭收入稳定，不存在返贫致贫风险"}
ACTORS = {  # who takes each step (the role chain.ACTIONS asks for)
    "township_approve": "township",
    "exit_township_approve": "township",
    "county_approve": "county",
    "exit_county_approve": "county",
}


def _advance(
    case: Case,
    track: Track,
    warning: Any,  # a RiskWarning, or what _advance reads of one
    users: dict[str, User],
    today: dt.date,
) -> Case:
    """Take the case through the track's steps, each on its day."""
    for action, days_ago in track.steps:
        day = today - dt.timedelta(days=days_ago)
        case = case_act(
            user=users[ACTORS.get(action, "village")],
            case=case,
            action=action,
            note=NOTES.get(action, ""),
            data=_step_data(action, warning, day, case),
            today=day,
        )
    if track.objection is not None:
        objection_add(
            user=users["township"],
            case=case,
            text="群众反映该户有家庭成员在外务工收入未计入",
            today=today - dt.timedelta(days=track.objection),
        )
    return case


def _decided_on(case: Case) -> dt.date | None:
    step = case.steps.filter(action="county_approve").order_by("-at").first()
    return timezone.localdate(step.at) if step else None


def _plans(village_code: str, village: User, helper: User, today: dt.date) -> None:
    """Plans for the cases in monitoring, made the day after the county's decision (today for
    the onboarded caseload): the first two proposals each, carried by the demo's responsible
    person; of the first decided case with a plan, the first measure done ten days later."""
    cases = Case.objects.filter(household__village_id=village_code, stage=Stage.MONITORING)
    dated = sorted(((_decided_on(c), c) for c in cases), key=lambda dc: (dc[0] is None, dc[1].pk))
    done = False
    for decided, case in dated:
        planned = decided + dt.timedelta(days=1) if decided else today
        proposals = measures_propose(case=case)[:2]
        if not proposals:
            continue
        made = plan_confirm(
            user=village,
            case=case,
            items=[
                {
                    "kind": p.kind.code,
                    "responsible": helper.pk,
                    "target": "当年实现稳定增收" if p.kind.group == "development" else "应保尽保",
                    "deadline": planned + dt.timedelta(days=60 + 30 * i),
                    "reason": p.reason,
                }
                for i, p in enumerate(proposals)
            ],
            today=planned,
        )
        if not done and decided is not None:
            _done(made[0], helper, min(today, planned + dt.timedelta(days=10)))
            done = True


def _done(measure: Any, helper: User, day: dt.date) -> None:
    outcome = measure.kind.outcome
    measure_update(
        user=helper,
        measure=measure,
        status="done",
        amount="3000" if outcome in ("amount", "loan") else "",
        text="" if outcome in ("amount", "loan") else "已落实",
        today=day,
    )


ALL_SECURED = {"education": True, "medical": True, "housing": True, "water": True}
IDENTIFIED_INCOME = 6800  # per capita, the verification's (below the 7,300 range)
RECOVERED_INCOME = 9400  # per capita, what the evaluations and later readings find


def _exits(users: dict[str, User], today: dt.date, free: list[Household]) -> None:
    """Households identified about seven months before their exit was proposed, assisted,
    evaluated twice above the range and on their way out of monitoring (EXIT_STORY): one
    eliminated, and one back again after elimination (a relapse)."""
    village, helper = users["village"], users["helper"]
    for household, track in zip(free, EXIT_STORY, strict=False):
        proposed = track.lead  # days ago
        identification = Track(S.MONITORING, 40, _IDENTIFIED).shifted(
            proposed + EXIT_IDENTIFIED_BEFORE - 40
        )
        case, _ = lead_open(
            household=household,
            channel=Channel.VISIT,
            by=village,
            note="入户走访发现家庭成员患病住院",
            risk_types=["因病"],
            today=today - dt.timedelta(days=identification.lead),
        )
        fake = _FakeWarning("因病致贫风险", "R10")
        case = _advance(case, identification, fake, users, today)
        decided = today - dt.timedelta(days=identification.steps[-1][1])
        _recovered_readings(household, decided, today)
        planned = decided + dt.timedelta(days=1)
        proposals = measures_propose(case=case)[:1]
        if proposals:
            (measure,) = plan_confirm(
                user=village,
                case=case,
                items=[
                    {
                        "kind": proposals[0].kind.code,
                        "responsible": helper.pk,
                        "target": "稳定增收",
                        "deadline": planned + dt.timedelta(days=120),
                        "reason": proposals[0].reason,
                    }
                ],
                today=planned,
            )
            # done within its deadline, well before the two evaluations above the range
            _done(measure, helper, planned + dt.timedelta(days=100))
        for before, income in ((40, RECOVERED_INCOME), (2, RECOVERED_INCOME + 400)):
            evaluation_record(
                user=helper,
                case=case,
                per_capita=str(income),
                secured=ALL_SECURED,
                today=today - dt.timedelta(days=proposed + before),
            )
        _advance(case, track, fake, users, today)
        if track is RELAPSE:  # a new shock after elimination brings it back
            lead_open(
                household=household,
                channel=Channel.VISIT,
                by=village,
                note="房屋受灾，家庭财产损失较大",
                risk_types=["因灾"],
                today=today,
            )


def _recovered_readings(household: Household, decided: dt.date, today: dt.date) -> None:
    """The grid worker's readings since the decision tell the story: the verified income for
    the first three months, then the recovered one the evaluations find."""
    changed = []
    for reading in IncomeReading.objects.filter(household=household):
        end = reading_end(reading.period)
        if end < decided:
            continue
        per_year = 4 if reading.kind == ReadingKind.QUARTERLY else 12
        level = IDENTIFIED_INCOME if end < decided + dt.timedelta(days=90) else RECOVERED_INCOME
        net = reading.household_size * level / per_year
        reading.income = reading.production_costs + Decimal(f"{net:.2f}")
        changed.append(reading)
    IncomeReading.objects.bulk_update(changed, ["income"])


class _FakeWarning:
    """What _advance reads of a warning, for households found by a visit."""

    def __init__(
        self, title: str, rule_id: str, household: Household | None = None, income: int = 6800
    ) -> None:
        self.rule_title, self.rule_id, self.evidence = title, rule_id, [{"value": income}]
        self.household = household


def _meeting(village_code: str, village: User, today: dt.date) -> None:
    """Last month's village meeting (on the 25th), with decisions on the cases of the walk-
    through then open: what each needed next, by the stage it was in that day."""
    last = today.replace(day=1) - dt.timedelta(days=1)
    held = last.replace(day=min(25, last.day))
    decisions: dict[int, str] = {}
    for case in Case.objects.filter(household__village_id=village_code).exclude(
        channel=Channel.IMPORT
    ):
        stage = _stage_on(case, held)
        if stage in DECISIONS and len(decisions) < 3:
            decisions[case.pk] = DECISIONS[Stage(stage)]
    meeting_record(
        user=village,
        village=Region.objects.get(code=village_code),
        month=last.strftime("%Y-%m"),
        held_on=held,
        attendees="村两委、驻村第一书记、网格员、村民代表",
        minutes="逐户研究本月预警和线索，部署入户核查和帮扶措施落实。",
        decisions=decisions,
    )


def _stage_on(case: Case, day: dt.date) -> str | None:
    """The stage the case was in at the end of `day` (None: not yet opened, or closed)."""
    if timezone.localdate(case.opened_at) > day:
        return None
    last: Step | None = case.steps.filter(at__date__lte=day).order_by("-at", "-pk").first()
    if last is None:
        return str(Stage.LEAD)
    return None if last.to_stage in (Stage.NOT_IDENTIFIED, Stage.ELIMINATED) else last.to_stage
