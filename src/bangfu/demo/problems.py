"""Problems of the ledger (问题台账) for the demo county, in every state, registered and worked
by the demo users through the same services as the pages, each step dated on the day it was
done: some overdue, one sent back, one reopened, some naming 官庄村's households."""

from __future__ import annotations

import datetime as dt
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from bangfu.accounts.models import User
from bangfu.demo.services import DEMO_NEIGHBOUR
from bangfu.demo.services import today as demo_today
from bangfu.regions.models import Region
from bangfu.registry.models import Household
from bangfu.supervision.models import Problem
from bangfu.supervision.services import (
    ProblemIn,
    problem_progress,
    problem_register,
    problem_reopen,
    problem_request_closeout,
    problem_send_back,
    problem_verify,
)


def _photo(name: str) -> SimpleUploadedFile:
    """A small photo standing for the one a cadre takes of the rectified site."""
    buf = io.BytesIO()
    Image.new("RGB", (64, 48), (120, 160, 90)).save(buf, "JPEG")
    return SimpleUploadedFile(name, buf.getvalue(), "image/jpeg")


def demo_problems(*, village_code: str) -> dict[str, int]:
    """The demo's ledger; returns how many problems are in each state."""
    day = demo_today()
    users = {u.username: u for u in User.objects.filter(username__in=_NAMES)}
    village = Region.objects.get(code=village_code)
    township = village.parent
    assert township is not None and township.parent is not None
    county = township.parent
    homes = list(Household.objects.filter(village_id=village_code).order_by("household_no")[:3])

    def ago(days: int) -> dt.date:
        return day - dt.timedelta(days=days)

    def register(
        by: str, region: Region, source: str, ref: str, category: str, text: str, **kw: object
    ) -> Problem:
        registered = int(str(kw.pop("registered", 60)))
        deadline = ago(int(str(kw.pop("deadline", -30))))
        nos = [h.household_no for h in homes[: int(str(kw.pop("households", 0)))]]
        data = ProblemIn(
            source=source,
            source_ref=ref,
            region_code=region.code,
            category=category,
            description=text,
            responsible_unit=str(kw.pop("unit", f"{region.name}")),
            responsible_person=str(kw.pop("person", "")),
            deadline=deadline,
            measures=str(kw.pop("measures", "")),
            household_nos=nos,
        )
        return problem_register(user=users[by], data=data, today=ago(registered))

    def closeout(problem: Problem, by: str, progress: int, request: int, result: str) -> None:
        problem_progress(
            user=users[by],
            problem=problem,
            text="已入户核实并落实整改",
            uploads=[_photo("整改现场.jpg")],
            today=ago(progress),
        )
        problem_request_closeout(user=users[by], problem=problem, result=result, today=ago(request))

    # 1. registered, overdue: an assessment's finding nobody has started on
    register(
        "auditor",
        village,
        "national",
        "GK-2026-03",
        "identification",
        "2户农户收入骤减未及时纳入监测",
        registered=70,
        deadline=20,
        households=2,
        unit="官庄村村委会",
        person="张书记",
        measures="逐户入户核查，符合条件的按程序纳入监测",
    )
    # 2. rectifying, overdue: the township's own problem, found by the audit
    audit = register(
        "auditor",
        township,
        "audit",
        "SJ-2026-11",
        "funds",
        "衔接资金项目资产登记不全",
        registered=50,
        deadline=5,
        unit=f"{township.name}人民政府",
        person="李干事",
        measures="补登项目资产台账，明确管护责任",
    )
    problem_progress(
        user=users["township"], problem=audit, text="已补登12个项目资产", today=ago(20)
    )
    # 3. close-out requested: waiting for the township's verification today
    pending = register(
        "township",
        village,
        "unannounced",
        "AF-2026-07",
        "assistance",
        "帮扶手册填写不规范，部分帮扶措施未落实",
        registered=40,
        deadline=-20,
        households=1,
        unit="官庄村村委会",
        person="张书记",
        measures="逐户核对帮扶手册，落实帮扶措施",
    )
    closeout(pending, "village", 25, 3, "已逐户核对帮扶手册并补齐措施记录")
    # 4. closed on time: verified by the township
    done = register(
        "county",
        village,
        "cross",
        "JC-2026-02",
        "groundwork",
        "村级监测台账更新不及时",
        registered=100,
        deadline=60,
        unit="官庄村村委会",
        measures="建立月度更新制度",
    )
    closeout(done, "village", 80, 70, "已建立月度更新制度并更新台账")
    problem_verify(user=users["township"], problem=done, note="现场查阅台账属实", today=ago(65))
    # 5. reopened: closed, then found again (发现一例、解决一例)
    again = register(
        "auditor",
        village,
        "inspection",
        "XC-2026-01",
        "elimination",
        "风险消除后未持续跟踪，1户返贫风险再现",
        registered=130,
        deadline=90,
        households=1,
        unit="官庄村村委会",
        person="张书记",
        measures="对风险消除户持续跟踪回访",
    )
    closeout(again, "village", 110, 100, "已回访并落实跟踪措施")
    problem_verify(user=users["township"], problem=again, note="验收通过", today=ago(95))
    problem_reopen(
        user=users["auditor"], problem=again, reason="回访抽查发现跟踪记录缺失", today=ago(15)
    )
    # 6. sent back with the reason: rectifying again
    back = register(
        "county",
        village,
        "department",
        "YB-2026-05",
        "assistance",
        "医保参保信息与农户信息不一致",
        registered=45,
        deadline=-10,
        households=1,
        unit="官庄村村委会",
    )
    closeout(back, "village", 30, 12, "已更正")
    problem_send_back(
        user=users["township"],
        problem=back,
        reason="佐证材料不能说明已更正，请补充参保截图",
        today=ago(8),
    )
    # 7. the neighbour village's problem from the 12317 hotline, and the county's own
    neighbour = Region.objects.get(code=DEMO_NEIGHBOUR)
    register(
        "county",
        neighbour,
        "public",
        "12317-0934",
        "conduct",
        "群众反映帮扶干部走访不到位",
        registered=10,
        deadline=-20,
        unit=f"{neighbour.name}村委会",
    )
    register(
        "county",
        county,
        "self_check",
        "ZC-2026-01",
        "groundwork",
        "部门数据比对不够及时",
        registered=30,
        deadline=-45,
        unit="县农业农村局",
        measures="每月比对一次行业部门数据",
    )
    counts: dict[str, int] = {}
    for status in Problem.objects.filter(region__code__startswith=county.prefix).values_list(
        "status", flat=True
    ):
        counts[status] = counts.get(status, 0) + 1
    return counts


_NAMES = ("county", "township", "village", "auditor")
