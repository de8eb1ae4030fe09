"""A malformed Host header is a 400, not a page with broken URLs."""

from __future__ import annotations

import pytest
from werkzeug.test import EnvironBuilder

from flask import Flask
from flask import request
from flask import url_for


@pytest.fixture
def host_app(app: Flask) -> Flask:
    @app.route("/dir/")
    def directory() -> str:
        return f"{request.host} {url_for('directory', _external=True)}"

    return app


def _call(app: Flask, host: str | None, path: str = "/dir/") -> tuple[str, bytes]:
    environ = EnvironBuilder(path).get_environ()
    if host is None:
        del environ["HTTP_HOST"]
    else:
        environ["HTTP_HOST"] = host
    statuses: list[str] = []
    body = b"".join(
        app(environ, lambda status, headers, exc_info=None: statuses.append(status))
    )
    return statuses[0], body


@pytest.mark.parametrize("host", ["exa mple.com", 'a"b', "x/y", "", "a\x00b"])
def test_malformed_host_is_400(host_app: Flask, host: str) -> None:
    status, _ = _call(host_app, host)
    assert status.startswith("400")


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("good.test", b"good.test http://good.test/dir/"),
        ("good.test:8080", b"good.test:8080 http://good.test:8080/dir/"),
        ("[::1]:5000", b"[::1]:5000 http://[::1]:5000/dir/"),
    ],
)
def test_valid_hosts_are_served(host_app: Flask, host: str, expected: bytes) -> None:
    status, body = _call(host_app, host)
    assert status.startswith("200")
    assert body == expected


def test_request_without_host_uses_server_name(host_app: Flask) -> None:
    status, body = _call(host_app, None)
    assert status.startswith("200")
    assert body == b"localhost http://localhost/dir/"


def test_malformed_host_never_redirects_to_a_hostless_url(host_app: Flask) -> None:
    status, _ = _call(host_app, "exa mple.com", path="/dir")
    assert status.startswith("400")
