"""Flaskr on uWSGI (pyuwsgi's ``uwsgi`` command) behind a real nginx, as
docs/deployment.md deploys it: uWSGI runs the docs' ``flaskr.ini`` (the
uwsgi protocol on a unix socket), nginx runs a config of its own written to
a temporary directory (one foreground process on a free 127.0.0.1 port)
that serves the static files itself and passes everything else to uWSGI
with ``uwsgi_pass``. The docs' quick form, uWSGI answering HTTP itself, is
served too.

The same uWSGI also mounts ``tests/deploy/proxied_flaskr.py`` under
``/probe`` (``--manage-script-name --mount``) so the tests can see what the
application makes of a request that came through nginx. That module wraps
Flaskr in ProxyFix, which changes nothing here: nginx sets no
``X-Forwarded-*`` header and the tests send none, so what ``/_whoami``
reports comes from the uwsgi variables nginx sends (``uwsgi_params``).

Without nginx installed the nginx tests are skipped with the reason;
``scripts/install-nginx.sh`` (run by ``make unit``) installs Debian's."""

from __future__ import annotations

import http.client
import json
import time
import uuid
from pathlib import Path

import pytest
from serverkit import Browser
from serverkit import find_nginx
from serverkit import FLASKR_PROJECT
from serverkit import HOST
from serverkit import logged_in
from serverkit import nginx_argv
from serverkit import nginx_conf_dir
from serverkit import REQUEST_TIMEOUT
from serverkit import Server
from serverkit import UWSGI
from serverkit import uwsgi_argv
from serverkit import uwsgi_request
from serverkit import UwsgiSocketServer
from serverkit import write_nginx_conf
from serverkit import write_uwsgi_ini

DEPLOY_DIR = Path(__file__).resolve().parent
STYLE_CSS = (FLASKR_PROJECT / "flaskr" / "static" / "style.css").read_bytes()
PREFIX = "/probe"
# Any 127/8 address is this machine: a client bound to this one cannot be
# mistaken for nginx, nor for the usual 127.0.0.1.
CLIENT_ADDR = "127.0.0.2"


@pytest.fixture(scope="module")
def nginx_binary() -> str:
    nginx = find_nginx()
    if nginx is None:
        pytest.skip(
            "uWSGI + nginx test skipped: nginx is not installed"
            " (run scripts/install-nginx.sh as root to install Debian's nginx)"
        )
    return nginx


@pytest.fixture(scope="module")
def uwsgi(tmp_path_factory, flaskr_site):
    """``uwsgi --ini flaskr.ini --manage-script-name --pythonpath tests/deploy
    --mount /probe=proxied_flaskr:app``, started from examples/flaskr with the
    site's settings in its environment; stopped at the end of the module."""
    directory = tmp_path_factory.mktemp("uwsgi")
    socket_path = directory / "flaskr.sock"
    ini = write_uwsgi_ini(directory / "flaskr.ini", socket_path)
    argv = [
        str(UWSGI),
        "--ini",
        str(ini),
        "--manage-script-name",
        "--pythonpath",
        str(DEPLOY_DIR),
        "--mount",
        f"{PREFIX}=proxied_flaskr:app",
    ]
    server = UwsgiSocketServer(
        "uwsgi",
        argv,
        socket_path=socket_path,
        cwd=FLASKR_PROJECT,
        env=flaskr_site.env,
        log_path=directory / "server.log",
        # Not a static file: the tests check that uWSGI never sees those.
        ready_path="/login",
    )
    try:
        yield server.start()
    finally:
        server.stop()


@pytest.fixture(scope="module")
def nginx_dir(tmp_path_factory) -> Path:
    """nginx's config, pid, access log and temporary files."""
    return tmp_path_factory.mktemp("nginx")


