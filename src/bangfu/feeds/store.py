"""The analytical store: department feeds as Parquet, partitioned by source and period,
under BANGFU_HOME/store. Records upsert by the source's record id."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from django.conf import settings

from bangfu.feeds.sources.base import FeedSpec


def store_root() -> Path:
    return Path(settings.HOME) / "store"


def feed_dir(code: str, root: Path | None = None) -> Path:
    """store/feeds/<source>/<YYYY-MM>/data.parquet (plain folder names: no engine infers a
    partition column from them, so DuckDB and Spark read the same columns)."""
    return (root or store_root()) / "feeds" / code


def feed_glob(code: str, root: Path | None = None) -> str:
    return str(feed_dir(code, root) / "*" / "data.parquet")


def feed_files(code: str, root: Path | None = None) -> list[Path]:
    return sorted(feed_dir(code, root).glob("*/data.parquet"))


def feed_read(spec: FeedSpec, root: Path | None = None) -> pa.Table:
    files = feed_files(spec.code, root)
    schema = spec.arrow_schema()
    if not files:
        return schema.empty_table()
    return pa.concat_tables([pq.read_table(f, schema=schema) for f in files])


def feed_upsert(spec: FeedSpec, table: pa.Table, root: Path | None = None) -> int:
    """Write `table` into its period partitions, replacing records with the same record id
    wherever they were. Each partition is written to a temporary file and renamed into place,
    so a reader never sees half a file. Returns the number of partitions written."""
    table = table.cast(spec.arrow_schema())
    new_ids = table.column("record_id")
    touched: dict[Path, pa.Table] = {}
    for f in feed_files(spec.code, root):
        old = pq.read_table(f, schema=spec.arrow_schema())
        keep = old.filter(pc.invert(pc.is_in(old.column("record_id"), value_set=new_ids)))
        if keep.num_rows != old.num_rows:
            touched[f.parent] = keep
    periods = pc.unique(table.column("period")).to_pylist()
    for period in periods:
        part = feed_dir(spec.code, root) / str(period)
        rows = table.filter(pc.equal(table.column("period"), period))
        base = touched.get(part)
        if base is None:
            files = list(part.glob("*.parquet"))
            base = pq.read_table(files[0], schema=spec.arrow_schema()) if files else None
        touched[part] = pa.concat_tables([base, rows]) if base is not None else rows
    for part, data in touched.items():
        part.mkdir(parents=True, exist_ok=True)
        tmp = part / f".tmp-{uuid.uuid4().hex}.parquet"
        pq.write_table(data.sort_by("record_id"), tmp, compression="zstd")
        os.replace(tmp, part / "data.parquet")
    return len(touched)
