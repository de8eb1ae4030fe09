"""ASGI on uvicorn (issue 14): a bare ASGI callable, Starlette, Quart and ours.

Each side is one uvicorn process (the same pinned uvicorn, httptools and
uvloop everywhere, see ``UVICORN`` in ``_common.py``) on a free port of
127.0.0.1 only, pinned to the first CPU; ``wrk -t1`` runs on the second.
Starlette and Quart run from ``.bench/asgi``, the bare callable too, ours from
``.bench/ours``. The apps are in ``apps/asgi_*.py`` and answer the same paths
(``apps/asgi_payload.py``); every response is checked (status, body) on every
side before timing. Scenarios, each a 1 s warm-up then a timed wrk run:

* hello (text) and JSON (a small dict), each from a plain ``def`` view (a
  worker thread, on every framework) and from an ``async def`` view, with
  64 connections;
* slow: 200 connections on an ``async def`` view awaiting
  ``asyncio.sleep(0.05)`` (ideal: 4,000 req/s), with the server process's CPU
  time per request (``/proc/<pid>/stat`` before and after the timed run);
* streaming: 1,000 chunks of 1 KiB per response from a plain and from an
  async generator (the bare callable: 1,000 ``http.response.body`` messages
  with ``more_body``), 16 connections, in MB/s of body.

The bare callable has no thread pool: its one figure per kind stands for both
the ``def`` and the ``async`` rows. Rounds alternate the sides (rotating their
order); the table shows medians and ours' ratio to each other side.

    python3 bench/asgi.py [--rounds 3] [--seconds 5] [--sides bare,starlette,quart,ours] [--cpu] [--inprocess] [--json]

``--inprocess`` also times each app called in-process, without a server
(``apps/asgi_inprocess.py``). The exit status is 1 when ours failed a check.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import time
from base64 import b64decode
from collections.abc import Callable
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path
from types import ModuleType
from typing import Any

from _common import child_env
from _common import ensure_venv
from _common import fmt_number
from _common import HERE
from _common import log
from _common import ours_importable
from _common import QUART_VERSION
from _common import render_table
from _common import run_json
from _common import STARLETTE_VERSION
from _common import warn_if_busy
from _common import WORK


def _load(name: str, path: Path) -> ModuleType:
    """Import ``path`` as module ``name`` (``bench/http.py`` would shadow the
    standard ``http`` package if imported by its own name)."""
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_wsgi_http = _load("bench_http", HERE / "http.py")
payload = _load("asgi_payload", HERE / "apps" / "asgi_payload.py")
cpu_prefix: Callable[[int], list[str]] = _wsgi_http.cpu_prefix
ensure_wrk: Callable[[], str | None] = _wsgi_http.ensure_wrk
free_port: Callable[[], int] = _wsgi_http.free_port
http_get: Callable[..., tuple[int, bytes]] = _wsgi_http.get

HOST = "127.0.0.1"
SIDES = ("bare", "starlette", "quart", "ours")
LABELS = {
    "bare": "bare ASGI",
    "starlette": f"Starlette {STARLETTE_VERSION}",
    "quart": f"Quart {QUART_VERSION}",
    "ours": "ours",
}
MODULES = {
    "bare": "asgi_bare",
    "starlette": "asgi_starlette",
    "quart": "asgi_quart",
    "ours": "asgi_ours",
}
VENVS = {"bare": "asgi", "starlette": "asgi", "quart": "asgi", "ours": "ours"}


def _check_hello(status: int, headers: dict[str, str], body: bytes) -> str | None:
    if status != 200 or body != payload.HELLO.encode():
        return f"{status} {body[:200]!r}"
    return None


def _check_json(status: int, headers: dict[str, str], body: bytes) -> str | None:
    kind = headers.get("content-type", "")
    try:
        data = json.loads(body)
    except ValueError:
        data = None
    if (
        status != 200
        or not kind.startswith("application/json")
        or data != payload.user(payload.USER_ID)
    ):
        return f"{status} {kind!r} {body[:200]!r}"
    return None


def _check_stream(status: int, headers: dict[str, str], body: bytes) -> str | None:
    if status != 200 or body != payload.CHUNK * payload.CHUNKS:
        return f"{status}, {len(body)} bytes: {body[:60]!r}"
    return None


@dataclass(frozen=True)
class Scenario:
    """One timed request. ``kind`` groups a ``def`` and an ``async`` variant;
    the bare callable, which has no such difference, runs one per kind."""

    name: str
    kind: str
    path: str
    connections: int
    check: Callable[[int, dict[str, str], bytes], str | None]


SCENARIOS = (
    Scenario("hello-def", "hello", "/hello-def", 64, _check_hello),
    Scenario("hello-async", "hello", "/hello-async", 64, _check_hello),
    Scenario("json-def", "json", f"/json-def/{payload.USER_ID}", 64, _check_json),
    Scenario("json-async", "json", f"/json-async/{payload.USER_ID}", 64, _check_json),
    Scenario("slow", "slow", "/slow", 200, _check_hello),
    Scenario("stream-def", "stream", "/stream-def", 16, _check_stream),
    Scenario("stream-async", "stream", "/stream-async", 16, _check_stream),
)
# What the bare callable runs for each kind (it answers every path alike).
BARE_SCENARIO = {
    "hello": "hello-async",
    "json": "json-async",
    "slow": "slow",
    "stream": "stream-async",
}


def scenarios_for(side: str) -> list[Scenario]:
    """The scenarios one side runs."""
    if side != "bare":
        return list(SCENARIOS)
    return [s for s in SCENARIOS if s.name in BARE_SCENARIO.values()]


def measured_as(side: str, scenario: str) -> str:
    """The scenario whose figures stand for ``scenario`` on ``side``."""
    if side != "bare":
        return scenario
    return BARE_SCENARIO[next(s.kind for s in SCENARIOS if s.name == scenario)]


def _dechunk(data: bytes) -> bytes:
    """The body of a ``Transfer-Encoding: chunked`` message."""
    parts, pos = [], 0
    while True:
        end = data.index(b"\r\n", pos)
        size = int(data[pos:end].split(b";")[0], 16)
        pos = end + 2
        if size == 0:
            return b"".join(parts)
        parts.append(data[pos : pos + size])
        if data[pos + size : pos + size + 2] != b"\r\n":
            raise ValueError("bad chunk framing")
        pos += size + 2


def fetch(
    port: int, path: str, timeout: float = 10.0
) -> tuple[int, dict[str, str], bytes]:
    """One HTTP/1.1 GET on a fresh connection: status, headers (lower-case
    names) and the body, de-chunked."""
    with socket.create_connection((HOST, port), timeout=timeout) as sock:
        sock.sendall(
            f"GET {path} HTTP/1.1\r\nHost: {HOST}\r\nConnection: close\r\n\r\n".encode()
        )
        chunks = []
        while chunk := sock.recv(262144):
            chunks.append(chunk)
    head, _, body = b"".join(chunks).partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1]) if lines[0].startswith("HTTP/") else 0
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    if headers.get("transfer-encoding", "").lower() == "chunked":
        body = _dechunk(body)
    return status, headers, body


def process_cpu_seconds(pid: int) -> float:
    """CPU time (user + system, all threads) used so far by process ``pid``."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Uvicorn(_wsgi_http.Server):  # type: ignore[misc]  # for its stop()
    """One uvicorn process serving ``apps/<module>.py``'s ``app`` with
    httptools, uvloop and websockets, pinned to CPU 0, access log off."""

    def __init__(self, python: Path, side: str, hold_stats: bool = False) -> None:
        """With ``hold_stats``, the side's app is served behind
        ``apps/hold_stats.py`` (websocket.py's hold test)."""
        # Not the base's __init__, which starts gunicorn.
        self.port = free_port()
        self.log_path = WORK / f"uvicorn-{side}.log"
        args = [
            *cpu_prefix(0),
            os.fspath(python),
            "-P",  # not .bench/ (the cwd) on sys.path
            "-m",
            "uvicorn",
            "--app-dir",
            os.fspath(HERE / "apps"),
            "--host",
            HOST,
            "--port",
            str(self.port),
            "--loop",
            "uvloop",
            "--http",
            "httptools",
            "--ws",
            "websockets",  # for websocket.py
            "--lifespan",
            "on",
            "--no-access-log",
            "--log-level",
            "warning",
            *(
                ["--factory", "hold_stats:make"]
                if hold_stats
                else [f"{MODULES[side]}:app"]
            ),
        ]
        env = child_env()
        if hold_stats:
            env["HOLD_APP"] = MODULES[side]
        self.log_file = open(self.log_path, "w")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            args,
            cwd=WORK,
            env=env,
            stdout=self.log_file,
            stderr=subprocess.STDOUT,
        )

    def wait_ready(self, timeout: float = 30.0) -> None:
        """Wait until the server answers at all, or raise."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(
                    f"uvicorn exited:\n{self.log_path.read_text()[-2000:]}"
                )
            try:
                fetch(self.port, "/hello-async", timeout=5.0)
            except OSError:
                time.sleep(0.1)
                continue
            return
        raise RuntimeError("uvicorn did not answer in time")

    def cpu_seconds(self) -> float:
        """The server process's CPU time so far (``taskset`` execs it, so
        the pid is uvicorn's own)."""
        return process_cpu_seconds(self.proc.pid)


