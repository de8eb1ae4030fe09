"""Flaskr on real WSGI servers: gunicorn with two sync workers and waitress,
each a subprocess on a free 127.0.0.1 port, both serving the same
deployment (one settings file with a real SECRET_KEY, one SQLite database),
driven over HTTP with a cookie jar and a fresh connection per request.

What a deployment needs from the framework: pages, static files, 404s and
redirects through a real server; a session cookie issued by one worker
process accepted by another (stateless workers sharing SECRET_KEY), and by
another server altogether (scaling out behind a load balancer)."""

from __future__ import annotations

import http.client
import json
import re
import socket
import time
import uuid
from pathlib import Path

import pytest
from serverkit import Browser
from serverkit import FLASKR_PROJECT
from serverkit import gunicorn_argv
from serverkit import HOST
from serverkit import logged_in
from serverkit import Reply
from serverkit import REQUEST_TIMEOUT
from serverkit import waitress_argv

from flask import Flask
from flask.sessions import SecureCookieSessionInterface

DEPLOY_DIR = Path(__file__).resolve().parent
STYLE_CSS = (FLASKR_PROJECT / "flaskr" / "static" / "style.css").read_bytes()
ACCESS_LINE = re.compile(r'^<(\d+)> "(\w+) (\S+) HTTP/1\.[01]" (\d+)$')


@pytest.fixture(scope="module")
def access_log(tmp_path_factory):
    return tmp_path_factory.mktemp("gunicorn-access") / "access.log"


@pytest.fixture(scope="module")
def gunicorn(launch, flaskr_site, access_log):
    server = launch(
        "gunicorn",
        lambda port: gunicorn_argv(port, workers=2, access_log=access_log),
        flaskr_site,
    )
    workers = server.wait_children(2)
    assert len(workers) == 2, server.log()
    return server


@pytest.fixture(scope="module")
def waitress(launch, flaskr_site):
    return launch("waitress", waitress_argv, flaskr_site)


@pytest.fixture(params=["gunicorn", "waitress"])
def server(request):
    return request.getfixturevalue(request.param)


@pytest.fixture
def browser(server):
    return Browser(server.url)


def unique(prefix):
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def serializer(secret_key):
    app = Flask(__name__)
    app.secret_key = secret_key
    return SecureCookieSessionInterface().get_signing_serializer(app)


# -- both servers -------------------------------------------------------------


def test_index_page(server, browser):
    rv = browser.get("/")
    assert rv.status == 200
    assert rv.headers["Content-Type"] == "text/html; charset=utf-8"
    assert server.name in rv.headers["Server"]
    assert "<h1>Flaskr</h1>" in rv.text
    assert 'href="/login"' in rv.text and not logged_in(rv.text)
    assert '<link rel=stylesheet type=text/css href="/static/style.css">' in rv.text


def test_static_file(browser):
    rv = browser.get("/static/style.css")
    assert rv.status == 200
    assert rv.headers["Content-Type"] == "text/css; charset=utf-8"
    assert rv.body == STYLE_CSS
    assert int(rv.headers["Content-Length"]) == len(STYLE_CSS)
    assert rv.headers["Cache-Control"] == "no-cache"
    etag = rv.headers["ETag"]
    assert etag

    again = browser.get("/static/style.css", headers={"If-None-Match": etag})
    assert again.status == 304
    assert again.body == b""
    since = browser.get(
        "/static/style.css", headers={"If-Modified-Since": rv.headers["Last-Modified"]}
    )
    assert since.status == 304


def test_head_request(browser):
    rv = browser.request("HEAD", "/static/style.css")
    assert rv.status == 200
    assert rv.body == b""
    assert int(rv.headers["Content-Length"]) == len(STYLE_CSS)


@pytest.mark.parametrize("path", ["/no/such/page", "/static/missing.css"])
def test_not_found(browser, path):
    rv = browser.get(path)
    assert rv.status == 404
    assert rv.headers["Content-Type"] == "text/html; charset=utf-8"
    assert "<h1>Not Found</h1>" in rv.text


def test_method_not_allowed_and_unauthorized(browser):
    rv = browser.get("/add")
    assert rv.status == 405
    assert "POST" in rv.headers["Allow"]
    rv = browser.post("/add", {"title": "x", "text": "y"})
    assert rv.status == 401


