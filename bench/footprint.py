"""Footprint of Flask 3.1.3 against ours: ``import flask`` time and memory.

* import time: ``import flask`` timed inside fresh ``python -I`` processes,
  alternating the sides; the best of N is reported, with the number of modules
  the import loaded;
* memory: VmRSS from /proc/self/status after 10,000 requests cycling through
  the in-process scenarios (``inprocess.py --rss``), best of a few processes.

    python bench/footprint.py [--imports 20] [--requests 10000] [--json] [--flask-only]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
from pathlib import Path

from _common import child_env
from _common import format_table
from _common import HERE
from _common import log
from _common import prepare_sides
from _common import Row
from _common import run_json
from _common import WORK

# Run with -I (no script dir, no user site): only the virtualenv's flask is seen.
IMPORT_CODE = """\
import json, sys, time
before = len(sys.modules)
start = time.perf_counter()
import flask
elapsed = time.perf_counter() - start
print(json.dumps({"seconds": elapsed, "modules": len(sys.modules) - before}))
"""


def import_once(python: Path) -> dict[str, float]:
    """Time ``import flask`` in one fresh interpreter."""
    proc = subprocess.run(
        [os.fspath(python), "-I", "-c", IMPORT_CODE],
        capture_output=True,
        text=True,
        cwd=WORK,
        env=child_env(),
        timeout=60,
        check=True,
    )
    result: dict[str, float] = json.loads(proc.stdout)
    return result


def import_times(pythons: dict[str, Path], count: int) -> dict[str, dict[str, float]]:
    """Best import time (ms) and module count per side over ``count`` alternated runs."""
    for python in pythons.values():
        import_once(python)  # make sure the bytecode caches are written
    samples: dict[str, list[dict[str, float]]] = {side: [] for side in pythons}
    for _ in range(count):
        for side, python in pythons.items():
            samples[side].append(import_once(python))
    return {
        side: {
            "ms": min(r["seconds"] for r in runs) * 1000,
            "modules": runs[0]["modules"],
        }
        for side, runs in samples.items()
    }


def memory(
    pythons: dict[str, Path], requests: int, processes: int
) -> dict[str, dict[str, float]]:
    """Lowest RSS (MiB) after ``requests`` requests, per side; or the error."""
    script = HERE / "inprocess.py"
    found: dict[str, dict[str, float]] = {}
    for _ in range(processes):
        for side, python in pythons.items():
            result = run_json(
                [python, "-P", script, "--rss", str(requests)], timeout=600
            )
            if "error" in result:
                log(f"{side}: memory run failed:\n{result['error']}")
                continue
            after = result["after_kb"]["VmRSS"] / 1024
            before = result["before_kb"]["VmRSS"] / 1024
            best = found.get(side)
            if best is None or after < best["after"]:
                found[side] = {"after": after, "before": before}
            if result["errors"]:
                log(
                    f"{side}: scenarios failing their check, left out: {sorted(result['errors'])}"
                )
    return found


def benchmark(
    imports: int, requests: int, flask_only: bool, reinstall: bool = True
) -> list[Row]:
    """Measure both footprints and return the table rows."""
    pythons = prepare_sides(flask_only, reinstall)
    note = "n/a" if "ours" not in pythons else "FAILED"
    log(f"import time: best of {imports} fresh processes per side")
    times = import_times(pythons, imports)
    log(f"memory after {requests} requests")
    rss = memory(pythons, requests, processes=2)

    def get(table: dict[str, dict[str, float]], side: str, key: str) -> float | None:
        return table[side][key] if side in table else None

    return [
        Row(
            f"import flask (best of {imports})",
            "ms",
            get(times, "flask", "ms"),
            get(times, "ours", "ms"),
            note=note,
        ),
        Row(
            "modules loaded by import flask",
            "count",
            get(times, "flask", "modules"),
            get(times, "ours", "modules"),
            note=note,
        ),
        Row(
            "RSS after app setup",
            "MiB",
            get(rss, "flask", "before"),
            get(rss, "ours", "before"),
            note=note,
        ),
        Row(
            f"RSS after {requests:,} requests",
            "MiB",
            get(rss, "flask", "after"),
            get(rss, "ours", "after"),
            note=note,
        ),
    ]


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--imports",
        type=int,
        default=20,
        help="fresh processes timing the import, per side",
    )
    parser.add_argument(
        "--requests", type=int, default=10_000, help="requests before reading the RSS"
    )
    parser.add_argument(
        "--flask-only", action="store_true", help="measure Flask 3.1.3 only"
    )
    parser.add_argument("--json", action="store_true", help="print the rows as JSON")
    parser.add_argument(
        "--no-reinstall",
        action="store_true",
        help="keep the installed snapshot of this package even if src/ changed",
    )
    args = parser.parse_args()
    rows = benchmark(
        args.imports, args.requests, args.flask_only, not args.no_reinstall
    )
    if args.json:
        print(json.dumps({"rows": [row.to_json() for row in rows]}))
    else:
        print(format_table(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
