"""Benchmark: the production server under load, on the demo county (default 2,000 households).

Builds the demo in a fresh BANGFU_HOME (`bangfu demo --no-serve`; SQLite unless --database-url
is given, whose schema is dropped and made again), starts the server the project ships
(`bangfu serve --no-worker`: waitress, 8 threads) on a free port of 127.0.0.1, logs the county
officer in (session cookie, CSRF) and issues an API token (`bangfu token create`). Then, at each
concurrency level, that many client threads (keep-alive connections, standard library only) send
requests as fast as they are answered, in phases of equal length, one after the other:
  healthz    GET /healthz, the cheapest Django view (one SELECT 1)     -- the baseline
  households GET /households/, the household list
  household  GET /households/<no>/, one household's page
  warnings   GET /warnings/?listed=lead, the leads to verify
  api        GET /api/v1/warnings, with the Bearer token
  mix        the four above round-robin, each thread starting at its own place
and prints, per phase and level, the requests, req/s, p50 and p95 (ms), the errors (non-2xx or
an exception) and req/s over the baseline's at the same level. --seconds is the time per level,
shared by the six phases: the load lasts --seconds times the number of levels. The client runs
on the same machine as the server and takes its share of the cores; the report says how much
CPU other processes took meanwhile (on PostgreSQL, its own backends are among them).

    ./dev bench load [--households 2000] [--seconds 30] [--concurrency 1,4,16]
                     [--database-url postgres://...] [--json]

The server and the temporary BANGFU_HOME are removed however the run ends.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any

HOST = "127.0.0.1"
USER = "county"
PASSWORD = "bangfu-demo-2026"  # noqa: S105 (bangfu.demo.services.DEMO_PASSWORD, printed by the demo)
REQUEST_TIMEOUT = 30.0  # seconds a single request may take before it counts as an error
BUILD_TIMEOUT = 1800.0
START_TIMEOUT = 60.0


@dataclass
class Sample:
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    error_kinds: dict[str, int] = field(default_factory=dict)

    def error(self, kind: str) -> None:
        self.errors += 1
        self.error_kinds[kind] = self.error_kinds.get(kind, 0) + 1


def _terminate(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def bangfu(*args: str, env: dict[str, str], timeout: float) -> str:
    """A `bangfu` command in a child process; its output, or the reason it failed."""
    done = subprocess.run(
        [sys.executable, "-m", "bangfu.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"bangfu {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def schema_reset(url: str) -> str:
    """Drop and recreate the public schema (a flush would keep the data migrations' rows
    away); the server's version, for the report."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DROP SCHEMA public CASCADE")
        conn.execute("CREATE SCHEMA public")
        row = conn.execute("SHOW server_version").fetchone()
    return f"PostgreSQL {row[0] if row else '?'}"


def server_stop(server: subprocess.Popen[bytes]) -> None:
    """SIGTERM to the server's process group (bangfu serve exits cleanly on it), SIGKILL if it
    is still there after ten seconds."""
    if server.poll() is not None:
        return
    try:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=10)
    except ProcessLookupError:
        pass


def wait_healthy(port: int, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the server exited ({server.returncode}):\n{log.read_text()}")
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                conn.close()
                return
            conn.close()
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"/healthz did not answer 200 within {START_TIMEOUT:.0f} s")


def login(port: int) -> str:
    """The Cookie header of a logged-in session, through the login form and its CSRF token."""
    conn = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT)
    conn.request("GET", "/login/")
    resp = conn.getresponse()
    page = resp.read().decode()
    cookies: SimpleCookie = SimpleCookie()
    for header in resp.headers.get_all("Set-Cookie") or []:
        cookies.load(header)
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    if found is None or "csrftoken" not in cookies:
        raise RuntimeError("the login page has no CSRF token")
    body = (
        f"csrfmiddlewaretoken={found.group(1)}&username={USER}&password={PASSWORD}&next=/"
    ).encode()
    conn.request(
        "POST",
        "/login/",
        body=body,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={cookies['csrftoken'].value}",
        },
    )
    resp = conn.getresponse()
    resp.read()
    for header in resp.headers.get_all("Set-Cookie") or []:
        cookies.load(header)
    conn.close()
    if resp.status != 302 or "sessionid" not in cookies:
        raise RuntimeError(f"login as {USER} failed ({resp.status})")
    return "; ".join(f"{k}={cookies[k].value}" for k in ("csrftoken", "sessionid"))


def get(port: int, path: str, headers: dict[str, str]) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT)
    conn.request("GET", path, headers=headers)
    resp = conn.getresponse()
    body = resp.read()
    conn.close()
    return resp.status, body


