"""The two baselines the benchmark measures bangfu against, for the shipped policy's 17 rules:
the SQL an expert would write by hand for DuckDB, and a straightforward pandas program. Both
return the same (household_no, rule_id) pairs as bangfu; the benchmark checks that they do."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from bangfu.monitoring.policy import Policy


def _p(policy: Policy, rid: str) -> dict[str, Any]:
    return policy.rule(rid).params


def _in(values: list[str]) -> str:
    return ", ".join("'" + v.replace("'", "''") + "'" for v in values)


def duckdb_sql(policy: Policy, *, period: str, start: dt.date, end: dt.date) -> str:
    line, year = policy.line, int(period[:4])
    r02, r03, r04 = _p(policy, "R02"), _p(policy, "R03"), _p(policy, "R04")
    r05, r06, r07 = _p(policy, "R05"), _p(policy, "R06"), _p(policy, "R07")
    r09, r10, r11 = _p(policy, "R09"), _p(policy, "R10"), _p(policy, "R11")
    r12, r13, r15 = _p(policy, "R12"), _p(policy, "R13"), _p(policy, "R15")
    r17 = _p(policy, "R17")
    # a rule's own category (sudden, unstable, edge), else by history: formerly poor or not
    fixed = "".join(
        f"WHEN ev.rule_id = '{r.id}' THEN '{r.category}' "
        for r in policy.rules
        if r.category != "by_history"
    )
    r17_where = " AND ".join(
        [f"(l.net - l.policy_income) / l.size < {line}"]
        + ([f"l.pc >= {line}"] if r17["above_line_only"] else [])
        + (["h.formerly_poor"] if r17["formerly_poor_only"] else [])
    )
    win = f"event_date BETWEEN DATE '{start}' AND DATE '{end}'"
    return f"""
WITH inc AS (
  SELECT *, wage + business + property_income + transfer - production_costs AS net,
         (wage + business + property_income + transfer - production_costs) / size AS pc
  FROM incomes WHERE year <= {year}),
latest AS (SELECT * FROM inc QUALIFY year = max(year) OVER (PARTITION BY household_no)),
rd AS (
  SELECT household_no, period, kind, size, income, production_costs FROM readings
  UNION ALL SELECT household_no, period, CASE kind WHEN '季度' THEN 'quarter' ELSE 'month' END,
    household_size, income, coalesce(production_costs, 0) FROM grid),
rk AS (
  SELECT *, CASE WHEN substr(period, 6, 1) = 'Q'
                 THEN substr(period, 1, 5) || lpad(CAST(CAST(substr(period, 7, 1) AS INT) * 3 AS VARCHAR), 2, '0')
                 ELSE period END AS pkey,
         (income - production_costs) / size AS pc
  FROM rd),
rk2 AS (SELECT *, row_number() OVER (PARTITION BY household_no, kind ORDER BY pkey DESC, period DESC) - 1 AS rn
        FROM rk WHERE pkey <= '{period}'),
mem AS (SELECT person_hash, household_no, age, labour, schooling, medical_insured FROM members),
med AS (SELECT m.*, mem.household_no FROM medical m JOIN mem USING (person_hash) WHERE {win}),
med_sum AS (SELECT household_no, sum(out_of_pocket) AS oop FROM med GROUP BY household_no),
med_hit AS (SELECT s.household_no, s.oop, coalesce(l.net, 0) AS net FROM med_sum s
            LEFT JOIN latest l USING (household_no)
            WHERE s.oop > {r05["min_amount"]} OR s.oop > coalesce(l.net, 0) * {r05["min_share"]}),
hou AS (SELECT h.*, mem.household_no FROM housing h JOIN mem USING (person_hash)
        QUALIFY row_number() OVER (PARTITION BY mem.household_no ORDER BY event_date DESC, record_id DESC) = 1),
wat AS (SELECT w.*, mem.household_no FROM water w JOIN mem USING (person_hash)
        QUALIFY row_number() OVER (PARTITION BY mem.household_no ORDER BY event_date DESC, record_id DESC) = 1),
