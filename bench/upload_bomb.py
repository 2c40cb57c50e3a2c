"""Benchmark: refusing a spreadsheet bomb (issue 11, finding 1).

Builds, in a temp dir, the .xlsx of the finding: 400,000 rows x 35 cells, about 2.5 MB on the
wire, several hundred MB unpacked; and as the baseline a legitimate household file of the
same columns with 20,000 rows. Each is read by `read_table` with the shipped caps in a fresh
process, which prints its seconds and its peak memory (ru_maxrss). The bomb must be refused
in seconds, naming the cap, with the process under 500 MB.

    ./dev bench upload_bomb [--rows 400000] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

CHILD = r"""
import os, resource, sys, time, json
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bangfu.settings")
import django
django.setup()
from pathlib import Path
from bangfu.core.tabular.sheets import SheetError, read_table
path = Path(sys.argv[1])
started = time.perf_counter()
try:
    table = read_table(path, path.name)
    outcome = f"read {len(table.rows)} rows"
except SheetError as exc:
    outcome = f"refused: {exc}"
seconds = time.perf_counter() - started
peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"seconds": round(seconds, 3), "peak_mb": round(peak_mb, 1), "outcome": outcome}))
"""


def sheet_xml(rows: int, cols: int, out: zipfile.ZipFile, name: str) -> None:
    cell = b'<c t="inlineStr"><is><t>1401231002060001</t></is></c>'
    with out.open(name, "w") as f:
        f.write(
            b'<?xml version="1.0" encoding="UTF-8"?><worksheet '
            b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        )
        row = b"<row>" + cell * cols + b"</row>"
        for _ in range(rows):
            f.write(row)
        f.write(b"</sheetData></worksheet>")


def make_xlsx(path: Path, rows: int, cols: int) -> None:
    """A minimal valid workbook whose one sheet has `rows` x `cols` inline strings."""
    parts = {
        "[Content_Types].xml": '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>',  # noqa: E501
        "_rels/.rels": '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',  # noqa: E501
        "xl/workbook.xml": '<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="农户信息" sheetId="1" r:id="rId1"/></sheets></workbook>',  # noqa: E501
        "xl/_rels/workbook.xml.rels": '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',  # noqa: E501
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for name, text in parts.items():
            zf.writestr(name, text)
        sheet_xml(rows, cols, zf, "xl/worksheets/sheet1.xml")


def measure(path: Path, home: str) -> dict[str, object]:
    env = os.environ | {"BANGFU_HOME": home}
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(path)],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    if done.returncode:
        raise SystemExit(done.stderr[-2000:])
    result = json.loads(done.stdout.strip().splitlines()[-1])
    with zipfile.ZipFile(path) as zf:
        unpacked = sum(i.file_size for i in zf.infolist())
    return result | {
        "file_mb": round(path.stat().st_size / 2**20, 2),
        "unpacked_mb": round(unpacked / 2**20, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=400_000)
    parser.add_argument("--cols", type=int, default=35)
    parser.add_argument("--baseline-rows", type=int, default=20_000)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bangfu-bomb-") as tmp:
        bomb, legit = Path(tmp) / "bomb.xlsx", Path(tmp) / "legit.xlsx"
        make_xlsx(bomb, args.rows, args.cols)
        make_xlsx(legit, args.baseline_rows, args.cols)
        report = {
            "machine": (
                f"{platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"
            ),
            "bomb": measure(bomb, tmp),
            "baseline": measure(legit, tmp),
        }
    b, base = report["bomb"], report["baseline"]
    report["ratios"] = {
        "seconds": round(b["seconds"] / base["seconds"], 3),  # type: ignore[operator]
        "peak_mb": round(b["peak_mb"] / base["peak_mb"], 3),  # type: ignore[operator]
    }
    if args.json:
        print(json.dumps(report, ensure_ascii=False))
        return
    print(report["machine"])
    for name in ("bomb", "baseline"):
        r = report[name]
        print(
            f"{name:9} file {r['file_mb']} MB, unpacked {r['unpacked_mb']} MB: "  # type: ignore[index]
            f"{r['seconds']} s, peak {r['peak_mb']} MB — {r['outcome']}"
        )  # type: ignore[index]
    ratios = report["ratios"]
    print(f"ratios bomb/baseline: seconds {ratios['seconds']}, peak memory {ratios['peak_mb']}")  # type: ignore[index]


if __name__ == "__main__":
    main()
