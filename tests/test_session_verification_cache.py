"""A session cookie verified once, or signed by the app itself, is not
verified again, but expiry and key changes still apply to it; the same data
signed in the same second is signed once, with itsdangerous's output."""

from __future__ import annotations

import hashlib
import typing as t

import itsdangerous.timed
import pytest
from itsdangerous import URLSafeTimedSerializer

import flask.sessions
from flask import Flask
from flask import session
from flask.json.tag import TaggedJSONSerializer
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
    """The cookie the app sets for ``n=1``."""
    client = app.test_client()
    client.get("/write")
    cookie = client.get_cookie("session")
    assert cookie is not None
    return cookie.value


def _reference(app: Flask, key: str | None = None) -> URLSafeTimedSerializer:
    """A plain itsdangerous serializer signing like the app's session."""
    return URLSafeTimedSerializer(
        key or t.cast(str, app.secret_key),
        salt="cookie-session",
        serializer=TaggedJSONSerializer(),
        signer_kwargs={"key_derivation": "hmac", "digest_method": hashlib.sha1},
    )


def _foreign_cookie(app: Flask) -> str:
    """A cookie for ``n=1`` the app's serializer never made nor saw."""
    return t.cast(str, _reference(app).dumps({"n": 1}))


def _freeze(monkeypatch: pytest.MonkeyPatch, now: float) -> None:
    for module in (flask.sessions, itsdangerous.timed):
        monkeypatch.setattr(module.time, "time", lambda: now)


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
    cookie = _foreign_cookie(counter_app)
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


@pytest.mark.parametrize("make", [_cookie, _foreign_cookie])
def test_remembered_cookie_still_expires(
    counter_app: Flask, monkeypatch: pytest.MonkeyPatch, make: t.Any
) -> None:
    cookie = make(counter_app)
    assert _read(counter_app, cookie) == "1"
    counter_app.config["PERMANENT_SESSION_LIFETIME"] = 100
    real_time = flask.sessions.time.time
    _freeze(monkeypatch, real_time() + 1000)
    assert _read(counter_app, cookie) == "none"


def test_cookie_the_app_set_is_not_verified_again(
    counter_app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    cookie = _cookie(counter_app)
    calls = _unsign_calls(counter_app, monkeypatch)
    assert _read(counter_app, cookie) == "1"
    assert calls == []


def test_cookie_signed_with_a_fallback_key_is_read_and_re_signed(
    counter_app: Flask,
) -> None:
    old = _reference(counter_app, "old key").dumps({"n": 4})
    counter_app.config["SECRET_KEY_FALLBACKS"] = ["old key"]
    assert _read(counter_app, old) == "4"
    client = counter_app.test_client(use_cookies=False)
    rv = client.get("/write", headers={"Cookie": f"session={old}"})
    new = rv.headers["Set-Cookie"].split(";", 1)[0].split("=", 1)[1]
    assert _reference(counter_app).loads(new) == {"n": 5}
    counter_app.config["SECRET_KEY_FALLBACKS"] = []
    assert _read(counter_app, old) == "none"
    assert _read(counter_app, new) == "5"


@pytest.mark.parametrize(
    "data", [{"n": 1}, {"t": (1, 2), "b": b"\x00"}, {"big": "x" * 500}, {}]
)
def test_dumps_gives_itsdangerous_output(
    app: Flask, monkeypatch: pytest.MonkeyPatch, data: dict[str, t.Any]
) -> None:
    serializer = SecureCookieSessionInterface().get_signing_serializer(app)
    assert serializer is not None
    reference = _reference(app)
    for now in (1_700_000_000.2, 1_700_000_000.9, 1_700_000_001.0):
        _freeze(monkeypatch, now)
        expected = reference.dumps(data)
        assert serializer.dumps(data) == expected
        assert serializer.dumps(data) == expected  # remembered
        assert reference.loads(expected) == data


def test_same_data_in_the_same_second_is_signed_once(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    serializer = SecureCookieSessionInterface().get_signing_serializer(app)
    assert serializer is not None
    signer = serializer.make_signer()
    calls: list[bytes] = []
    original = signer.get_signature
    monkeypatch.setattr(
        signer, "get_signature", lambda value: calls.append(value) or original(value)
    )
    _freeze(monkeypatch, 1_700_000_000.5)
    first = serializer.dumps({"n": 1})
    assert serializer.dumps({"n": 1}) == first
    assert len(calls) == 1
    serializer.dumps({"n": 2})
    _freeze(monkeypatch, 1_700_000_001.5)
    later = serializer.dumps({"n": 1})
    assert later != first
    assert len(calls) == 3
    assert serializer.loads(later) == serializer.loads(first) == {"n": 1}


def test_dumps_with_another_salt_is_not_remembered(counter_app: Flask) -> None:
    serializer = SecureCookieSessionInterface().get_signing_serializer(counter_app)
    assert serializer is not None
    other = serializer.dumps({"n": 1}, salt="other")
    assert serializer.loads(other, salt="other") == {"n": 1}
    assert _read(counter_app, other) == "none"


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
