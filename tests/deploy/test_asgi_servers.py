"""The app object served natively by real ASGI servers, each a subprocess on
a free 127.0.0.1 port started from its command line as a deployment would:
uvicorn (with and without ``--reset-contextvars``), hypercorn, granian's
ASGI interface, gunicorn with uvicorn workers (the ``uvicorn-worker``
package) and gunicorn's own ASGI worker.

* Flaskr (through ``tests/deploy/asgi_flaskr.py``: Flaskr's factory plus
  probe views) on every server: pages, static files, 404s, a login kept in
  a cookie jar, posting an entry, reading it back, logging out.
* examples/extensions_app (Flask-Login, Flask-SQLAlchemy, Flask-WTF) on
  uvicorn, from its own plain views and from the ``async def`` views that
  ``tests/deploy/asgi_extensions.py`` adds.
* Keep-alive: many requests on one HTTP/1.1 connection alternating plain,
  ``async def`` and ensure_sync-wrapped views; none sees ``g``,
  ``session``, ``request`` or a user ``ContextVar`` of an earlier one.
  Pipelined requests too: uvicorn without ``--reset-contextvars`` starts a
  pipelined request's task in the previous one's context, and the adapter
  runs each request in a copy, so nothing a view sets carries over.
* A client leaving mid-stream: the stream is closed, the request torn down
  exactly once, and the server goes on serving."""

from __future__ import annotations

import http.client
import json
import re
import socket
import sys
import time
import typing as t

import pytest
from serverkit import Browser
from serverkit import DEPLOY_DIR
from serverkit import EXAMPLES
from serverkit import FLASKR_PROJECT
from serverkit import flaskr_round_trip
from serverkit import FlaskrSite
from serverkit import granian_argv
from serverkit import gunicorn_argv
from serverkit import HOST
from serverkit import hypercorn_argv
from serverkit import logged_in
from serverkit import make_extensions_site
from serverkit import pipeline
from serverkit import REQUEST_TIMEOUT
from serverkit import Server
from serverkit import unique
from serverkit import uvicorn_argv
from serverkit import with_pythonpath

STYLE_CSS = (FLASKR_PROJECT / "flaskr" / "static" / "style.css").read_bytes()
CSRF_INPUT = re.compile(r'<input[^>]*name="?csrf_token"?[^>]*value="([^"]+)"')

#: How each server is started with Flaskr's probing factory; the factory
#: forms are each server's own (``--factory`` or ``module:create_app()``).
FACTORY = "asgi_flaskr:create_app"
FLASKR_SERVERS: dict[str, t.Callable[[int], list[str]]] = {
    "uvicorn": lambda port: uvicorn_argv(port, FACTORY, factory=True),
    "uvicorn-reset-contextvars": lambda port: uvicorn_argv(
        port, FACTORY, factory=True, reset_contextvars=True
    ),
    "hypercorn": lambda port: hypercorn_argv(port, f"{FACTORY}()"),
    "granian": lambda port: granian_argv(port, FACTORY, factory=True),
    "gunicorn-uvicorn-worker": lambda port: gunicorn_argv(
        port,
        workers=2,
        app=f"{FACTORY}()",
        pythonpath=DEPLOY_DIR,
        worker_class="uvicorn_worker.UvicornWorker",
    ),
    "gunicorn-asgi-worker": lambda port: gunicorn_argv(
        port, workers=1, app=f"{FACTORY}()", pythonpath=DEPLOY_DIR, worker_class="asgi"
    ),
}
#: Single-process servers, whose probe counters cover every request.
ONE_PROCESS = [name for name in FLASKR_SERVERS if "gunicorn" not in name]

KEEP_ALIVE_REQUESTS = 200
PIPELINED_REQUESTS = 60
STATE_KINDS = ("plain", "async", "wrapped")
STREAM_KINDS = ("plain", "context", "async")
#: Chunks of a probe stream that a client leaves: ~10 s if never closed.
LONG_STREAM = 500
POLL_TIMEOUT = 20.0


