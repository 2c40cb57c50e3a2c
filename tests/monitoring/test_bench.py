"""The benchmark's three programs (bangfu, hand-written DuckDB SQL, pandas) agree on a small
province: the comparison the performance figures rest on is a comparison of equals."""

from bangfu.monitoring.benchmark.runner import bench_monitor


def test_bangfu_sql_and_pandas_find_the_same_warnings(tmp_path):
    report = bench_monitor(households=400, engines=["duckdb"], keep=tmp_path / "p")
    assert report["warnings"] > 50 and report["feed_rows"] > 8 * report["members"]
    assert report["same_warnings_as_sql"] == {
        "bangfu_duckdb": True,
        "duckdb_sql": True,
        "pandas": True,
    }
    assert report["same_evidence_as_sql"]["bangfu_duckdb"] is True
    assert set(report["seconds"]) == {"generate", "bangfu_duckdb", "duckdb_sql", "pandas"}
    assert all(v > 0 for v in report["peak_rss_mb"].values())
