"""Cases found in review: partial files, changed members, old incomes, odd characters."""

import csv
import io

import pytest

from bangfu.audit.models import AuditEvent
from bangfu.core.crypto import lookup_hash
from bangfu.core.tabular.sheets import SheetError, read_table
from bangfu.registry.exporter import households_export
from bangfu.registry.importer import households_import
from bangfu.registry.models import Household, IncomeRecord, Member
from tests.conftest import HEADERS, KEYS, household_rows

pytestmark = pytest.mark.django_db


def run(rows, headers=HEADERS, scope=""):
    buf = io.StringIO(newline="")
    w = csv.writer(buf)
    w.writerow(headers)
    w.writerows(rows)
    table = read_table(io.BytesIO(buf.getvalue().encode()), "f.csv")
    return households_import(table=table, actor=None, scope_prefix=scope)


def test_a_file_with_fewer_columns_changes_only_what_it_says():
    rows = household_rows("A-1", formerly_poor="是", phone="13800138000")
    rows[0][KEYS.index("health")] = "患有大病"
    run(rows)
    few = ["户编号", "村区划代码", "姓名", "身份证号", "与户主关系"]
    idx = [HEADERS.index(h) for h in few]
    report = run([[r[i] for i in idx] for r in rows], headers=few)
    assert report.written and report.households_updated == report.members_updated == 0
    h = Household.objects.get(household_no="A-1")
    assert (h.formerly_poor, h.grid.number) == (True, 1)
    assert h.phone_enc and Member.objects.get(relation="head").health == "serious"


def test_the_file_decides_who_belongs_to_a_household():
    rows = household_rows("B-1", size=3)
    run(rows)
    # the head moves out; the spouse becomes head; a mistyped ID is corrected
    new = [rows[1][:], rows[2][:]]
    new[0][KEYS.index("relation")] = "户主"
    report = run(new)
    assert report.members_removed == 1
    h = Household.objects.get(household_no="B-1")
    assert h.members.filter(relation="head").count() == 1
    assert h.members.count() == 2
    gone = lookup_hash(rows[0][KEYS.index("id_number")])
    assert not Member.objects.filter(id_hash=gone).exists()
    assert AuditEvent.objects.filter(action="delete", object_type="member").count() == 1
    buf = io.BytesIO()
    households_export(
        households=Household.objects.all(), out=buf, unmask=True, actor=None, region_code=""
    )
    again = households_import(
        table=read_table(io.BytesIO(buf.getvalue()), "e.xlsx"), actor=None, scope_prefix=""
    )
    assert again.written and again.members_updated == again.members_removed == 0


def test_an_old_years_size_is_kept_when_its_amounts_are_corrected():
    rows = household_rows("C-1", size=2, year=2020, wage=10000)
    run(rows)
    run(household_rows("C-1", size=4)[2:] + rows)  # two more members join
    rows = [r[:] for r in rows]
    fixed = household_rows("C-1", size=4)[2:] + rows
    for r in fixed:
        r[KEYS.index("year")], r[KEYS.index("wage")] = "2020", "12000"
    run(fixed)
    rec = IncomeRecord.objects.get(household__household_no="C-1", year=2020)
    assert (rec.household_size, rec.wage) == (2, 12000)


@pytest.mark.parametrize("cell", ["٣", "1٣", "Ⅳ"])
def test_unicode_digits_are_a_cell_error_not_a_crash(cell):
    rows = household_rows("D-1", size=1)
    rows[0][KEYS.index("work_months")] = cell
    report = run(rows)
    assert [(e.row, e.column) for e in report.errors] == [(2, "务工月数")]


def test_compatibility_digits_fold_to_ascii():
    rows = household_rows("D-2", size=1)
    rows[0][KEYS.index("work_months")] = "²"  # NFKC: 2
    rows[0][KEYS.index("work_place")] = "县内"
    assert run(rows).written
    assert Member.objects.get(household__household_no="D-2").work_months == 2


def test_full_width_id_numbers_fold_to_the_same_person():
    rows = household_rows("E-1", size=1)
    run(rows)
    ident = rows[0][KEYS.index("id_number")]
    wide = "".join(chr(ord(c) + 0xFEE0) if c.isdigit() else c for c in ident)
    other = household_rows("E-2", size=1)
    other[0][KEYS.index("id_number")] = wide
    report = run(other, scope="140123100207")  # a neighbouring village cannot take him
    assert [(e.row, e.column) for e in report.errors] == [(2, "村区划代码"), (2, "身份证号")] or [
        e.column for e in report.errors
    ] == ["村区划代码"]
    report = run(other)  # as the county: he moves, he is not registered twice
    assert report.members_created == 0 and Member.objects.count() == 1


def test_cells_that_look_like_formulas_stay_text_and_round_trip():
    rows = household_rows("F-1", size=1, address="=1+1")
    rows[0][KEYS.index("name")] = '=HYPERLINK("http://x","y")'
    run(rows)
    buf = io.BytesIO()
    households_export(
        households=Household.objects.all(), out=buf, unmask=True, actor=None, region_code=""
    )
    from openpyxl import load_workbook

    ws = load_workbook(io.BytesIO(buf.getvalue()))["农户信息"]
    assert ws.cell(2, KEYS.index("name") + 1).data_type == "s"
    again = households_import(
        table=read_table(io.BytesIO(buf.getvalue()), "e.xlsx"), actor=None, scope_prefix=""
    )
    assert again.written and again.members_updated == 0


def test_broken_files_are_refused_with_a_reason():
    with pytest.raises(SheetError, match="CSV"):
        read_table(io.BytesIO(('a\n"' + "x" * 200_000 + '"\n').encode()), "f.csv")
    with pytest.raises(SheetError, match="Excel"):
        read_table(io.BytesIO(b"PK\x03\x04 not really a zip"), "f.xlsx")


def test_a_household_file_may_not_set_the_monitoring_category():
    """The category is the case's (监测对象 come in through the monitoring import)."""
    rows = [[*r, "边缘易致贫户"] for r in household_rows("C-1")]
    report = run(rows, headers=[*HEADERS, "监测类别"])
    assert not report.written and not Household.objects.exists()
    (error,) = report.errors
    assert (error.row, error.column) == (1, "监测类别") and "监测对象导入" in error.reason


def test_the_second_of_two_concurrent_imports_of_one_file_reports_no_change(monkeypatch):
    """Issue 11, finding 5: the second import read the registry before the first committed;
    its write then met the first's rows (IntegrityError). It reads again and changes nothing."""
    from bangfu.registry import importer

    rows = household_rows("D-1", size=2)
    assert run(rows).households_created == 1
    real = importer._scope_checks
    calls = []

    def stale_then_real(groups, scope_prefix):
        calls.append(1)
        if len(calls) == 1:  # what it read before the first import committed: nothing
            return {}, {}, []
        return real(groups, scope_prefix)

    monkeypatch.setattr(importer, "_scope_checks", stale_then_real)
    report = run(rows)
    assert report.written and len(calls) == 2
    assert report.households_created == report.members_created == 0
    assert Household.objects.filter(household_no="D-1").count() == 1
    assert Member.objects.filter(household__household_no="D-1").count() == 2
