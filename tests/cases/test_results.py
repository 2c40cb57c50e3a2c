"""Results per village and year, from recorded outcomes: counts and amounts by measure, on the
page and in .xlsx, scoped to the user's region."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from bangfu.assistance.models import Measure, MeasureKind
from bangfu.assistance.results import results_table
from bangfu.cases.models import Case, Channel, Stage
from tests.conftest import NEIGHBOUR, household_rows

pytestmark = pytest.mark.django_db


def done(case, code, user, amount=None, text="", on=dt.date(2026, 6, 1), status="done"):
    return Measure.objects.create(
        case=case,
        kind=MeasureKind.objects.get(code=code),
        responsible=user,
        target="t",
        deadline=on,
        status=status,
        outcome_amount=amount,
        outcome_text=text,
        done_on=on if status == "done" else None,
        created_by=user,
    )


@pytest.fixture
def outcomes(make_households, people):
    a, b, c = make_households(
        household_rows("H-R1"), household_rows("H-R2"), household_rows("H-R3", NEIGHBOUR)
    )
    ca, cb, cc = (
        Case.objects.create(household=h, channel=Channel.VISIT, stage=Stage.MONITORING)
        for h in (a, b, c)
    )
    helper = people["helper"]
    done(ca, "housing_renovation", helper, Decimal("25000"))
    done(cb, "housing_renovation", helper, Decimal("18000"))
    done(ca, "microcredit", helper, Decimal("50000"))
    done(cb, "workshop", helper, text="扶贫车间")
    done(cc, "housing_renovation", helper, Decimal("30000"))  # the neighbouring village
    done(ca, "microcredit", helper, Decimal("9999"), on=dt.date(2025, 6, 1))  # another year
    done(cb, "yulu", helper, status="active")  # not done: not counted


def test_tallies_by_village_measure_and_year(people, outcomes):
    kinds, rows = results_table(user=people["township"], year=2026)
    assert {k.code for k in kinds} == {"housing_renovation", "microcredit", "workshop"}
    by_name = {r.name: r.cells for r in rows}
    assert by_name["官庄村"]["housing_renovation"] == (2, Decimal("43000"))
    assert by_name["官庄村"]["microcredit"] == (1, Decimal("50000"))
    assert by_name["三元村"]["housing_renovation"] == (1, Decimal("30000"))
    assert by_name["合计"]["housing_renovation"] == (3, Decimal("73000"))
    _, village_rows = results_table(user=people["village"], year=2026)
    assert [r.name for r in village_rows] == ["官庄村", "合计"]
    assert results_table(user=people["village"], year=2024)[1] == []


def test_results_page_and_xlsx(client, people, outcomes):
    client.force_login(people["township"])
    page = client.get(reverse("results"), {"year": 2026}).content.decode()
    assert "农村危房改造" in page and "73000.00" in page
    r = client.get(reverse("results"), {"year": 2026, "format": "xlsx"})
    ws = load_workbook(io.BytesIO(r.content)).active
    header = [c.value for c in ws[1]]
    rows = {row[0]: row for row in ws.iter_rows(min_row=2, values_only=True)}
    col = header.index("农村危房改造（金额（元））")
    assert rows["合计"][col] == 73000 and rows["官庄村"][col] == 43000