@dataclass
class Load:
    """What one wrk run measured."""

    rate: float
    requests: int
    socket_errors: int


def run_wrk(wrk: str, port: int, path: str, connections: int, seconds: float) -> Load:
    """One bounded wrk run (1 thread, on CPU 1) against ``path``; raise when
    wrk saw a non-2xx response."""
    args = [
        *cpu_prefix(1),
        wrk,
        "-t1",
        f"-c{connections}",
        f"-d{seconds:g}s",
        "--timeout",
        "5s",
        f"http://{HOST}:{port}{path}",
    ]
    out = subprocess.run(
        args, capture_output=True, text=True, timeout=seconds + 30, check=True
    ).stdout
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if bad:
        raise RuntimeError(f"wrk saw {bad.group(1)} error responses:\n{out}")
    rate = re.search(r"Requests/sec:\s+([\d.]+)", out)
    count = re.search(r"(\d+) requests in", out)
    if not rate or not count:
        raise RuntimeError(f"cannot read wrk output:\n{out}")
    errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out
    )
    failed = sum(int(n) for n in errors.groups()) if errors else 0
    return Load(float(rate.group(1)), int(count.group(1)), failed)


@dataclass
class Sample:
    """One timed run of one scenario on one side."""

    rate: float
    cpu_us: float
    socket_errors: int