@pytest.fixture(scope="module")
def nginx(nginx_binary, uwsgi, launch, flaskr_site, nginx_dir):
    """nginx in front of ``uwsgi``, on a free port chosen by ``launch``."""
    conf_dir = nginx_conf_dir(nginx_binary)

    def argv(port: int) -> list[str]:
        conf = write_nginx_conf(nginx_dir, port, uwsgi.socket_path, conf_dir)
        return nginx_argv(nginx_binary, conf)

    return launch("nginx", argv, flaskr_site)


@pytest.fixture
def access_log(nginx_dir) -> Path:
    return nginx_dir / "access.log"


@pytest.fixture(scope="module")
def uwsgi_http(launch, flaskr_site):
    """The docs' quick form: ``uwsgi --http 127.0.0.1:PORT ...``."""
    return launch("uwsgi-http", uwsgi_argv, flaskr_site)


@pytest.fixture(params=["nginx", "uwsgi_http"])
def front(request) -> Server:
    """What the browser talks to: nginx (uWSGI behind it) or uWSGI's HTTP."""
    return request.getfixturevalue(request.param)


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def wait_for_line(path: Path, needle: str, timeout: float = 20.0) -> str:
    """The first line of the log at ``path`` containing ``needle``; servers
    write their line just after the response, so poll (bounded)."""
    deadline = time.monotonic() + timeout
    while True:
        text = path.read_text(errors="replace") if path.exists() else ""
        for line in text.splitlines():
            if needle in line:
                return line
        if time.monotonic() > deadline:
            raise AssertionError(f"no line with {needle!r} in {path}:\n{text}")
        time.sleep(0.05)


def get_from(source: str, port: int, path: str, host: str) -> tuple[int, bytes]:
    """GET ``path`` from a client socket bound to ``source``."""
    conn = http.client.HTTPConnection(
        HOST, port, timeout=REQUEST_TIMEOUT, source_address=(source, 0)
    )
    try:
        conn.request("GET", path, headers={"Host": host})
        resp = conn.getresponse()
        return resp.status, resp.read()
    finally:
        conn.close()


# -- through nginx or uWSGI's own HTTP ------------------------------------------


def test_index_page(front):
    rv = Browser(front.url).get("/")
    assert rv.status == 200
    assert rv.headers["Content-Type"] == "text/html; charset=utf-8"
    assert "<h1>Flaskr</h1>" in rv.text
    assert 'href="/login"' in rv.text and not logged_in(rv.text)
    assert 'href="/static/style.css"' in rv.text


def test_login_post_and_read_back(flaskr_site, front):
    browser = Browser(front.url)
    rv = browser.login(flaskr_site)
    assert rv.status == 302
    assert rv.headers["Location"] == "/"
    assert "HttpOnly" in rv.headers["Set-Cookie"]
    assert browser.cookie("session")
    page = browser.get("/").text
    assert logged_in(page)
    assert "You were logged in" in page

    title = unique(front.name)
    rv = browser.post("/add", {"title": title, "text": "<em>through</em> it"})
    assert rv.status == 302
    assert rv.headers["Location"] == "/"
    page = browser.get("/").text
    assert f"<li><h2>{title}</h2><em>through</em> it" in page
    assert "New entry was successfully posted" in page

    assert browser.get("/logout").status == 302
    assert not logged_in(browser.get("/").text)
    assert browser.post("/add", {"title": "x", "text": "y"}).status == 401


# -- nginx in front ---------------------------------------------------------------


def test_nginx_passes_pages_to_uwsgi(nginx, uwsgi, access_log):
    path = "/?probe=" + unique("page")
    rv = Browser(nginx.url).get(path)
    assert rv.status == 200
    assert rv.headers["Server"].startswith("nginx/")
    # uWSGI's request log: the client's address, as nginx passed it on.
    line = wait_for_line(uwsgi.log_path, f"GET {path} =>")
    assert "] 127.0.0.1 () {" in line and "(HTTP/1.1 200)" in line
    assert f'"GET {path} HTTP/1.1" 200' in wait_for_line(access_log, path)


