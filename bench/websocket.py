"""WebSocket echo on uvicorn (issue 15): a bare ASGI callable, Starlette,
Quart and ours.

The servers are ``asgi.py``'s (one uvicorn process per side, pinned to CPU 0,
its ``websockets`` implementation, the apps of ``apps/asgi_*.py``), each
serving ``/ws-echo`` with an ``async def`` handler that sends every message
back. The load is ``apps/ws_client.py`` (the ``websockets`` asyncio client on
uvloop, from ``.bench/asgi``, pinned to CPU 1): each connection sends a text
message, awaits the echo, checks it is the same text and repeats, after a 1 s
warm-up, for ``--seconds``. Scenarios: 1 connection and 50 connections, with
the server's CPU time (``/proc``) per message at 50. Any wrong echo, failed
handshake or error marks the side's scenario ``FAILED``. Rounds alternate
the sides (rotating their order); the table shows medians.

The hold test then opens ``--hold`` connections (1,000) to ours in one
uvicorn process, each echoing 5 messages, holds them all open, then closes
them, ``--holds`` times (2) on one server: it reports errors, the server's
RSS before, at each peak and after each close, and what the server's
``/hold-stats`` (``apps/hold_stats.py``, wrapped around the side's app) says
after each close: the Python objects alive, the RSS with the free heap
trimmed, and for ours the teardowns run, which must be one per connection
(``--hold-sides`` for other sides beside ours).

    python3 bench/websocket.py [--rounds 3] [--seconds 5] [--sides ...]
        [--hold 1000] [--holds 2] [--hold-sides ours,starlette,bare]

The exit status is 1 when ours failed.
"""

from __future__ import annotations

import argparse
import json
import os
import selectors
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path
from typing import Any

from _common import ensure_venv
from _common import fmt_number
from _common import HERE
from _common import log
from _common import render_table
from _common import warn_if_busy
from asgi import AsgiRow
from asgi import cpu_prefix
from asgi import format_table
from asgi import HOST
from asgi import http_get
from asgi import LABELS
from asgi import prepare
from asgi import SIDES
from asgi import Uvicorn

CLIENT = HERE / "apps" / "ws_client.py"
SCENARIOS = {"1 connection": 1, "50 connections": 50}
CPU_SCENARIO = "50 connections"
HOLD_MESSAGES = 5
TARGETS = [("starlette", 0.9), ("quart", 1.2)]


