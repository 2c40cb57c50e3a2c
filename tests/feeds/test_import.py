import csv
import datetime as dt
import io

import pyarrow.parquet as pq
import pytest

from bangfu.core.crypto import lookup_hash
from bangfu.core.tabular.sheets import read_table
from bangfu.feeds.importer import feed_import
from bangfu.feeds.sources import FEEDS
from bangfu.feeds.store import feed_files, feed_read
from bangfu.feeds.templates import feed_template
from tests.conftest import KEYS, household_rows, person_id

pytestmark = pytest.mark.django_db
MED = FEEDS["medical"]
HEAD = [c.header for c in MED.all_columns]


@pytest.fixture(autouse=True)
def _home(settings, tmp_path):
    settings.HOME = tmp_path


def table(rows, encoding="gbk"):
    buf = io.StringIO(newline="")
    w = csv.writer(buf)
    w.writerow(HEAD)
    w.writerows(rows)
    return read_table(io.BytesIO(buf.getvalue().encode(encoding)), "m.csv")


def test_every_department_has_a_template_with_its_columns(tmp_path):
    from openpyxl import load_workbook

    assert set(FEEDS) == {
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
    }
    for code, spec in FEEDS.items():
        out = tmp_path / f"{code}.xlsx"
        feed_template(spec=spec, out=out)
        headers = [c.value.rstrip("*") for c in load_workbook(out)[spec.title][1]]
        assert headers == [c.header for c in spec.all_columns]


def test_records_are_matched_by_keyed_hash_and_stored_without_id_numbers(make_households):
    rows = household_rows("F-1")
    make_households(rows)
    ident = rows[0][KEYS.index("id_number")]
    stranger = person_id()
    report = feed_import(
        spec=MED,
        table=table(
            [
                ["M-1", ident, "2026-03-02", "9000", "3000", "否", "县医院"],
                ["M-2", stranger, "2026-04-10", "500", "200", "否", ""],
            ]
        ),
        today=dt.date(2026, 11, 1),
    )
    assert report.written and report.rows == 2
    assert [(r, rid) for r, rid, _ in report.unmatched] == [(3, "M-2")]
    assert "*" in report.unmatched[0][2]  # listed masked
    stored = feed_read(MED)
    assert stored.column("person_hash").to_pylist() == [lookup_hash(ident), lookup_hash(stranger)]
    for f in feed_files("medical"):
        text = pq.read_table(f).to_pandas().to_string()
        assert ident not in text and stranger not in text
    assert sorted(stored.column("period").to_pylist()) == ["2026-03", "2026-04"]


def test_reimport_upserts_by_record_id_even_across_periods():
    ident = person_id()
    feed_import(
        spec=MED,
        table=table([["M-1", ident, "2026-03-02", "9000", "3000", "否", ""]]),
        today=dt.date(2026, 11, 1),
    )
    feed_import(
        spec=MED,
        table=table([["M-1", ident, "2026-03-02", "9000", "3000", "否", ""]]),
        today=dt.date(2026, 11, 1),
    )
    assert feed_read(MED).num_rows == 1
    # the source corrected the date: the record moves to another period, once
    feed_import(
        spec=MED,
        table=table([["M-1", ident, "2026-05-09", "9000", "2500", "否", ""]]),
        today=dt.date(2026, 11, 1),
    )
    stored = feed_read(MED)
    assert stored.num_rows == 1
    assert stored.column("period").to_pylist() == ["2026-05"]
    assert stored.column("out_of_pocket").to_pylist() == [2500.0]


def test_bad_rows_are_reported_and_nothing_is_written():
    ident = person_id()
    report = feed_import(
        spec=MED,
        table=table(
            [
                ["M-1", ident, "2026-03-02", "9000", "3000", "否", ""],
                [
                    "M-2",
                    ident[:-1] + ("0" if ident[-1] != "0" else "1"),
                    "2026-03-02",
                    "1",
                    "1",
                    "否",
                    "",
                ],
                ["M-1", ident, "2027-01-01", "x", "1", "也许", ""],
            ]
        ),
        today=dt.date(2026, 11, 1),
    )
    assert not report.written
    got = {(e.row, e.column) for e in report.errors}
    assert got == {
        (3, "身份证号"),
        (4, "记录编号"),
        (4, "日期"),
        (4, "医疗总费用"),
        (4, "重大疾病"),
    }
    assert feed_files("medical") == []


def test_grid_readings_are_keyed_by_household_number(make_households):
    make_households(household_rows("G-1"))
    spec = FEEDS["grid"]
    head = [c.header for c in spec.all_columns]
    t = read_table(
        io.BytesIO(
            (
                ",".join(head) + "\nR-1,G-1,2026-06-30,季度,6000,500,3\n"
                "R-2,NOPE,2026-06-30,季度,6000,500,3\n"
            ).encode()
        ),
        "g.csv",
    )
    report = feed_import(spec=spec, table=t, today=dt.date(2026, 11, 1))
    assert report.written and [rid for _, rid, _ in report.unmatched] == ["R-2"]