def test_nginx_serves_static_files_itself(nginx, uwsgi, access_log):
    browser = Browser(nginx.url)
    rv = browser.get("/static/style.css")
    assert rv.status == 200
    assert rv.body == STYLE_CSS
    assert int(rv.headers["Content-Length"]) == len(STYLE_CSS)
    # nginx's headers, not Flask's send_file ones (charset, Cache-Control,
    # Content-Disposition): Python never saw the request.
    assert rv.headers["Content-Type"] == "text/css"
    assert rv.headers["Cache-Control"] is None
    assert rv.headers["Content-Disposition"] is None
    again = browser.get(
        "/static/style.css", headers={"If-None-Match": rv.headers["ETag"]}
    )
    assert again.status == 304
    assert again.body == b""
    wait_for_line(access_log, '"GET /static/style.css HTTP/1.1" 304')
    assert "/static/" not in uwsgi.log()


@pytest.mark.parametrize(
    ("path", "answered_by"),
    [("/no/such/page", "flaskr"), ("/static/missing.css", "nginx")],
)
def test_not_found(nginx, path, answered_by):
    rv = Browser(nginx.url).get(path)
    assert rv.status == 404
    if answered_by == "flaskr":
        assert rv.headers["Content-Type"] == "text/html; charset=utf-8"
        assert "<h1>Not Found</h1>" in rv.text
    else:
        assert "<h1>404 Not Found</h1>" in rv.text
        assert "<center>nginx/" in rv.text


def test_app_sees_client_address_host_and_scheme(nginx):
    """Through ``uwsgi_pass`` the application sees the client's address,
    the Host it asked for and its scheme, with no proxy headers at all."""
    try:
        status, body = get_from(
            CLIENT_ADDR, nginx.port, f"{PREFIX}/_whoami", "blog.example.com"
        )
    except OSError as e:
        pytest.skip(f"cannot bind a client socket to {CLIENT_ADDR}: {e}")
    assert status == 200
    assert json.loads(body) == {
        "remote_addr": CLIENT_ADDR,
        "scheme": "http",
        "host": "blog.example.com",
        "script_root": PREFIX,
        "is_secure": False,
        "index": f"http://blog.example.com{PREFIX}/",
    }


def test_uwsgi_takes_https_from_the_https_variable(uwsgi):
    """With TLS on nginx, ``uwsgi_params`` passes ``HTTPS on``; the test's
    nginx has no TLS, so the variable is sent to uWSGI's socket directly."""
    info = {}
    for https in (None, "on"):
        variables = {"HTTP_HOST": "blog.example.com"}
        if https is not None:
            variables["HTTPS"] = https
        raw = uwsgi_request(uwsgi.socket_path, f"{PREFIX}/_whoami", variables)
        head, _, body = raw.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.0 200 "), raw
        info[https] = json.loads(body)
    assert (info[None]["scheme"], info[None]["is_secure"]) == ("http", False)
    assert (info["on"]["scheme"], info["on"]["is_secure"]) == ("https", True)
    assert info["on"]["index"] == f"https://blog.example.com{PREFIX}/"


def test_mounted_under_prefix(flaskr_site, nginx):
    """``--manage-script-name --mount /probe=...``: uWSGI sets SCRIPT_NAME,
    so Flaskr's links, static URLs and redirects stay under the prefix."""
    browser = Browser(nginx.url)
    page = browser.get(f"{PREFIX}/").text
    assert "<h1>Flaskr</h1>" in page
    assert f'href="{PREFIX}/static/style.css"' in page
    assert f'href="{PREFIX}/login"' in page
    css = browser.get(f"{PREFIX}/static/style.css")
    assert css.status == 200 and css.body == STYLE_CSS
    assert css.headers["Content-Type"] == "text/css; charset=utf-8"  # Flask's
    rv = browser.post(
        f"{PREFIX}/login",
        {"username": flaskr_site.username, "password": flaskr_site.password},
    )
    assert rv.status == 302
    assert rv.headers["Location"] == f"{PREFIX}/"
    assert f'href="{PREFIX}/logout"' in browser.get(f"{PREFIX}/").text
