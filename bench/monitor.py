"""Benchmark: the monitoring engine against hand-written DuckDB SQL and pandas (issue 3).

The benchmark itself is `bangfu bench monitor` (src/bangfu/monitoring/benchmark/); this runs it
from bench/ like the others, with the same arguments. Figures: docs/performance.md.

    ./dev bench monitor [--households 1000000] [--repeat 3] [--keep DIR] [--no-pandas] [--json]
"""

import os
import sys
import tempfile

if __name__ == "__main__":
    os.environ.setdefault("BANGFU_HOME", tempfile.mkdtemp(prefix="bangfu-bench-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bangfu.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["bangfu", "bench", "monitor", *sys.argv[1:]])
