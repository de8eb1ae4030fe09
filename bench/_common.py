"""Shared helpers of the benchmark drivers: the virtualenvs and the tables.

The drivers (``run.py``, ``http.py``, ``footprint.py``, ``asgi.py``) run on any
Python 3.10+ with the standard library only. Everything that imports a Flask
runs in one of two throwaway virtualenvs under ``.bench/`` (git-ignored):

* ``.bench/flask`` holds the real ``flask==3.1.3``, used only for measuring;
* ``.bench/ours`` holds this package, installed (non-editable) from a snapshot
  of ``src/`` and ``pyproject.toml`` copied to ``.bench/ours-src``.

Both get exactly the same pinned dependencies, so only the framework differs:
``PINNED``, plus the extensions of ``examples/extensions_app`` (``EXTENSIONS``)
and what they need (``EXTENSION_DEPS``), plus uvicorn with what
``uvicorn[standard]`` brings (``UVICORN``). Ours installs ``EXTENSIONS`` with
``--no-deps``, so that pip never brings in the real Flask beside it.

A third virtualenv, ``.bench/asgi``, holds the other ASGI frameworks that
``asgi.py`` compares with ours (``ASGI_FRAMEWORKS``: Starlette, and Quart, which
depends on the real Flask), on the same ``UVICORN``.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
WORK = REPO / ".bench"
FLASK_VERSION = "3.1.3"
PINNED = (
    "Werkzeug==3.1.9",
    "Jinja2==3.1.6",
    "MarkupSafe==3.0.4",
    "itsdangerous==2.2.0",
    "blinker==1.9.0",
    "click==8.5.1",
    "asgiref==3.13.0",
    "gunicorn==27.0.1",
    "setuptools==84.2.1",
)
# What `make .venv/.installed` installed from requirements/extensions.txt (which
# names the extensions without versions) when these were pinned.
EXTENSIONS = ("Flask-Login==0.6.3", "Flask-SQLAlchemy==3.1.1", "Flask-WTF==1.3.0")
EXTENSION_DEPS = ("SQLAlchemy==2.1.9", "typing_extensions==4.16.0", "WTForms==3.3.2")
# uvicorn[standard] for asgi.py, the same in every virtualenv: its httptools
# parser and uvloop loop, and the rest of what the extra brings.
UVICORN = (
    "uvicorn[standard]==0.54.0",
    "httptools==0.9.0",
    "uvloop==0.23.0",
    "h11==0.16.0",
    "websockets==17.4",
    "watchfiles==1.3.0",
    "python-dotenv==1.2.4",
    "PyYAML==6.0.4",
    "anyio==4.16.0",
    "idna==3.20",
)
# The frameworks asgi.py compares with ours, in .bench/asgi only (Quart needs
# the real Flask). Quart 0.23 needs Python 3.13; 0.22 is the newest for 3.10+.
STARLETTE_VERSION = "1.10.0"
QUART_VERSION = "0.22.0"
ASGI_FRAMEWORKS = (
    f"starlette=={STARLETTE_VERSION}",
    f"Quart=={QUART_VERSION}",
    "Hypercorn==0.18.0",
    "aiofiles==25.1.0",
    "h2==4.4.1",
    "hpack==4.2.0",
    "hyperframe==6.1.0",
    "priority==2.0.0",
    "wsproto==1.3.2",
    "typing_extensions==4.16.0",
)
SIDES = ("flask", "ours")
LABELS = {"flask": f"Flask {FLASK_VERSION}", "ours": "ours"}
# Fixed malloc thresholds keep the session scenario's timings repeatable.
CHILD_ENV = {"MALLOC_MMAP_THRESHOLD_": "1048576", "MALLOC_TRIM_THRESHOLD_": "4194304"}


def log(message: str) -> None:
    """Print a progress line on stderr, keeping stdout for results."""
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def run(args: Sequence[str | os.PathLike[str]]) -> None:
    """Run a setup command quietly; on failure show its output and raise."""
    proc = subprocess.run(
        [os.fspath(a) for a in args], capture_output=True, text=True, check=False
    )
    with open(WORK / "setup.log", "a") as log_file:
        log_file.write(
            f"$ {' '.join(os.fspath(a) for a in args)}\n{proc.stdout}{proc.stderr}\n"
        )
    if proc.returncode != 0:
        print(proc.stdout + proc.stderr, file=sys.stderr)
        raise subprocess.CalledProcessError(proc.returncode, proc.args)


def child_env() -> dict[str, str]:
    """Environment for benchmark children: ours plus fixed malloc settings."""
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("FLASK_", "PYTHON"))
    }
    env.update(CHILD_ENV)
    return env


def venv_python(side: str) -> Path:
    """The interpreter of one side's virtualenv (which may not exist yet)."""
    return WORK / side / "bin" / "python"


