"""The demo county's resident work teams (驻村工作队), through the same services as the pages:
官庄村's team sent by a provincial unit, its first secretary 张书记 (the demo user "village"),
two members, logs over the past weeks with the households visited, tasks in each status; and
a few weak villages (重点帮扶村) of 娄烦县, one without a first secretary (应派尽派)."""

from __future__ import annotations

import datetime as dt

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


def demo_teams(*, village_code: str) -> dict[str, int]:
    """The demo's teams; returns how many teams, logs, and weak villages lacking a first
    secretary."""
    day = demo_today()
    county = User.objects.get(username="county")
    cadre = User.objects.get(username="village")
    village = Region.objects.get(code=village_code)
    start = day - dt.timedelta(days=300)
    team = team_save(
        user=county,
        data=TeamIn(
            village_code=village.code,
            sending_unit="山西省农业农村厅",
            unit_level=UnitLevel.PROVINCE,
            term_start=start,
        ),
    )
    secretary = member_add(
        user=county,
        team=team,
        data=MemberIn(
            name="张书记",
            role=MemberRole.FIRST_SECRETARY,
            post="山西省农业农村厅 四级调研员",
            phone="0351-4012345",
            term_start=start,
            username=cadre.username,
        ),
    )
    members = [secretary] + [
        member_add(
            user=county,
            team=team,
            data=MemberIn(name=name, role=role, post=post, term_start=start),
        )
        for name, role, post in (
            ("李队长", MemberRole.LEADER, "山西省农业农村厅 科员"),
            ("王队员", MemberRole.MEMBER, "娄烦县农业农村局 技术员"),
        )
    ]
    homes = list(Household.objects.filter(village_id=village.code).order_by("household_no")[:6])
    logs = 0
    for week in range(6, 0, -1):
        for i, member in enumerate(members):
            on = day - dt.timedelta(days=week * 7 - i * 2)
            visited = [h.household_no for h in homes[(week + i) % 4 : (week + i) % 4 + 2]]
            log_add(
                user=cadre,
                team=team,
                member_id=member.pk,
                on=on,
                text=LOGS[(week + i) % len(LOGS)],
                household_nos=visited,
                today=day,
            )
            logs += 1
    tasks = [
        task_add(user=cadre, team=team, title=title, due=day + dt.timedelta(days=due))
        for title, due in (
            ("建强村“两委”班子，完成后备干部培养", 60),
            ("壮大村集体经济：谷子加工项目落地", 30),
            ("监测户帮扶措施逐户落实", 14),
            ("党员冬训", -10),
        )
    ]
    task_update(user=cadre, task=tasks[1], status=TaskStatus.DOING, today=day)
    task_update(user=cadre, task=tasks[3], status=TaskStatus.DONE, today=day)
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