class Servers:
    """Servers started on first use, one per name (any directory, ready
    path and environment, unlike conftest's Flaskr-only ``launch``), all
    stopped by ``stop_all()``, even those that failed to start."""

    def __init__(self, log_dir: t.Callable[[str], t.Any]) -> None:
        self._log_dir = log_dir
        self._started: dict[str, Server] = {}
        self._launched: list[Server] = []

    def get(
        self, name: str, argv: t.Callable[[int], list[str]], **kwargs: t.Any
    ) -> Server:
        if name not in self._started:
            log = self._log_dir(name) / "server.log"
            server = Server(name, argv, log_path=log, **kwargs)
            self._launched.append(server)
            self._started[name] = server.start()
        return self._started[name]

    def all(self) -> list[Server]:
        return list(self._started.values())

    def stop_all(self) -> None:
        for server in reversed(self._launched):
            server.stop()


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> t.Iterator[Servers]:
    pool = Servers(tmp_path_factory.mktemp)
    try:
        yield pool
    finally:
        pool.stop_all()


@pytest.fixture(scope="module")
def flaskr_servers(
    servers: Servers, flaskr_site: FlaskrSite
) -> t.Callable[[str], Server]:
    """``flaskr_servers(name)``: that server serving Flaskr for the
    module's site, started once."""
    env = with_pythonpath(flaskr_site.env, DEPLOY_DIR, FLASKR_PROJECT)

    def get(name: str) -> Server:
        return servers.get(name, FLASKR_SERVERS[name], cwd=FLASKR_PROJECT, env=env)

    return get


@pytest.fixture(params=list(FLASKR_SERVERS))
def server(request: pytest.FixtureRequest, flaskr_servers) -> Server:
    return flaskr_servers(request.param)


@pytest.fixture(params=ONE_PROCESS)
def one_process_server(request: pytest.FixtureRequest, flaskr_servers) -> Server:
    return flaskr_servers(request.param)


@pytest.fixture
def uvicorn(flaskr_servers) -> Server:
    return flaskr_servers("uvicorn")


def get_json(server: Server, path: str) -> t.Any:
    rv = Browser(server.url).get(path)
    assert rv.status == 200, rv.text
    assert rv.headers["Content-Type"] == "application/json"
    return json.loads(rv.body)


# -- Flaskr on every server ---------------------------------------------------


def test_served_over_asgi(server):
    """The server speaks ASGI 3 to the app itself: no adapter between."""
    assert get_json(server, "/_probe/protocol") == {
        "asgi": True,
        "asgi_version": "3.0",
        "http_version": "1.1",
    }


def test_hypercorn_detection_without_the_asgi_prefix(servers, flaskr_site):
    """``hypercorn module:app`` picks the protocol by inspect's
    iscoroutinefunction, which sees the app's ASGI marker from Python 3.12
    on; before, it serves the app over WSGI, which works as well."""
    server = servers.get(
        "hypercorn-detected",
        lambda port: hypercorn_argv(port, f"{FACTORY}()", force_asgi=False),
        cwd=FLASKR_PROJECT,
        env=with_pythonpath(flaskr_site.env, DEPLOY_DIR, FLASKR_PROJECT),
    )
    protocol = get_json(server, "/_probe/protocol")
    assert protocol["asgi"] is (sys.version_info >= (3, 12)), protocol
    assert "<h1>Flaskr</h1>" in Browser(server.url).get("/").text


def test_index_page(server):
    rv = Browser(server.url).get("/")
    assert rv.status == 200
    assert rv.headers["Content-Type"] == "text/html; charset=utf-8"
    assert "<h1>Flaskr</h1>" in rv.text
    assert 'href="/login"' in rv.text and not logged_in(rv.text)
    assert '<link rel=stylesheet type=text/css href="/static/style.css">' in rv.text


def test_static_file(server):
    browser = Browser(server.url)
    rv = browser.get("/static/style.css")
    assert rv.status == 200
    assert rv.headers["Content-Type"] == "text/css; charset=utf-8"
    assert rv.body == STYLE_CSS
    assert int(rv.headers["Content-Length"]) == len(STYLE_CSS)
    again = browser.get(
        "/static/style.css", headers={"If-None-Match": rv.headers["ETag"]}
    )
    assert again.status == 304
    assert again.body == b""


@pytest.mark.parametrize("path", ["/no/such/page", "/static/missing.css"])
def test_not_found(server, path):
    rv = Browser(server.url).get(path)
    assert rv.status == 404
    assert rv.headers["Content-Type"] == "text/html; charset=utf-8"
    assert "<h1>Not Found</h1>" in rv.text


