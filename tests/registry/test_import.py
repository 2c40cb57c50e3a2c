"""The household import: encodings, validation with row/column/reason, all-or-nothing,
--skip-invalid, idempotency and scope."""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from bangfu.audit.models import AuditEvent
from bangfu.core.crypto import decrypt, lookup_hash
from bangfu.core.tabular.sheets import read_table
from bangfu.registry.exporter import households_export, households_template
from bangfu.registry.importer import households_import
from bangfu.registry.models import Household, IncomeRecord, Member
from tests.conftest import HEADERS, KEYS, NEIGHBOUR, VILLAGE, household_rows, person_id, row

pytestmark = pytest.mark.django_db


def csv_bytes(rows, encoding):
    buf = io.StringIO(newline="")
    w = csv.writer(buf)
    w.writerow(HEADERS)
    w.writerows(rows)
    return buf.getvalue().encode(encoding)


def run(data: bytes, name: str, **kw):
    table = read_table(io.BytesIO(data), name)
    return households_import(table=table, actor=None, scope_prefix=kw.pop("scope", ""), **kw)


def income(year=2025, **kw):
    base = dict(
        year=year,
        wage=24000,
        business=10000,
        property_income=500,
        transfer=3000,
        production_costs=4000,
    )
    return base | kw


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-8", "utf-8-sig"])
def test_csv_in_every_encoding_imports(encoding):
    rows = household_rows("A-0001", formerly_poor="是", assistance="低保", **income())
    report = run(csv_bytes(rows, encoding), "户.csv")
    assert report.written and report.errors == []
    h = Household.objects.get(household_no="A-0001")
    assert h.formerly_poor and h.assistance == "dibao" and h.village_id == VILLAGE
    names = sorted(h.members.values_list("name", flat=True))
    assert names == sorted(r[KEYS.index("name")] for r in rows)
    rec = IncomeRecord.objects.get(household=h, year=2025)
    # (24000 + 10000 + 500 + 3000 - 4000) / 3
    assert rec.per_capita_net == Decimal("11166.67")
    expected = {
        "gbk": "GB18030/GBK",
        "gb18030": "GB18030/GBK",
        "utf-8": "UTF-8",
        "utf-8-sig": "UTF-8 (BOM)",
    }[encoding]
    assert report.encoding == expected


def test_gbk_detected_as_such():
    report = run(csv_bytes(household_rows("G-1"), "gbk"), "x.csv")
    assert report.encoding == "GB18030/GBK"


def template_filled(rows) -> bytes:
    buf = io.BytesIO()
    households_template(out=buf)
    wb = load_workbook(io.BytesIO(buf.getvalue()))
    ws = wb["农户信息"]
    for r in rows:
        ws.append([int(v) if v.isdigit() and len(v) < 6 else v for v in r])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_template_has_chinese_headers_and_dropdowns():
    buf = io.BytesIO()
    households_template(out=buf)
    wb = load_workbook(io.BytesIO(buf.getvalue()))
    ws = wb["农户信息"]
    headers = [c.value.rstrip("*") for c in ws[1]]
    assert headers == HEADERS
    lists = {str(dv.sqref).split(":")[0][:-1] for dv in ws.data_validations.dataValidation}
    coded = {
        "低保特困",
        "与户主关系",
        "健康状况",
        "劳动能力",
        "在校情况",
        "务工地点",
        "原建档立卡脱贫户",
        "性别",
        "残疾等级",
        "住房安全",
    }
    from openpyxl.utils import get_column_letter

    for name in coded:
        assert get_column_letter(HEADERS.index(name) + 1) in lists, name
    codes = wb["代码表"]
    assert codes.sheet_state == "hidden"
    relation_col = [c.value for c in codes[1]].index("与户主关系")
    values = [r[relation_col].value for r in codes.iter_rows(min_row=2) if r[relation_col].value]
    assert values[0] == "户主" and "配偶" in values


def test_xlsx_from_the_template_imports():
    rows = household_rows("X-0001", size=4, **income()) + household_rows("X-0002", size=1)
    report = run(template_filled(rows), "模板.xlsx")
    assert report.written, report.errors
    assert report.households_created == 2 and report.members_created == 5
    assert Member.objects.filter(household__household_no="X-0001").count() == 4


def test_bad_check_digit_names_row_and_column_and_writes_nothing():
    rows = household_rows("B-0001") + household_rows("B-0002")
    bad = rows[3][KEYS.index("id_number")]
    wrong = "0" if bad[-1] != "0" else "1"
    rows[3][KEYS.index("id_number")] = bad[:-1] + wrong
    before = (Household.objects.count(), Member.objects.count(), AuditEvent.objects.count())
    for data, name in ((template_filled(rows), "f.xlsx"), (csv_bytes(rows, "gbk"), "f.csv")):
        report = run(data, name)
        assert not report.written
        assert [(e.row, e.column) for e in report.errors] == [(5, "身份证号")]
        assert "校验位" in report.errors[0].reason
        assert str(report.errors[0]).startswith("第5行，身份证号列：")
    assert (Household.objects.count(), Member.objects.count(), AuditEvent.objects.count()) == before