def test_login_redirects_and_session_works(flaskr_site, browser):
    rv = browser.login(flaskr_site)
    assert rv.status == 302
    assert rv.headers["Location"] == "/"
    set_cookie = rv.headers["Set-Cookie"]
    assert set_cookie.startswith("session=")
    assert "HttpOnly" in set_cookie and "Path=/" in set_cookie

    page = browser.get("/").text
    assert logged_in(page)
    assert "<div class=flash>You were logged in</div>" in page
    assert "You were logged in" not in browser.get("/").text  # flashed once

    title = unique("server-entry")
    rv = browser.post("/add", {"title": title, "text": "<strong>HTML</strong> allowed"})
    assert rv.status == 302
    assert rv.headers["Location"] == "/"
    page = browser.get("/").text
    assert f"<li><h2>{title}</h2><strong>HTML</strong> allowed" in page
    assert "New entry was successfully posted" in page

    rv = browser.get("/logout")
    assert rv.status == 302
    assert rv.headers["Location"] == "/"
    page = browser.get("/").text
    assert not logged_in(page)
    assert "You were logged out" in page
    assert browser.post("/add", {"title": "x", "text": "y"}).status == 401


def test_failed_login(flaskr_site, browser):
    rv = browser.post("/login", {"username": flaskr_site.username, "password": "nope"})
    assert rv.status == 200
    assert "<strong>Error:</strong> Invalid password" in rv.text
    rv = browser.post("/login", {"username": "root", "password": "x"})
    assert "Invalid username" in rv.text
    assert not logged_in(browser.get("/").text)


def test_session_cookie_signed_with_configured_secret_key(flaskr_site, browser):
    """The key comes from the FLASKR_SETTINGS file, not Flaskr's default;
    a cookie signed with the default key is worthless."""
    browser.login(flaskr_site)
    cookie = browser.cookie("session")
    assert serializer(flaskr_site.secret_key).loads(cookie)["logged_in"] is True

    forged = serializer("development key").dumps({"logged_in": True})
    stranger = Browser(browser.base_url)
    page = stranger.get("/", headers={"Cookie": f"session={forged}"}).text
    assert not logged_in(page)
    rv = stranger.post(
        "/add", {"title": "x", "text": "y"}, headers={"Cookie": f"session={forged}"}
    )
    assert rv.status == 401


# -- gunicorn: two worker processes, one session --------------------------------


def read_access_log(path, probes, timeout=20.0):
    """Map each probe path to the pid of the worker that served it; gunicorn
    writes the line just after sending the response, so poll (bounded)."""
    deadline = time.monotonic() + timeout
    while True:
        served = {}
        if path.exists():
            for line in path.read_text().splitlines():
                m = ACCESS_LINE.match(line)
                if m and m.group(3) in probes:
                    served[m.group(3)] = int(m.group(1))
        if len(served) == len(probes) or time.monotonic() > deadline:
            return served
        time.sleep(0.05)


def start_raw_request(port, path, cookie):
    """Connect and send all but the blank line ending the headers: the sync
    worker that accepts this connection is busy until it is finished."""
    sock = socket.create_connection((HOST, port), timeout=REQUEST_TIMEOUT)
    sock.sendall(
        f"GET {path} HTTP/1.1\r\nHost: {HOST}:{port}\r\n"
        f"Cookie: session={cookie}\r\nConnection: close\r\n".encode()
    )
    return sock


def finish_raw_request(sock):
    try:
        sock.sendall(b"\r\n")
        resp = http.client.HTTPResponse(sock)
        try:
            resp.begin()
            return Reply(resp.status, resp.headers, resp.read())
        finally:
            resp.close()
    finally:
        sock.close()


def test_gunicorn_runs_two_workers(gunicorn):
    workers = gunicorn.children()
    assert len(workers) == 2
    assert gunicorn.pid not in workers
    log = gunicorn.log()
    assert "Using worker: sync" in log
    for pid in workers:
        assert f"Booting worker with pid: {pid}" in log