class Client:
    """One run of ``apps/ws_client.py`` on CPU 1, driven phase by phase."""

    def __init__(self, python: Path, port: int, *args: str) -> None:
        self.proc = subprocess.Popen(
            [
                *cpu_prefix(1),
                os.fspath(python),
                os.fspath(CLIENT),
                f"ws://{HOST}:{port}/ws-echo",
                *args,
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def phase(self, name: str, timeout: float) -> dict[str, Any]:
        """Wait for the client's ``name`` line (or raise) and return it; the
        client goes on once :meth:`proceed` is called."""
        assert self.proc.stdout is not None
        with selectors.DefaultSelector() as selector:
            selector.register(self.proc.stdout, selectors.EVENT_READ)
            if not selector.select(timeout):
                raise RuntimeError(f"ws client: no {name!r} within {timeout:g} s")
        line = self.proc.stdout.readline()
        if not line:
            self.proc.wait(timeout=10)
            assert self.proc.stderr is not None
            raise RuntimeError(f"ws client exited:\n{self.proc.stderr.read()[-2000:]}")
        got = json.loads(line)
        if got["phase"] != name:
            raise RuntimeError(f"ws client: expected {name!r}, got {got}")
        return got

    def proceed(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write("\n")
        self.proc.stdin.flush()

    def finish(self) -> None:
        """Wait for the client to exit (killing it if it does not)."""
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        for pipe in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
            if pipe is not None:
                pipe.close()


def problems(*reports: dict[str, Any]) -> str | None:
    """The errors the client reported, if any."""
    count = sum(r["error_count"] for r in reports)
    if not count:
        return None
    listed = [e for r in reports for e in r["errors"]]
    return f"{count} errors: " + "; ".join(listed[:5])


@dataclass
class Sample:
    """One timed echo run: round trips per second, server CPU per message."""

    rate: float
    cpu_us: float
    busy: float  # the server's CPU seconds per second of the timed window


@dataclass
class Results:
    samples: dict[str, dict[str, list[Sample]]] = field(default_factory=dict)
    errors: dict[str, dict[str, str]] = field(default_factory=dict)

    def median(self, side: str, scenario: str, what: str) -> float | None:
        found = self.samples.get(side, {}).get(scenario, [])
        return statistics.median(getattr(s, what) for s in found) if found else None


def echo_run(
    client_python: Path, server: Uvicorn, connections: int, seconds: float
) -> Sample:
    """Time one echo run against ``server``; raise on any client error."""
    client = Client(
        client_python,
        server.port,
        "--connections",
        str(connections),
        "--seconds",
        str(seconds),
    )
    try:
        start = client.phase("start", 60)
        before = server.cpu_seconds()
        client.proceed()
        end = client.phase("end", seconds + 60)
        used = server.cpu_seconds() - before
        client.proceed()
        closed = client.phase("closed", 60)
        client.proceed()
    finally:
        client.finish()
    if problem := problems(start, end, closed):
        raise RuntimeError(problem)
    if not end["messages"]:
        raise RuntimeError("no echo counted")
    return Sample(
        end["messages"] / end["seconds"],
        used / end["messages"] * 1e6,
        used / end["seconds"],
    )


def measure_side(
    python: Path, client_python: Path, side: str, seconds: float, results: Results
) -> None:
    """Start one side's server and time each scenario on it."""
    server = Uvicorn(python, side)
    try:
        server.wait_ready()
        for name, connections in SCENARIOS.items():
            if name in results.errors.get(side, {}):
                continue
            try:
                sample = echo_run(client_python, server, connections, seconds)
            except RuntimeError as exc:
                results.errors.setdefault(side, {})[name] = str(exc)
                log(f"  {side} {name} failed: {exc}")
                continue
            results.samples.setdefault(side, {}).setdefault(name, []).append(sample)
            log(
                f"  {side} {name}: {sample.rate:,.0f} echoes/s, server CPU "
                f"{sample.cpu_us:.0f} us/msg ({sample.busy:.0%} busy)"
            )
    finally:
        server.stop()


def benchmark(
    rounds: int, seconds: float, sides: list[str], reinstall: bool
) -> tuple[Results, dict[str, Path]]:
    """Run ``rounds`` rounds, each side once a round in a rotating order."""
    pythons = prepare(sides, reinstall)
    client_python = ensure_venv("asgi", reinstall=False)
    results = Results(
        errors={side: {"(setup)": "not built"} for side in sides if side not in pythons}
    )
    order = list(pythons)
    for index in range(rounds):
        for side in order[index % len(order) :] + order[: index % len(order)]:
            log(f"websocket round {index + 1}/{rounds}: {side}")
            try:
                measure_side(pythons[side], client_python, side, seconds, results)
            except RuntimeError as exc:
                results.errors.setdefault(side, {})["(server)"] = str(exc)
                log(f"{side} failed: {exc}")
    return results, pythons


def rows(results: Results) -> list[AsgiRow]:
    """Echo round trips per scenario, and the server's CPU per message."""
    table = []
    for name in SCENARIOS:
        notes = {}
        for side, failures in results.errors.items():
            if "(setup)" in failures or "(server)" in failures:
                notes[side] = "n/a"
            elif name in failures:
                notes[side] = "FAILED"
        values = {side: results.median(side, name, "rate") for side in SIDES}
        table.append(AsgiRow(f"echo, {name}", "msg/s", values, TARGETS, notes=notes))
        if name == CPU_SCENARIO:
            cpu = {side: results.median(side, name, "cpu_us") for side in SIDES}
            table.append(
                AsgiRow(
                    "  same, server CPU per message",
                    "us/msg cpu",
                    cpu,
                    higher_is_better=False,
                    notes=notes,
                )
            )
    return table


def rss_kib(pid: int) -> int:
    """``VmRSS`` of process ``pid``, in KiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def open_fds(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


def server_stats(server: Uvicorn) -> dict[str, Any]:
    """What ``apps/hold_stats.py`` says of the server's memory (trimming
    its free heap) and teardowns."""
    status, body = http_get(server.port, "/hold-stats")
    if status != 200:
        raise RuntimeError(f"/hold-stats answered {status}: {body[:200]!r}")
    return dict(json.loads(body))


def hold_run(client_python: Path, server: Uvicorn, connections: int) -> dict[str, Any]:
    """Open, hold and close ``connections`` connections; what the client,
    the server's ``/proc`` and its ``/hold-stats`` said at each step."""
    pid = server.proc.pid
    client = Client(
        client_python,
        server.port,
        "--connections",
        str(connections),
        "--hold",
        str(HOLD_MESSAGES),
    )
    try:
        fds_before = open_fds(pid)
        opened = client.phase("open", 300)
        peak, fds_peak = rss_kib(pid), open_fds(pid)
        client.proceed()
        closed = client.phase("closed", 120)
        client.proceed()
    finally:
        client.finish()
    deadline = time.monotonic() + 15
    while open_fds(pid) > fds_before and time.monotonic() < deadline:
        time.sleep(0.2)  # the server closes its side after the client
    time.sleep(1.0)
    after_kib = rss_kib(pid)
    return {
        "opened": opened["connections"],
        "messages": opened["messages"],
        "problem": problems(opened, closed),
        "peak_kib": peak,
        "server_sockets_at_peak": fds_peak - fds_before,
        "server_sockets_after": open_fds(pid) - fds_before,
        "after_kib": after_kib,
        "stats": server_stats(server),
    }


def hold_test(
    python: Path, client_python: Path, side: str, connections: int, holds: int
) -> dict[str, Any]:
    """The hold test on one side: a small warm-up hold (10 connections), the
    memory before, then the big hold ``holds`` times. Memory is back where it
    started when the Python objects alive and the RSS once the free heap is
    trimmed are; the untrimmed RSS stays up by what the allocator keeps for
    reuse (the next hold reuses it; growth in each would be a leak)."""
    log(f"websocket hold test: {connections} connections to {side}, {holds} times")
    server = Uvicorn(python, side, hold_stats=True)
    try:
        server.wait_ready()
        warm = hold_run(client_python, server, 10)
        if warm["problem"]:
            raise RuntimeError(f"warm-up: {warm['problem']}")
        before = warm["stats"]
        runs = [hold_run(client_python, server, connections) for _ in range(holds)]
        return {
            "before_kib": before["rss_kib"],
            "before": before,
            "runs": runs,
            "server_alive": server.proc.poll() is None,
        }
    finally:
        server.stop()


def teardowns_run(found: dict[str, Any]) -> list[int | None]:
    """The teardowns the app ran in each hold (None: it doesn't count them)."""
    counts = [found["before"]["teardowns"]] + [
        run["stats"]["teardowns"] for run in found["runs"]
    ]
    if counts[0] is None:
        return [None] * len(found["runs"])
    return [after - before for before, after in zip(counts, counts[1:], strict=False)]


def hold_ok(found: dict[str, Any], wanted: int) -> bool:
    """Every connection opened and echoed, no error, the server alive, and
    every teardown run where the app counts them."""
    return found["server_alive"] and all(
        not run["problem"]
        and run["opened"] == wanted
        and run["messages"] == wanted * HOLD_MESSAGES
        and run["server_sockets_after"] <= 0
        and teardowns in (None, wanted)
        for run, teardowns in zip(found["runs"], teardowns_run(found), strict=True)
    )


def format_hold(held: dict[str, dict[str, Any]], wanted: int) -> str:
    """The hold tests' figures as a Markdown table, a column per side."""

    def mib(kib: int) -> str:
        return f"{fmt_number(kib / 1024)} MiB"

    def trimmed(stats: dict[str, Any]) -> str:
        kib = stats["trimmed_rss_kib"]
        return "-" if kib is None else mib(kib)

    def cell(found: dict[str, Any], index: int) -> str:
        count = teardowns_run(found)[index]
        return "-" if count is None else f"{count:,}"

    def per_run(text: str, get: Any) -> list[tuple[str, ...]]:
        return [
            (f"{text}, hold {i + 1}", *(get(f["runs"][i]) for f in held.values()))
            for i in range(len(next(iter(held.values()))["runs"]))
        ]

    lines: list[tuple[str, ...]] = [
        (f"hold {wanted:,} connections", *(LABELS[s] for s in held)),
        *per_run("opened", lambda r: f"{r['opened']:,}"),
        *per_run(
            "server sockets at peak", lambda r: f"{r['server_sockets_at_peak']:,}"
        ),
        *per_run("echoes checked", lambda r: f"{r['messages']:,}"),
        *per_run("errors", lambda r: r["problem"] or "none"),
        *[
            (f"teardowns run, hold {i + 1}", *(cell(f, i) for f in held.values()))
            for i in range(len(next(iter(held.values()))["runs"]))
        ],
        ("server RSS before", *(mib(f["before_kib"]) for f in held.values())),
        *per_run("server RSS at peak", lambda r: mib(r["peak_kib"])),
        *per_run("server RSS after closing", lambda r: mib(r["after_kib"])),
        (
            "same, free heap trimmed: before",
            *(trimmed(f["before"]) for f in held.values()),
        ),
        *per_run("same, free heap trimmed", lambda r: trimmed(r["stats"])),
        (
            "Python objects alive: before",
            *(f"{f['before']['blocks']:,}" for f in held.values()),
        ),
        *per_run("Python objects alive", lambda r: f"{r['stats']['blocks']:,}"),
        (
            "all held and closed cleanly",
            *("yes" if hold_ok(f, wanted) else "no" for f in held.values()),
        ),
    ]
    return render_table(lines)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--sides", default=",".join(SIDES))
    parser.add_argument(
        "--hold", type=int, default=1000, help="hold-test connections (0: none)"
    )
    parser.add_argument(
        "--hold-sides", default="ours", help="sides of the hold test (%(default)s)"
    )
    parser.add_argument(
        "--holds", type=int, default=2, help="hold runs per server (%(default)s)"
    )
    parser.add_argument("--no-reinstall", action="store_true")
    args = parser.parse_args()
    sides = [s for s in args.sides.split(",") if s]
    if unknown := set(sides) - set(SIDES):
        parser.error(f"unknown sides: {', '.join(sorted(unknown))}")
    warn_if_busy()
    results, pythons = benchmark(
        args.rounds, args.seconds, sides, not args.no_reinstall
    )
    print(format_table(rows(results), "WebSocket echo on uvicorn"))
    if results.errors:
        print()
        for side, failures in results.errors.items():
            for name, text in failures.items():
                print(f"{side}: {name} failed: {text.rstrip()}")
    held: dict[str, dict[str, Any]] = {}
    failed_hold = []
    hold_sides = [s for s in args.hold_sides.split(",") if s in pythons]
    for side in hold_sides if args.hold else []:
        client_python = ensure_venv("asgi", reinstall=False)
        try:
            held[side] = hold_test(
                pythons[side], client_python, side, args.hold, args.holds
            )
        except RuntimeError as exc:
            print(f"\n{side}: hold test failed: {exc}")
            failed_hold.append(side)
        else:
            if not hold_ok(held[side], args.hold):
                failed_hold.append(side)
    if held:
        print("\n" + format_hold(held, args.hold))
    return 1 if results.errors.get("ours") or "ours" in failed_hold else 0


if __name__ == "__main__":
    sys.exit(main())