def test_every_bad_cell_is_reported():
    rows = household_rows("C-1", size=2)
    rows[0][KEYS.index("formerly_poor")] = "也许"
    rows[0][KEYS.index("wage")] = "-5"
    rows[0][KEYS.index("year")] = "2025"
    rows[1][KEYS.index("relation")] = "表哥"
    rows[1][KEYS.index("sex")] = "男"  # the spouse's ID says female
    report = run(csv_bytes(rows, "utf-8"), "f.csv")
    got = {(e.row, e.column) for e in report.errors}
    assert got == {(2, "原建档立卡脱贫户"), (2, "工资性收入"), (3, "与户主关系"), (3, "性别")}
    assert not Household.objects.filter(household_no="C-1").exists()


def test_household_rules():
    two_heads = household_rows("D-1", size=2)
    two_heads[1][KEYS.index("relation")] = "户主"
    clash = household_rows("D-2", size=2)
    clash[1][KEYS.index("village")] = NEIGHBOUR
    dup = household_rows("D-3", size=1)
    dup_again = household_rows("D-4", size=1)
    dup_again[0][KEYS.index("id_number")] = dup[0][KEYS.index("id_number")]
    unknown_village = household_rows("D-5", village="140123999999", size=1)
    report = run(csv_bytes(two_heads + clash + dup + dup_again + unknown_village, "utf-8"), "f.csv")
    reasons = {(e.row, e.column): e.reason for e in report.errors}
    assert reasons[(2, "与户主关系")] == "本户有多个户主"
    assert "不一致" in reasons[(5, "村区划代码")]
    assert "重复" in reasons[(7, "身份证号")]
    assert "不存在" in reasons[(8, "村区划代码")]
    assert Household.objects.count() == 0


def test_unknown_or_missing_headers_are_refused():
    data = "户编号,姓名,外号\nA,张三,老三\n".encode()
    report = run(data, "f.csv")
    cols = {e.column for e in report.errors}
    assert {"外号", "身份证号", "村区划代码", "与户主关系"} <= cols
    assert all(e.row == 1 for e in report.errors)


def test_undecodable_file_is_refused():
    from bangfu.core.tabular.sheets import SheetError

    with pytest.raises(SheetError, match="编码"):
        read_table(io.BytesIO(b"\xff\xfe\x00\x81\x30\x81"), "f.csv")
    with pytest.raises(SheetError, match=r"\.xlsx"):
        read_table(io.BytesIO(b"x"), "f.txt")


def test_importing_twice_changes_nothing():
    rows = household_rows("E-1", **income()) + household_rows("E-2", size=2)
    data = csv_bytes(rows, "gb18030")
    first = run(data, "f.csv")
    assert first.households_created == 2 and first.members_created == 5
    events = AuditEvent.objects.count()
    stamps = list(Member.objects.order_by("id").values_list("id", "updated_at", "id_enc"))
    second = run(data, "f.csv")
    assert second.written
    assert (
        second.households_created,
        second.households_updated,
        second.members_created,
        second.members_updated,
        second.incomes_created,
        second.incomes_updated,
    ) == (0,) * 6
    assert second.unchanged == 2 + 5 + 1
    assert AuditEvent.objects.count() == events
    assert list(Member.objects.order_by("id").values_list("id", "updated_at", "id_enc")) == stamps


def test_changes_upsert_and_are_audited_old_to_new():
    rows = household_rows("F-1", **income())
    run(csv_bytes(rows, "utf-8"), "f.csv")
    rows[0][KEYS.index("health")] = "患有大病"
    for r in rows:  # household-level columns repeat on every member row
        r[KEYS.index("wage")] = "30000"
    report = run(csv_bytes(rows, "utf-8"), "f.csv")
    assert (report.members_updated, report.incomes_updated) == (1, 1)
    head = Member.objects.get(id_hash=lookup_hash(rows[0][KEYS.index("id_number")]))
    assert head.health == "serious"
    event = AuditEvent.objects.filter(object_type="member", action="update").get()
    assert event.changes == {"health": ["healthy", "serious"]}
    assert event.region_code == VILLAGE
    inc = AuditEvent.objects.filter(object_type="incomerecord", action="update").get()
    assert inc.changes["wage"] == ["24000.00", "30000.00"]


def test_personal_numbers_are_stored_encrypted_and_never_audited_in_clear():
    rows = household_rows("P-1", phone="13800138000")
    run(csv_bytes(rows, "utf-8"), "f.csv")
    ident = rows[0][KEYS.index("id_number")]
    m = Member.objects.get(id_hash=lookup_hash(ident))
    assert ident not in m.id_enc and decrypt(m.id_enc) == ident
    h = m.household
    assert "13800138000" not in h.phone_enc and decrypt(h.phone_enc) == "13800138000"
    dumped = " ".join(str(e.changes) + e.note for e in AuditEvent.objects.all())
    assert ident not in dumped and "13800138000" not in dumped


