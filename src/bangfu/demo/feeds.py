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


def demo_feed_rows(
    made: list[DemoHousehold], *, today: dt.date, seed: int
) -> dict[str, list[dict[str, Any]]]:
    rng = random.Random(seed)
    rows: dict[str, list[dict[str, Any]]] = {code: [] for code in FEEDS if code != "grid"}
    serial = iter(range(1, 10**9))

    def day() -> str:
        return (today - dt.timedelta(days=rng.randrange(1, 330))).isoformat()

    def add(code: str, ident: str, **values: Any) -> None:
        rows[code].append(
            {
                "record_id": f"{code.upper()}-{next(serial):08d}",
                "id_number": ident,
                "event_date": day(),
                **values,
            }
        )

    for _h, r in _people(made):
        ident, age = r[KEY["id_number"]], _age(r, today)
        able = r[KEY["labour"]] in ("普通劳动力", "技能劳动力")
        if rng.random() < 0.25:
            total = rng.lognormvariate(8.0, 1.1)
            serious = rng.random() < 0.03
            if serious:
                total *= 8
            oop = total * rng.uniform(0.15, 0.45)
            add(
                "medical",
                ident,
                total_cost=f"{total:.2f}",
                out_of_pocket=f"{oop:.2f}",
                serious="是" if serious else "否",
                hospital=rng.choice(["娄烦县人民医院", "太原市中心医院", "乡镇卫生院"]),
            )
        if r[KEY["schooling"]] in ("义务教育", "普通高中", "中职", "大学") or (6 <= age <= 15):
            stage = (
                "小学" if age <= 11 else "初中" if age <= 15 else "高中" if age <= 18 else "高校"
            )
            status = "辍学" if 6 <= age <= 15 and rng.random() < 0.004 else "在校"
            subsidy = rng.choice(["", "", "国家助学金", "雨露计划"])
            add(
                "education",
                ident,
                stage=stage,
                status=status,
                subsidy=subsidy,
                subsidy_amount="2000" if subsidy else "",
            )
        if able and rng.random() < 0.03:
            add("hr", ident, event=rng.choice(["失业登记", "务工返乡"]), place="")
        elif able and rng.random() < 0.05:
            add("hr", ident, event="就业登记", place=rng.choice(["县城", "太原", "帮扶车间"]))
        if rng.random() < 0.004:
            add(
                "disability",
                ident,
                kind=rng.choice(["肢体", "视力", "听力", "精神"]),
                grade=str(rng.choice([1, 2, 3, 4])),
                new_certificate="是",
            )
        if rng.random() < (0.002 if age < 65 else 0.02):
            add("police", ident, event="死亡")
    for h in made:
        head = h.rows[0]
        ident = head[KEY["id_number"]]
        dibao = head[KEY["assistance"]] == "低保"
        if dibao:
            add("civil", ident, program="低保", action="发放", amount=str(rng.randint(300, 600)))
        elif h.per_capita < 11000 and rng.random() < 0.05:
            add("civil", ident, program="低保", action="取消", amount="")
        if rng.random() < 0.2:
            grade = rng.choices("ABCD", weights=[70, 25, 4, 1])[0]
            add("housing", ident, grade=grade, note="")
        if rng.random() < 0.1:
            safe = rng.random() > 0.05
            add("water", ident, safe="是" if safe else "否", issue="" if safe else "季节性缺水")
        if rng.random() < 0.02:
            add(
                "emergency",
                ident,
                disaster=rng.choice(["冰雹", "洪涝", "干旱"]),
                loss_amount=f"{rng.uniform(2000, 40000):.2f}",
            )
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