@dataclass
class Results:
    """Every side's samples per scenario, and what failed (not timed)."""

    samples: dict[str, dict[str, list[Sample]]] = field(default_factory=dict)
    errors: dict[str, dict[str, str]] = field(default_factory=dict)

    def median(self, side: str, scenario: str, what: str) -> float | None:
        """The median ``rate`` or ``cpu_us`` of one side's scenario."""
        found = self.samples.get(side, {}).get(measured_as(side, scenario), [])
        return statistics.median(getattr(s, what) for s in found) if found else None


def check_all(server: Uvicorn, side: str, results: Results) -> list[Scenario]:
    """Check every scenario's response; return those that passed (the
    others are recorded as errors and not timed)."""
    passed = []
    for scenario in scenarios_for(side):
        try:
            problem = scenario.check(*fetch(server.port, scenario.path))
        except (OSError, ValueError) as exc:
            problem = repr(exc)
        if problem:
            results.errors.setdefault(side, {})[scenario.name] = (
                f"GET {scenario.path}: {problem}"
            )
        elif scenario.name not in results.errors.get(side, {}):
            passed.append(scenario)
    return passed


def measure_side(
    python: Path, side: str, wrk: str, seconds: float, results: Results
) -> None:
    """Start one side's server, check it, then warm up and time each scenario."""
    server = Uvicorn(python, side)
    try:
        server.wait_ready()
        for scenario in check_all(server, side, results):
            try:
                run_wrk(wrk, server.port, scenario.path, scenario.connections, 1.0)
                before = server.cpu_seconds()
                load = run_wrk(
                    wrk, server.port, scenario.path, scenario.connections, seconds
                )
                used = server.cpu_seconds() - before
            except (RuntimeError, subprocess.SubprocessError) as exc:
                results.errors.setdefault(side, {})[scenario.name] = str(exc)
                log(f"  {side} {scenario.name} failed: {exc}")
                continue
            sample = Sample(
                load.rate, used / max(1, load.requests) * 1e6, load.socket_errors
            )
            results.samples.setdefault(side, {}).setdefault(scenario.name, []).append(
                sample
            )
            errors = (
                f", {load.socket_errors} socket errors" if load.socket_errors else ""
            )
            # Below 100 %, the server waited for something other than CPU.
            busy = used / seconds
            log(
                f"  {side} {scenario.name}: {load.rate:,.0f} req/s, server CPU "
                f"{sample.cpu_us:.0f} us/req ({busy:.0%} busy){errors}"
            )
    finally:
        server.stop()


