"""Flaskr in a real browser: headless Chromium (Debian's ``chromium``
package, installed by ``scripts/install-browser.sh``) driven by Playwright,
against Flaskr on a free 127.0.0.1 port, served two ways:

- by Werkzeug's server, a WSGI server: the whole tutorial, and the live
  index's script failing quietly there (its WebSocket can't connect);
- by uvicorn, in a thread of this process: the live index, two browsers
  logged in, an entry posted in one appearing in the other without a
  reload, and no subscriber left once the pages are closed.

Without the browser the tests are skipped with a message saying why. The
browser may only talk to 127.0.0.1: host names resolve nowhere else, and
every request to another host is aborted and fails the test.
"""

from __future__ import annotations

import os
import socket
import threading
import time
import urllib.parse

import flaskr
import pytest
import uvicorn
from flaskr import live
from werkzeug.serving import make_server

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # Loopback only: every host name but 127.0.0.1 fails to resolve.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
]


def _launch_browser(playwright):
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


@pytest.fixture(scope="module")
def browser():
    if not os.access(CHROMIUM, os.X_OK):
        pytest.skip(
            f"real-browser test skipped: {CHROMIUM} is not installed"
            " (run scripts/install-browser.sh as root to install Debian's chromium)"
        )
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as e:  # pragma: no cover - playwright is a test dependency
        pytest.skip(f"real-browser test skipped: playwright is not importable ({e})")
    with sync_playwright() as playwright:
        try:
            browser = _launch_browser(playwright)
        except Exception as e:  # the binary is there but cannot start here
            pytest.skip(
                f"real-browser test skipped: {CHROMIUM} could not be launched: {e}"
            )
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def server(tmp_path):
    """Flaskr on a fresh database, served by a real HTTP server in a thread."""
    app = flaskr.create_app({"DATABASE": str(tmp_path / "browser.db")})
    with app.app_context():
        flaskr.ensure_db()
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.socket.getsockname()[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=10)


@pytest.fixture
def asgi_server(tmp_path):
    """Flaskr on a fresh database, served over ASGI by a real uvicorn in a
    thread; yields the base URL and the app."""
    app = flaskr.create_app({"DATABASE": str(tmp_path / "live.db")})
    with app.app_context():
        flaskr.ensure_db()
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, daemon=True
    )
    thread.start()
    try:
        deadline = time.monotonic() + 30
        while not server.started and thread.is_alive():
            assert time.monotonic() < deadline, "uvicorn did not start"
            time.sleep(0.05)
        assert server.started, "uvicorn stopped while starting"
        yield f"http://127.0.0.1:{sock.getsockname()[1]}", app
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        sock.close()
    assert not thread.is_alive(), "uvicorn did not stop"


@pytest.fixture
def open_page(browser, tmp_path):
    """Open a page in a new browser context (its own cookies, as another
    browser would have); every page is checked for errors in its scripts
    and its screenshot kept in tmp_path."""
    contexts = []
    foreign = []
    errors = []

    def loopback_only(route):
        host = urllib.parse.urlsplit(route.request.url).hostname
        if host == "127.0.0.1":
            route.continue_()
        else:
            foreign.append(route.request.url)
            route.abort()

    def new_page():
        context = browser.new_context()
        context.route("**/*", loopback_only)
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.on("pageerror", lambda error: errors.append(error))
        contexts.append((context, page))
        return page

    try:
        yield new_page
    finally:
        for number, (context, page) in enumerate(contexts):
            if not page.is_closed():
                shot = tmp_path / f"flaskr-{number}.png"
                page.screenshot(path=str(shot), full_page=True)
            context.close()
    assert foreign == [], f"the browser tried to leave 127.0.0.1: {foreign}"
    assert errors == [], f"errors in the page's scripts: {errors}"


@pytest.fixture
def page(open_page):
    return open_page()


def sockets_of(page):
    """The WebSockets ``page`` opens from now on."""
    opened = []
    page.on("websocket", lambda ws: opened.append(ws))
    return opened


def log_in(page, server):
    page.goto(server + "/login")
    page.fill("input[name=username]", "admin")
    page.fill("input[name=password]", "default")
    page.click("input[type=submit]")
    page.wait_for_url(server + "/")
    assert page.locator(".metanav a").inner_text() == "log out"


