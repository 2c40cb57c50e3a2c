"""A synthetic registry for the real villages of a county, calibrated to official statistics
(see docs/calibration.md and calibration.toml beside this file).

Households go into the database through the same import as a county's own spreadsheets; only
the income history of earlier years and the grid workers' readings are written directly.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
import random
import tomllib
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from faker import Faker

from bangfu.core.idcard import make_id_number
from bangfu.regions.models import Level, Region
from bangfu.registry.columns import COLUMNS

CALIBRATION_FILE = Path(__file__).with_name("calibration.toml")


@dataclass(frozen=True)
class Calibration:
    year: int
    quintile_means: list[float]
    composition: dict[str, float]
    mean_size: float
    formerly_poor_share: float
    age_shares: tuple[float, float, float]  # 0-14, 15-59, 60+
    monitoring_line: float


def load_calibration(path: Path = CALIBRATION_FILE) -> Calibration:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    pop = data["population"]
    return Calibration(
        year=int(data["source"]["year"]),
        quintile_means=[float(x) for x in data["income"]["quintile_means"]],
        composition={k: float(v) for k, v in data["income"]["composition"].items()},
        mean_size=float(data["household"]["mean_size"]),
        formerly_poor_share=float(pop["formerly_poor_share"]),
        age_shares=(
            float(pop["share_0_14"]),
            float(pop["share_15_59"]),
            float(pop["share_60_plus"]),
        ),
        monitoring_line=float(data["monitoring"]["line"]),
    )


def quintile_segments(means: list[float], floor: float = 500.0) -> list[tuple[float, float]]:
    """Disjoint intervals, one per quintile, each centred on that quintile's mean, so that a
    uniform draw in each reproduces the official quintile means when households are ranked."""
    cuts = [(a + b) / 2 for a, b in itertools.pairwise(means)]
    segments = []
    for q, m in enumerate(means):
        lower = cuts[q - 1] if q > 0 else floor
        upper = cuts[q] if q < len(cuts) else m + (m - cuts[-1])
        half = min(m - lower, upper - m)
        segments.append((m - half, m + half))
    return segments


def _money(x: float) -> Decimal:
    return Decimal(f"{max(x, 0.0):.2f}")


# risk types of the monitoring objects the demo onboards (assumption, docs/calibration.md §8)
INCOME_RISKS = {
    "因病": 30,
    "因残": 18,
    "缺劳动力": 20,
    "因学": 10,
    "因务工就业不稳": 12,
    "住房安全": 4,
}
SUDDEN_RISKS = {"因病": 40, "因残": 12, "因灾": 18, "因意外事故": 12, "收入骤减或支出骤增": 18}
# households below the range that no one has found yet: what the first monthly run finds
NEW_LOW_INCOME = 0.02
# of households whose income collapsed in the latest year, the share already identified
FOUND_AFTER_SHOCK = 0.6


def _p_shock(members: list[dict[str, Any]]) -> float:
    """How likely a year brings a shock (income down to 40-70 %), by the household's members."""
    n = len(members)
    serious = any(m["health"] == "患有大病" for m in members)
    chronic = any(m["health"] == "长期慢性病" for m in members)
    disabled = any(m["health"] == "残疾" for m in members)
    migrant = sum(m["work_place"] in ("县外省内", "省外") for m in members) / n
    return 0.02 + 0.08 * serious + 0.04 * disabled + 0.03 * chronic + 0.04 * migrant


@dataclass
class Story:
    """A household's monitoring history: its rows of the monitoring file (category, risk
    types, 纳入监测日期, 风险消除日期), and the risks and category of its open case."""

    rows: list[tuple[str, str, dt.date, dt.date | None]] = field(default_factory=list)
    risks: list[str] = field(default_factory=list)  # empty: no open case
    category: str = ""


@dataclass
class DemoHousehold:
    rows: list[list[Any]]  # spreadsheet rows, one per member
    household_no: str
    per_capita: float  # the registry's per-capita net income
    size: int
    history: dict[int, float]  # year -> per-capita net income
    survey_per_capita: float = 0.0  # the survey's (NBS-calibrated) income it was drawn from
    formerly_poor: bool = False
    assistance: str = "无"
    cases: list[tuple[str, str, dt.date, dt.date | None]] = field(default_factory=list)
    risks: list[str] = field(default_factory=list)  # the open case's; empty if none
    category: str = ""
    # the severe shocks the department feeds record (kind, date): a run must catch each
    shocks: list[tuple[str, str]] = field(default_factory=list)


