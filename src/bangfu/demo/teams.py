"""The demo county's resident work teams (驻村工作队), through the same services as the pages:
官庄村's team sent by a provincial unit, on post these ten months, its first secretary 张书记
(the demo user "village") and two members, a log for most working days of each (the first
secretary's nine in ten, the county's technician's one in two: a steady pseudo-random pick)
with the households visited, every household of the village in turn, and the year's tasks, done
by their due dates, and the coming ones in each status; and a few weak villages (重点帮扶村) of
娄烦县, one without a first secretary (应派尽派)."""

from __future__ import annotations

import datetime as dt
import zlib

from bangfu.accounts.models import User
from bangfu.demo.services import DEMO_NEIGHBOUR
from bangfu.demo.services import today as demo_today
from bangfu.regions.models import Level, Region
from bangfu.registry.models import Household
from bangfu.supervision.models import MemberRole, TaskStatus, UnitLevel, WorkTeam
from bangfu.supervision.teams import (
    MemberIn,
    TeamIn,
    log_add,
    member_add,
    task_add,
    task_update,
    team_save,
    villages_lacking_first_secretary,
    weak_village_set,
)

LOGS = (
    "走访脱贫户和监测户，了解务工和收入情况",
    "召开村“两委”会议，研究集体经济项目",
    "协助申报产业奖补，核对种植面积",
    "入户核实监测预警信息",
    "开展党员主题党日活动",
)
DAYS_ON_POST = 300  # the team came ten months before the demo's day
# the members: name, role, post, the working days in ten each logs, households per visit
MEMBERS = (
    ("张书记", MemberRole.FIRST_SECRETARY, "山西省农业农村厅 四级调研员", 9, 2),
    ("李队长", MemberRole.LEADER, "山西省农业农村厅 科员", 8, 1),
    ("王队员", MemberRole.MEMBER, "娄烦县农业农村局 技术员", 5, 1),
)
# the task list (任务清单): title, due (days from the team's start), status; those done, done
# three days before their due date
TASKS = (
    ("春耕备耕：协调农资和农技服务", 55, TaskStatus.DONE),
    ("汛期前排查危房和地质灾害隐患", 130, TaskStatus.DONE),
    ("监测户“回头看”入户核查", 235, TaskStatus.DONE),
    ("党员冬训", DAYS_ON_POST - 10, TaskStatus.DONE),
    ("监测户帮扶措施逐户落实", DAYS_ON_POST + 14, TaskStatus.TODO),
    ("壮大村集体经济：谷子加工项目落地", DAYS_ON_POST + 30, TaskStatus.DOING),
    ("建强村“两委”班子，完成后备干部培养", DAYS_ON_POST + 60, TaskStatus.TODO),
)


def _logs_on(name: str, start: dt.date, day: dt.date, tenths: int) -> list[dt.date]:
    """The working days (Monday to Friday) from `start` to the day before `day` a member
    logged: `tenths` in ten, a steady pseudo-random pick."""
    days = (start + dt.timedelta(days=i) for i in range((day - start).days))
    return [
        d
        for d in days
        if d.weekday() < 5 and zlib.crc32(f"{name}:{d.isoformat()}".encode()) % 10 < tenths
    ]


def demo_teams(*, village_code: str) -> dict[str, int]:
    """The demo's teams; returns how many teams, logs, and weak villages lacking a first
    secretary."""
    day = demo_today()
    county = User.objects.get(username="county")
    cadre = User.objects.get(username="village")
    village = Region.objects.get(code=village_code)
    start = day - dt.timedelta(days=DAYS_ON_POST)
    team = team_save(
        user=county,
        data=TeamIn(
            village_code=village.code,
            sending_unit="山西省农业农村厅",
            unit_level=UnitLevel.PROVINCE,
            term_start=start,
        ),
    )
    members = [
        member_add(
            user=county,
            team=team,
            data=MemberIn(
                name=name,
                role=role,
                post=post,
                term_start=start,
                phone="0351-4012345" if role == MemberRole.FIRST_SECRETARY else "",
                username=cadre.username if role == MemberRole.FIRST_SECRETARY else "",
            ),
        )
        for name, role, post, _tenths, _visits in MEMBERS
    ]
    homes = list(
        Household.objects.filter(village_id=village.code)
        .order_by("household_no")
        .values_list("household_no", flat=True)
    )
    logs = visit = 0
    for member, (name, _role, _post, tenths, per_visit) in zip(members, MEMBERS, strict=True):
        for n, on in enumerate(_logs_on(name, start, day, tenths)):
            visited = []
            if homes and n % 2 == 0:  # households visited on every other log, each in turn
                visited = [homes[(visit + i) % len(homes)] for i in range(per_visit)]
                visit += per_visit
            log_add(
                user=cadre,
                team=team,
                member_id=member.pk,
                on=on,
                text=LOGS[(n + logs) % len(LOGS)],
                household_nos=visited,
                today=day,
            )
            logs += 1
    for title, due_in, status in TASKS:
        due = start + dt.timedelta(days=due_in)
        task = task_add(user=cadre, team=team, title=title, due=due)
        if status != TaskStatus.TODO:
            done = min(due - dt.timedelta(days=3), day)
            task_update(user=cadre, task=task, status=status, today=done)
    # weak villages: 官庄村 (its first secretary on post), the neighbour and two more without
    weak = [village.code, DEMO_NEIGHBOUR]
    others = Region.objects.filter(
        level=Level.VILLAGE, code__startswith=village.code[:6], parent__isnull=False
    ).exclude(code__in=weak)
    weak += [r.code for r in others.order_by("code")[:2]]
    for i, code in enumerate(weak):
        weak_village_set(
            user=county,
            village_code=code,
            weak=True,
            decided_on=start - dt.timedelta(days=30),
            document_no=f"娄组字〔{start.year}〕{12 + i}号",
            today=day,
        )
    neighbour = Region.objects.get(code=DEMO_NEIGHBOUR)
    # the neighbour's team: its first secretary left last month, nobody sent since
    other = team_save(
        user=county,
        data=TeamIn(
            village_code=neighbour.code,
            sending_unit="娄烦县住房和城乡建设局",
            unit_level=UnitLevel.COUNTY,
            term_start=start,
        ),
    )
    member_add(
        user=county,
        team=other,
        data=MemberIn(name="赵队员", role=MemberRole.MEMBER, term_start=start),
    )
    gone = member_add(
        user=county,
        team=other,
        data=MemberIn(
            name="刘书记",
            role=MemberRole.FIRST_SECRETARY,
            term_start=start,
            term_end=day - dt.timedelta(days=30),
        ),
    )
    assert gone.term_end is not None
    lacking = villages_lacking_first_secretary(user=county, today=day)
    return {"teams": WorkTeam.objects.count(), "logs": logs, "lacking": len(lacking)}
