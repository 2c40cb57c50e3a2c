from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa

from bangfu.core.tabular.columns import Column

# Columns every feed has, before its own: the source's record id, the person's ID number
# (stored only as its keyed hash) and the date of the event.
RECORD_ID = Column(
    "记录编号",
    "record_id",
    "feed",
    "text",
    True,
    max_length=64,
    note="部门系统中的唯一编号；重复导入按此更新",
)
ID_NUMBER = Column("身份证号", "id_number", "feed", "id", True)
EVENT_DATE = Column("日期", "event_date", "feed", "date", True, note="如 2026-05-17")

_ARROW = {
    "text": pa.string(),
    "choice": pa.string(),
    "money": pa.float64(),
    "int": pa.int32(),
    "bool": pa.bool_(),
    "date": pa.date32(),
}


@dataclass(frozen=True)
class FeedSpec:
    code: str  # medical, civil ...
    title: str  # 医保 ...
    department: str  # 医疗保障局 ...
    columns: tuple[Column, ...]  # the source's own columns
    keyed_by_person: bool = True  # False: keyed by household number (the grid readings)

    @property
    def all_columns(self) -> list[Column]:
        key = [ID_NUMBER] if self.keyed_by_person else [HOUSEHOLD_NO]
        return [RECORD_ID, *key, EVENT_DATE, *self.columns]

    def arrow_schema(self) -> pa.Schema:
        """The stored form: no ID number, its keyed hash instead."""
        key = (
            ("person_hash", pa.string()) if self.keyed_by_person else ("household_no", pa.string())
        )
        fields = [
            ("record_id", pa.string()),
            key,
            ("event_date", pa.date32()),
            ("period", pa.string()),
        ]
        fields += [(c.key, _ARROW[c.kind]) for c in self.columns]
        return pa.schema(fields)


HOUSEHOLD_NO = Column("户编号", "household_no", "feed", "text", True, max_length=32)


def choice(
    header: str, key: str, options: tuple[str, ...], required: bool = True, note: str = ""
) -> Column:
    return Column(header, key, "feed", "choice", required, options=options, note=note)


def money(header: str, key: str, required: bool = True, note: str = "") -> Column:
    return Column(header, key, "feed", "money", required, note=note)


def flag(header: str, key: str, required: bool = True, note: str = "") -> Column:
    return Column(header, key, "feed", "bool", required, note=note)


def text(header: str, key: str, required: bool = False, note: str = "") -> Column:
    return Column(header, key, "feed", "text", required, note=note)
