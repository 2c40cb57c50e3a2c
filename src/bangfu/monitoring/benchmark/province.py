"""A synthetic province for the monitoring benchmark, written straight to Parquet with numpy
(no ORM): N households of about 3 people, about 10 department rows per person over the last 12
months, in the same layout the real store uses."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from bangfu.feeds.sources import FEEDS
from bangfu.monitoring.snapshot import SCHEMAS

# rows per person in the 12 months before the period, by source (about 10 in all)
RATES = {
    "medical": 6.0,
    "hr": 1.2,
    "education": 1.0,
    "civil": 0.6,
    "housing": 0.4,
    "water": 0.4,
    "disability": 0.05,
    "emergency": 0.25,
    "police": 0.1,
}


def _strings(prefix: str, ids: np.ndarray, width: int) -> pa.Array:
    return pa.array(np.char.add(prefix, np.char.zfill(ids.astype(str), width)))


def build_province(folder: Path, households: int, *, period: str, seed: int = 1) -> dict[str, int]:
    rng = np.random.default_rng(seed)
    reg = folder / "registry"
    reg.mkdir(parents=True, exist_ok=True)
    n = households
    hh_ids = np.arange(n)
    hh_no = _strings("H", hh_ids, 9)
    villages = 140100000000 + rng.integers(0, 2000, n) * 1000 + 200  # synthetic codes
    formerly = rng.random(n) < 0.25

    def guarantee(p: float) -> Any:
        return np.where(rng.random(n) < p, "no", "yes")

    pq.write_table(
        pa.table(
            {
                "household_no": hh_no,
                "village": pa.array(villages.astype(str)),
                "formerly_poor": formerly,
                "category": pa.array(np.full(n, "")),
                "assistance": pa.array(np.full(n, "none")),
                "education_secured": pa.array(guarantee(0.003)),
                "medical_secured": pa.array(guarantee(0.01)),
                "housing_secured": pa.array(guarantee(0.006)),
                "water_secured": pa.array(guarantee(0.004)),
            },
            schema=SCHEMAS["households"],
        ),
        reg / "households.parquet",
    )

    size = np.clip(rng.poisson(2.0, n) + 1, 1, 8)
    m = int(size.sum())
    owner = np.repeat(hh_ids, size)
    first = np.concatenate([[0], np.cumsum(size)[:-1]])
    is_head = np.zeros(m, bool)
    is_head[first] = True
    age = np.where(is_head, rng.integers(25, 85, m), rng.integers(0, 90, m)).astype(np.int32)
    labour = np.where(
        (age >= 16) & (age < 65), np.where(rng.random(m) < 0.85, "ordinary", "weak"), "none"
    )
    schooling = np.where(
        (age >= 6) & (age <= 15), np.where(rng.random(m) < 0.003, "dropout", "compulsory"), "none"
    )
    person_ids = np.arange(m)
    pq.write_table(
        pa.table(
            {
                "household_no": hh_no.take(pa.array(owner)),
                "person_hash": _strings("P", person_ids, 10),
                "relation": pa.array(np.where(is_head, "head", "other")),
                "age": age,
                "sex": pa.array(np.where(rng.random(m) < 0.5, "M", "F")),
                "health": pa.array(np.full(m, "healthy")),
                "disability_grade": pa.array(np.full(m, None), type=pa.int32()),
                "labour": pa.array(labour),
                "schooling": pa.array(schooling),
                "work_place": pa.array(np.full(m, "none")),
                "medical_insured": rng.random(m) > 0.01,
            },
            schema=SCHEMAS["members"],
        ),
        reg / "members.parquet",
    )

    year = int(period[:4])
    pc_now = rng.lognormal(9.9, 0.55, n)  # median about 20,000 yuan
    pc_before = pc_now * rng.uniform(0.9, 1.2, n) / np.where(rng.random(n) < 0.03, 0.5, 1.0)
    # the share of net income that is policy income (政策性收入), for formerly poor households:
    # part of the transfers, and for some a 公益性岗位 wage. A stream of its own, so that the rest
    # of the province is what it was before policy income was drawn.
    prng = np.random.default_rng([seed, 17])
    policy_share = np.where(formerly, 0.18 * prng.uniform(0.2, 0.9, n), 0.0) + np.where(
        formerly & (prng.random(n) < 0.3), 0.45 * prng.uniform(0.3, 0.8, n), 0.0
    )
    incomes = []
    for yr, pc in ((year - 1, pc_before), (year, pc_now)):
        net = pc * size
        incomes.append(
            pa.table(
                {
                    "household_no": hh_no,
                    "year": np.full(n, yr, np.int32),
                    "size": size.astype(np.int32),
                    "wage": net * 0.45,
                    "business": net * 0.35 + 2000.0,
                    "property_income": net * 0.02,
                    "transfer": net * 0.18,
                    "policy_income": net * policy_share,
                    "production_costs": np.full(n, 2000.0),
                    "medical_oop": rng.exponential(1500, n),
                    "schooling_costs": rng.exponential(800, n),
                },
                schema=SCHEMAS["incomes"],
            )
        )
    pq.write_table(pa.concat_tables(incomes), reg / "incomes.parquet")
    readings = []
    for q, factor in ((f"{year}-Q1", 1.0), (f"{year}-Q2", 1.0)):
        inc = (
            pc_now * size / 4 * factor * np.where(rng.random(n) < 0.02, 0.4, 1.0)
            if q.endswith("2")
            else pc_now * size / 4
        )
        readings.append(
            pa.table(
                {
                    "household_no": hh_no,
                    "period": pa.array(np.full(n, q)),
                    "kind": pa.array(np.full(n, "quarter")),
                    "size": size.astype(np.int32),
                    "income": inc,
                    "production_costs": np.full(n, 100.0),
                },
                schema=SCHEMAS["readings"],
            )
        )
    pq.write_table(pa.concat_tables(readings), reg / "readings.parquet")

    end = dt.date(year, int(period[5:7]), 28)
    counts = {"households": n, "members": m}
    heads = person_ids[first]
    for code, rate in RATES.items():
        spec = FEEDS[code]
        household_level = code in ("civil", "housing", "water", "emergency")
        pool = heads if household_level else person_ids
        k = round(rate * m)
        who = rng.choice(pool, k)
        days = rng.integers(0, 360, k)
        dates = np.array(end, dtype="datetime64[D]") - days
        months = np.datetime_as_string(dates, unit="M")  # type: ignore[call-overload]
        cols = {
            "record_id": _strings(code[:2].upper(), np.arange(k), 9),
            "person_hash": _strings("P", who, 10),
            "event_date": pa.array(dates),
            "period": pa.array(months),
        }
        cols |= _feed_columns(code, k, rng)
        table = pa.table(cols, schema=spec.arrow_schema())
        out = folder / "store" / "feeds" / code
        for month in np.unique(months):
            part = out / str(month)
            part.mkdir(parents=True, exist_ok=True)
            pq.write_table(table.filter(pa.array(months == month)), part / "data.parquet")
        counts[code] = k
    return counts


def _feed_columns(code: str, k: int, rng: np.random.Generator) -> dict[str, object]:
    def pick(values: list[str], p: list[float] | None = None) -> Any:
        return pa.array(rng.choice(values, k, p=p))

    if code == "medical":
        total = rng.lognormal(4.8, 1.5, k)  # mostly outpatient bills, a few large ones
        return {
            "total_cost": total,
            "out_of_pocket": total * rng.uniform(0.1, 0.4, k),
            "serious": rng.random(k) < 0.002,
            "hospital": pa.array(np.full(k, "")),
        }
    if code == "civil":
        return {
            "program": pick(["低保", "特困", "临时救助"], [0.8, 0.1, 0.1]),
            "action": pick(["批准", "取消", "发放"], [0.1, 0.05, 0.85]),
            "amount": rng.uniform(200, 800, k),
        }
    if code == "housing":
        return {
            "grade": pick(["A", "B", "C", "D"], [0.7, 0.26, 0.03, 0.01]),
            "note": pa.array(np.full(k, "")),
        }
    if code == "water":
        return {"safe": rng.random(k) > 0.02, "issue": pa.array(np.full(k, ""))}
    if code == "education":
        return {
            "stage": pick(["小学", "初中"]),
            "status": pick(["在校", "辍学"], [0.998, 0.002]),
            "subsidy": pa.array(np.full(k, "")),
            "subsidy_amount": np.zeros(k),
        }
    if code == "hr":
        return {
            "event": pick(
                ["就业登记", "失业登记", "务工返乡", "参加养老保险"], [0.68, 0.01, 0.01, 0.3]
            ),
            "place": pa.array(np.full(k, "")),
        }
    if code == "disability":
        return {
            "kind": pick(["肢体", "视力"]),
            "grade": rng.integers(1, 5, k).astype(np.int32),
            "new_certificate": rng.random(k) < 0.5,
        }
    if code == "emergency":
        return {"disaster": pick(["冰雹", "洪涝"]), "loss_amount": rng.lognormal(7.5, 1.0, k)}
    if code == "police":
        return {"event": pick(["死亡", "迁出", "迁入"], [0.05, 0.5, 0.45])}
    raise KeyError(code)
