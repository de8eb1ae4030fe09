"""HTTP throughput of the hello app under gunicorn, Flask 3.1.3 against ours,
bare and with app-wide hooks of the kinds extensions register (``apps/hooks.py``).

Each side's virtualenv (see ``_common.py``) runs gunicorn with one sync worker
on a free port of 127.0.0.1 only, pinned to the first CPU; the load generator
runs on the second. The load generator is ``wrk`` (Debian package, installed
with apt-get when missing and allowed), else a small threaded Python client.
Every load run is bounded in time (and the Python client also in count).
Rounds alternate between the sides; the median requests/s is reported.

    python bench/http.py [--rounds 7] [--seconds 5] [--client auto|wrk|python] [--json] [--flask-only] [--bare]

``--bare`` adds a third side, a bare WSGI function (``apps/bare.py``) under the
same gunicorn, and prints what each framework adds per request on top of it.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

from _common import child_env
from _common import format_table
from _common import HERE
from _common import log
from _common import prepare_sides
from _common import Row
from _common import WORK

TARGET = 1.3
HOST = "127.0.0.1"
CONNECTIONS = 4
MAX_REQUESTS = 200_000  # the Python client's cap per run
EXPECTED = b"Hello, World!"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def cpu_prefix(cpu: int) -> list[str]:
    """``taskset`` arguments pinning a command to one CPU, when possible."""
    if (os.cpu_count() or 1) >= 2 and shutil.which("taskset"):
        return ["taskset", "-c", str(cpu)]
    return []


def ensure_wrk() -> str | None:
    """Path of ``wrk``, installing the Debian package if missing and root."""
    found = shutil.which("wrk")
    if found or os.geteuid() != 0 or not shutil.which("apt-get"):
        return found
    log("installing wrk with apt-get")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    for args in (
        ["apt-get", "install", "-y", "-qq", "wrk"],
        ["apt-get", "update", "-qq"],
        ["apt-get", "install", "-y", "-qq", "wrk"],
    ):
        subprocess.run(args, env=env, capture_output=True, timeout=300, check=False)
        if shutil.which("wrk"):
            break
    return shutil.which("wrk")


def get(port: int, path: str = "/", timeout: float = 5.0) -> tuple[int, bytes]:
    """One HTTP/1.1 GET on a fresh connection: (status, body)."""
    with socket.create_connection((HOST, port), timeout=timeout) as sock:
        sock.sendall(
            f"GET {path} HTTP/1.1\r\nHost: {HOST}\r\nConnection: close\r\n\r\n".encode()
        )
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    head, _, body = b"".join(chunks).partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1]) if head.startswith(b"HTTP/") else 0
    return status, body


class Server:
    """gunicorn serving ``bench/apps/hello.py`` (or ``app``) from one side's
    virtualenv."""

    def __init__(self, python: Path, side: str, app: str = "hello:app") -> None:
        self.port = free_port()
        self.log_path = WORK / f"gunicorn-{side}.log"
        args = [
            *cpu_prefix(0),
            os.fspath(python),
            "-m",
            "gunicorn",
            "--workers",
            "1",
            "--worker-class",
            "sync",
            "--bind",
            f"{HOST}:{self.port}",
            "--log-level",
            "warning",
            # gunicorn 27 opens ~/.gunicorn/gunicorn.ctl by default; two
            # masters of one user would clash on it.
            "--no-control-socket",
            "--chdir",
            os.fspath(HERE / "apps"),
            app,
        ]
        self.log_file = open(self.log_path, "w")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            args,
            cwd=WORK,
            env=child_env(),
            stdout=self.log_file,
            stderr=subprocess.STDOUT,
        )

    def wait_ready(self, timeout: float = 20.0) -> None:
        """Wait until the hello page is served correctly, or raise."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(
                    f"gunicorn exited:\n{self.log_path.read_text()[-2000:]}"
                )
            try:
                status, body = get(self.port)
            except OSError:
                time.sleep(0.1)
                continue
            if status != 200 or body != EXPECTED:
                raise RuntimeError(f"bad response {status} {body[:200]!r}")
            return
        raise RuntimeError("gunicorn did not answer in time")

    def stop(self) -> None:
        """Stop the gunicorn we started (its master, which stops the worker)."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log_file.close()


def load_wrk(wrk: str, port: int, seconds: float) -> tuple[float, int]:
    """Requests/s measured by wrk over ``seconds``, and the request count."""
    args = [
        *cpu_prefix(1),
        wrk,
        "-t1",
        f"-c{CONNECTIONS}",
        f"-d{seconds:g}s",
        "--timeout",
        "5s",
        f"http://{HOST}:{port}/",
    ]
    out = subprocess.run(
        args, capture_output=True, text=True, timeout=seconds + 30, check=True
    ).stdout
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if bad:
        raise RuntimeError(f"wrk saw {bad.group(1)} error responses:\n{out}")
    match = re.search(r"Requests/sec:\s+([\d.]+)", out)
    count = re.search(r"(\d+) requests in", out)
    if not match or not count:
        raise RuntimeError(f"cannot read wrk output:\n{out}")
    return float(match.group(1)), int(count.group(1))


def load_python(port: int, seconds: float) -> tuple[float, int]:
    """Requests/s of a threaded client, bounded by ``seconds`` and a count,
    and the request count."""
    deadline = time.monotonic() + seconds
    counts = [0] * CONNECTIONS
    failures: list[str] = []

    def worker(index: int) -> None:
        while (
            time.monotonic() < deadline and sum(counts) < MAX_REQUESTS and not failures
        ):
            try:
                status, body = get(port)
            except OSError as exc:
                failures.append(repr(exc))
                return
            if status != 200 or body != EXPECTED:
                failures.append(f"{status} {body[:100]!r}")
            counts[index] += 1

    saved = os.sched_getaffinity(0)
    if (os.cpu_count() or 1) >= 2:
        os.sched_setaffinity(0, {1})  # keep the client off the server's CPU
    start = time.monotonic()
    threads = [threading.Thread(target=worker, args=(i,)) for i in range(CONNECTIONS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(seconds + 30)
    os.sched_setaffinity(0, saved)
    if failures:
        raise RuntimeError(f"load failed: {failures[0]}")
    return sum(counts) / (time.monotonic() - start), sum(counts)


def worker_cpu_seconds(master: int) -> float | None:
    """CPU time (user + system) used so far by gunicorn's worker, or None
    when /proc can't tell."""
    try:
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
        stat = Path(f"/proc/{children[0]}/stat").read_text()
    except (OSError, IndexError):
        return None
    fields = stat.rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