def test_login_cookie_accepted_by_both_workers(flaskr_site, gunicorn, access_log):
    browser = Browser(gunicorn.url)
    login_probe = "/login?probe=" + unique("login")
    rv = browser.post(
        login_probe,
        {"username": flaskr_site.username, "password": flaskr_site.password},
    )
    assert rv.status == 302
    cookie = browser.cookie("session")
    assert cookie

    # One worker is held by a half-sent request, so the other must serve the
    # next one: two distinct pids for certain, both seeing the login.
    held = "/?probe=" + unique("held")
    sock = start_raw_request(gunicorn.port, held, cookie)
    try:
        other = "/?probe=" + unique("other")
        rv = browser.get(other)
        assert rv.status == 200
        assert logged_in(rv.text)
    finally:
        rv_held = finish_raw_request(sock)
    assert rv_held.status == 200
    assert logged_in(rv_held.text)

    # And several plain fresh connections, whichever worker takes them.
    probes = ["/?probe=" + unique(f"seq{i}") for i in range(12)]
    for probe in probes:
        rv = browser.get(probe)
        assert rv.status == 200
        assert logged_in(rv.text), probe

    served = read_access_log(access_log, {login_probe, held, other, *probes})
    assert len(served) == 3 + len(probes), served
    assert served[held] != served[other]
    workers = set(gunicorn.children())
    assert set(served.values()) == workers
    print(
        f"\nworkers {sorted(workers)}; login by {served[login_probe]}; "
        f"held request by {served[held]}, concurrent one by {served[other]}; "
        f"sequential: {[served[p] for p in probes]}"
    )


def test_entries_shared_between_workers(flaskr_site, gunicorn):
    """Workers hold no state of their own: what one writes, all read."""
    browser = Browser(gunicorn.url)
    browser.login(flaskr_site)
    titles = [unique("worker-entry") for _ in range(6)]
    for title in titles:
        assert browser.post("/add", {"title": title, "text": "t"}).status == 302
    for _ in range(6):
        page = browser.get("/").text
        assert all(f"<h2>{title}</h2>" in page for title in titles)


# -- two servers, one deployment: scaling out ------------------------------------


def test_cookie_from_gunicorn_valid_on_waitress(flaskr_site, gunicorn, waitress):
    """Two servers (as on two machines behind a load balancer) sharing the
    SECRET_KEY and the database: a login on one is a login on the other."""
    browser = Browser(gunicorn.url)
    assert browser.login(flaskr_site).status == 302
    browser.get("/")  # consume the flash

    page = browser.get("/", base_url=waitress.url).text
    assert logged_in(page)

    title = unique("via-waitress")
    rv = browser.post("/add", {"title": title, "text": "t"}, base_url=waitress.url)
    assert rv.status == 302
    page = browser.get("/").text  # back on gunicorn
    assert f"<h2>{title}</h2>" in page
    assert "New entry was successfully posted" in page  # flashed on waitress

    assert browser.get("/logout", base_url=waitress.url).status == 302
    assert not logged_in(browser.get("/").text)


# -- behind a reverse proxy: ProxyFix ---------------------------------------------


@pytest.fixture(scope="module")
def proxied(launch, flaskr_site):
    """tests/deploy/proxied_flaskr.py: Flaskr wrapped in ProxyFix (one
    trusted proxy), as docs/deployment.md shows."""
    return launch(
        "gunicorn-proxied",
        lambda port: gunicorn_argv(
            port, workers=1, app="proxied_flaskr:app", pythonpath=DEPLOY_DIR
        ),
        flaskr_site,
    )


FORWARDED = {
    # The client's own claim first, then the address the proxy saw.
    "X-Forwarded-For": "198.51.100.1, 203.0.113.7",
    "X-Forwarded-Proto": "https",
    "X-Forwarded-Host": "blog.example.com",
    "X-Forwarded-Prefix": "/flaskr",
}


def test_proxy_fix_without_proxy_headers(proxied):
    info = json.loads(Browser(proxied.url).get("/_whoami").body)
    assert info == {
        "remote_addr": "127.0.0.1",
        "scheme": "http",
        "host": f"127.0.0.1:{proxied.port}",
        "script_root": "",
        "is_secure": False,
        "index": f"http://127.0.0.1:{proxied.port}/",
    }


def test_proxy_fix_applies_forwarded_headers(proxied):
    browser = Browser(proxied.url)
    info = json.loads(browser.get("/_whoami", headers=FORWARDED).body)
    assert info == {
        "remote_addr": "203.0.113.7",  # only the last hop is trusted (x_for=1)
        "scheme": "https",
        "host": "blog.example.com",
        "script_root": "/flaskr",
        "is_secure": True,
        "index": "https://blog.example.com/flaskr/",
    }
    page = browser.get("/", headers=FORWARDED).text
    assert 'href="/flaskr/static/style.css"' in page
    assert 'href="/flaskr/login"' in page


def test_redirect_behind_proxy_keeps_prefix(flaskr_site, proxied):
    browser = Browser(proxied.url)
    rv = browser.login(flaskr_site, headers=FORWARDED)
    assert rv.status == 302
    assert rv.headers["Location"] == "/flaskr/"
    page = browser.get("/", headers=FORWARDED).text
    assert logged_in(page)
    assert 'href="/flaskr/logout"' in page
