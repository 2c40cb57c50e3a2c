"""`bangfu bench monitor`: bangfu against hand-written DuckDB SQL and pandas, in one run on one
synthetic province; prints the times, the ratios and the peak memory of each phase. Each phase
runs in a child process of its own so that its peak memory is measured alone (a sampling thread
in one process deadlocked DuckDB's result conversion at a million households). With --keep DIR
the province is kept, and a later run with the same size reuses it."""

from __future__ import annotations

import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bangfu.monitoring.benchmark.province import build_province

PERIOD = "2026-10"


def _phase(name: str, folder: Path, repeat: int = 1) -> dict[str, Any]:
    """Run one phase `repeat` times, each in a child process of its own; the wall time is
    measured inside the child (imports excluded), the peak resident memory comes from the
    kernel's accounting of the child (ru_maxrss). Reports the median time and every time."""
    runs = [_child(name, folder) for _ in range(repeat)]
    result = runs[0] | {
        "seconds": statistics.median(r["seconds"] for r in runs),
        "all_seconds": [round(r["seconds"], 3) for r in runs],
        "peak_rss_mb": max(r["peak_rss_mb"] for r in runs),
    }
    if len({r["evidence_digest"] for r in runs}) != 1:
        raise RuntimeError(f"benchmark phase {name} gave different results on repeats")
    return result


def _child(name: str, folder: Path) -> dict[str, Any]:
    out = folder / f"{name}.json"
    proc = subprocess.Popen(  # noqa: S603 - our own module, fixed arguments
        [sys.executable, "-m", "bangfu.monitoring.benchmark.phase", name, str(folder), str(out)]
    )
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise RuntimeError(f"benchmark phase {name} failed ({proc.returncode})")
    result: dict[str, Any] = json.loads(out.read_text())
    if result.get("peak_rss_mb") is None:  # no /proc: the kernel's figure, an upper bound
        result["peak_rss_mb"] = usage.ru_maxrss / 1024
    return result


def bench_monitor(
    *,
    households: int,
    engines: list[str],
    keep: Path | None = None,
    progress: Callable[[str], None] = lambda _m: None,
    with_pandas: bool = True,
    repeat: int = 1,
) -> dict[str, Any]:
    folder = Path(tempfile.mkdtemp(prefix="bangfu-bench-")) if keep is None else keep
    folder.mkdir(parents=True, exist_ok=True)
    phases = [f"bangfu_{e}" for e in engines] + ["duckdb_sql"] + (["pandas"] if with_pandas else [])
    results: dict[str, dict[str, Any]] = {}
    try:
        progress(f"生成合成省份：{households} 户")
        started = time.perf_counter()
        made = folder / "province.json"
        if made.exists() and json.loads(made.read_text())["households"] == households:
            counts = json.loads(made.read_text())  # --keep DIR of an earlier run: reuse it
            progress("沿用已生成的合成省份")
        else:
            counts = build_province(folder, households, period=PERIOD)
            made.write_text(json.dumps(counts))
        generate = time.perf_counter() - started
        for name in phases:
            progress(name)
            results[name] = _phase(name, folder, repeat=repeat)
    finally:
        if keep is None:
            shutil.rmtree(folder, ignore_errors=True)
    sql = results["duckdb_sql"]
    seconds = {"generate": round(generate, 3)} | {
        k: round(v["seconds"], 3) for k, v in results.items()
    }
    every = {k: v["all_seconds"] for k, v in results.items()}
    report: dict[str, Any] = {
        "households": counts["households"],
        "members": counts["members"],
        "feed_rows": sum(v for k, v in counts.items() if k not in ("households", "members")),
        "warnings": sql["warnings"],
        "evidence_rows": sql["evidence_rows"],
        "same_warnings_as_sql": {
            k: v["warnings_digest"] == sql["warnings_digest"] for k, v in results.items()
        },
        "same_evidence_as_sql": {
            k: v["evidence_digest"] == sql["evidence_digest"]
            for k, v in results.items()
            if v["evidence_digest"]
        },
        "seconds": seconds,
        "all_seconds": every,
        "peak_rss_mb": {k: round(v["peak_rss_mb"]) for k, v in results.items()},
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}",
    }
    ratios: dict[str, float] = {}
    for name in results:
        if name.startswith("bangfu_"):
            ratios[f"{name}_over_sql"] = round(seconds[name] / seconds["duckdb_sql"], 2)
            if "pandas" in seconds:
                ratios[f"pandas_over_{name}"] = round(seconds["pandas"] / seconds[name], 2)
    if "bangfu_duckdb" in seconds:
        report["microseconds_per_household"] = round(seconds["bangfu_duckdb"] / households * 1e6, 2)
    report["ratios"] = ratios
    return report
