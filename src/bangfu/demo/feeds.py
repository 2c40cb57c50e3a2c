"""Department feeds for the demo county, made to match its registry: hospital bills, social
assistance, housing appraisals, water checks, school records, jobs, disability certificates,
disasters and deaths, at plausible rates, plus a few records of people not in the registry (as
real feeds have). They go in through the same import as a department's own spreadsheets."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from typing import Any

from bangfu.core.idcard import make_id_number
from bangfu.core.tabular.sheets import Table
from bangfu.demo.generator import DemoHousehold
from bangfu.feeds.importer import FeedReport, feed_import
from bangfu.feeds.sources import FEEDS
from bangfu.registry.columns import COLUMNS

KEY = {c.key: i for i, c in enumerate(COLUMNS)}


def _people(made: list[DemoHousehold]) -> Iterator[tuple[DemoHousehold, list[Any]]]:
    for h in made:
        for row in h.rows:
            yield h, row


def _age(row: list[Any], today: dt.date) -> int:
    birth = dt.date.fromisoformat(row[KEY["birth_date"]])
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


# The departments' data in bangfu begin when the county moved to it, this many days ago: what
# came before is in the onboarded caseload (docs/calibration.md, section 9).
SHARED_DAYS = 60
# severe shocks (the generator records each on its household): a run must catch every one
SEVERE = ("serious_illness", "disability", "earner_death", "disaster", "housing", "water")


def demo_feed_rows(
    made: list[DemoHousehold], *, today: dt.date, seed: int
) -> dict[str, list[dict[str, Any]]]:
    """Records of the last SHARED_DAYS days at rates of a year scaled down to them
    (assumptions, docs/calibration.md section 9), more for the households in monitoring, whose
    risks go on (bills of the illness they were identified for, ...)."""
    rng = random.Random(seed)
    rows: dict[str, list[dict[str, Any]]] = {code: [] for code in FEEDS if code != "grid"}
    serial = iter(range(1, 10**9))
    share = SHARED_DAYS / 365

    def day() -> str:
        return (today - dt.timedelta(days=rng.randrange(1, SHARED_DAYS))).isoformat()

    def add(code: str, ident: str, **values: Any) -> str:
        when = day()
        rows[code].append(
            {
                "record_id": f"{code.upper()}-{next(serial):08d}",
                "id_number": ident,
                "event_date": when,
                **values,
            }
        )
        return when

    def shock(h: DemoHousehold, kind: str, when: str) -> None:
        h.shocks.append((kind, when))

    for h, r in _people(made):
        ident, age = r[KEY["id_number"]], _age(r, today)
        able = r[KEY["labour"]] in ("普通劳动力", "技能劳动力")
        ill = r[KEY["health"]] in ("患有大病", "长期慢性病")
        if rng.random() < (0.25 * share * (3 if ill else 1)):
            total = rng.lognormvariate(7.3, 0.9)
            serious = (ill and "因病" in h.risks) or rng.random() < 0.003
            if serious:
                total = rng.uniform(30000, 150000)
            when = add(
                "medical",
                ident,
                total_cost=f"{total:.2f}",
                out_of_pocket=f"{total * rng.uniform(0.15, 0.45):.2f}",
                serious="是" if serious else "否",
                hospital=rng.choice(["娄烦县人民医院", "太原市中心医院", "乡镇卫生院"]),
            )
            if serious:
                shock(h, "serious_illness", when)
        if r[KEY["schooling"]] in ("义务教育", "普通高中", "中职", "大学") or (6 <= age <= 15):
            stage = (
                "小学" if age <= 11 else "初中" if age <= 15 else "高中" if age <= 18 else "高校"
            )
            subsidy = rng.choice(["", "", "国家助学金", "雨露计划"])
            add(
                "education",
                ident,
                stage=stage,
                status="辍学" if r[KEY["schooling"]] == "辍学" else "在校",
                subsidy=subsidy,
                subsidy_amount="2000" if subsidy else "",
            )
        unsteady = "因务工就业不稳" in h.risks
        if able and rng.random() < (0.3 if unsteady else 0.01 * share):
            add("hr", ident, event=rng.choice(["失业登记", "务工返乡"]), place="")
        elif able and rng.random() < 0.05 * share:
            add("hr", ident, event="就业登记", place=rng.choice(["县城", "太原", "帮扶车间"]))
        if rng.random() < 0.004 * share:
            grade = rng.choice([1, 2, 3, 3, 4, 4])
            when = add(
                "disability",
                ident,
                kind=rng.choice(["肢体", "视力", "听力", "精神"]),
                grade=str(grade),
                new_certificate="是",
            )
            if grade <= 2:
                shock(h, "disability", when)
        if rng.random() < (0.001 if age < 65 else 0.02) * share:
            when = add("police", ident, event="死亡")
            if 16 <= age <= 64 and able:
                shock(h, "earner_death", when)
    for h in made:
        head = h.rows[0]
        ident = head[KEY["id_number"]]
        if h.assistance == "低保":
            add("civil", ident, program="低保", action="发放", amount=str(rng.randint(300, 600)))
        elif h.per_capita < 11000 and rng.random() < 0.03 * share:
            add("civil", ident, program="低保", action="取消", amount="")
        if rng.random() < 0.2 * share:
            appraisal = rng.choices("ABCD", weights=[75, 24.5, 0.4, 0.1])[0]
            when = add("housing", ident, grade=appraisal, note="")
            if appraisal in "CD":
                shock(h, "housing", when)
        if rng.random() < 0.1 * share:
            safe = rng.random() > 0.01
            when = add(
                "water", ident, safe="是" if safe else "否", issue="" if safe else "季节性缺水"
            )
            if not safe:
                shock(h, "water", when)
        hit = "因灾" in h.risks and rng.random() < 0.5
        if hit or rng.random() < 0.01 * share:
            loss = rng.uniform(2000, 40000)
            when = add(
                "emergency",
                ident,
                disaster=rng.choice(["冰雹", "洪涝", "干旱"]),
                loss_amount=f"{loss:.2f}",
            )
            if loss > 10000:
                shock(h, "disaster", when)
    # records of people the registry does not hold (moved in, typing errors at the source)
    for _ in range(5):
        stranger = make_id_number("140123", dt.date(1980, 1, rng.randint(1, 28)), 499, "M")
        add("medical", stranger, total_cost="800", out_of_pocket="300", serious="否", hospital="")
    return rows


def demo_feeds_load(
    made: list[DemoHousehold], *, today: dt.date, seed: int
) -> dict[str, FeedReport]:
    reports = {}
    for code, records in demo_feed_rows(made, today=today, seed=seed).items():
        spec = FEEDS[code]
        headers = [c.header for c in spec.all_columns]
        rows = [[str(rec.get(c.key, "")) for c in spec.all_columns] for rec in records]
        reports[code] = feed_import(spec=spec, table=Table(headers, rows, "demo"), today=today)
    return reports
