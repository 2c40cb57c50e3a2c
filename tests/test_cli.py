"""The `bangfu` command end to end, as a county office runs it: a fresh BANGFU_HOME on SQLite,
real subprocesses, real files."""

import csv
import os
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests.conftest import HEADERS, KEYS, household_rows

BANGFU = str(Path(sys.executable).with_name("bangfu"))


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    home = tmp_path_factory.mktemp("home")
    env = {**os.environ, "BANGFU_HOME": str(home)}
    env.pop("DATABASE_URL", None)  # the CLI's own zero-set-up default: SQLite under BANGFU_HOME

    def bangfu(*args, ok=True):
        cmd = [BANGFU, *args]
        p = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
        if ok:
            assert p.returncode == 0, p.stderr
        return p

    bangfu("init")
    bangfu("regions", "load", "140123")
    return home, bangfu


def write_csv(path, rows, encoding="gbk"):
    with path.open("w", encoding=encoding, newline="") as f:
        w = csv.writer(f)
        w.writerow(HEADERS)
        w.writerows(rows)


def test_template_import_export_round_trip(home, tmp_path):
    _, bangfu = home
    bangfu("template", "households", "--out", str(tmp_path / "t.xlsx"))
    assert load_workbook(tmp_path / "t.xlsx")["农户信息"]["A1"].value == "户编号*"
    write_csv(tmp_path / "h.csv", household_rows("CLI-1") + household_rows("CLI-2", size=1))
    out = bangfu("import", "households", str(tmp_path / "h.csv")).stdout
    assert "GB18030/GBK" in out and "新增 2 户、4 人" in out
    again = bangfu("import", "households", str(tmp_path / "h.csv")).stdout
    assert "新增 0 户、0 人" in again and "无变化 6 条" in again
    bangfu("export", "households", "--out", str(tmp_path / "e.xlsx"))
    back = bangfu("import", "households", str(tmp_path / "e.xlsx")).stdout
    assert "新增 0 户、0 人；更新 0 户、0 人" in back


def test_bad_file_exits_non_zero_with_row_column_reason(home, tmp_path):
    _, bangfu = home
    rows = household_rows("CLI-3", size=2)
    ident = rows[1][KEYS.index("id_number")]
    rows[1][KEYS.index("id_number")] = ident[:-1] + ("0" if ident[-1] != "0" else "1")
    write_csv(tmp_path / "bad.csv", rows)
    p = bangfu("import", "households", str(tmp_path / "bad.csv"), ok=False)
    assert p.returncode != 0
    assert "第3行，身份证号列：身份证号校验位错误" in p.stderr
    assert "未导入任何数据" in p.stderr
    p = bangfu(
        "import",
        "households",
        str(tmp_path / "bad.csv"),
        "--skip-invalid",
        "--rejected",
        str(tmp_path / "rej.csv"),
    )
    assert "跳过 2 行" in p.stdout
    rejected = (tmp_path / "rej.csv").read_text(encoding="utf-8-sig")
    assert "身份证号：身份证号校验位错误" in rejected


def test_regions_load_refuses_unknown_codes(home):
    _, bangfu = home
    p = bangfu("regions", "load", "990000", ok=False)
    assert p.returncode != 0 and "区划代码不存在" in p.stderr


def test_user_add_binds_role_and_region(home):
    _, bangfu = home
    p = bangfu(
        "user",
        "add",
        "cadre1",
        "--role",
        "village_cadre",
        "--region",
        "140123100206",
        "--password",
        "pw-for-tests-1",
    )
    assert "官庄村" in p.stdout
    wrong = bangfu(
        "user",
        "add",
        "cadre2",
        "--role",
        "village_cadre",
        "--region",
        "140123",
        "--password",
        "pw-for-tests-1",
        ok=False,
    )
    assert wrong.returncode != 0 and "层级不正确" in wrong.stderr
