"""The registry as the monitoring engine reads it: four Parquet files written from the
operational database at the start of a run (no ID numbers: members are keyed by hash)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, cast

import pyarrow as pa
import pyarrow.parquet as pq

from bangfu.accounts.access import code_q
from bangfu.registry.models import Household, IncomeReading, IncomeRecord, Member

SCHEMAS = {
    "households": pa.schema(
        [
            ("household_no", pa.string()),
            ("village", pa.string()),
            ("formerly_poor", pa.bool_()),
            ("category", pa.string()),
            ("assistance", pa.string()),
            ("education_secured", pa.string()),
            ("medical_secured", pa.string()),
            ("housing_secured", pa.string()),
            ("water_secured", pa.string()),
        ]
    ),
    "members": pa.schema(
        [
            ("household_no", pa.string()),
            ("person_hash", pa.string()),
            ("relation", pa.string()),
            ("age", pa.int32()),
            ("sex", pa.string()),
            ("health", pa.string()),
            ("disability_grade", pa.int32()),
            ("labour", pa.string()),
            ("schooling", pa.string()),
            ("work_place", pa.string()),
            ("medical_insured", pa.bool_()),
        ]
    ),
    "incomes": pa.schema(
        [
            ("household_no", pa.string()),
            ("year", pa.int32()),
            ("size", pa.int32()),
            ("wage", pa.float64()),
            ("business", pa.float64()),
            ("property_income", pa.float64()),
            ("transfer", pa.float64()),
            ("policy_income", pa.float64()),  # part of the above, from policy (政策性收入)
            ("production_costs", pa.float64()),
            ("medical_oop", pa.float64()),
            ("schooling_costs", pa.float64()),
        ]
    ),
    "readings": pa.schema(
        [
            ("household_no", pa.string()),
            ("period", pa.string()),
            ("kind", pa.string()),
            ("size", pa.int32()),
            ("income", pa.float64()),
            ("production_costs", pa.float64()),
        ]
    ),
}


def age_on(birth: dt.date, day: dt.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def _write(name: str, columns: dict[str, list[Any]], folder: Path) -> Path:
    path = folder / f"{name}.parquet"
    pq.write_table(pa.table(columns, schema=SCHEMAS[name]), path, compression="zstd")
    return path


def registry_snapshot(*, folder: Path, day: dt.date, village_prefix: str = "") -> dict[str, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    hh = Household.objects.filter(code_q("village__code", village_prefix))
    cols: dict[str, list[Any]] = {f.name: [] for f in SCHEMAS["households"]}
    row: tuple[Any, ...]
    for row in hh.values_list(
        "household_no",
        "village_id",
        "formerly_poor",
        "category",
        "assistance",
        "education_secured",
        "medical_secured",
        "housing_secured",
        "water_secured",
    ).iterator(chunk_size=5000):
        for name, value in zip(cols, row, strict=True):
            cols[name].append(value)
    paths = {"households": _write("households", cols, folder)}

    cols = {f.name: [] for f in SCHEMAS["members"]}
    for no, h, rel, birth, sex, health, grade, labour, school, work, ins in (
        Member.objects.filter(household__in=hh)
        .values_list(
            "household__household_no",
            "id_hash",
            "relation",
            "birth_date",
            "sex",
            "health",
            "disability_grade",
            "labour",
            "schooling",
            "work_place",
            "medical_insured",
        )
        .iterator(chunk_size=5000)
    ):
        row = (no, h, rel, age_on(birth, day), sex, health, grade, labour, school, work, ins)
        for name, value in zip(cols, row, strict=True):
            cols[name].append(value)
    paths["members"] = _write("members", cols, folder)

    cols = {f.name: [] for f in SCHEMAS["incomes"]}
    for row in (
        IncomeRecord.objects.filter(household__in=hh)
        .values_list(
            "household__household_no",
            "year",
            "household_size",
            "wage",
            "business",
            "property_income",
            "transfer",
            "policy_income",
            "production_costs",
            "medical_out_of_pocket",
            "schooling_costs",
        )
        .iterator(chunk_size=5000)
    ):
        for name, value in zip(cols, row, strict=True):
            cols[name].append(
                float(cast(Any, value)) if name not in ("household_no", "year", "size") else value
            )
    paths["incomes"] = _write("incomes", cols, folder)

    cols = {f.name: [] for f in SCHEMAS["readings"]}
    for row in (
        IncomeReading.objects.filter(household__in=hh)
        .values_list(
            "household__household_no",
            "period",
            "kind",
            "household_size",
            "income",
            "production_costs",
        )
        .iterator(chunk_size=5000)
    ):
        for name, value in zip(cols, row, strict=True):
            cols[name].append(
                float(cast(Any, value)) if name in ("income", "production_costs") else value
            )
    paths["readings"] = _write("readings", cols, folder)
    return paths