def prepare(sides: Sequence[str], reinstall: bool) -> dict[str, Path]:
    """The interpreter of each side that can run; ours is left out (with a
    message) when it cannot be installed or imported."""
    pythons: dict[str, Path] = {}
    for side in sides:
        venv = VENVS[side]
        try:
            python = ensure_venv(venv, reinstall)
        except Exception as exc:  # one broken side must not hide the others
            log(f"{side}: .bench/{venv} could not be built ({exc}); left out")
            continue
        if side == "ours" and (problem := ours_importable(python)):
            log(f"ours is not importable ({problem}); left out")
            continue
        pythons[side] = python
    return pythons


def benchmark(
    rounds: int, seconds: float, sides: Sequence[str], reinstall: bool = True
) -> Results:
    """Run ``rounds`` rounds, each side once a round in a rotating order."""
    wrk = ensure_wrk()
    if not wrk:
        raise SystemExit("wrk is not available (Debian package wrk)")
    pythons = prepare(sides, reinstall)
    results = Results(
        errors={side: {"(setup)": "not built"} for side in sides if side not in pythons}
    )
    order = list(pythons)
    for index in range(rounds):
        turn = order[index % len(order) :] + order[: index % len(order)]
        for side in turn:
            log(f"asgi round {index + 1}/{rounds}: {side} ({seconds:g} s per scenario)")
            try:
                measure_side(pythons[side], side, wrk, seconds, results)
            except RuntimeError as exc:
                results.errors.setdefault(side, {})["(server)"] = str(exc)
                log(f"{side} failed: {exc}")
    return results


@dataclass
class AsgiRow:
    """One line of the ASGI table: a figure per side, ours' ratio to each.

    ``targets`` pairs a side with the least ratio ours must reach against it
    (``"req/s"`` for an absolute floor on ours' figure). Ratios say how many
    times better ours is: ours/other for a throughput, other/ours for a cost.
    """

    name: str
    unit: str
    values: dict[str, float | None]
    targets: list[tuple[str, float]] = field(default_factory=list)
    higher_is_better: bool = True
    notes: dict[str, str] = field(default_factory=dict)  # instead of a figure

    def ratio(self, side: str) -> float | None:
        """How many times better ours is than ``side`` (None if unknown)."""
        ours, other = self.values.get("ours"), self.values.get(side)
        if not ours or not other:
            return None
        return ours / other if self.higher_is_better else other / ours

    def missed(self) -> list[str] | None:
        """The targets missed (empty: all met; None: not measurable)."""
        missed = []
        for side, least in self.targets:
            got = self.values.get("ours") if side == "req/s" else self.ratio(side)
            if got is None:
                return None
            if got < least:
                missed.append(side)
        return missed

    def target_text(self) -> str:
        """The targets, e.g. ``0.8x Starlette, 3x Quart``."""
        parts = []
        for side, least in self.targets:
            if side == "req/s":
                parts.append(f">= {least:,.0f} req/s")
            elif not self.higher_is_better and least == 1:
                parts.append(f"<= {LABELS[side].split()[0]}")
            else:
                parts.append(f"{least:g}x {LABELS[side].split()[0]}")
        return ", ".join(parts) or "-"