#: The apps served, by the name of their rows: the bare hello app, and the
#: same with app-wide hooks of the kinds extensions register.
APPS = {"hello": "hello:app", "hello, app-wide hooks": "hooks:app"}


def measure(
    python: Path, side: str, seconds: float, wrk: str | None, app: str = "hello:app"
) -> tuple[float, float | None]:
    """Start a server for one side, warm it up, load it, stop it: requests/s
    and the worker's CPU time per request (us), which other work on the
    machine disturbs less than throughput."""
    server = Server(python, side, "bare:app" if side == "bare" else app)
    try:
        server.wait_ready()
        for duration in (1.0, seconds):  # a warm-up run, then the measured one
            cpu_before = worker_cpu_seconds(server.proc.pid)
            if wrk:
                rate, count = load_wrk(wrk, server.port, duration)
            else:
                rate, count = load_python(server.port, duration)
            cpu_after = worker_cpu_seconds(server.proc.pid)
        cpu = None
        if cpu_before is not None and cpu_after is not None and count:
            cpu = (cpu_after - cpu_before) / count * 1e6
        return rate, cpu
    finally:
        server.stop()


def benchmark(
    rounds: int,
    seconds: float,
    flask_only: bool,
    client: str = "auto",
    reinstall: bool = True,
    bare: bool = False,
) -> list[Row]:
    """Alternate the sides for ``rounds`` rounds; one row of median req/s."""
    wrk = ensure_wrk() if client != "python" else None
    if client == "wrk" and not wrk:
        raise SystemExit("wrk is not available")
    client = "wrk" if wrk else "python client"
    pythons = prepare_sides(flask_only, reinstall)
    if bare:
        pythons["bare"] = pythons.get("ours", pythons["flask"])
    rows: list[Row] = []
    for title, app in APPS.items():
        sides = {s: p for s, p in pythons.items() if s != "bare" or app == "hello:app"}
        rows += _app_rows(title, app, sides, rounds, seconds, wrk, client)
    return rows


