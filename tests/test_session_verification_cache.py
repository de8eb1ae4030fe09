"""A session cookie verified once is not verified again, but expiry and
key changes still apply to it."""

from __future__ import annotations

import typing as t

import pytest

from flask import Flask
from flask import session
from flask.sessions import SecureCookieSessionInterface


@pytest.fixture
def counter_app(app: Flask) -> Flask:
    @app.get("/read")
    def read() -> str:
        return str(session.get("n", "none"))

    @app.get("/write")
    def write() -> str:
        session["n"] = session.get("n", 0) + 1
        return "ok"

    return app


def _cookie(app: Flask) -> str:
    client = app.test_client()
    client.get("/write")
    cookie = client.get_cookie("session")
    assert cookie is not None
    return cookie.value


def _read(app: Flask, cookie: str) -> str:
    client = app.test_client(use_cookies=False)
    return client.get("/read", headers={"Cookie": f"session={cookie}"}).text


def _unsign_calls(app: Flask, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    calls: list[str] = []
    serializer = SecureCookieSessionInterface().get_signing_serializer(app)
    assert serializer is not None
    original = serializer._unsign  # type: ignore[attr-defined]

    def counting(s: str, max_age: int | None) -> t.Any:
        calls.append(s)
        return original(s, max_age)

    monkeypatch.setattr(serializer, "_unsign", counting)
    return calls


def test_same_cookie_is_verified_once(
    counter_app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    cookie = _cookie(counter_app)
    calls = _unsign_calls(counter_app, monkeypatch)
    assert [_read(counter_app, cookie) for _ in range(3)] == ["1", "1", "1"]
    assert calls == [cookie]


def test_tampered_cookie_is_never_remembered(
    counter_app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    cookie = _cookie(counter_app)
    # The second-to-last character holds only signature bits (the last one
    # also holds padding bits, which decoding ignores).
    i = len(cookie) - 2
    tampered = cookie[:i] + ("B" if cookie[i] == "A" else "A") + cookie[i + 1 :]
    calls = _unsign_calls(counter_app, monkeypatch)
    assert [_read(counter_app, tampered) for _ in range(2)] == ["none", "none"]
    assert calls == [tampered, tampered]


def test_remembered_cookie_still_expires(
    counter_app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    cookie = _cookie(counter_app)
    assert _read(counter_app, cookie) == "1"
    counter_app.config["PERMANENT_SESSION_LIFETIME"] = 100
    import flask.sessions

    real_time = flask.sessions.time.time
    monkeypatch.setattr(flask.sessions.time, "time", lambda: real_time() + 1000)
    import itsdangerous.timed

    monkeypatch.setattr(itsdangerous.timed.time, "time", lambda: real_time() + 1000)
    assert _read(counter_app, cookie) == "none"


def test_new_secret_key_rejects_remembered_cookie(counter_app: Flask) -> None:
    cookie = _cookie(counter_app)
    assert _read(counter_app, cookie) == "1"
    counter_app.secret_key = "another key"
    assert _read(counter_app, cookie) == "none"


def test_sessions_are_independent_copies(counter_app: Flask) -> None:
    cookie = _cookie(counter_app)
    client = counter_app.test_client()
    client.set_cookie("session", cookie)
    client.get("/write")
    # The remembered payload is parsed afresh: the first write didn't leak.
    assert _read(counter_app, cookie) == "1"


@pytest.mark.parametrize(
    ("existing", "expected"),
    [
        (None, "Cookie"),
        ("Accept-Encoding", "Accept-Encoding, Cookie"),
        ("cookie", "cookie"),
    ],
)
def test_vary_cookie_keeps_other_vary_values(
    app: Flask, existing: str | None, expected: str
) -> None:
    @app.get("/")
    def index() -> t.Any:
        session["x"] = 1
        headers = {"Vary": existing} if existing else {}
        return "ok", headers

    assert app.test_client().get("/").headers["Vary"] == expected