def rows(results: Results, cpu_rows: bool = False) -> list[AsgiRow]:
    """The table: throughput per scenario (MB/s of body for the streams),
    the slow scenario's CPU per request, and with ``cpu_rows`` every
    scenario's."""
    mb_per_request = payload.STREAM_BODY_SIZE / 1e6
    titles = {
        "hello-def": "hello (text), def view",
        "hello-async": "hello (text), async def view",
        "json-def": "JSON (small dict), def view",
        "json-async": "JSON (small dict), async def view",
        "slow": f"slow: 200 conns, async sleep {payload.SLOW_SECONDS * 1000:g} ms",
        "stream-def": "stream 1,000 x 1 KiB, plain generator",
        "stream-async": "stream 1,000 x 1 KiB, async generator",
    }
    targets: dict[str, list[tuple[str, float]]] = {
        "hello": [("starlette", 0.8), ("quart", 3.0)],
        "json": [("starlette", 0.8), ("quart", 3.0)],
        "slow": [("req/s", 3500.0)],
        "stream": [("bare", 0.9)],
    }
    table = []
    for scenario in SCENARIOS:
        notes = cell_notes(results.errors, scenario.name)
        rates = {side: results.median(side, scenario.name, "rate") for side in SIDES}
        unit = "req/s"
        if scenario.kind == "stream":
            unit = "MB/s"
            rates = {s: v * mb_per_request if v else None for s, v in rates.items()}
        table.append(
            AsgiRow(
                titles[scenario.name], unit, rates, targets[scenario.kind], notes=notes
            )
        )
        if cpu_rows or scenario.kind == "slow":
            table.append(
                AsgiRow(
                    "  same, server CPU per request",
                    "us/req cpu",
                    {
                        side: results.median(side, scenario.name, "cpu_us")
                        for side in SIDES
                    },
                    [("starlette", 1.0)] if scenario.kind == "slow" else [],
                    higher_is_better=False,
                    notes=notes,
                )
            )
    return table


def format_table(table: Sequence[AsgiRow], title: str = "ASGI on uvicorn") -> str:
    """Render the rows as a Markdown table."""
    others = [s for s in SIDES if s != "ours"]
    header = (
        title,
        "unit",
        *(LABELS[s] for s in SIDES),
        *(f"vs {LABELS[s].split()[0]}" for s in others),
        "target",
        "met",
    )
    lines = [header]
    for row in table:
        missed = row.missed()
        met = (
            "-"
            if not row.targets or missed is None
            else ("yes" if not missed else "no")
        )
        ratios = [row.ratio(s) for s in others]
        lines.append(
            (
                row.name,
                row.unit,
                *(
                    fmt_number(row.values.get(s))
                    if row.values.get(s) is not None
                    else row.notes.get(s, "-")
                    for s in SIDES
                ),
                *(f"{r:.2f}x" if r is not None else "-" for r in ratios),
                row.target_text(),
                met,
            )
        )
    return render_table(lines)


def cell_notes(errors: dict[str, dict[str, str]], scenario: str) -> dict[str, str]:
    """What stands in a side's cell instead of a figure: ``n/a`` for a side
    that was not built or could not start, ``FAILED`` for a failed check."""
    notes = {}
    for side, failures in errors.items():
        if "(setup)" in failures or "(server)" in failures:
            notes[side] = "n/a"
        elif measured_as(side, scenario) in failures:
            notes[side] = "FAILED"
    return notes


def report_errors(errors: dict[str, dict[str, str]]) -> str:
    """The checks and runs that failed, per side."""
    return "\n".join(
        f"{side}: {name} failed, not timed: {text.rstrip()}"
        for side, failures in errors.items()
        for name, text in failures.items()
    )


def inprocess(pythons: dict[str, Path], seconds: float) -> dict[str, dict[str, Any]]:
    """Per-request cost of each side's app called in-process (no server, no
    socket), from ``apps/asgi_inprocess.py`` run in its virtualenv: per side,
    ``{"scenarios": {name: {"wall_us", "cpu_us"}}}``, or ``{"error": ...}``
    when the child failed or a first response failed its check."""
    script = HERE / "apps" / "asgi_inprocess.py"
    found: dict[str, dict[str, Any]] = {}
    for side, python in pythons.items():
        log(f"asgi in-process: {side}")
        wanted = [s for s in scenarios_for(side) if s.kind != "slow"]
        paths = [f"{s.name}={s.path}" for s in wanted]
        result = run_json(
            [python, script, MODULES[side], *paths, "--seconds", str(seconds)],
            timeout=600,
        )
        for scenario in wanted if "error" not in result else []:
            response = result["scenarios"][scenario.name].pop("response")
            problem = scenario.check(
                response["status"], response["headers"], b64decode(response["body"])
            )
            if problem:
                result = {"error": f"{scenario.name}: {problem}"}
                break
        found[side] = result
    return found