def test_skip_invalid_imports_the_rest_and_returns_the_rejected_rows():
    good = household_rows("S-1")
    bad = household_rows("S-2", size=2)
    bad[1][KEYS.index("id_number")] = "123"
    report = run(csv_bytes(good + bad, "utf-8"), "f.csv", skip_invalid=True)
    assert report.written and report.households_created == 1
    assert not Household.objects.filter(household_no="S-2").exists()
    assert len(report.rejected_rows) == 2  # the whole household S-2 is rejected
    cells, errors = report.rejected_rows[1]
    assert cells[0] == "S-2" and errors[0].column == "身份证号"


def test_scope_refuses_other_villages_and_their_people():
    mine = household_rows("T-1")
    theirs = household_rows("T-2", village=NEIGHBOUR)
    report = run(csv_bytes(mine + theirs, "utf-8"), "f.csv", scope=VILLAGE)
    assert [(e.row, e.column) for e in report.errors] == [(5, "村区划代码")]
    assert "管辖范围" in report.errors[0].reason
    # a person registered in the neighbouring village cannot be pulled in from here
    run(csv_bytes(theirs, "utf-8"), "f.csv")
    steal = household_rows("T-3", size=1)
    steal[0][KEYS.index("id_number")] = theirs[0][KEYS.index("id_number")]
    report = run(csv_bytes(steal, "utf-8"), "f.csv", scope=VILLAGE)
    assert [(e.row, e.column) for e in report.errors] == [(2, "身份证号")]
    overwrite = household_rows("T-2", size=1)
    report = run(csv_bytes(overwrite, "utf-8"), "f.csv", scope=VILLAGE)
    taken = next(e for e in report.errors if e.column == "户编号")
    # issue 11, finding 8: one reason for both, saying no more than "not in your region" (not
    # that the number is registered elsewhere, nor where)
    outside = "不在本辖区，无法导入；如需迁入请联系县级管理员"
    assert taken.reason == outside
    assert run(csv_bytes(steal, "utf-8"), "f.csv", scope=VILLAGE).errors[0].reason == outside


def test_export_imports_back_unchanged():
    rows = household_rows("R-1", size=4, phone="13912345678", **income()) + household_rows(
        "R-2", size=1, grid=None
    )
    rows[1][KEYS.index("member_phone")] = "0351-1234567"
    rows[0][KEYS.index("health")] = "残疾"
    rows[0][KEYS.index("disability_grade")] = "2"
    run(csv_bytes(rows, "utf-8"), "f.csv")
    buf = io.BytesIO()
    households_export(
        households=Household.objects.all(), out=buf, unmask=True, actor=None, region_code=""
    )
    report = run(buf.getvalue(), "export.xlsx")
    assert report.written, report.errors
    assert report.unchanged == 2 + 5 + 1
    assert report.households_updated == report.members_updated == report.incomes_updated == 0


def test_masked_export_carries_no_full_number():
    rows = household_rows("M-1", size=2)
    run(csv_bytes(rows, "utf-8"), "f.csv")
    buf = io.BytesIO()
    households_export(
        households=Household.objects.all(), out=buf, unmask=False, actor=None, region_code=""
    )
    table = read_table(io.BytesIO(buf.getvalue()), "e.xlsx")
    ids = [r[KEYS.index("id_number")] for r in table.rows]
    assert len(ids) == 2 and all("*" in i for i in ids)
    full = {r[KEYS.index("id_number")] for r in rows}
    assert not full & set(ids)


def test_birth_dates_from_id_are_stored():
    rows = household_rows("Y-1", size=1)
    rows[0][KEYS.index("birth_date")] = "1968-03-01"
    run(csv_bytes(rows, "utf-8"), "f.csv")
    m = Member.objects.get(household__household_no="Y-1")
    assert m.birth_date == dt.date(1968, 3, 1) and m.sex == "M"


def test_row_helper_and_person_id_are_valid():
    assert len(row(name="x")) == len(HEADERS)
    assert len(person_id()) == 18


def test_export_query_count_does_not_grow_with_households():
    run(csv_bytes(household_rows("N-1", **income()), "utf-8"), "f.csv")
    with CaptureQueriesContext(connection) as one:
        households_export(
            households=Household.objects.all(),
            out=io.BytesIO(),
            unmask=False,
            actor=None,
            region_code="",
        )
    many = [r for i in range(2, 30) for r in household_rows(f"N-{i}", **income())]
    run(csv_bytes(many, "utf-8"), "f.csv")
    with CaptureQueriesContext(connection) as thirty:
        households_export(
            households=Household.objects.all(),
            out=io.BytesIO(),
            unmask=False,
            actor=None,
            region_code="",
        )
    assert len(thirty) == len(one)
