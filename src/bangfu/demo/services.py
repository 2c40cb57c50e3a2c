"""Building the demo county: regions, grids, households, income history, one user per role."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from bangfu.accounts.access import code_q, region_q
from bangfu.accounts.models import Department, Role, User
from bangfu.accounts.services import user_create
from bangfu.assistance.onboarding import COLUMNS as ONBOARD_COLUMNS
from bangfu.assistance.onboarding import OnboardReport, monitoring_import
from bangfu.core.tabular.sheets import Table
from bangfu.demo.contacts import DEMO_WORK_PHONES, demo_contacts
from bangfu.demo.feeds import demo_feeds_load
from bangfu.demo.generator import DemoHousehold, Generator, load_calibration
from bangfu.feeds.importer import FeedReport
from bangfu.regions.models import Level, Region
from bangfu.regions.services import grid_ensure, regions_load
from bangfu.registry.columns import COLUMNS
from bangfu.registry.importer import ImportReport, households_import
from bangfu.registry.models import Household, IncomeReading, IncomeRecord, ReadingKind

DEMO_COUNTY = "140123"  # 山西省太原市娄烦县, the county of seed 002
DEMO_VILLAGE = "140123100206"  # 娄烦镇官庄村
DEMO_NEIGHBOUR = "140123100207"
DEMO_PASSWORD = "bangfu-demo-2026"  # noqa: S105 (printed for the demo users)
HOUSEHOLDS_PER_GRID = 40


@dataclass
class DemoResult:
    report: ImportReport
    households: list[DemoHousehold] = field(default_factory=list)
    logins: list[tuple[str, str, str]] = field(default_factory=list)  # username, role, region
    feeds: dict[str, FeedReport] = field(default_factory=dict)
    onboarded: OnboardReport | None = None


def demo_build(*, households: int, seed: int, county_code: str = DEMO_COUNTY) -> DemoResult:
    regions_load(code=county_code)
    county = Region.objects.get(code=county_code.ljust(12, "0"))
    villages = list(
        Region.objects.filter(region_q("code", county), level=Level.VILLAGE).select_related(
            "parent"
        )
    )
    day = today()
    gen = Generator(county=county, seed=seed, calibration=load_calibration(), today=day)
    rng = gen.rng
    weights = [rng.uniform(0.5, 1.5) for _ in villages]
    counts = _apportion(households, weights)
    quintiles = [i % 5 for i in range(sum(counts))]
    rng.shuffle(quintiles)
    made: list[DemoHousehold] = []
    for village, n in zip(villages, counts, strict=True):
        if n == 0:
            continue
        grids = max(2, -(-n // HOUSEHOLDS_PER_GRID))
        grid_ensure(village=village, count=grids)
        for serial in range(1, n + 1):
            made.append(
                gen.household(
                    village=village,
                    grid=1 + (serial - 1) % grids,
                    serial=serial,
                    quintile=quintiles[len(made)],
                )
            )
    table = Table(
        headers=[c.header for c in COLUMNS],
        rows=[row for h in made for row in h.rows],
        encoding="demo",
    )
    report = households_import(table=table, actor=None, scope_prefix="", today=gen.today)
    if not report.written:
        raise RuntimeError("demo data failed validation: " + "; ".join(map(str, report.errors[:5])))
    with transaction.atomic():
        _history(made, gen.year, day)
        logins = _users(county)
        demo_contacts(county)
    onboarded = demo_onboard(made)
    if not onboarded.written:
        raise RuntimeError(
            "demo caseload failed validation: " + "; ".join(map(str, onboarded.errors[:5]))
        )
    feeds = demo_feeds_load(made, today=day, seed=seed)
    return DemoResult(
        report=report, households=made, logins=logins, feeds=feeds, onboarded=onboarded
    )


# the measure the demo's responsible person carries for a risk type (catalogue codes)
MEASURE_FOR_RISK = {
    "因病": "medical_aid",
    "因残": "disability_aid",
    "缺劳动力": "public_post",
    "因学": "yulu",
    "因务工就业不稳": "migrant_work",
    "住房安全": "housing_renovation",
    "因灾": "temporary_relief",
    "因意外事故": "temporary_relief",
    "收入骤减或支出骤增": "industry",
}


def demo_onboard(made: list[DemoHousehold]) -> OnboardReport:
    """The county's existing caseload, through the same import as the national system's list
    (存量监测对象): the demo village's cases carry the demo responsible person's measures."""
    headers = [c.header for c in ONBOARD_COLUMNS]
    rows = []
    for h in made:
        ours = h.household_no.startswith(DEMO_VILLAGE)
        for category, risks, identified, eliminated in h.cases:
            codes = [MEASURE_FOR_RISK[r] for r in risks.split("、") if r in MEASURE_FOR_RISK]
            rows.append(
                [
                    h.household_no,
                    category,
                    risks,
                    identified.isoformat(),
                    eliminated.isoformat() if eliminated else "",
                    "helper" if ours and codes else "",
                    "、".join(dict.fromkeys(codes)) if ours else "",
                ]
            )
    county = User.objects.get(username="county")
    table = Table(headers=headers, rows=rows, encoding="demo")
    return monitoring_import(table=table, user=county, file_name="存量监测对象（演示）.xlsx")


def _apportion(total: int, weights: list[float]) -> list[int]:
    """Split `total` in proportion to `weights`, exactly (largest remainders)."""
    share = sum(weights)
    raw = [total * w / share for w in weights]
    counts = [int(x) for x in raw]
    by_remainder = sorted(range(len(raw)), key=lambda i: raw[i] - counts[i], reverse=True)
    for i in by_remainder[: total - sum(counts)]:
        counts[i] += 1
    return counts


def _history(made: list[DemoHousehold], base_year: int, day: dt.date) -> None:
    """Earlier years' incomes (up to `base_year`, the latest) and the grid workers' readings:
    every household's of the last four quarters before `day`, and for households in
    monitoring the monthly ones of the last three months too (监测对象 are visited monthly)."""
    ids = dict(
        Household.objects.filter(household_no__in=[h.household_no for h in made]).values_list(
            "household_no", "id"
        )
    )
    base = {
        r.household_id: r
        for r in IncomeRecord.objects.filter(year=base_year, household_id__in=ids.values())
    }
    records, readings = [], []
    for h in made:
        pk = ids[h.household_no]
        ref = base[pk]
        for year, pc in h.history.items():
            if year == base_year:
                continue
            scale = Decimal(str(pc / h.per_capita))
            records.append(
                IncomeRecord(
                    household_id=pk,
                    year=year,
                    household_size=h.size,
                    wage=(ref.wage * scale).quantize(Decimal("0.01")),
                    business=(ref.business * scale).quantize(Decimal("0.01")),
                    property_income=(ref.property_income * scale).quantize(Decimal("0.01")),
                    transfer=(ref.transfer * scale).quantize(Decimal("0.01")),
                    policy_income=(ref.policy_income * scale).quantize(Decimal("0.01")),
                    production_costs=(ref.production_costs * scale).quantize(Decimal("0.01")),
                    medical_out_of_pocket=ref.medical_out_of_pocket,
                    schooling_costs=ref.schooling_costs,
                )
            )
        net = ref.total_income - ref.production_costs
        series = [(ReadingKind.QUARTERLY, _quarters(day), 4, Decimal("0.03"), "网格员季度核查")]
        if h.risks:
            monthly = (ReadingKind.MONTHLY, _months(day), 12, Decimal("0.01"), "网格员月度走访")
            series.append(monthly)
        for kind, periods, parts, step, note in series:
            for i, period in enumerate(periods):
                readings.append(
                    IncomeReading(
                        household_id=pk,
                        kind=kind,
                        period=period,
                        household_size=h.size,
                        income=(ref.total_income / parts * (1 + step * i)).quantize(
                            Decimal("0.01")
                        ),
                        production_costs=(ref.production_costs / parts).quantize(Decimal("0.01")),
                        note=note if net else "",
                    )
                )
    IncomeRecord.objects.bulk_create(records, batch_size=2000, ignore_conflicts=True)
    IncomeReading.objects.bulk_create(readings, batch_size=2000, ignore_conflicts=True)


def _quarters(day: dt.date, n: int = 4) -> list[str]:
    """The last `n` quarters ended before `day`, oldest first (2026-Q3 on 2026-12-01)."""
    index = day.year * 4 + (day.month - 1) // 3 - 1  # the last whole quarter, counted from 0
    return [f"{i // 4}-Q{i % 4 + 1}" for i in range(index - n + 1, index + 1)]


def _months(day: dt.date, n: int = 3) -> list[str]:
    """The last `n` months before `day`'s, oldest first (2026-11 last on 2026-12-01)."""
    index = day.year * 12 + day.month - 2  # last month, counted from 0
    return [f"{i // 12}-{i % 12 + 1:02d}" for i in range(index - n + 1, index + 1)]