def format_inprocess(found: dict[str, dict[str, Any]]) -> str:
    """A table of in-process wall-clock and CPU time per request."""
    lines = [
        "| in-process, us/req (wall / CPU) | "
        + " | ".join(LABELS[s] for s in found)
        + " |",
        "|---" * (len(found) + 1) + "|",
    ]
    for scenario in SCENARIOS:
        if scenario.kind == "slow":
            continue
        cells = []
        for side, result in found.items():
            got = result.get("scenarios", {}).get(measured_as(side, scenario.name))
            cells.append(
                f"{got['wall_us']:.1f} / {got['cpu_us']:.1f}" if got else "FAILED"
            )
        lines.append(f"| {scenario.name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def to_json(results: Results) -> dict[str, Any]:
    """The raw samples and errors (read back by :func:`from_json`)."""
    return {
        "samples": {
            side: {
                name: [s.__dict__ for s in found] for name, found in scenarios.items()
            }
            for side, scenarios in results.samples.items()
        },
        "errors": results.errors,
    }


def from_json(data: dict[str, Any]) -> Results:
    """Rebuild :class:`Results` written by :func:`to_json`."""
    samples = {
        side: {name: [Sample(**s) for s in found] for name, found in scenarios.items()}
        for side, scenarios in data["samples"].items()
    }
    return Results(samples, data["errors"])


def main() -> int:
    global SCENARIOS
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--rounds", type=int, default=3, help="alternated rounds per side"
    )
    parser.add_argument(
        "--seconds", type=float, default=5.0, help="duration of one timed wrk run"
    )
    parser.add_argument(
        "--sides",
        default=",".join(SIDES),
        help="comma-separated sides to run (default: %(default)s)",
    )
    parser.add_argument(
        "--scenarios",
        default="",
        help="comma-separated scenarios to run (default: all), e.g. hello-async",
    )
    parser.add_argument(
        "--cpu",
        action="store_true",
        help="a server-CPU-per-request row for every scenario",
    )
    parser.add_argument(
        "--inprocess",
        action="store_true",
        help="also time each app called in-process (no server), per request",
    )
    parser.add_argument(
        "--json",
        action="store_true",
        help="print the raw results as JSON (exit status 0 even when ours failed)",
    )
    parser.add_argument(
        "--no-reinstall",
        action="store_true",
        help="keep the installed snapshot of this package even if src/ changed",
    )
    args = parser.parse_args()
    sides = [s for s in args.sides.split(",") if s]
    if unknown := set(sides) - set(SIDES):
        parser.error(f"unknown sides: {', '.join(sorted(unknown))}")
    if args.scenarios:
        wanted = set(args.scenarios.split(","))
        if unknown := wanted - {s.name for s in SCENARIOS}:
            parser.error(f"unknown scenarios: {', '.join(sorted(unknown))}")
        SCENARIOS = tuple(s for s in SCENARIOS if s.name in wanted)
    warn_if_busy()
    results = benchmark(args.rounds, args.seconds, sides, not args.no_reinstall)
    found = {}
    if args.inprocess:
        found = inprocess(prepare(sides, reinstall=False), min(args.seconds, 2.0))
    if args.json:
        print(json.dumps({**to_json(results), "inprocess": found}))
    else:
        print(format_table(rows(results, args.cpu)))
        if found:
            print("\n" + format_inprocess(found))
        if results.errors:
            print("\n" + report_errors(results.errors))
    # With --json the errors are in the output, for run.py to judge.
    return 1 if results.errors.get("ours") and not args.json else 0


if __name__ == "__main__":
    sys.exit(main())
