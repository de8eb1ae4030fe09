"""Flaskr in a real browser: headless Chromium (Debian's ``chromium``
package, installed by ``scripts/install-browser.sh``) driven by Playwright,
against Flaskr served by Werkzeug's server on a free 127.0.0.1 port.

Without the browser the test is skipped with a message saying why. The
browser may only talk to 127.0.0.1: host names resolve nowhere else, and
every request to another host is aborted and fails the test.
"""

from __future__ import annotations

import os
import threading
import urllib.parse

import flaskr
import pytest
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
def page(browser, tmp_path):
    context = browser.new_context()
    foreign = []

    def loopback_only(route):
        host = urllib.parse.urlsplit(route.request.url).hostname
        if host == "127.0.0.1":
            route.continue_()
        else:
            foreign.append(route.request.url)
            route.abort()

    context.route("**/*", loopback_only)
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        yield page
    finally:
        page.screenshot(path=str(tmp_path / "flaskr.png"), full_page=True)
        context.close()
    assert foreign == [], f"the browser tried to leave 127.0.0.1: {foreign}"


def test_flaskr_in_a_browser(server, page):
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

    # Log in.
    page.fill("input[name=username]", "admin")
    page.fill("input[name=password]", "default")
    page.click("input[type=submit]")
    page.wait_for_url(server + "/")
    assert page.locator("div.flash").inner_text() == "You were logged in"
    assert page.locator(".metanav a").inner_text() == "log out"

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