def load(
    port: int, targets: list[tuple[str, dict[str, str]]], concurrency: int, seconds: float
) -> tuple[Sample, float]:
    """`concurrency` threads, each on its own keep-alive connection, cycle through `targets`
    until `seconds` have passed; the latencies and errors of them all, and the time until the
    last answer came."""
    samples = [Sample() for _ in range(concurrency)]
    started = time.perf_counter()
    deadline = started + seconds

    def client(n: int) -> None:
        sample = samples[n]
        conn: http.client.HTTPConnection | None = None
        i = n  # each thread starts at its own place in the round
        while time.perf_counter() < deadline:
            path, headers = targets[i % len(targets)]
            i += 1
            if conn is None:
                conn = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT)
            t0 = time.perf_counter()
            try:
                conn.request("GET", path, headers=headers)
                resp = conn.getresponse()
                resp.read()
            except (OSError, http.client.HTTPException) as exc:
                sample.error(type(exc).__name__)
                conn.close()
                conn = None
                continue
            sample.latencies.append(time.perf_counter() - t0)
            if not 200 <= resp.status < 300:
                sample.error(f"HTTP {resp.status}")
            if resp.will_close:
                conn.close()
                conn = None
        if conn is not None:
            conn.close()

    threads = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:  # a request in flight at the deadline may take REQUEST_TIMEOUT more
        t.join(timeout=max(0.0, deadline - time.perf_counter()) + REQUEST_TIMEOUT + 5)
    elapsed = time.perf_counter() - started
    merged = Sample()
    for s in samples:
        merged.latencies += s.latencies
        merged.errors += s.errors
        for kind, count in s.error_kinds.items():
            merged.error_kinds[kind] = merged.error_kinds.get(kind, 0) + count
    return merged, elapsed


