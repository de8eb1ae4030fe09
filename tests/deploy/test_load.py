"""Load test: gunicorn with two sync workers serving Flaskr, driven by
several client threads with a mix of page reads, static files, logins,
logouts, posts and 404s, each request on a fresh loopback connection.

Checks: no errors (every response has the status and the logged-in state
the client expects), every posted entry is listed afterwards (and is in the
database exactly once), no worker died or was replaced, and each worker's
resident memory after the warm-up and at the end differ by less than a
small margin.

Size and bounds come from the environment:

* ``FLASK_LOAD_REQUESTS`` (default 2000): planned HTTP requests; ``make
  test`` runs the default, ``make load`` a long run (e.g. 40000).
* ``FLASK_LOAD_THREADS`` (default 4): client threads.
* ``FLASK_LOAD_TIME_LIMIT`` (seconds, default max(120, requests / 20)): the
  run stops and fails past it.
* ``FLASK_LOAD_RSS_MARGIN_KIB`` (default 4096): allowed RSS growth per worker.

The warm-up is the first quarter of the requests, at most 10,000; so a long
run compares the RSS after the first 10k requests with the RSS after the
last ones. Run with ``-s`` to see the figures."""

from __future__ import annotations

import dataclasses
import os
import random
import sqlite3
import threading
import time
import uuid

import pytest
from serverkit import Browser
from serverkit import gunicorn_argv
from serverkit import logged_in
from serverkit import rss_kib