emg AS (SELECT e.*, mem.household_no FROM emergency e JOIN mem USING (person_hash) WHERE {win}),
emg_hit AS (SELECT household_no, sum(loss_amount) AS loss FROM emg GROUP BY household_no
            HAVING sum(loss_amount) > {r11["min_amount"]}),
ev AS (
  SELECT l.household_no, 'R01' AS rule_id, l.pc AS value, {line} AS reference, '' AS detail,
         'income:' || l.year AS source FROM latest l JOIN households h USING (household_no)
    WHERE l.pc < {line} AND h.assistance = 'none'
  UNION ALL SELECT l.household_no, 'R18', l.pc, {line}, '', 'income:' || l.year
    FROM latest l JOIN households h USING (household_no)
    WHERE l.pc < {line} AND h.assistance <> 'none'
  UNION ALL SELECT household_no, 'R02', pc, {line * (1 + r02["margin"])}, '', 'income:' || year
    FROM latest WHERE pc >= {line} AND pc < {line * (1 + r02["margin"])}
  UNION ALL SELECT a.household_no, 'R03', a.pc, b.pc, '', 'income:' || a.year FROM latest a
    JOIN inc b ON a.household_no = b.household_no AND b.year = a.year - 1
    WHERE b.pc > 0 AND a.pc < b.pc * (1 - {r03["drop"]}) AND a.pc < {line * r03["ceiling"]}
  UNION ALL SELECT a.household_no, 'R04', a.pc, b.pc, '', 'reading:' || a.period FROM rk2 a
    JOIN rk2 b ON a.household_no = b.household_no AND a.kind = b.kind AND a.rn = 0 AND b.rn = 1
    WHERE b.pc > 0 AND a.pc < b.pc * (1 - {r04["drop"]})
  UNION ALL SELECT household_no, 'R05', oop, net, '合计', 'medical' FROM med_hit
  UNION ALL SELECT m.household_no, 'R05', m.out_of_pocket, h.net, m.record_id, 'medical'
    FROM med m JOIN med_hit h USING (household_no)
  UNION ALL SELECT household_no, 'R06', schooling_costs, net, '', 'income:schooling' FROM latest
    WHERE schooling_costs > 0 AND schooling_costs > net * {r06["min_share"]}
  UNION ALL SELECT household_no, 'R07',
    CASE grade WHEN 'A' THEN 1 WHEN 'B' THEN 2 WHEN 'C' THEN 3 WHEN 'D' THEN 4 ELSE 0 END,
    3, record_id, 'housing' FROM hou WHERE grade IN ({_in(r07["grades"])})
  UNION ALL SELECT household_no, 'R07', 0, 1, '', 'registry:housing' FROM households
    WHERE housing_secured = 'no'
  UNION ALL SELECT household_no, 'R08', 0, 1, record_id, 'water' FROM wat WHERE NOT safe
  UNION ALL SELECT household_no, 'R08', 0, 1, '', 'registry:water' FROM households
    WHERE water_secured = 'no'
  UNION ALL SELECT household_no, 'R09', age, {float(r09["max_age"])}, person_hash,
    'registry:schooling' FROM mem
    WHERE age BETWEEN {r09["min_age"]} AND {r09["max_age"]} AND schooling = 'dropout'
  UNION ALL SELECT mem.household_no, 'R09', mem.age, {float(r09["max_age"])}, e.record_id,
    'education' FROM education e JOIN mem USING (person_hash)
    WHERE e.{win} AND e.status = '辍学' AND mem.age BETWEEN {r09["min_age"]} AND {r09["max_age"]}
  UNION ALL SELECT mem.household_no, 'R10', d.grade, {float(r10["max_grade"])}, d.record_id,
    'disability' FROM disability d JOIN mem USING (person_hash)
    WHERE d.{win} AND d.new_certificate AND d.grade <= {r10["max_grade"]}
  UNION ALL SELECT household_no, 'R10', total_cost, 0, record_id, 'medical:serious' FROM med
    WHERE serious
  UNION ALL SELECT household_no, 'R11', loss, {r11["min_amount"]}, '合计', 'emergency' FROM emg_hit
  UNION ALL SELECT e.household_no, 'R11', e.loss_amount, {r11["min_amount"]}, e.record_id,
    'emergency' FROM emg e JOIN emg_hit USING (household_no)
  UNION ALL SELECT mem.household_no, 'R12', mem.age, 0, p.record_id, 'police' FROM police p
    JOIN mem USING (person_hash)
    WHERE p.{win} AND p.event IN ({_in(r12["events"])}) AND mem.labour IN ('ordinary', 'skilled')
      AND mem.age BETWEEN {r12["min_age"]} AND {r12["max_age"]}
  UNION ALL SELECT mem.household_no, 'R13', 0, 0, h.record_id, 'hr' FROM hr h
    JOIN mem USING (person_hash)
    WHERE h.{win} AND h.event IN ({_in(r13["events"])}) AND mem.labour IN ('ordinary', 'skilled')
  UNION ALL SELECT household_no, 'R14', 0, 1, person_hash, 'registry:insurance' FROM mem
    WHERE NOT medical_insured
  UNION ALL SELECT c.household_no, 'R15', l.pc, {line * (1 + r15["margin"])}, c.record_id, 'civil'
    FROM (SELECT c.*, mem.household_no FROM civil c JOIN mem USING (person_hash)
          WHERE c.{win}) c JOIN latest l USING (household_no)
    WHERE c.program = '低保' AND c.action = '取消' AND l.pc < {line * (1 + r15["margin"])}
  UNION ALL SELECT l.household_no, 'R17', (l.net - l.policy_income) / l.size, {line},
    '政策性收入人均 ' || CAST(CAST(round(l.policy_income / l.size, 0) AS BIGINT) AS VARCHAR)
      || ' 元', 'income:' || l.year
    FROM latest l JOIN households h USING (household_no) WHERE {r17_where}
)
SELECT ev.household_no, ev.rule_id,
       CASE {fixed}WHEN h.formerly_poor THEN 'unstable' ELSE 'edge' END AS category,
       ev.value, ev.reference, ev.detail, ev.source