def test_login_post_read_back_logout(flaskr_site, server):
    flaskr_round_trip(Browser(server.url), flaskr_site, unique(server.name))


# -- keep-alive and context variables ---------------------------------------------


def state_path(i: int) -> tuple[str, str]:
    kind = STATE_KINDS[i % len(STATE_KINDS)]
    return kind, f"/_probe/state/{kind}?i={i}"


def assert_nothing_carried_over(
    i: int, kind: str, result: dict[str, t.Any], header: str | None = None
) -> None:
    """The request saw nothing of an earlier one in ``g``, ``session``,
    ``request`` or the user's ``ContextVar``, and ran where it should."""
    assert result["kind"] == kind and result["i"] == i
    assert result["seen"] == {
        "g": [],
        "session": {},
        "user_var": None,
        "request_marked": False,
        "args": {"i": str(i)},
        "header": header,
    }, (i, kind)
    # Plain views in the worker pool; coroutines (even one called from a
    # plain wrapper, through ensure_sync) on the server's loop.
    if kind == "plain":
        assert result["thread"].startswith("flask-asgi"), result
        assert not result["on_loop"]
    else:
        assert result["on_loop"], result


def test_keep_alive_carries_no_state(server):
    """One HTTP/1.1 connection reused for many requests, plain, ``async
    def`` and ensure_sync-wrapped views in turn, each setting ``g``,
    ``session``, ``request`` (an attribute and an environ key) and a
    module-level ``ContextVar``: none fails, none sees anything of the one
    before."""
    conn = http.client.HTTPConnection(HOST, server.port, timeout=REQUEST_TIMEOUT)
    try:
        for i in range(KEEP_ALIVE_REQUESTS):
            kind, path = state_path(i)
            # A header on every other request only: none may linger.
            header = f"p{i}" if i % 2 else None
            conn.request("GET", path, headers={"X-Probe": header} if header else {})
            resp = conn.getresponse()
            body = resp.read()
            assert resp.status == 200, (i, kind, body)
            assert not resp.will_close, (i, resp.getheaders())
            if i == 0:
                sock = conn.sock
                local_port = sock.getsockname()[1]
            assert conn.sock is sock, f"connection not kept after request {i}"
            result = json.loads(body)
            assert result["client_port"] == str(local_port)
            assert_nothing_carried_over(i, kind, result, header)
    finally:
        conn.close()


def pipelined_states(server: Server, count: int) -> list[dict[str, t.Any]]:
    replies = pipeline(server.port, [state_path(i)[1] for i in range(count)])
    assert [rv.status for rv in replies] == [200] * count, replies
    results = [json.loads(rv.body) for rv in replies]
    assert len({result["client_port"] for result in results}) == 1
    return results


def test_pipelined_requests_carry_no_framework_state(server):
    """Requests pipelined on one connection (each sent before the previous
    response): the framework's ``g``, ``session`` and ``request`` of one
    are never seen by the next. The user's ContextVar is the next test's."""
    for i, result in enumerate(pipelined_states(server, PIPELINED_REQUESTS)):
        result["seen"]["user_var"] = None
        assert_nothing_carried_over(i, STATE_KINDS[i % len(STATE_KINDS)], result)


@pytest.mark.parametrize("name", FLASKR_SERVERS)
def test_pipelined_async_view_contextvar_not_carried_over(flaskr_servers, name):
    """Two pipelined requests to an ``async def`` view that sets a
    module-level ContextVar: the second must not see the first's value."""
    server = flaskr_servers(name)
    replies = pipeline(
        server.port, ["/_probe/state/async?i=0", "/_probe/state/async?i=1"]
    )
    assert [rv.status for rv in replies] == [200, 200]
    second = json.loads(replies[1].body)
    assert second["seen"]["user_var"] is None, second


# -- a client leaving mid-stream ----------------------------------------------------


def probe_record(server: Server, tag: str) -> dict[str, t.Any]:
    return get_json(server, f"/_probe/teardowns?tag={tag}")


def wait_for_record(
    server: Server, tag: str, done: t.Callable[[dict[str, t.Any]], bool]
) -> dict[str, t.Any]:
    deadline = time.monotonic() + POLL_TIMEOUT
    while True:
        record = probe_record(server, tag)
        if done(record) or time.monotonic() > deadline:
            return record
        time.sleep(0.05)


