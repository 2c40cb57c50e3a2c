"""One phase of the monitoring benchmark, in its own process so that its peak memory is its own:
    python -m bangfu.monitoring.benchmark.phase PHASE FOLDER OUT.json
PHASE is bangfu_duckdb, bangfu_spark, duckdb_sql or pandas. Writes the seconds, the number of
warnings and evidence rows, a digest of the evidence in canonical order, and the process's
peak resident memory."""

from __future__ import annotations

import dataclasses
import hashlib
import importlib
import json
import os
import sys
import time
from pathlib import Path

PERIOD = "2026-10"


def main(phase: str, folder: Path, out: Path) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bangfu.settings")
    import django

    django.setup()
    from bangfu.monitoring.benchmark.baselines import run_duckdb_sql, run_pandas
    from bangfu.monitoring.context import Context
    from bangfu.monitoring.policy import load_policy
    from bangfu.monitoring.run import canonical, normalize, run_rules

    shipped = load_policy()
    # the 17 rules both baselines implement; the model's rule (R16) scores a fitted model,
    # which neither baseline has, and costs one more projection of the income table
    policy = dataclasses.replace(
        shipped, rules=tuple(r for r in shipped.rules if r.kind != "vulnerability")
    )
    ctx = Context(
        con=None,
        registry=folder,
        store=folder,
        period=PERIOD,
        policy=policy,
        scratch=folder,
    )
    if phase.startswith("bangfu_"):  # imports are not the run: load the backend's modules now
        importlib.import_module(
            f"ibis.backends.{phase.removeprefix('bangfu_').replace('spark', 'pyspark')}"
        )
    started = time.perf_counter()
    if phase.startswith("bangfu_"):
        frame = run_rules(
            engine=phase.removeprefix("bangfu_"),
            registry=folder / "registry",
            store=folder / "store",
            period=PERIOD,
            policy=policy,
            with_mpi=False,
        ).warnings
    elif phase == "duckdb_sql":
        frame = run_duckdb_sql(folder, policy, period=PERIOD, start=ctx.start, end=ctx.end)
    elif phase == "pandas":
        frame = run_pandas(folder, policy, period=PERIOD, start=ctx.start, end=ctx.end)
    else:
        raise SystemExit(f"unknown phase {phase}")
    seconds = time.perf_counter() - started
    pairs = frame[["household_no", "rule_id"]].drop_duplicates()
    if "detail" in frame.columns:  # the full evidence: compare it row by row
        digest = hashlib.sha256(
            canonical(normalize(frame)).to_csv(index=False).encode()
        ).hexdigest()
    else:
        digest = ""
    pair_digest = hashlib.sha256(
        pairs.sort_values(["household_no", "rule_id"]).to_csv(index=False).encode()
    ).hexdigest()
    out.write_text(
        json.dumps(
            {
                "peak_rss_mb": _peak_rss_mb(),
                "seconds": seconds,
                "warnings": len(pairs),
                "evidence_rows": len(frame),
                "evidence_digest": digest,
                "warnings_digest": pair_digest,
            }
        )
    )


def _peak_rss_mb() -> float | None:
    """This process's own peak resident memory (VmHWM, reset by exec; the kernel's ru_maxrss
    is not: it would report the parent's size at the fork)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


if __name__ == "__main__":
    main(sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3]))