REQUESTS = int(os.environ.get("FLASK_LOAD_REQUESTS", "2000"))
THREADS = int(os.environ.get("FLASK_LOAD_THREADS", "4"))
TIME_LIMIT = float(os.environ.get("FLASK_LOAD_TIME_LIMIT", max(120.0, REQUESTS / 20)))
RSS_MARGIN_KIB = int(os.environ.get("FLASK_LOAD_RSS_MARGIN_KIB", "4096"))
WARMUP = min(10_000, REQUESTS // 4)
MAX_POSTS = 300  # the index lists every entry: keep its size bounded
BATCHES = 20  # RSS is sampled between batches


@dataclasses.dataclass
class Client:
    """One simulated user: a browser, a fixed random plan, and its results."""

    number: int
    browser: Browser
    plan: list[str]
    logged_in: bool = False
    done: int = 0  # position in the plan
    requests: int = 0
    posted: list[str] = dataclasses.field(default_factory=list)
    errors: list[str] = dataclasses.field(default_factory=list)


def make_plan(rng: random.Random, steps: int, posts: int) -> list[str]:
    """``steps`` operations with ``posts`` posts spread evenly among them;
    a login is inserted before a post made while logged out, so every post
    is expected to succeed."""
    post_at = {int((k + 0.5) * steps / posts) for k in range(posts)} if posts else set()
    plan: list[str] = []
    state = False
    for i in range(steps):
        if i in post_at:
            if not state:
                plan.append("login")
                state = True
            plan.append("post")
            continue
        r = rng.random()
        if r < 0.62:
            op = "index"
        elif r < 0.78:
            op = "static"
        elif r < 0.90:
            op, state = "login", True
        elif r < 0.96:
            op, state = "logout", False
        else:
            op = "missing"
        plan.append(op)
    return plan


def run_step(client: Client, op: str, site) -> None:
    b = client.browser
    try:
        if op == "index":
            rv = b.get("/")
            ok = rv.status == 200 and "<h1>Flaskr</h1>" in rv.text
            ok = ok and logged_in(rv.text) == client.logged_in
        elif op == "static":
            rv = b.get("/static/style.css")
            ok = rv.status == 200 and rv.headers["Content-Type"].startswith("text/css")
        elif op == "login":
            rv = b.login(site)
            ok = rv.status == 302 and rv.headers["Location"] == "/"
            client.logged_in = True
        elif op == "logout":
            rv = b.get("/logout")
            ok = rv.status == 302
            client.logged_in = False
        elif op == "post":
            title = f"load-{client.number}-{len(client.posted)}-{uuid.uuid4().hex[:10]}"
            rv = b.post("/add", {"title": title, "text": f"<em>{title}</em>"})
            ok = rv.status == 302
            if ok:
                client.posted.append(title)
        elif op == "missing":
            rv = b.get(f"/missing/{client.requests}")
            ok = rv.status == 404
        else:  # pragma: no cover
            raise AssertionError(op)
        if not ok:
            client.errors.append(f"{op}: {rv.status} {rv.text[:200]!r}")
    except Exception as exc:  # a reset, a timeout...: an error, keep going
        client.errors.append(f"{op}: {type(exc).__name__}: {exc}")
    client.requests += 1


def run_batch(clients, stop_at, site, deadline):
    def work(client):
        while client.done < stop_at[client.number] and time.monotonic() < deadline:
            run_step(client, client.plan[client.done], site)
            client.done += 1

    threads = [threading.Thread(target=work, args=(c,)) for c in clients]
    for th in threads:
        th.start()
    for th in threads:
        th.join()


@pytest.fixture(scope="module")
def gunicorn(launch, flaskr_site):
    server = launch(
        "gunicorn-load", lambda port: gunicorn_argv(port, workers=2), flaskr_site
    )
    workers = server.wait_children(2)
    assert len(workers) == 2, server.log()
    return server


def test_load_two_workers(flaskr_site, gunicorn):
    workers = gunicorn.children()
    steps = REQUESTS // THREADS
    posts_each = min(REQUESTS // 10, MAX_POSTS) // THREADS
    clients = [
        Client(n, Browser(gunicorn.url), make_plan(random.Random(n), steps, posts_each))
        for n in range(THREADS)
    ]

    # Batches: the warm-up first, then BATCHES equal slices of the rest.
    marks = [WARMUP / REQUESTS] + [
        WARMUP / REQUESTS + (1 - WARMUP / REQUESTS) * (k + 1) / BATCHES
        for k in range(BATCHES)
    ]
    initial = {p: rss_kib(p) for p in workers}  # booted, before any load
    samples = []  # (requests so far, {pid: rss KiB}) after each batch
    start = time.monotonic()
    deadline = start + TIME_LIMIT
    for mark in marks:
        stop_at = {c.number: round(len(c.plan) * mark) for c in clients}
        run_batch(clients, stop_at, flaskr_site, deadline)
        samples.append(
            (sum(c.requests for c in clients), {p: rss_kib(p) for p in workers})
        )
    elapsed = time.monotonic() - start

    total = sum(c.requests for c in clients)
    errors = [e for c in clients for e in c.errors]
    posted = [t for c in clients for t in c.posted]
    planned = sum(len(c.plan) for c in clients)
    baseline = samples[0][1]
    final = samples[-1][1]
    rate = total / elapsed if elapsed else 0.0

    report = [
        "",
        f"load: {total} requests ({planned} planned) from {THREADS} threads in "
        f"{elapsed:.1f} s: {rate:.0f} req/s, {len(errors)} errors, "
        f"{len(posted)} entries posted",
        f"RSS (KiB) at start, after the warm-up of {samples[0][0]} requests"
        f" -> after all {total}:",
    ]
    for pid in workers:
        report.append(
            f"  worker {pid}: {initial[pid]}, {baseline[pid]} -> {final[pid]} "
            f"({final[pid] - baseline[pid]:+d}; peak {max(s[1][pid] for s in samples)})"
        )
    report.append(
        "  samples: "
        + "; ".join(f"{n}: " + "/".join(str(r[p]) for p in workers) for n, r in samples)
    )
    print("\n".join(report))

    assert total == planned, f"stopped by the {TIME_LIMIT:.0f} s time limit"
    assert errors == [], errors[:20]

    # Every entry is listed, once, and nothing else was written.
    page = Browser(gunicorn.url).get("/").text
    missing = [title for title in posted if f"<h2>{title}</h2>" not in page]
    assert missing == []
    with sqlite3.connect(flaskr_site.database) as db:
        stored = [row[0] for row in db.execute("select title from entries")]
    db.close()
    assert sorted(stored) == sorted(posted)
    assert len(set(posted)) == len(posted) == len(clients) * posts_each

    # The same two workers served the whole run, without server errors...
    assert gunicorn.children() == workers
    log = gunicorn.log()
    for bad in ("Traceback", "[ERROR]", "WORKER TIMEOUT", "[CRITICAL]"):
        assert bad not in log, log[-3000:]
    # ...and their memory is steady.
    for pid in workers:
        assert final[pid] - baseline[pid] < RSS_MARGIN_KIB, report