def _app_rows(
    title: str,
    app: str,
    pythons: dict[str, Path],
    rounds: int,
    seconds: float,
    wrk: str | None,
    client: str,
) -> list[Row]:
    """Alternate the sides serving ``app``; its rows of medians."""
    results: dict[str, list[float]] = {side: [] for side in pythons}
    cpu: dict[str, list[float]] = {side: [] for side in pythons}
    errors: dict[str, str] = {}
    for index in range(rounds):
        for side, python in pythons.items():
            if side in errors:
                continue
            log(
                f"http {title} round {index + 1}/{rounds}: {side}"
                f" ({client}, {seconds:g} s)"
            )
            try:
                rate, cpu_us = measure(python, side, seconds, wrk, app)
                results[side].append(rate)
                if cpu_us is not None:
                    cpu[side].append(cpu_us)
                used = "n/a" if cpu_us is None else f"{cpu_us:.0f} us/req"
                log(f"  {side}: {rate:,.0f} req/s, worker CPU {used}")
            except Exception as exc:
                errors[side] = str(exc)
                log(f"{side} failed: {exc}")
    medians = {side: statistics.median(v) if v else None for side, v in results.items()}
    cpu_medians = {side: statistics.median(v) if v else None for side, v in cpu.items()}
    if medians.get("bare"):
        log_overheads(medians, cpu_medians)
    note = "FAILED" if "ours" in errors else ("n/a" if "ours" not in pythons else "-")
    return [
        Row(
            f"HTTP {title}, gunicorn 1 sync worker ({client})",
            "req/s",
            medians.get("flask"),
            medians.get("ours"),
            TARGET,
            higher_is_better=True,
            note=note,
        ),
        Row(
            "  same, gunicorn worker's CPU per request",
            "us/req cpu",
            cpu_medians.get("flask"),
            cpu_medians.get("ours"),
            note=note,
        ),
    ]


def log_overheads(
    medians: dict[str, float | None], cpu_medians: dict[str, float | None]
) -> None:
    """Per-request time of the bare function, and what each side adds."""
    base = 1e6 / medians["bare"]  # type: ignore[operator]
    parts = [f"bare WSGI {base:.0f} us/request"]
    for side in ("ours", "flask"):
        rate = medians.get(side)
        if rate:
            parts.append(f"{side} +{1e6 / rate - base:.0f} us")
    base_cpu = cpu_medians.get("bare")
    if base_cpu:
        parts.append(f"worker CPU: bare {base_cpu:.0f} us")
        for side in ("ours", "flask"):
            used = cpu_medians.get(side)
            if used:
                parts.append(f"{side} +{used - base_cpu:.0f} us")
    log("; ".join(parts))


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=7,
        help="alternated rounds per side (single runs vary by 10-20%% on a shared VM)",
    )
    parser.add_argument(
        "--seconds", type=float, default=5.0, help="duration of one load run"
    )
    parser.add_argument(
        "--flask-only", action="store_true", help="measure Flask 3.1.3 only"
    )
    parser.add_argument(
        "--client",
        choices=("auto", "wrk", "python"),
        default="auto",
        help="load generator (auto: wrk, installed if possible, else python)",
    )
    parser.add_argument(
        "--bare",
        action="store_true",
        help="also serve a bare WSGI function and print each side's overhead",
    )
    parser.add_argument("--json", action="store_true", help="print the rows as JSON")
    parser.add_argument(
        "--no-reinstall",
        action="store_true",
        help="keep the installed snapshot of this package even if src/ changed",
    )
    args = parser.parse_args()
    rows = benchmark(
        args.rounds,
        args.seconds,
        args.flask_only,
        args.client,
        not args.no_reinstall,
        args.bare,
    )
    if args.json:
        print(json.dumps({"rows": [row.to_json() for row in rows]}))
    else:
        print(format_table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
