"""The Alkire-Foster and FGT measures against examples worked by hand (see the comments)."""

import io
import json

import ibis
import pandas as pd
import pytest
from django.core.management import CommandError, call_command
from hypothesis import given, settings
from hypothesis import strategies as st

from bangfu.monitoring.measures import fgt as fgt_expr

CSV = "id,income,school,water\np1,50,3,0\np2,80,9,1\np3,150,4,0\np4,200,12,1\n"
SPEC = """k = {k}
[[indicator]]
column = "income"
cutoff = 100
weight = 0.5
deprived_if = "<"
[[indicator]]
column = "school"
cutoff = 6
weight = 0.25
deprived_if = "<"
[[indicator]]
column = "water"
cutoff = 0.5
weight = 0.25
deprived_if = "<"
"""


def mpi(tmp_path, csv=CSV, k=0.5, spec=None):
    (tmp_path / "in.csv").write_text(csv)
    (tmp_path / "spec.toml").write_text(spec or SPEC.format(k=k))
    out = io.StringIO()
    call_command(
        "mpi", str(tmp_path / "in.csv"), "--spec", str(tmp_path / "spec.toml"), "--json", stdout=out
    )
    return json.loads(out.getvalue())


def test_af_worked_example(tmp_path):
    # scores: p1 = 1.0, p2 = 0.5, p3 = 0.5, p4 = 0 -> with k = 0.5, three of four are poor
    r = mpi(tmp_path)
    assert r["H"] == pytest.approx(0.75)
    assert r["A"] == pytest.approx(2 / 3)
    assert r["M0"] == pytest.approx(0.5)
    # gaps: income p1 .5, p2 .2; school p1 .5, p3 1/3; water p1 1, p3 1
    assert r["M1"] == pytest.approx((0.5 * 0.7 + 0.25 * (0.5 + 1 / 3) + 0.25 * 2) / 4)
    assert r["M2"] == pytest.approx((0.5 * 0.29 + 0.25 * (0.25 + 1 / 9) + 0.25 * 2) / 4)
    ind = r["indicators"]
    assert [ind[c]["censored_headcount"] for c in ("income", "school", "water")] == [0.5] * 3
    assert ind["income"]["contribution"] == pytest.approx(0.5)
    assert ind["water"]["contribution"] == pytest.approx(0.25)


def test_af_censors_the_deprivations_of_the_non_poor(tmp_path):
    r = mpi(tmp_path, k=0.75)  # only p1 (score 1.0) is poor now
    assert (r["H"], r["A"], r["M0"]) == pytest.approx((0.25, 1.0, 0.25))
    assert r["indicators"]["school"]["censored_headcount"] == pytest.approx(0.25)
    assert r["indicators"]["school"]["contribution"] == pytest.approx(0.25)


def test_bad_specs_are_refused(tmp_path):
    bad = SPEC.format(k=0.5).replace("weight = 0.5", "weight = 0.6")
    with pytest.raises(CommandError, match="权重之和"):
        mpi(tmp_path, spec=bad)
    with pytest.raises(CommandError, match="deprived_if"):
        mpi(tmp_path, spec=SPEC.format(k=0.5).replace('deprived_if = "<"', 'deprived_if = "!"', 1))
    with pytest.raises(CommandError, match="缺少列"):
        mpi(tmp_path, csv="id,income\np1,5\n")


def fgt(tmp_path, *extra):
    (tmp_path / "y.csv").write_text("id,y\na,50\nb,80\nc,150\nd,200\n")
    out = io.StringIO()
    call_command(
        "fgt",
        str(tmp_path / "y.csv"),
        "--column",
        "y",
        "--line",
        "100",
        "--json",
        *extra,
        stdout=out,
    )
    return json.loads(out.getvalue())


def test_fgt_worked_example(tmp_path):
    r = fgt(tmp_path, "--alpha", "3")
    assert r["P0"] == pytest.approx(0.5)  # 2 of 4 below 100
    assert r["P1"] == pytest.approx((0.5 + 0.2) / 4)
    assert r["P2"] == pytest.approx((0.25 + 0.04) / 4)
    assert r["P3"] == pytest.approx((0.125 + 0.008) / 4)


@settings(max_examples=30, deadline=None)
@given(st.lists(st.floats(0, 1000, allow_nan=False), min_size=1, max_size=40))
def test_fgt_properties(ys):
    t = ibis.memtable(pd.DataFrame({"y": ys}))
    row = ibis.duckdb.connect().execute(fgt_expr(t, "y", 100.0, [0.0, 1.0, 2.0])).iloc[0]
    assert 0 <= row["P2"] <= row["P1"] <= row["P0"] <= 1
    assert row["P0"] == pytest.approx(sum(y < 100 for y in ys) / len(ys))