def read_first_chunk_then_leave(server: Server, path: str) -> bytes:
    """Send ``GET path``, read until the first chunk arrives, then close
    the socket while the server is still streaming."""
    received = b""
    with socket.create_connection((HOST, server.port), timeout=REQUEST_TIMEOUT) as sock:
        sock.sendall(
            f"GET {path} HTTP/1.1\r\nHost: {HOST}:{server.port}\r\n\r\n".encode()
        )
        while b"chunk-0 of" not in received:
            data = sock.recv(65536)
            assert data, f"connection closed before the first chunk: {received!r}"
            received += data
    return received


@pytest.mark.parametrize("kind", STREAM_KINDS)
def test_stream_read_to_its_end(one_process_server, kind):
    server = one_process_server
    tag = unique(kind)
    rv = Browser(server.url).get(f"/_probe/stream/{kind}?tag={tag}&n=5")
    assert rv.status == 200
    assert rv.text == "".join(f"chunk-{i} of {tag}\n" for i in range(5))
    record = wait_for_record(server, tag, lambda r: r["closed"] and r["teardowns"])
    assert record == {"teardowns": 1, "chunks": 5, "closed": True, "finished": True}


@pytest.mark.parametrize("kind", STREAM_KINDS)
def test_client_leaving_mid_stream(one_process_server, kind):
    """The stream's generator is closed when the client goes, the request
    is torn down once, and the server goes on serving."""
    server = one_process_server
    tag = unique(kind)
    head = read_first_chunk_then_leave(
        server, f"/_probe/stream/{kind}?tag={tag}&n={LONG_STREAM}"
    )
    assert head.startswith(b"HTTP/1.1 200"), head
    record = wait_for_record(server, tag, lambda r: r["closed"] and r["teardowns"])
    assert record["closed"], record
    assert not record["finished"], record  # closed early, not run to its end
    assert record["chunks"] < LONG_STREAM

    browser = Browser(server.url)
    assert browser.get("/").status == 200
    assert browser.get("/static/style.css").body == STYLE_CSS
    # Read again after other requests: still one teardown, not two.
    assert probe_record(server, tag)["teardowns"] == 1


def test_many_clients_leaving(uvicorn):
    """Clients leaving one after the other, of every kind of stream: each
    request torn down once, and the server still answers."""
    tags = []
    for round_ in range(5):
        for kind in STREAM_KINDS:
            tag = unique(f"{kind}{round_}")
            read_first_chunk_then_leave(
                uvicorn, f"/_probe/stream/{kind}?tag={tag}&n={LONG_STREAM}"
            )
            tags.append(tag)
    for tag in tags:
        record = wait_for_record(uvicorn, tag, lambda r: r["closed"] and r["teardowns"])
        assert record["teardowns"] == 1 and not record["finished"], (tag, record)
    assert Browser(uvicorn.url).get("/").status == 200


# -- examples/extensions_app on uvicorn ------------------------------------------------


@pytest.fixture(scope="module")
def blog(servers: Servers, tmp_path_factory: pytest.TempPathFactory) -> Server:
    """``uvicorn --factory asgi_extensions:create_app`` from examples/."""
    site = make_extensions_site(tmp_path_factory.mktemp("extensions-site"))
    return servers.get(
        "uvicorn-extensions",
        lambda port: uvicorn_argv(port, "asgi_extensions:create_app", factory=True),
        cwd=EXAMPLES,
        env=with_pythonpath(site.env, DEPLOY_DIR, EXAMPLES),
        ready_path="/auth/login",
    )


def csrf_token(browser: Browser, path: str) -> str:
    """The hidden csrf_token field of the form on ``path``."""
    rv = browser.get(path)
    assert rv.status == 200, rv.text
    match = CSRF_INPUT.search(rv.text)
    assert match is not None, f"no csrf_token field on {path}:\n{rv.text}"
    return match.group(1)


