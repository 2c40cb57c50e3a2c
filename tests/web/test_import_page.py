import csv
import io

import pytest
from django.urls import reverse

from bangfu.registry.models import Household
from bangfu.registry.sheets import read_table
from tests.conftest import HEADERS, KEYS, NEIGHBOUR, household_rows

pytestmark = pytest.mark.django_db


def upload(rows, encoding="gbk", name="h.csv"):
    buf = io.StringIO(newline="")
    w = csv.writer(buf)
    w.writerow(HEADERS)
    w.writerows(rows)
    f = io.BytesIO(buf.getvalue().encode(encoding))
    f.name = name
    return f


def test_village_cadre_imports_a_gbk_csv(client, people):
    client.force_login(people["village"])
    r = client.post(reverse("household_import"), {"file": upload(household_rows("W-1"))})
    assert r.status_code == 200
    assert "导入完成" in r.content.decode()
    assert Household.objects.filter(household_no="W-1").exists()


def test_errors_are_listed_with_row_and_column_and_nothing_is_written(client, people):
    client.force_login(people["village"])
    rows = household_rows("W-2") + household_rows("W-3", village=NEIGHBOUR)
    rows[1][KEYS.index("id_number")] = rows[1][KEYS.index("id_number")][:-1] + "Y"
    r = client.post(reverse("household_import"), {"file": upload(rows)})
    assert r.status_code == 400
    errors = [(e.row, e.column) for e in r.context["errors"]]
    assert errors == [(3, "身份证号"), (5, "村区划代码")]
    page = r.content.decode()
    assert "未导入任何数据" in page and "该村不在您的管辖范围内" in page
    assert not Household.objects.filter(household_no__in=["W-2", "W-3"]).exists()


def test_skip_invalid_offers_the_rejected_rows(client, people):
    client.force_login(people["village"])
    rows = household_rows("W-4") + household_rows("W-5", village=NEIGHBOUR)
    r = client.post(reverse("household_import"), {"file": upload(rows), "skip_invalid": "on"})
    assert r.status_code == 200
    assert Household.objects.filter(household_no="W-4").exists()
    url = r.context["rejected_url"]
    download = client.get(url)
    assert download.status_code == 200
    rejected = read_table(io.BytesIO(download.content), "r.xlsx")
    assert rejected.headers[-1] == "错误原因"
    assert [r[0] for r in rejected.rows] == ["W-5"] * 3
    assert "管辖范围" in rejected.rows[0][-1]
    client.force_login(people["neighbour"])
    assert client.get(url).status_code == 404  # files are per user


def test_roles_without_write_rights_cannot_import(client, people):
    for who in ("grid", "helper", "auditor", "dept"):
        client.force_login(people[who])
        r = client.post(reverse("household_import"), {"file": upload(household_rows("W-6"))})
        assert r.status_code == 404
    assert not Household.objects.filter(household_no="W-6").exists()


def test_template_download(client, people):
    client.force_login(people["village"])
    r = client.get(reverse("household_template"))
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxml")