FROM ev JOIN households h USING (household_no)
"""


def run_duckdb_sql(
    folder: Path,
    policy: Policy,
    *,
    period: str,
    start: dt.date,
    end: dt.date,
    threads: int | None = None,
) -> pd.DataFrame:
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")  # it needs the GIL from a worker thread
    if threads:
        con.execute(f"SET threads = {int(threads)}")
    reg = folder / "registry"
    for name in ("households", "members", "incomes", "readings"):
        con.execute(f"CREATE VIEW {name} AS SELECT * FROM read_parquet('{reg / name}.parquet')")
    for code in (
        "medical",
        "civil",
        "housing",
        "water",
        "education",
        "hr",
        "disability",
        "emergency",
        "police",
        "grid",
    ):
        files = sorted((folder / "store" / "feeds" / code).glob("*/data.parquet"))
        if files:
            con.execute(
                f"CREATE VIEW {code} AS SELECT * FROM read_parquet({[str(f) for f in files]!r})"
            )
        else:
            from bangfu.feeds.sources import FEEDS

            empty = folder / f"empty_{code}.parquet"
            import pyarrow.parquet as pq

            pq.write_table(FEEDS[code].arrow_schema().empty_table(), empty)
            con.execute(f"CREATE VIEW {code} AS SELECT * FROM read_parquet('{empty}')")
    # A relation (con.sql), not a prepared statement (con.execute): with DuckDB 1.5 the
    # latter's pending-query path stalled for good at a million households (every thread
    # waiting, no CPU used), with this query and with bangfu's alike. Ibis uses con.sql too.
    out = con.sql(duckdb_sql(policy, period=period, start=start, end=end)).to_arrow_table()
    out = out.to_pandas()
    con.close()
    return out


def run_pandas(
    folder: Path, policy: Policy, *, period: str, start: dt.date, end: dt.date
) -> pd.DataFrame:
    reg = folder / "registry"
    hh = pd.read_parquet(reg / "households.parquet")
    mem = pd.read_parquet(reg / "members.parquet")
    inc = pd.read_parquet(reg / "incomes.parquet")
    rd = pd.read_parquet(reg / "readings.parquet")

    def feed(code: str) -> pd.DataFrame:
        files = sorted((folder / "store" / "feeds" / code).glob("*/data.parquet"))
        if not files:
            from bangfu.feeds.sources import FEEDS

            return FEEDS[code].arrow_schema().empty_table().to_pandas()
        return pd.concat([pd.read_parquet(f) for f in files], ignore_index=True)

    def matched(df: pd.DataFrame, window: bool = True) -> pd.DataFrame:
        df = df.merge(mem[["person_hash", "household_no"]], on="person_hash")
        if window:
            d = pd.to_datetime(df["event_date"])
            df = df[(d >= pd.Timestamp(start)) & (d <= pd.Timestamp(end))]
        return df

    line, year = policy.line, int(period[:4])
    p = {r.id: r.params for r in policy.rules}
    out: list[pd.DataFrame] = []

    def emit(df: pd.DataFrame, rid: str) -> None:
        out.append(pd.DataFrame({"household_no": df["household_no"].to_numpy(), "rule_id": rid}))

    inc = inc[inc["year"] <= year].copy()
    inc["net"] = (
        inc["wage"]
        + inc["business"]
        + inc["property_income"]
        + inc["transfer"]
        - inc["production_costs"]
    )
    inc["pc"] = inc["net"] / inc["size"]
    latest = inc[inc["year"] == inc.groupby("household_no")["year"].transform("max")]
    protected = set(hh.loc[hh["assistance"] != "none", "household_no"])
    low = latest[latest["pc"] < line]
    emit(low[~low["household_no"].isin(protected)], "R01")
    emit(low[low["household_no"].isin(protected)], "R18")
    emit(latest[(latest["pc"] >= line) & (latest["pc"] < line * (1 + p["R02"]["margin"]))], "R02")
    prev = inc.assign(year=inc["year"] + 1)[["household_no", "year", "pc"]]
    j = latest.merge(prev, on=["household_no", "year"], suffixes=("", "_prev"))
    emit(
        j[
            (j["pc_prev"] > 0)
            & (j["pc"] < j["pc_prev"] * (1 - p["R03"]["drop"]))
            & (j["pc"] < line * p["R03"]["ceiling"])
        ],
        "R03",
    )

    grid = feed("grid").rename(columns={"household_size": "size"})
    grid["production_costs"] = grid["production_costs"].fillna(0.0)
    grid["kind"] = np.where(grid["kind"] == "季度", "quarter", "month")
    cols = ["household_no", "period", "kind", "size", "income", "production_costs"]
    r = pd.concat([rd[cols], grid[cols]])
    q = r["period"].str[5] == "Q"
    months = (r["period"].str[6].where(q, "0").astype(int) * 3).astype(str).str.zfill(2)
    r["pkey"] = np.where(q, r["period"].str[:5] + months, r["period"])
    r = r[r["pkey"] <= period].copy()
    r["pc"] = (r["income"] - r["production_costs"]) / r["size"]
    r = r.sort_values(["household_no", "pkey", "period"], ascending=[True, False, False])
    r["rn"] = r.groupby(["household_no", "kind"]).cumcount()
    j = r[r["rn"] == 0].merge(
        r[r["rn"] == 1][["household_no", "kind", "pc"]],
        on=["household_no", "kind"],
        suffixes=("", "_prev"),
    )
    emit(j[(j["pc_prev"] > 0) & (j["pc"] < j["pc_prev"] * (1 - p["R04"]["drop"]))], "R04")

    med = matched(feed("medical"))
    s = med.groupby("household_no", as_index=False)["out_of_pocket"].sum()
    s = s.merge(latest[["household_no", "net"]], on="household_no", how="left")
    s["net"] = s["net"].fillna(0.0)
    hit = s[
        (s["out_of_pocket"] > p["R05"]["min_amount"])
        | (s["out_of_pocket"] > s["net"] * p["R05"]["min_share"])
    ]
    emit(hit, "R05")
    emit(med[med["household_no"].isin(hit["household_no"])], "R05")
    emit(
        latest[
            (latest["schooling_costs"] > 0)
            & (latest["schooling_costs"] > latest["net"] * p["R06"]["min_share"])
        ],
        "R06",
    )

    def unsafe_house(d: pd.DataFrame) -> Any:
        return d["grade"].isin(p["R07"]["grades"])

    def unsafe_water(d: pd.DataFrame) -> Any:
        return ~d["safe"]

    for code, rid, bad in (("housing", "R07", unsafe_house), ("water", "R08", unsafe_water)):
        d = matched(feed(code), window=False).sort_values(
            ["household_no", "event_date", "record_id"], ascending=[True, False, False]
        )
        last = d.drop_duplicates("household_no")
        emit(last[bad(last)], rid)
        col = "housing_secured" if code == "housing" else "water_secured"
        emit(hh[hh[col] == "no"], rid)

    lo, hi = p["R09"]["min_age"], p["R09"]["max_age"]
    in_age = mem[(mem["age"] >= lo) & (mem["age"] <= hi)]
    emit(in_age[in_age["schooling"] == "dropout"], "R09")
    edu = feed("education")
    d = pd.to_datetime(edu["event_date"])
    edu = edu[(d >= pd.Timestamp(start)) & (d <= pd.Timestamp(end)) & (edu["status"] == "辍学")]
    emit(edu.merge(in_age[["person_hash", "household_no"]], on="person_hash"), "R09")

    dis = matched(feed("disability"))
    emit(dis[dis["new_certificate"] & (dis["grade"] <= p["R10"]["max_grade"])], "R10")
    emit(med[med["serious"]], "R10")
    emg = matched(feed("emergency"))
    loss = emg.groupby("household_no", as_index=False)["loss_amount"].sum()
    hit = loss[loss["loss_amount"] > p["R11"]["min_amount"]]
    emit(hit, "R11")
    emit(emg[emg["household_no"].isin(hit["household_no"])], "R11")

    able = mem[mem["labour"].isin(["ordinary", "skilled"])]
    pol = feed("police")
    d = pd.to_datetime(pol["event_date"])
    pol = pol[
        (d >= pd.Timestamp(start))
        & (d <= pd.Timestamp(end))
        & pol["event"].isin(p["R12"]["events"])
    ]
    a12 = able[(able["age"] >= p["R12"]["min_age"]) & (able["age"] <= p["R12"]["max_age"])]
    emit(pol.merge(a12[["person_hash", "household_no"]], on="person_hash"), "R12")
    h = feed("hr")
    d = pd.to_datetime(h["event_date"])
    h = h[
        (d >= pd.Timestamp(start)) & (d <= pd.Timestamp(end)) & h["event"].isin(p["R13"]["events"])
    ]
    emit(h.merge(able[["person_hash", "household_no"]], on="person_hash"), "R13")
    emit(mem[~mem["medical_insured"]], "R14")
    civ = matched(feed("civil"))
    civ = civ[(civ["program"] == "低保") & (civ["action"] == "取消")].merge(
        latest[["household_no", "pc"]], on="household_no"
    )
    emit(civ[civ["pc"] < line * (1 + p["R15"]["margin"])], "R15")
    hit = latest[(latest["net"] - latest["policy_income"]) / latest["size"] < line]
    if p["R17"]["above_line_only"]:
        hit = hit[hit["pc"] >= line]
    if p["R17"]["formerly_poor_only"]:
        hit = hit[hit["household_no"].isin(hh.loc[hh["formerly_poor"], "household_no"])]
    emit(hit, "R17")

    ev = pd.concat(out, ignore_index=True)
    return ev[ev["household_no"].isin(hh["household_no"])]
