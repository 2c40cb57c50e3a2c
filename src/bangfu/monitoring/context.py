"""What the rules see: the registry snapshot and the department feeds as Ibis tables, and the
period under review."""

from __future__ import annotations

import calendar
import datetime as dt
from functools import cached_property
from pathlib import Path

import ibis
import ibis.expr.types as ir
import pyarrow.parquet as pq
from ibis.backends import BaseBackend

from bangfu.feeds.sources import FEEDS
from bangfu.feeds.store import feed_files, feed_glob
from bangfu.monitoring.engines import keep_greatest, read_parquet
from bangfu.monitoring.policy import Policy
from bangfu.monitoring.vulnerability import VulnerabilityModel


def period_end(period: str) -> dt.date:
    year, month = int(period[:4]), int(period[5:7])
    return dt.date(year, month, calendar.monthrange(year, month)[1])


class Context:
    def __init__(
        self,
        *,
        con: BaseBackend,
        registry: Path,
        store: Path,
        period: str,
        policy: Policy,
        window_months: int = 12,
        scratch: Path,
    ) -> None:
        self.con = con
        self.registry = registry
        self.store = store
        self.period = period
        self.policy = policy
        self.line = policy.line
        self.year = int(period[:4])
        self.end = period_end(period)
        months = self.end.year * 12 + self.end.month - window_months
        self.start = dt.date(months // 12, months % 12 + 1, 1)
        self.scratch = scratch
        self.skipped: dict[str, str] = {}  # rule id -> why it could not be built
        self._feeds: dict[str, ir.Table] = {}
        self._windowed: dict[str, ir.Table] = {}

    def _read(self, name: str, path: str) -> ir.Table:
        return read_parquet(self.con, path, name)

    @cached_property
    def vulnerability_model(self) -> VulnerabilityModel:
        """The fitted model in the store (models/vulnerability.json); ModelMissing if none."""
        return VulnerabilityModel.load(self.store / "models")

    @cached_property
    def households(self) -> ir.Table:
        return self._read("households", str(self.registry / "households.parquet"))

    def household_count(self) -> int:
        """From the snapshot's Parquet metadata: no query needed."""
        return int(pq.ParquetFile(self.registry / "households.parquet").metadata.num_rows)

    @cached_property
    def members(self) -> ir.Table:
        return self._read("members", str(self.registry / "members.parquet"))

    @cached_property
    def incomes(self) -> ir.Table:
        return self._read("incomes", str(self.registry / "incomes.parquet"))

    def incomes_per_capita(self) -> ir.Table:
        t = self.incomes
        total = t.wage + t.business + t.property_income + t.transfer
        net = total - t.production_costs
        return t.mutate(
            total_income=total,
            net_income=net,
            per_capita=net / t.size,
            # what would be left if the policies ended (seed 003: 离开帮扶政策会出现返贫风险)
            per_capita_without_policy=(net - t.policy_income) / t.size,
        )

    @cached_property
    def _latest_income(self) -> ir.Table:
        inc = self.incomes_per_capita()
        inc = inc.filter(inc.year <= self.year)
        # one pass (a window), as an expert would write it, not an aggregate joined back
        return keep_greatest(self.con, inc, "year", by="household_no")

    def latest_income(self) -> ir.Table:
        """Each household's most recent annual record up to the period's year."""
        return self._latest_income

    def readings_per_capita(self) -> ir.Table:
        r = self._read("readings", str(self.registry / "readings.parquet"))
        r = r.select("household_no", "period", "kind", "size", "income", "production_costs")
        grid = self.feed_all("grid")
        g = grid.select(
            household_no=grid.household_no,
            period=grid.period,
            kind=ibis.ifelse(grid.kind == "季度", "quarter", "month"),
            size=grid.household_size,
            income=grid.income,
            production_costs=grid.production_costs.fill_null(0.0),
        )
        both = r.union(g)
        # 2026-Q2 sorts as 2026-06 (the quarter's last month), so months and quarters compare
        last_month = ibis.cases(
            *[(both.period.substr(5, 2) == f"Q{q}", f"{3 * q:02d}") for q in (1, 2, 3, 4)],
            else_=None,
        )
        key = (both.period.substr(0, 5) + last_month).fill_null(both.period)
        both = both.mutate(period_key=key)
        both = both.filter(both.period_key <= self.period)
        return both.mutate(per_capita=(both.income - both.production_costs) / both.size)

    def feed_all(self, code: str) -> ir.Table:
        if code not in self._feeds:
            self._feeds[code] = self._feed(code)
        return self._feeds[code]

    def _feed(self, code: str) -> ir.Table:
        spec = FEEDS[code]
        if feed_files(code, self.store):
            t = self._read(f"feed_{code}", feed_glob(code, self.store))
        else:
            empty = self.scratch / f"empty_{code}.parquet"
            pq.write_table(spec.arrow_schema().empty_table(), empty)
            t = self._read(f"feed_{code}", str(empty))
        if not spec.keyed_by_person:
            return t
        # records of people the registry does not hold cannot flag a household: an inner join
        who = self.members.select("person_hash", "household_no")
        return t.join(who, "person_hash")

    def feed_in_window(self, code: str) -> ir.Table:
        """The source's records of the last `window_months` months, of people in the
        registry. One expression per source, shared by every rule that reads it, so that the
        engine computes it once."""
        if code not in self._windowed:
            t = self.feed_all(code)
            windowed = t.filter(
                (t.event_date >= ibis.literal(self.start))
                & (t.event_date <= ibis.literal(self.end))
            )
            # a view, so that a rule's own filter is not merged into this one's: every rule then
            # reads the same subquery, which the engine computes once
            self._windowed[code] = windowed.view()
        return self._windowed[code]