def percentile_ms(values: list[float], q: float) -> float | None:
    """Nearest rank, in milliseconds."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(q * len(ordered) + 0.5) - 1))
    return round(ordered[rank] * 1000, 1)


def row(name: str, path: str, concurrency: int, sample: Sample, elapsed: float) -> dict[str, Any]:
    requests = len(sample.latencies) + sum(
        n for kind, n in sample.error_kinds.items() if not kind.startswith("HTTP")
    )
    return {
        "endpoint": name,
        "path": path,
        "concurrency": concurrency,
        "requests": requests,
        "req_per_s": round(requests / elapsed, 1) if elapsed else 0.0,
        "p50_ms": percentile_ms(sample.latencies, 0.50),
        "p95_ms": percentile_ms(sample.latencies, 0.95),
        "errors": sample.errors,
        "error_kinds": sample.error_kinds,
    }


def _load_average() -> float | None:
    """The 1-minute load average: above zero before the run, other work shares the cores."""
    try:
        return round(os.getloadavg()[0], 2)
    except OSError:
        return None


def _cpu_seconds() -> tuple[float, float] | None:
    """Busy CPU seconds of the whole machine (/proc/stat) and of this process with its waited
    children: their difference over the run is what other work took from the cores."""
    try:
        fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    except OSError:
        return None
    jiffies = [int(f) for f in fields]
    busy = (sum(jiffies[:8]) - jiffies[3] - jiffies[4]) / os.sysconf("SC_CLK_TCK")
    t = os.times()
    return busy, t.user + t.system + t.children_user + t.children_system


def machine() -> str:
    try:
        memory = f", {os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB"
    except (ValueError, OSError, AttributeError):
        memory = ""
    return (
        f"{platform.platform()}, {platform.machine()}, {os.cpu_count()} cores{memory}, "
        f"Python {platform.python_version()}"
    )


def table(report: dict[str, Any]) -> str:
    lines = [
        f"machine:  {report['machine']}",
        f"database: {report['database']}; {report['households']} households "
        f"(demo built in {report['build_seconds']} s)",
        f"server:   {report['server']}",
        f"load:     {report['seconds_per_phase']} s per phase, as {report['user']}; load "
        f"average before {report['load_average']['before']}, after "
        f"{report['load_average']['after']}",
        f"other work on the machine while the server ran: {report['other_work']}",
        "",
        f"{'c':>3}  {'endpoint':<11} {'requests':>9} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} "
        f"{'errors':>7} {'/ baseline':>10}",
    ]
    for r in report["results"]:
        p50 = "-" if r["p50_ms"] is None else f"{r['p50_ms']:.1f}"
        p95 = "-" if r["p95_ms"] is None else f"{r['p95_ms']:.1f}"
        ratio = "-" if r["over_baseline"] is None else f"{r['over_baseline']:.3f}"
        lines.append(
            f"{r['concurrency']:>3}  {r['endpoint']:<11} {r['requests']:>9} "
            f"{r['req_per_s']:>8.1f} {p50:>8} {p95:>8} {r['errors']:>7} {ratio:>10}"
        )
    errors = {
        f"c={r['concurrency']} {r['endpoint']}": r["error_kinds"]
        for r in report["results"]
        if r["errors"]
    }
    if errors:
        lines += ["", "errors: " + json.dumps(errors, ensure_ascii=False)]
    if report["server_log"]:
        lines += ["", "server log, lines by kind:"]
        lines += [f"  {n:>7}  {kind}" for kind, n in report["server_log"].items()]
    return "\n".join(lines)


def run(args: argparse.Namespace, home: Path) -> dict[str, Any]:
    load_before = _load_average()
    env = {k: v for k, v in os.environ.items() if not k.startswith("BANGFU_")}
    env.pop("DATABASE_URL", None)
    env.update(BANGFU_HOME=str(home), DJANGO_SETTINGS_MODULE="bangfu.settings")
    if args.database_url:
        env["DATABASE_URL"] = args.database_url
        database = schema_reset(args.database_url)
    else:
        database = f"SQLite {sqlite3.sqlite_version} (WAL)"

    started = time.perf_counter()
    demo = ["demo", "--households", str(args.households), "--no-serve"]
    bangfu(*demo, env=env, timeout=BUILD_TIMEOUT)
    build = time.perf_counter() - started
    token = bangfu("token", "create", USER, "--label", "bench-load", env=env, timeout=120)
    token = token.strip().splitlines()[-1]

    port = free_port()
    log = home / "serve.log"
    serve = ["serve", "--no-worker", "--host", HOST, "--port", str(port)]
    cpu_before, wall_before = _cpu_seconds(), time.perf_counter()
    with log.open("wb") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "bangfu.cli", *serve],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stopped with whatever it starts
        )
    try:
        wait_healthy(port, server, log)
        web = {"Cookie": login(port)}
        api = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
        status, body = get(port, "/api/v1/households?page_size=1", api)
        if status != 200:
            raise RuntimeError(f"/api/v1/households answered {status}")
        household_no = json.loads(body)["items"][0]["household_no"]
        endpoints = {
            "healthz": ("/healthz", {}),
            "households": ("/households/", web),
            "household": (f"/households/{household_no}/", web),
            "warnings": ("/warnings/?listed=lead", web),
            "api": ("/api/v1/warnings", api),
        }
        for name, (path, headers) in endpoints.items():  # each answers, and is warm
            status, _ = get(port, path, headers)
            if status != 200:
                raise RuntimeError(f"{name} ({path}) answered {status} before the load")

        phases = [(name, [target]) for name, target in endpoints.items()]
        phases.append(("mix", [t for name, t in endpoints.items() if name != "healthz"]))
        per_phase = args.seconds / len(phases)
        results = []
        for concurrency in args.concurrency:
            baseline = None
            for name, targets in phases:
                sample, elapsed = load(port, targets, concurrency, per_phase)
                path = targets[0][0] if len(targets) == 1 else "round-robin of the four"
                r = row(name, path, concurrency, sample, elapsed)
                if name == "healthz":
                    baseline = r["req_per_s"]
                r["over_baseline"] = round(r["req_per_s"] / baseline, 3) if baseline else None
                results.append(r)
    finally:
        server_stop(server)
    cpu_after, wall = _cpu_seconds(), time.perf_counter() - wall_before
    other = None
    if cpu_before and cpu_after:
        taken = (cpu_after[0] - cpu_before[0]) - (cpu_after[1] - cpu_before[1])
        other = {
            "cpu_seconds": round(max(0.0, taken), 1),
            "share_of_machine": round(max(0.0, taken) / (wall * (os.cpu_count() or 1)), 3),
        }
    # the first line is the address; anything after it is a warning or an error, counted by
    # kind (numbers left out: waitress's "Task queue depth is 7" is one kind)
    log_kinds: dict[str, int] = {}
    for line in log.read_text(errors="replace").splitlines()[1:]:
        kind = re.sub(r"\d+", "N", line.strip())[:120]
        log_kinds[kind] = log_kinds.get(kind, 0) + 1
    return {
        "households": args.households,
        "database": database,
        "build_seconds": round(build, 1),
        "server": "bangfu serve --no-worker (waitress, 8 threads), on 127.0.0.1",
        "user": USER,
        "seconds_per_phase": round(per_phase, 2),
        "machine": machine(),
        "results": results,
        "server_log": dict(sorted(log_kinds.items(), key=lambda kv: -kv[1])[:10]),
        "load_average": {"before": load_before, "after": _load_average()},
        # CPU that other processes took while the server ran: the server is this process's
        # child and not among them, but a PostgreSQL server's backends are
        "other_work": other,
    }


def levels(text: str) -> list[int]:
    return [int(c) for c in text.split(",") if c.strip()]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--households", type=int, default=2_000)
    parser.add_argument("--seconds", type=float, default=30.0, help="per concurrency level")
    parser.add_argument("--concurrency", type=levels, default=[1, 4, 16], help="e.g. 1,4,16")
    parser.add_argument("--database-url", default="")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if not args.concurrency or min(args.concurrency) < 1 or args.seconds <= 0:
        parser.error("--concurrency needs levels of at least 1, --seconds a positive number")

    signal.signal(signal.SIGTERM, _terminate)  # so that the finally below runs on SIGTERM too
    home = Path(tempfile.mkdtemp(prefix="bangfu-bench-load-"))
    try:
        report = run(args, home)
    finally:
        shutil.rmtree(home, ignore_errors=True)
    if args.json:
        print(json.dumps(report, ensure_ascii=False))
    else:
        print(table(report))


if __name__ == "__main__":
    main()