def register_and_log_in(browser: Browser, username: str, password: str) -> None:
    form = {"username": username, "password": password, "confirm": password}
    rv = browser.post(
        "/auth/register", {**form, "csrf_token": csrf_token(browser, "/auth/register")}
    )
    assert rv.status == 302, rv.text
    assert rv.headers["Location"] == "/auth/login"
    rv = browser.post(
        "/auth/login",
        {
            "username": username,
            "password": password,
            "csrf_token": csrf_token(browser, "/auth/login"),
        },
    )
    assert rv.status == 302, rv.text
    assert rv.headers["Location"] == "/"


def test_extensions_plain_views(blog):
    """The example's own views: register, log in, post, read back, log out."""
    browser = Browser(blog.url)
    username = unique("plain").replace("-", "_")
    rv = browser.post("/auth/register", {"username": username, "password": "secret1"})
    assert rv.status == 400  # no CSRF token: CSRFProtect refuses it

    register_and_log_in(browser, username, "secret1")
    page = browser.get("/").text
    assert f"Logged in as {username}" in page
    assert f"Welcome back, {username}!" in page

    title = unique("post")
    token = csrf_token(browser, "/create")
    rv = browser.post(
        "/create", {"title": title, "body": "served by uvicorn", "csrf_token": token}
    )
    assert rv.status == 302
    assert rv.headers["Location"] == "/"
    page = browser.get("/").text
    assert f"<h2>{title}</h2>" in page
    assert f'href="/user/{username}">{username}</a>' in page
    assert "Your post is published." in page
    assert f"<h2>{title}</h2>" in browser.get(f"/user/{username}").text

    token = CSRF_INPUT.search(page).group(1)  # the layout's logout form
    assert browser.post("/auth/logout", {"csrf_token": token}).status == 302
    page = browser.get("/").text
    assert "Not logged in" in page
    rv = browser.get("/create")
    assert rv.status == 302
    assert rv.headers["Location"].startswith("/auth/login?next=")


def test_extensions_async_views(blog):
    """``async def`` views awaited on the server's loop with
    ``current_user``, the SQLAlchemy session and a CSRF-checked
    ``FlaskForm``; what they write, the plain index reads back."""
    browser = Browser(blog.url)
    username = unique("async").replace("-", "_")
    register_and_log_in(browser, username, "secret2")

    mine = json.loads(browser.get("/api/posts/mine").body)
    assert mine["user"] == username and mine["posts"] == []
    assert not mine["thread"].startswith("flask-asgi")  # on the loop

    title = unique("async-post")
    rv = browser.post("/api/posts", {"title": title, "body": "from a coroutine"})
    assert rv.status == 400  # CSRFProtect, before the view
    assert "CSRF" in rv.text

    token = csrf_token(browser, "/create")
    rv = browser.post(
        "/api/posts", {"title": title, "body": "from a coroutine", "csrf_token": token}
    )
    assert rv.status == 201, rv.text
    created = json.loads(rv.body)
    assert created["title"] == title and created["author"] == username
    assert not created["thread"].startswith("flask-asgi")

    rv = browser.post("/api/posts", {"title": "", "csrf_token": token})
    assert rv.status == 400
    assert "title" in json.loads(rv.body)["errors"]

    mine = json.loads(browser.get("/api/posts/mine").body)
    assert [(p["id"], p["title"], p["body"]) for p in mine["posts"]] == [
        (created["id"], title, "from a coroutine")
    ]
    page = browser.get("/").text
    assert f"<h2>{title}</h2>" in page
    assert f'href="/user/{username}">{username}</a>' in page

    # A coroutine behind Flask-Login's plain login_required decorator.
    assert json.loads(browser.get("/api/whoami").body)["user"] == username


def test_extensions_async_views_anonymous(blog):
    browser = Browser(blog.url)
    rv = browser.get("/api/posts/mine")
    assert rv.status == 401
    rv = browser.get("/api/whoami")
    assert rv.status == 302
    assert rv.headers["Location"].startswith("/auth/login?next=")
    token = csrf_token(browser, "/auth/login")
    rv = browser.post("/api/posts", {"title": "t", "csrf_token": token})
    assert rv.status == 401


# -- last: what the servers logged -------------------------------------------------


def test_no_server_logged_an_error(servers):
    """No exception reached a server, whatever the tests above did
    (disconnects, pipelining, CSRF failures, 404s)."""
    started = servers.all()
    assert started, "no server was started"
    for server in started:
        log = server.log()
        assert "Traceback" not in log and "ERROR" not in log, (server.name, log)