class Generator:
    """Households for a county as of `today` (the demo's day; by default the middle of the year
    after the calibration's): ages, the caseload's dates and the latest income year (the year
    before `today`'s) are counted from it. The calibrated income figures stand for that latest
    year (docs/calibration.md, "The demo's dates")."""

    def __init__(
        self,
        *,
        county: Region,
        seed: int,
        calibration: Calibration,
        today: dt.date | None = None,
    ) -> None:
        if county.level != Level.COUNTY:
            raise ValueError("demo needs a county")
        self.county = county
        self.cal = calibration
        self.seed = seed
        self.rng = random.Random(seed)
        self.fake = Faker("zh_CN")
        self.fake.seed_instance(seed)
        self.used_ids: set[str] = set()
        self.index = {c.key: i for i, c in enumerate(COLUMNS)}
        self.today = today or dt.date(calibration.year + 1, 6, 30)
        self.year = self.today.year - 1  # the latest year of income on record

    # people -----------------------------------------------------------------------------
    def _id(self, birth: dt.date, sex: str) -> str:
        while True:
            number = make_id_number(self.county.code[:6], birth, self.rng.randrange(500), sex)
            if number not in self.used_ids:
                self.used_ids.add(number)
                return number

    def _birth(self, age: int) -> dt.date:
        start = dt.date(self.today.year - age - 1, self.today.month, self.today.day)
        return start + dt.timedelta(days=self.rng.randrange(1, 365))

    def _household_ages(self, size: int) -> list[tuple[str, int, str]]:
        """(relation label, age, sex) for each member, the head first."""
        rng = self.rng
        old = rng.random() < self.cal.age_shares[2] * 1.2
        head_age = rng.randint(60, 85) if old else rng.randint(28, 59)
        head_sex = "M" if rng.random() < 0.85 else "F"
        people = [("户主", head_age, head_sex)]
        if size >= 2:
            if rng.random() < 0.85:
                people.append(
                    (
                        "配偶",
                        max(20, head_age + rng.randint(-5, 3)),
                        "F" if head_sex == "M" else "M",
                    )
                )
            else:
                people.append(("之父母", min(95, head_age + rng.randint(22, 30)), rng.choice("MF")))
        while len(people) < size:
            kind = rng.random()
            if head_age >= 55 and kind < 0.5:
                child_age = head_age - rng.randint(24, 32)
                grand = max(0, child_age - rng.randint(22, 30))
                people.append(("之孙子女", min(grand, 17), rng.choice("MF")))
            elif head_age < 50 and kind < 0.2:
                people.append(("之父母", min(95, head_age + rng.randint(22, 32)), rng.choice("MF")))
            else:
                age = max(0, head_age - rng.randint(22, 36))
                sex = rng.choice("MF")
                people.append(("之子" if sex == "M" else "之女", age, sex))
        return people

    def _member(self, surname: str, relation: str, age: int, sex: str) -> dict[str, Any]:
        rng = self.rng
        given = self.fake.first_name_male() if sex == "M" else self.fake.first_name_female()
        name = (
            surname if relation in ("户主", "之子", "之女", "之孙子女") else self.fake.last_name()
        ) + given
        birth = self._birth(age)
        health = "健康"
        grade = ""
        r = rng.random()
        if r < 0.03 + 0.002 * max(0, age - 40):
            health = "长期慢性病"
        elif r < 0.05 + 0.002 * max(0, age - 40):
            health = "残疾"
            grade = str(rng.choice([1, 2, 3, 3, 4, 4]))
        elif r < 0.065 + 0.002 * max(0, age - 40):
            health = "患有大病"
        if age < 16 or age >= 75:
            labour = "无劳动力"
        elif health == "残疾" and grade in ("1", "2"):
            labour = "丧失劳动力"
        elif health != "健康" or age >= 60:
            labour = "弱劳动力或半劳动力"
        else:
            labour = "技能劳动力" if rng.random() < 0.15 else "普通劳动力"
        schooling = "不在校"
        if 3 <= age <= 5:
            schooling = "学前教育"
        elif 6 <= age <= 15:
            schooling = "辍学" if rng.random() < 0.004 else "义务教育"
        elif 16 <= age <= 18 and rng.random() < 0.85:
            schooling = rng.choice(["普通高中", "普通高中", "中职"])
        elif 19 <= age <= 22 and rng.random() < 0.45:
            schooling = "大学"
        work_place, months = "未务工", 0
        if labour in ("普通劳动力", "技能劳动力") and schooling == "不在校" and rng.random() < 0.5:
            work_place = rng.choice(["县内", "县内", "县外省内", "县外省内", "省外"])
            months = rng.randint(4, 12)
        return {
            "name": name,
            "id_number": self._id(birth, sex),
            "sex": "男" if sex == "M" else "女",
            "birth_date": birth.isoformat(),
            "relation": relation,
            "health": health,
            "disability_grade": grade,
            "labour": labour,
            "schooling": schooling,
            "work_place": work_place,
            "work_months": str(months),
            "medical_insured": "是" if rng.random() < 0.985 else "否",
            "pension_insured": "是"
            if age >= 16 and schooling == "不在校" and rng.random() < 0.75
            else "否",
            "member_phone": f"1{rng.choice('3578')}{rng.randrange(10**9):09d}"
            if 18 <= age < 70 and rng.random() < 0.3
            else "",
        }

    # income -----------------------------------------------------------------------------
    def _income(
        self, per_capita: float, size: int, *, assistance: str = "无", formerly_poor: bool = False
    ) -> dict[str, Decimal]:
        rng = self.rng
        comp = self.cal.composition
        weights = {k: rng.gammavariate(max(comp[k] * 20, 0.05), 1.0) for k in comp}
        total_w = sum(weights.values())
        net = per_capita * size
        parts = {k: net * w / total_w for k, w in weights.items()}
        cost_ratio = rng.uniform(0.3, 0.8)
        business_net = parts["business"]
        gross = business_net * (1 + cost_ratio)
        values = {
            "wage": _money(parts["wage"]),
            "business": _money(gross),
            "property_income": _money(parts["property"]),
            "transfer": _money(parts["transfer"]),
        }
        total = sum(values.values(), Decimal(0))
        # production costs make the net exactly per_capita * size (to the cent)
        values["production_costs"] = max(total - _money(net), Decimal(0))
        values["medical_out_of_pocket"] = _money(rng.expovariate(1 / 1500))
        values["schooling_costs"] = Decimal(0)
        # 政策性收入, part of the transfers and wages above: 低保金 or 特困供养金 are most of a
        # household's transfers; a formerly poor household gets some (pension subsidies, other
        # subsidies), and a few near the line a 公益性岗位 wage. Its own random stream (as
        # _history's), so that the rest of the demo is the same whatever it draws.
        prng = random.Random(f"{self.seed}:policy:{per_capita!r}:{size}")
        policy = 0.0
        if assistance in ("低保", "特困供养"):
            policy = float(values["transfer"]) * prng.uniform(0.6, 0.9)
        elif formerly_poor:
            policy = float(values["transfer"]) * prng.uniform(0.1, 0.4)
        if formerly_poor and per_capita < self.cal.monitoring_line * 1.5 and prng.random() < 0.06:
            policy += min(float(values["wage"]), prng.uniform(6000, 9600))  # 500-800 a month
        values["policy_income"] = min(_money(policy), total)
        return values

    def household(self, *, village: Region, grid: int, serial: int, quintile: int) -> DemoHousehold:
        rng = self.rng
        size = min(8, 1 + self._poisson(self.cal.mean_size - 1))
        lo, hi = quintile_segments(self.cal.quintile_means)[quintile]
        survey = rng.uniform(lo, hi)  # the survey's income (NBS quintiles)
        household_no = f"{village.code}{serial:04d}"
        surname = self.fake.last_name()
        members = [
            self._member(surname, rel, age, sex) for rel, age, sex in self._household_ages(size)
        ]
        formerly_poor = rng.random() < self.cal.formerly_poor_share * (1.6 if quintile < 2 else 0.6)
        line = self.cal.monitoring_line
        low = survey < line * 1.5
        assistance = "无"
        if low and rng.random() < 0.35:
            assistance = "特困供养" if size == 1 and rng.random() < 0.3 else "低保"
        # a collapse of income in the latest year (the history's first step back, below): the
        # national system's monthly screenings since found most such households
        recent = random.Random(f"{self.seed}:{household_no}:recent")
        recent_shock = recent.random() < _p_shock(members)
        story = self._story(household_no, members, formerly_poor, survey, recent_shock)
        per_capita = self._registry_income(household_no, survey, story, assistance)
        if story.risks and "因病" in story.risks:
            # the illness the case was identified for is in the registry
            healthy = [m for m in members if m["health"] == "健康"]
            if healthy and not any(m["health"] in ("患有大病", "长期慢性病") for m in members):
                rng.choice(healthy)["health"] = rng.choice(["患有大病", "长期慢性病"])
        if (
            story.risks
            and "因残" in story.risks
            and not any(m["health"] == "残疾" for m in members)
        ):
            healthy = [m for m in members if m["health"] == "健康"]
            if healthy:
                disabled = rng.choice(healthy)
                disabled["health"] = "残疾"
                disabled["disability_grade"] = str(rng.choice([1, 2, 3]))
        if not story.risks:
            # outside monitoring every member is insured (参保率 >99 %, docs/calibration.md)
            for m in members:
                m["medical_insured"] = "是" if rng.random() > 0.0005 else "否"
        income = self._income(per_capita, size, assistance=assistance, formerly_poor=formerly_poor)
        if any(m["schooling"] in ("普通高中", "中职", "大学") for m in members):
            income["schooling_costs"] = _money(rng.uniform(2000, 9000))
        if story.risks and "因病" in story.risks and story.category == "突发严重困难户":
            # 突发严重困难: above the range, but large rigid medical expenses
            income["medical_out_of_pocket"] = _money(rng.uniform(15000, 60000))
        has_pupil = any(m["schooling"] in ("义务教育", "辍学") for m in members)
        unsafe = set(story.risks) if story.risks else set()
        rare = 0.0002  # a condition not yet known to anyone: the first run finds it
        township = village.parent.name if village.parent else ""
        base = {
            "household_no": household_no,
            "village": village.code,
            "grid": str(grid),
            "address": f"{township}{village.name}{rng.randint(1, 300)}号",
            "phone": f"1{rng.choice('3578')}{rng.randrange(10**9):09d}",
            "formerly_poor": "是" if formerly_poor else "否",
            "assistance": assistance,
            "temporary_relief": "是" if low and rng.random() < 0.05 else "否",
            "education_secured": (
                "未保障" if any(m["schooling"] == "辍学" for m in members) else "已保障"
            )
            if has_pupil
            else "不涉及",
            "medical_secured": "已保障"
            if all(m["medical_insured"] == "是" for m in members)
            else "未保障",
            "housing_secured": "未保障"
            if "住房安全" in unsafe or rng.random() < rare
            else "已保障",
            "water_secured": "未保障" if "饮水安全" in unsafe or rng.random() < rare else "已保障",
            "year": str(self.year),
            **{k: str(v) for k, v in income.items()},
        }
        rows = []
        for m in members:
            values = base | m
            rows.append([values.get(c.key, "") for c in COLUMNS])
        history = self._history(household_no, per_capita, members, income, recent_shock)
        return DemoHousehold(
            rows,
            household_no,
            per_capita,
            size,
            history,
            survey_per_capita=survey,
            formerly_poor=formerly_poor,
            assistance=assistance,
            cases=story.rows,
            risks=story.risks,
            category=story.category,
        )

    # the existing caseload (存量监测对象) -----------------------------------------------------
    def _story(
        self,
        household_no: str,
        members: list[dict[str, Any]],
        formerly_poor: bool,
        survey: float,
        recent_shock: bool = False,
    ) -> Story:
        """Whether the household is (or was) a monitoring object, drawn so that the county's
        caseload has the shares of 保山市's 2021 bulletin (docs/calibration.md, section 8): about
        5 % of households ever identified, half of them with the risk eliminated, the three
        categories about 31 / 30 / 40 %, and a few back after elimination (返贫)."""
        rng = random.Random(f"{self.seed}:story:{household_no}")
        line = self.cal.monitoring_line
        health = any(m["health"] != "健康" for m in members)
        if survey < line:
            p = 0.28 if formerly_poor else 0.22
            category = "脱贫不稳定户" if formerly_poor else "边缘易致贫户"
        else:
            p = 0.035 if health else 0.01
            category = "突发严重困难户"
        today = self.today
        if recent_shock and survey < 2 * line and rng.random() < FOUND_AFTER_SHOCK:
            # identified this year for the collapse (收入骤减), still in monitoring
            risk = "收入骤减或支出骤增"
            found = today - dt.timedelta(days=rng.randrange(60, 330))
            sudden = "突发严重困难户"  # an income collapse, formerly poor or not
            return Story(rows=[(sudden, risk, found, None)], risks=[risk], category=sudden)
        if rng.random() >= p:
            return Story()
        pool = SUDDEN_RISKS if category == "突发严重困难户" else INCOME_RISKS
        risks = [rng.choices(list(pool), weights=list(pool.values()))[0]]
        if rng.random() < 0.25:
            extra = rng.choices(list(pool), weights=list(pool.values()))[0]
            risks = list(dict.fromkeys([*risks, extra]))
        first = dt.date(2021, 6, 1)
        span = (today - first).days - 60
        identified = first + dt.timedelta(days=rng.randrange(span))
        rows: list[tuple[str, str, dt.date, dt.date | None]] = []
        eliminated: dt.date | None = None
        if rng.random() < 0.65 and (today - identified).days > 300:
            stay = rng.randrange(182, max(183, (today - identified).days - 30))
            eliminated = identified + dt.timedelta(days=stay)
        rows.append((category, "、".join(risks), identified, eliminated))
        if eliminated is not None and rng.random() < 0.06 and (today - eliminated).days > 120:
            again = eliminated + dt.timedelta(
                days=rng.randrange(60, (today - eliminated).days - 30)
            )
            rows.append(("突发严重困难户", "因病", again, None))  # back after elimination
            risks, category = ["因病"], "突发严重困难户"
        still_open = rows[-1][3] is None
        return Story(rows=rows, risks=risks if still_open else [], category=category)

    def _registry_income(
        self, household_no: str, survey: float, story: Story, assistance: str
    ) -> float:
        """The registry's per-capita net income (docs/calibration.md, section 8): below the range
        only for monitoring objects identified for low income, households under 兜底, and a few
        the first monthly run is to find; otherwise above it, as the national system's monthly
        screening leaves it."""
        rng = random.Random(f"{self.seed}:registry:{household_no}")
        line = self.cal.monitoring_line
        if story.risks and story.category != "突发严重困难户":
            return survey if survey < line else line * rng.uniform(0.6, 0.95)
        if story.rows and not story.risks:  # risk eliminated: income stably above the range
            return max(survey, line * rng.uniform(1.3, 2.4))
        if survey >= line or assistance != "无" or rng.random() < NEW_LOW_INCOME:
            return survey
        return line * rng.uniform(1.35, 2.8)

    def _history(
        self,
        household_no: str,
        per_capita: float,
        members: list[dict[str, str]],
        income: dict[str, Decimal],
        recent_shock: bool = False,
    ) -> dict[int, float]:
        """Four earlier years of per-capita income, walked back from the calibrated one.

        The walk has a drift of 6 % a year; how much it shakes, and how often a shock (a fall of
        30-60 %) strikes, depend on the household: illness, disability, self-employment and
        migrant work make incomes less steady (docs/calibration.md, "Income history"). This is
        the demo's assumption, and what the vulnerability model is asked to discover. Its own
        random stream keeps the rest of the demo the same whatever this method draws; whether the
        latest year was a shock is drawn before (`recent_shock`), as the caseload depends on it."""
        rng = random.Random(f"{self.seed}:{household_no}")
        n = len(members)
        serious = any(m["health"] == "患有大病" for m in members)
        chronic = any(m["health"] == "长期慢性病" for m in members)
        disabled = any(m["health"] == "残疾" for m in members)
        migrant = sum(m["work_place"] in ("县外省内", "省外") for m in members) / n
        gross = float(sum(income[k] for k in ("wage", "business", "property_income", "transfer")))
        business = float(income["business"]) / gross if gross > 0 else 0.0
        sigma = 0.05 + 0.08 * serious + 0.05 * chronic + 0.05 * disabled
        sigma += 0.12 * business + 0.08 * migrant
        p_shock = _p_shock(members)
        history = {self.year: per_capita}
        for back in range(1, 5):
            growth = math.exp(rng.gauss(0.06, sigma))
            if (rng.random() < p_shock) if back > 1 else recent_shock:
                growth *= rng.uniform(0.4, 0.7)
            history[self.year - back] = history[self.year - back + 1] / growth
        return history

    def _poisson(self, lam: float) -> int:
        limit, k, p = math.exp(-lam), 0, 1.0
        while True:
            p *= self.rng.random()
            if p <= limit:
                return k
            k += 1
