"""The two engines. Everything engine-specific lives here: connecting, and reading Parquet.
Rules never ask which engine they run on."""

from __future__ import annotations

import os
from typing import Any

import ibis
import ibis.expr.types as ir
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from ibis.backends import BaseBackend

ENGINES = ("duckdb", "spark")


class EngineError(RuntimeError):
    pass


def connect(
    engine: str, *, spark_master: str | None = None, threads: int | None = None
) -> BaseBackend:
    if engine == "duckdb":
        con = ibis.duckdb.connect()
        # DuckDB's progress bar is drawn from a worker thread that needs the GIL: with another
        # Python thread about (a web server, a memory sampler) it can deadlock.
        con.raw_sql("SET enable_progress_bar = false")
        if threads:
            con.raw_sql(f"SET threads = {int(threads)}")
        return con
    if engine == "spark":
        try:
            from pyspark.sql import SparkSession
        except ImportError:
            raise EngineError(
                _("Spark 引擎需要安装 pyspark（pip install 'bangfu[spark]'）")
            ) from None
        master = spark_master or os.environ.get("BANGFU_SPARK_MASTER", "local[2]")
        if master.startswith("local"):
            os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")  # stay on loopback
        session = (
            SparkSession.builder.master(master)
            .appName("bangfu-monitor")
            .config("spark.ui.enabled", "false")
            .config("spark.sql.session.timeZone", "UTC")
            .config("spark.sql.shuffle.partitions", os.environ.get("BANGFU_SPARK_PARTITIONS", "8"))
            .config("spark.sql.ansi.enabled", "false")
            # Spark's scratch tables go under BANGFU_HOME, never into the working directory.
            .config("spark.sql.warehouse.dir", os.path.join(_home(), "spark-warehouse"))
            .getOrCreate()
        )
        session.sparkContext.setLogLevel("ERROR")
        return ibis.pyspark.connect(session)
    raise EngineError(
        _("未知的引擎：%(engine)s（可选 %(choices)s）")
        % {"engine": engine, "choices": pgettext("list separator", "、").join(ENGINES)}
    )


def keep_greatest(con: BaseBackend, table: ir.Table, column: str, *, by: str) -> ir.Table:
    """The rows of `table` whose `column` is the greatest in their `by` group (ties kept).
    One window pass on both engines; on DuckDB as a filter on the window (QUALIFY), which its
    planner runs faster, on Spark as a projected column, which ibis can compile for it."""
    greatest = table[column].max().over(group_by=table[by])
    if con.name == "duckdb":
        return table.filter(table[column] == greatest)
    marked = table.mutate(_greatest=greatest)
    return marked.filter(marked[column] == marked._greatest).drop("_greatest")


def _home() -> str:
    return os.path.abspath(os.environ.get("BANGFU_HOME", "var"))


def read_parquet(con: BaseBackend, path: str, name: str) -> Any:
    """`path` may be a glob of files with one schema."""
    return con.read_parquet(path, table_name=name)


def disconnect(con: BaseBackend) -> None:
    if con.name == "pyspark":
        con._session.stop()
    else:
        con.disconnect()