def test_flaskr_in_a_browser(server, page):
    sockets = sockets_of(page)
    # Open the site: no entries yet, the stylesheet applies, a log-in link.
    page.goto(server + "/")
    assert page.title() == "Flaskr"
    assert page.locator("h1").inner_text() == "Flaskr"
    assert "No entries here so far" in page.locator("ul.entries").inner_text()
    border = page.evaluate(
        "getComputedStyle(document.querySelector('.page')).borderTopWidth"
    )
    assert border == "5px", "style.css was not applied"
    assert page.locator("form.add-entry").count() == 0

    # A wrong password is refused.
    page.click("text=log in")
    page.wait_for_url(server + "/login")
    page.fill("input[name=username]", "admin")
    page.fill("input[name=password]", "wrong")
    page.click("input[type=submit]")
    assert "Error: Invalid password" in page.locator("p.error").inner_text()

    assert sockets == [], "an anonymous page opened a WebSocket"

    # Log in.
    page.fill("input[name=username]", "admin")
    page.fill("input[name=password]", "default")
    page.click("input[type=submit]")
    page.wait_for_url(server + "/")
    assert page.locator("div.flash").inner_text() == "You were logged in"
    assert page.locator(".metanav a").inner_text() == "log out"

    # The live index's script tries its WebSocket, which a WSGI server
    # refuses, and gives up quietly (no error in the page: see open_page).
    live_socket = sockets[0] if sockets else page.wait_for_event("websocket")
    assert urllib.parse.urlsplit(live_socket.url).path == "/live"
    if not live_socket.is_closed():
        live_socket.wait_for_event("close")

    # Post an entry: the title is shown as text, the HTML body is rendered.
    page.fill("input[name=title]", "<Hello>")
    page.fill("textarea[name=text]", "<strong>HTML</strong> allowed here")
    page.click("input[value=Share]")
    page.wait_for_url(server + "/")
    assert page.locator("div.flash").inner_text() == "New entry was successfully posted"
    entry = page.locator("ul.entries li").first
    assert entry.locator("h2").inner_text() == "<Hello>"
    assert entry.locator("strong").inner_text() == "HTML"
    assert "HTML allowed here" in entry.inner_text()
    assert "No entries here so far" not in page.content()

    # Log out: the entry stays, the form goes.
    page.click("text=log out")
    page.wait_for_url(server + "/")
    assert page.locator("div.flash").inner_text() == "You were logged out"
    assert page.locator(".metanav a").inner_text() == "log in"
    assert page.locator("form.add-entry").count() == 0
    assert page.locator("ul.entries h2").first.inner_text() == "<Hello>"

    # Adding while logged out is refused by the server.
    response = page.request.post(server + "/add", form={"title": "x", "text": "y"})
    assert response.status == 401


def test_entries_appear_live_in_another_browser(asgi_server, open_page):
    server, app = asgi_server
    poster, reader, anonymous = open_page(), open_page(), open_page()
    log_in(poster, server)
    reader_sockets = sockets_of(reader)
    log_in(reader, server)
    anonymous_sockets = sockets_of(anonymous)
    anonymous.goto(server + "/")
    assert "No entries here so far" in reader.locator("ul.entries").inner_text()
    reader.evaluate("window.notReloaded = true")

    # Post in one browser: the entry appears at the top of the other's list,
    # title and body as text, without a reload.
    poster.fill("input[name=title]", "<Hello>")
    poster.fill("textarea[name=text]", "<strong>HTML</strong> allowed here")
    poster.click("input[value=Share]")
    poster.wait_for_url(server + "/")
    first = reader.locator("ul.entries li").first
    first.locator("h2", has_text="<Hello>").wait_for(timeout=15_000)
    assert first.inner_text() == "<Hello>\nHTML allowed here"
    assert first.locator("strong").count() == 0
    assert "No entries here so far" not in reader.locator("ul.entries").inner_text()
    assert reader.evaluate("window.notReloaded") is True
    (live_socket,) = reader_sockets
    assert not live_socket.is_closed()

    # A second entry goes on top, once; the poster's page shows both after
    # its reload, rendered by the server (the body as HTML).
    poster.fill("input[name=title]", "second")
    poster.fill("textarea[name=text]", "two")
    poster.click("input[value=Share]")
    poster.wait_for_url(server + "/")
    reader.locator("ul.entries li").first.locator("h2", has_text="second").wait_for()
    assert reader.locator("ul.entries h2").all_inner_texts() == ["second", "<Hello>"]
    assert poster.locator("ul.entries h2").all_inner_texts() == ["second", "<Hello>"]
    assert poster.locator("ul.entries strong").inner_text() == "HTML"

    # The anonymous page never connected (and still works: a reload shows
    # the entries); closing the pages leaves the hub empty.
    assert anonymous_sockets == []
    anonymous.reload()
    assert anonymous.locator("ul.entries h2").all_inner_texts() == ["second", "<Hello>"]
    for page in (poster, reader, anonymous):
        page.close()
    hub = live.hub(app)
    deadline = time.monotonic() + 15
    while len(hub) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(hub) == 0, "a closed page is still subscribed"
