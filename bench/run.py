"""Benchmark driver: Flask 3.1.3 against this package, side by side.

Creates (once) two throwaway virtualenvs under ``.bench/`` with the same pinned
dependencies (see ``_common.py``), then runs ``inprocess.py`` alternately in
each, several processes a side, and prints one table of median per-request
times. With ``--all`` it also runs ``http.py`` (gunicorn throughput) and
``footprint.py`` (import time, memory) and prints everything in one table,
then ``asgi.py`` (uvicorn: a bare ASGI callable, Starlette, Quart and ours),
whose sides differ from Flask and ours, in a second table below it.

    python bench/run.py                 # in-process scenarios only
    python bench/run.py --all           # what ``make bench`` runs
    python bench/run.py --flask-only    # baseline, e.g. while ours is broken
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
from pathlib import Path
from typing import Any

import asgi
from _common import format_table
from _common import HERE
from _common import log
from _common import prepare_sides
from _common import Row
from _common import row_from_json
from _common import run_json
from _common import SIDES
from _common import warn_if_busy

TARGETS = {
    "hello": 3.0,
    "json": 3.0,
    "template": 1.5,
    "form": 2.0,
    "404": 3.0,
    "session": 2.0,
    "async": 5.0,
    "template_string": 5.0,
    # Issue 16: the same requests with a blueprint elsewhere (+bp) and with
    # app-wide hooks of the kinds extensions register (+hooks).
    "hello+bp": 8.0,
    "json+bp": 6.0,
    "404+bp": 6.0,
    "hello+hooks": 6.0,
    "form+hooks": 4.0,
    "session+hooks": 3.0,
    "template+hooks": 2.2,
    # Issue 16 (d): examples/extensions_app, where the database and Jinja
    # take most of the time on both sides.
    "ext-index": 1.5,
    "ext-index-user": 1.5,
    "ext-post": 1.5,
}
TITLES = {
    "hello": "GET / (text)",
    "json": "GET /user/<id> (JSON)",
    "template": "template, 10-item loop",
    "form": "POST 5-field form",
    "404": "GET unknown URL (404)",
    "session": "session cookie update",
    "async": "async def view",
    "template_string": "render_template_string",
    "hello+bp": "GET /, blueprint with hooks elsewhere",
    "json+bp": "JSON, blueprint with hooks elsewhere",
    "404+bp": "404, blueprint with hooks elsewhere",
    "hello+hooks": "GET /, app-wide extension-like hooks",
    "form+hooks": "form POST, app-wide hooks",
    "session+hooks": "session update, app-wide hooks",
    "template+hooks": "template, app-wide hooks",
    "ext-index": "extensions_app: index, anonymous",
    "ext-index-user": "extensions_app: index, logged in",
    "ext-post": "extensions_app: new post (CSRF form)",
}


def run_inprocess(
    pythons: dict[str, Path], processes: int, rounds: int, batch_ms: float
) -> dict[str, list[dict[str, Any]]]:
    """Run the in-process child alternately in each virtualenv."""
    script = HERE / "inprocess.py"
    results: dict[str, list[dict[str, Any]]] = {side: [] for side in pythons}
    for index in range(processes):
        for side, python in pythons.items():
            log(f"in-process round {index + 1}/{processes}: {side}")
            args: list[str | os.PathLike[str]] = [
                python,
                "-P",
                script,
                "--rounds",
                str(rounds),
                "--batch-ms",
                str(batch_ms),
            ]
            results[side].append(run_json(args, timeout=600))
    return results


def merge(
    runs: list[dict[str, Any]], key: str
) -> tuple[dict[str, list[float]], dict[str, str]]:
    """Pool the ``key`` samples of several child runs; collect their errors."""
    samples: dict[str, list[float]] = {}
    errors: dict[str, str] = {}
    for result in runs:
        if "error" in result:
            errors["(process)"] = str(result["error"])
            continue
        for name, values in result[key].items():
            samples.setdefault(name, []).extend(values)
        errors.update(result["errors"])
    return samples, errors


def inprocess_rows(
    results: dict[str, list[dict[str, Any]]], clock: str = "wall"
) -> tuple[list[Row], dict[str, dict[str, str]]]:
    """One row per scenario with the median per-request time of each side."""
    key = "cpu_samples" if clock == "cpu" else "samples"
    merged = {side: merge(runs, key) for side, runs in results.items()}
    medians = {
        side: {k: statistics.median(v) for k, v in m[0].items()}
        for side, m in merged.items()
    }
    rows = []
    for name, target in TARGETS.items():
        ours = medians.get("ours", {}).get(name)
        note = "n/a" if "ours" not in medians else ("FAILED" if ours is None else "-")
        rows.append(
            Row(
                TITLES[name],
                "us/req" if clock == "wall" else "us/req cpu",
                medians["flask"].get(name),
                ours,
                target,
                note=note,
            )
        )
    return rows, {side: m[1] for side, m in merged.items()}


def versions_line(results: dict[str, list[dict[str, Any]]]) -> str:
    """A one-line summary of what each side ran."""
    parts = []
    for side, runs in results.items():
        found = next((r["versions"] for r in runs if "versions" in r), None)
        if found:
            parts.append(f"{side}: " + ", ".join(f"{k} {v}" for k, v in found.items()))
    return "; ".join(parts)


def other_rows(script: str, flask_only: bool) -> list[Row]:
    """Run ``http.py`` or ``footprint.py`` and read back their rows."""
    args: list[str | os.PathLike[str]] = [
        sys.executable,
        HERE / script,
        "--json",
        "--no-reinstall",  # measure the snapshot the in-process run measured
    ]
    if flask_only:
        args.append("--flask-only")
    elif script == "http.py":
        args.append("--bare")  # also logs each side's cost over gunicorn's own
    result = run_json(args, timeout=1800, show_stderr=True)
    if "error" in result:
        log(f"{script} failed:\n{result['error']}")
        return []
    return [row_from_json(row) for row in result["rows"]]


def asgi_results(flask_only: bool) -> asgi.Results | None:
    """Run ``asgi.py`` (without ours when ``flask_only``) and read back its
    results; None when it could not run at all."""
    args: list[str | os.PathLike[str]] = [
        sys.executable,
        HERE / "asgi.py",
        "--json",
        "--no-reinstall",
    ]
    if flask_only:
        args += ["--sides", ",".join(s for s in asgi.SIDES if s != "ours")]
    result = run_json(args, timeout=3600, show_stderr=True)
    if "error" in result:
        log(f"asgi.py failed:\n{result['error']}")
        return None
    return asgi.from_json(result)


def report_errors(errors: dict[str, dict[str, str]]) -> None:
    """Print the checks that failed, side by side."""
    for side, failures in errors.items():
        for name, text in failures.items():
            what = (
                "the child process failed"
                if name == "(process)"
                else f"scenario {name!r} failed"
            )
            print(f"\n{side}: {what}, not timed:\n{text.rstrip()}")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--processes", type=int, default=4, help="child processes per side (alternated)"
    )
    parser.add_argument(
        "--rounds", type=int, default=5, help="timed rounds per scenario per process"
    )
    parser.add_argument(
        "--batch-ms", type=float, default=40.0, help="duration of one timed batch"
    )
    parser.add_argument(
        "--clock",
        choices=("wall", "cpu"),
        default="wall",
        help="report wall-clock time (default) or the process's CPU time, "
        "steadier when other work shares the machine",
    )
    parser.add_argument(
        "--all", action="store_true", help="also run http.py and footprint.py"
    )
    parser.add_argument(
        "--flask-only", action="store_true", help="measure Flask 3.1.3 only"
    )
    parser.add_argument(
        "--json", metavar="FILE", help="also write the raw results to FILE"
    )
    args = parser.parse_args()
    warn_if_busy()
    pythons = prepare_sides(args.flask_only)
    flask_only = "ours" not in pythons
    results = run_inprocess(pythons, args.processes, args.rounds, args.batch_ms)
    rows, errors = inprocess_rows(results, args.clock)
    on_asgi = None
    if args.all:
        rows += other_rows("http.py", flask_only) + other_rows(
            "footprint.py", flask_only
        )
        on_asgi = asgi_results(flask_only)
    if args.json:
        raw = {"inprocess": results, "rows": [r.to_json() for r in rows]}
        if on_asgi is not None:
            raw["asgi"] = asgi.to_json(on_asgi)
        Path(args.json).write_text(json.dumps(raw, indent=1))
    print(f"\n{versions_line(results)}\n")
    print(format_table(rows))
    if on_asgi is not None:
        print("\n" + asgi.format_table(asgi.rows(on_asgi)))
        if on_asgi.errors:
            print("\n" + asgi.report_errors(on_asgi.errors))
        if on_asgi.errors.get("ours"):
            errors.setdefault("ours", {})["ASGI"] = "see the ASGI failures above"
    report_errors(errors)
    return exit_status(pythons, errors, args.flask_only)


def exit_status(
    pythons: dict[str, Path], errors: dict[str, dict[str, str]], flask_only: bool
) -> int:
    """0 when both sides ran every scenario; 1 (with the reason) otherwise."""
    if flask_only:
        return 0
    if not set(SIDES) <= set(pythons):
        log("ours was not measured (see the first lines above): exit status 1")
        return 1
    if errors.get("ours"):
        log(f"ours failed: {', '.join(sorted(errors['ours']))}: exit status 1")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