def _users(county: Region) -> list[tuple[str, str, str]]:
    village = Region.objects.get(code=DEMO_VILLAGE)
    neighbour = Region.objects.get(code=DEMO_NEIGHBOUR)
    township = village.parent
    assert township is not None
    grid = grid_ensure(village=village, count=1)[0]
    plan = [
        ("county", Role.COUNTY_OFFICER, county, None, "县农业农村局（乡村振兴） 王主任"),
        ("township", Role.TOWNSHIP_CADRE, township, None, "娄烦镇 李干事"),
        ("village", Role.VILLAGE_CADRE, village, None, "官庄村 第一书记 张书记"),
        ("village2", Role.VILLAGE_CADRE, neighbour, None, f"{neighbour.name} 村干部 赵主任"),
        ("grid", Role.GRID_WORKER, village, grid, "官庄村 网格员 刘网格"),
        ("helper", Role.RESPONSIBLE_PERSON, village, None, "帮扶责任人 陈同志"),
        ("dept", Role.DEPARTMENT_OFFICER, county, None, "县医保局 数据员"),
        ("civil", Role.DEPARTMENT_OFFICER, county, None, "县民政局 社会救助股 周股长"),
        ("auditor", Role.AUDITOR, county, None, "县审计局 孙审计"),
    ]
    departments = {"dept": Department.MEDICAL, "civil": Department.CIVIL}
    logins = []
    for username, role, region, g, name in plan:
        if not User.objects.filter(username=username).exists():
            user_create(
                username=username,
                password=DEMO_PASSWORD,
                role=role,
                region=region,
                grid=g,
                department=departments.get(username, ""),
                display_name=name,
                work_phone=DEMO_WORK_PHONES.get(username, ""),
            )
        logins.append((username, str(role.label), region.name))
    return logins


def demo_exists(county_code: str = DEMO_COUNTY) -> bool:
    return Household.objects.filter(code_q("village__code", county_code)).exists()


def today() -> dt.date:
    """The demo's day: the local date the services count deadlines from."""
    return timezone.localdate()
