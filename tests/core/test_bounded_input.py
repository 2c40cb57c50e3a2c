"""Bounded input (issue 11, finding 1): a request body over the cap is refused before it is
read; a spreadsheet is refused, naming the cap, when its unpacked content, rows or cells are
over theirs, before it is parsed whole."""

import io
import zipfile

import pytest
from django.urls import reverse

from bangfu.core.tabular.sheets import Caps, SheetError, read_table, write_plain_workbook

SHEET = "xl/worksheets/sheet1.xml"


def bomb(unpacked_mb: float) -> bytes:
    """A valid-looking .xlsx whose sheet XML inflates to `unpacked_mb` (a zip bomb)."""
    workbook = io.BytesIO()
    write_plain_workbook(["户编号"], [["A-1"]], workbook)
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(workbook.getvalue())) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for item in src.infolist():
            if item.filename.startswith("xl/worksheets/"):
                row = b'<row><c t="inlineStr"><is><t>0</t></is></c></row>'
                with dst.open(item.filename, "w") as f:
                    f.write(b'<?xml version="1.0"?><worksheet><sheetData>')
                    for _ in range(int(unpacked_mb * 1024 * 1024 / len(row))):
                        f.write(row)
                    f.write(b"</sheetData></worksheet>")
            else:
                dst.writestr(item, src.read(item.filename))
    return out.getvalue()


def test_a_zip_bomb_is_refused_naming_the_cap_before_it_is_parsed():
    data = bomb(8)
    assert len(data) < 200_000  # small on the wire
    caps = Caps(content=4 * 1024 * 1024, rows=1000, cells=10_000)
    with pytest.raises(SheetError, match="解压后的内容超过 4 MB"):
        read_table(io.BytesIO(data), "b.xlsx", caps)


def test_a_file_within_the_caps_is_read():
    data = bomb(0.05)
    table = read_table(
        io.BytesIO(data), "b.xlsx", Caps(content=1024 * 1024, rows=10**6, cells=10**7)
    )
    assert table.headers == ["0"] and len(table.rows) > 100


@pytest.mark.parametrize(
    ("caps", "reason"),
    [
        (Caps(content=10**8, rows=50, cells=10**6), "数据行数超过 50"),
        (Caps(content=10**8, rows=10**6, cells=120), "单元格数超过 120"),
    ],
)
def test_too_many_rows_or_cells_are_refused_in_csv_and_xlsx(caps, reason):
    rows = [[str(i), "张三", "是"] for i in range(60)]
    csv_data = "户编号,姓名,是否\n" + "\n".join(",".join(r) for r in rows)
    with pytest.raises(SheetError, match=reason):
        read_table(io.BytesIO(csv_data.encode()), "f.csv", caps)
    xlsx = io.BytesIO()
    write_plain_workbook(["户编号", "姓名", "是否"], rows, xlsx)
    with pytest.raises(SheetError, match=reason):
        read_table(io.BytesIO(xlsx.getvalue()), "f.xlsx", caps)


def test_a_csv_over_the_size_cap_is_refused():
    with pytest.raises(SheetError, match=r"文件大小超过 0\.01 MB"):
        read_table(
            io.BytesIO(b"a,b\n" * 3000), "f.csv", Caps(content=10486, rows=10**6, cells=10**7)
        )


@pytest.mark.django_db
def test_a_request_over_the_size_cap_is_refused_before_it_is_read(client, people, settings):
    settings.MAX_REQUEST_MB = 0.01
    client.force_login(people["village"])
    big = io.BytesIO(b"x" * 20_000)
    big.name = "h.csv"
    r = client.post(reverse("household_import"), {"file": big})
    assert r.status_code == 413 and "超过 0.01 MB" in r.content.decode()
    again = io.BytesIO(b"x" * 20_000)
    again.name = "h.csv"
    r = client.post("/api/v1/households", {"file": again}, HTTP_AUTHORIZATION="Bearer x")
    assert r.status_code == 413 and "上限" in r.json()["detail"]