def _create_venv(
    side: str, packages: Sequence[str], no_deps: Sequence[str] = ()
) -> Path:
    """Create ``.bench/<side>`` with ``packages``, then ``no_deps`` without
    their dependencies, unless its stamp matches."""
    python = venv_python(side)
    stamp = WORK / side / ".installed"
    wanted = "\n".join([*packages, *(f"--no-deps {p}" for p in no_deps)])
    if python.exists() and stamp.exists() and stamp.read_text() == wanted:
        return python
    log(f"creating virtualenv .bench/{side}")
    shutil.rmtree(WORK / side, ignore_errors=True)
    run([sys.executable, "-m", "venv", WORK / side])
    run([python, "-m", "pip", "install", "--quiet", "--upgrade", "pip"])
    run([python, "-m", "pip", "install", "--quiet", *packages])
    if no_deps:
        run([python, "-m", "pip", "install", "--quiet", "--no-deps", *no_deps])
    stamp.write_text(wanted)
    return python


def _source_fingerprint() -> str:
    """A hash of this package's sources, to reinstall only when they change."""
    digest = hashlib.sha256()
    files = [REPO / "pyproject.toml", *sorted((REPO / "src").rglob("*"))]
    for path in files:
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
            digest.update(os.fspath(path.relative_to(REPO)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def _install_ours(python: Path, reinstall: bool) -> None:
    """(Re)install this package into ``.bench/ours`` from a fresh snapshot.

    Without ``reinstall``, an installed snapshot is kept even if ``src/``
    changed since (so that one run measures one snapshot throughout).
    """
    stamp = WORK / "ours" / ".ours-fingerprint"
    if stamp.exists() and not reinstall:
        return
    fingerprint = _source_fingerprint()
    if stamp.exists() and stamp.read_text() == fingerprint:
        return
    log("installing this package into .bench/ours (snapshot of src/)")
    snapshot = WORK / "ours-src"
    shutil.rmtree(snapshot, ignore_errors=True)
    shutil.copytree(
        REPO / "src",
        snapshot / "src",
        ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"),
    )
    shutil.copy2(REPO / "pyproject.toml", snapshot / "pyproject.toml")
    for extra in ("README.md", "LICENSE", "LICENSE.txt", "LICENSE.rst"):
        if (REPO / extra).is_file():
            shutil.copy2(REPO / extra, snapshot / extra)
    if not (snapshot / "README.md").exists():  # pyproject names it as the readme
        (snapshot / "README.md").write_text("Benchmark snapshot.\n")
    run(
        [
            python,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "--force-reinstall",
            snapshot,
        ]
    )
    stamp.write_text(fingerprint)


def ensure_venv(side: str, reinstall: bool = True) -> Path:
    """Make sure one side's virtualenv is ready and return its interpreter:
    ``flask``, ``ours`` or ``asgi`` (the other ASGI frameworks)."""
    WORK.mkdir(exist_ok=True)
    if side == "flask":
        return _create_venv(
            side,
            [
                f"flask=={FLASK_VERSION}",
                *PINNED,
                *EXTENSIONS,
                *EXTENSION_DEPS,
                *UVICORN,
            ],
        )
    if side == "asgi":
        return _create_venv(
            side, [f"flask=={FLASK_VERSION}", *PINNED, *UVICORN, *ASGI_FRAMEWORKS]
        )
    python = _create_venv(
        side, [*PINNED, *EXTENSION_DEPS, *UVICORN], no_deps=EXTENSIONS
    )
    _install_ours(python, reinstall)
    return python


def ours_importable(python: Path) -> str | None:
    """Return None if ``flask.Flask`` imports in ``python``, else the error."""
    proc = subprocess.run(
        [os.fspath(python), "-I", "-c", "import flask; flask.Flask"],
        capture_output=True,
        text=True,
        cwd=WORK,
        env=child_env(),
        check=False,
    )
    if proc.returncode == 0:
        return None
    lines = proc.stderr.strip().splitlines()
    return lines[-1] if lines else f"exit status {proc.returncode}"


def prepare_sides(flask_only: bool, reinstall: bool = True) -> dict[str, Path]:
    """Build the virtualenvs; leave ours out if it cannot be installed or imported."""
    pythons = {"flask": ensure_venv("flask")}
    if flask_only:
        return pythons
    try:
        ours = ensure_venv("ours", reinstall)
    except Exception as exc:  # a broken pyproject must not hide the baseline
        log(f"ours could not be installed ({exc}); measuring Flask only")
        return pythons
    problem = ours_importable(ours)
    if problem:
        log(f"ours is not importable yet ({problem}); measuring Flask only")
        return pythons
    pythons["ours"] = ours
    return pythons


def _cpu_times() -> tuple[int, int]:
    """(idle, total) jiffies of all CPUs from /proc/stat."""
    with open("/proc/stat") as stat:
        fields = [int(x) for x in stat.readline().split()[1:]]
    return fields[3] + fields[4], sum(fields)


def busy_fraction(seconds: float = 1.0) -> float:
    """Fraction of the machine's CPU time used by other work over ``seconds``."""
    idle0, total0 = _cpu_times()
    time.sleep(seconds)
    idle1, total1 = _cpu_times()
    return 1 - (idle1 - idle0) / max(1, total1 - total0)


def warn_if_busy() -> None:
    """Warn when other work is running: the figures would be skewed."""
    busy = busy_fraction()
    if busy > 0.1:
        log(
            f"warning: {busy:.0%} of {os.cpu_count()} CPUs busy with other work before starting; "
            "the figures will be skewed (run.py --clock cpu is steadier)"
        )


def run_json(
    args: Sequence[str | os.PathLike[str]], timeout: float, show_stderr: bool = False
) -> dict[str, Any]:
    """Run a child that prints one JSON object on stdout and return it.

    A child that fails yields ``{"error": <last lines of its stderr>}``. With
    ``show_stderr`` its stderr (progress lines) goes to ours instead.
    """
    try:
        proc = subprocess.run(
            [os.fspath(a) for a in args],
            stdout=subprocess.PIPE,
            stderr=None if show_stderr else subprocess.PIPE,
            text=True,
            cwd=WORK,
            env=child_env(),
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {timeout:.0f} s"}
    if proc.returncode != 0:
        tail = "\n".join((proc.stderr or "").strip().splitlines()[-12:])
        return {"error": tail or f"exit status {proc.returncode}"}
    result: dict[str, Any] = json.loads(proc.stdout)
    return result


@dataclass
class Row:
    """One line of the results table.

    ``higher_is_better`` tells how the speedup is computed: ours/Flask for a
    throughput, Flask/ours for a time or a size.
    """

    name: str
    unit: str
    flask: float | None
    ours: float | None
    target: float | None = None
    higher_is_better: bool = False
    note: str = ""

    def speedup(self) -> float | None:
        """How many times better ours is than Flask (None if either is missing)."""
        if not self.flask or not self.ours:
            return None
        return (
            self.ours / self.flask if self.higher_is_better else self.flask / self.ours
        )

    def to_json(self) -> dict[str, object]:
        """A JSON-friendly dict (read back by :func:`row_from_json`)."""
        return dict(self.__dict__)


def row_from_json(data: dict[str, object]) -> Row:
    """Rebuild a :class:`Row` written by :meth:`Row.to_json`."""
    return Row(**data)  # type: ignore[arg-type]


def fmt_number(value: float | None) -> str:
    """A figure for a table cell: no decimals from 1,000 (or a whole 100),
    one from 10, two below; ``-`` for None."""
    if value is None:
        return "-"
    if value == int(value) and value >= 100:
        return f"{value:,.0f}"
    if value >= 1000:
        return f"{value:,.0f}"
    return f"{value:.1f}" if value >= 10 else f"{value:.2f}"


def format_table(rows: Sequence[Row]) -> str:
    """Render rows as a Markdown table (readable in a terminal too)."""
    header = (
        "benchmark",
        "unit",
        LABELS["flask"],
        LABELS["ours"],
        "speedup",
        "target",
        "met",
    )
    lines = [header]
    for row in rows:
        speedup = row.speedup()
        met = (
            "-"
            if row.target is None or speedup is None
            else ("yes" if speedup >= row.target else "no")
        )
        lines.append(
            (
                row.name,
                row.unit,
                fmt_number(row.flask),
                fmt_number(row.ours) if row.ours is not None else (row.note or "-"),
                f"{speedup:.2f}x" if speedup is not None else "-",
                f"{row.target:g}x" if row.target is not None else "-",
                met,
            )
        )
    return render_table(lines)


def render_table(lines: Sequence[Sequence[str]]) -> str:
    """Lay out a header line and rows of cells as a Markdown table, readable
    in a terminal too: the first two columns left-aligned, the rest right."""
    widths = [max(len(line[i]) for line in lines) for i in range(len(lines[0]))]
    out = []
    for index, line in enumerate(lines):
        cells = [
            cell.ljust(w) if i < 2 else cell.rjust(w)
            for i, (cell, w) in enumerate(zip(line, widths, strict=True))
        ]
        out.append("| " + " | ".join(cells) + " |")
        if index == 0:
            out.append("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(out)
