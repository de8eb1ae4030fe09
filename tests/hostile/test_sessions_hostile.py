"""Hostile session cookies, key rotation and cookie attributes.

A session cookie the app did not sign with one of its current keys, that
has expired, or that does not decode to a dict is ignored: the request is
served (200) with an empty session, and writing to the session starts a
new one with none of the old cookie's data.
"""

from __future__ import annotations

import base64
import hashlib
import types
import typing as t
import zlib
from datetime import datetime
from datetime import timedelta
from datetime import timezone
from email.utils import parsedate_to_datetime

import itsdangerous.timed
import pytest
from itsdangerous import URLSafeTimedSerializer

from flask import Flask
from flask import session
from flask.json.tag import TaggedJSONSerializer

SECRET = "session secret"


@pytest.fixture
def app(app: Flask) -> Flask:
    app.config.update(TESTING=False, PROPAGATE_EXCEPTIONS=False, SECRET_KEY=SECRET)

    @app.route("/")
    def show() -> dict[str, t.Any]:
        return {"session": dict(session)}

    @app.route("/login/<name>")
    def login(name: str) -> dict[str, t.Any]:
        session["user"] = name
        return {"session": dict(session)}

    @app.route("/permanent")
    def permanent() -> str:
        session.permanent = True
        session["p"] = 1
        return "ok"

    @app.route("/logout")
    def logout() -> str:
        session.clear()
        return "ok"

    return app


@pytest.fixture
def client(app: Flask) -> t.Any:
    # Cookies are sent as raw headers; a cookie jar would drop or rewrite them.
    return app.test_client(use_cookies=False)


def sign(app: Flask, data: t.Any) -> str:
    """``data`` signed like the app signs its session."""
    serializer = app.session_interface.get_signing_serializer(app)  # type: ignore[attr-defined]
    return serializer.dumps(data)  # type: ignore[no-any-return]


def loads(app: Flask, cookie: str) -> t.Any:
    serializer = app.session_interface.get_signing_serializer(app)  # type: ignore[attr-defined]
    return serializer.loads(cookie)


def serializer_for(
    secret: str | bytes,
    salt: str = "cookie-session",
    digest: t.Any = hashlib.sha1,
) -> URLSafeTimedSerializer:
    """A serializer built independently of the app, to forge cookies."""
    return URLSafeTimedSerializer(
        secret,
        salt=salt,
        serializer=TaggedJSONSerializer(),
        signer_kwargs={"key_derivation": "hmac", "digest_method": digest},
    )


def set_cookies(response: t.Any) -> dict[str, dict[str, str]]:
    """The Set-Cookie headers by cookie name: attributes, lower-cased."""
    out = {}
    for header in response.headers.getlist("Set-Cookie"):
        first, *attrs = header.split(";")
        name, _, value = first.strip().partition("=")
        parsed = {"value": value}
        for attr in attrs:
            key, _, val = attr.strip().partition("=")
            parsed[key.lower()] = val
        out[name] = parsed
    return out


def get(client: t.Any, path: str, cookie: str | None) -> t.Any:
    headers = {} if cookie is None else {"Cookie": f"session={cookie}"}
    return client.get(path, headers=headers)


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _flip(text: str, index: int) -> str:
    char = text[index]
    return text[:index] + ("A" if char != "A" else "B") + text[index + 1 :]


def hostile_cookies(app: Flask) -> dict[str, str]:
    valid = sign(app, {"user": "admin", "role": "root"})
    payload, timestamp, signature = valid.split(".")
    other_payload = b64(b'{"user":"admin","role":"root","x":1}')
    compressed = "." + b64(zlib.compress(b'{"user":"admin"}'))
    garbage = b64(b"\xff\xfe\x00garbage")
    return {
        "payload byte changed": _flip(valid, 2),
        "signature byte changed": _flip(valid, len(valid) - 3),
        "timestamp changed": f"{payload}.{_flip(timestamp, 0)}.{signature}",
        "payload swapped": f"{other_payload}.{timestamp}.{signature}",
        "truncated by one": valid[:-1],
        "truncated to payload": payload,
        "truncated to two parts": f"{payload}.{timestamp}",
        "signature removed": f"{payload}.{timestamp}.",
        "extra part": valid + ".AAAA",
        "dots only": "...",
        "resigned with another key": serializer_for("not the key").dumps(
            {"user": "admin"}
        ),
        "resigned with an empty key": serializer_for(b"").dumps({"user": "admin"}),
        "another salt": serializer_for(SECRET, salt="other").dumps({"user": "admin"}),
        "another digest": serializer_for(SECRET, digest=hashlib.sha256).dumps(
            {"user": "admin"}
        ),
        "unsigned compressed payload": f"{compressed}.{timestamp}.{signature}",
        "non-base64": "!!!not*base64@@@.###.$$$",
        "base64 of garbage": f"{garbage}.{timestamp}.{signature}",
        "unicode": "s\u00e9ssion.\u2603.\U0001f600",
        "percent-encoded": valid.replace(".", "%2E"),
        "spaces": f" {payload} . {timestamp} . {signature} ",
        "huge garbage": "A" * 100_000,
        "huge dotted": ("A" * 30_000 + ".") * 3,
        "json instead of signed": '{"user": "admin"}',
        "nul bytes": "\x00" * 10,
    }


def _names() -> list[str]:
    app = Flask("names", root_path="/")
    app.secret_key = SECRET
    return list(hostile_cookies(app))


HOSTILE_NAMES = _names()


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_hostile_cookie_gives_an_empty_session(
    app: Flask, client: t.Any, name: str
) -> None:
    cookie = hostile_cookies(app)[name]
    response = get(client, "/", cookie)
    assert response.status_code == 200
    assert response.json == {"session": {}}
    # An ignored cookie is not rewritten (nothing changed).
    assert "session" not in set_cookies(response)


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_writing_after_a_hostile_cookie_starts_a_new_session(
    app: Flask, client: t.Any, name: str
) -> None:
    cookie = hostile_cookies(app)[name]
    response = get(client, "/login/mallory", cookie)
    assert response.status_code == 200
    assert response.json == {"session": {"user": "mallory"}}
    assert loads(app, set_cookies(response)["session"]["value"]) == {"user": "mallory"}


def test_valid_cookie_is_read(app: Flask, client: t.Any) -> None:
    response = get(client, "/", sign(app, {"user": "alice"}))
    assert response.json == {"session": {"user": "alice"}}


@pytest.mark.parametrize(
    "payload", [[1, 2], "a string", 42, None, True, 1.5, [{"user": "admin"}]]
)
def test_validly_signed_non_dict_payload_gives_an_empty_session(
    app: Flask, client: t.Any, payload: t.Any
) -> None:
    response = get(client, "/", sign(app, payload))
    assert response.status_code == 200
    assert response.json == {"session": {}}


@pytest.mark.parametrize(
    "raw",
    [
        b"not json",
        b"",
        b"[" * 5000 + b"]" * 5000,
        b'{"a":' * 5000 + b"1" + b"}" * 5000,
        b"\xff\xfe",
        b'{" t": 5}',
        b'{" u": "not-a-uuid"}',
        b'{" d": 12}',
    ],
    ids=[
        "text",
        "empty",
        "deep-list",
        "deep-dict",
        "binary",
        "bad-tuple",
        "bad-uuid",
        "bad-date",
    ],
)
def test_validly_signed_undecodable_payload_gives_an_empty_session(
    app: Flask, client: t.Any, raw: bytes
) -> None:
    """Even a payload carrying the app's own signature (a key leak, or a
    cookie from an incompatible version) can't crash the request."""
    signer = serializer_for(SECRET).make_signer("cookie-session")
    cookie = signer.sign(b64(raw).encode()).decode()
    response = get(client, "/", cookie)
    assert response.status_code == 200
    assert response.json == {"session": {}}


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> t.Callable[[float], None]:
    """Set the clock itsdangerous signs with (seconds from now)."""
    import time

    def shift(seconds: float) -> None:
        fake = types.SimpleNamespace(time=lambda: time.time() + seconds)
        monkeypatch.setattr(itsdangerous.timed, "time", fake)

    return shift


def test_expired_cookie_gives_an_empty_session(
    app: Flask, client: t.Any, clock: t.Callable[[float], None]
) -> None:
    app.permanent_session_lifetime = timedelta(minutes=10)
    clock(-3600)
    cookie = sign(app, {"user": "alice", "_permanent": True})
    clock(0)
    response = get(client, "/", cookie)
    assert response.status_code == 200
    assert response.json == {"session": {}}


def test_cookie_within_its_lifetime_is_read(
    app: Flask, client: t.Any, clock: t.Callable[[float], None]
) -> None:
    app.permanent_session_lifetime = timedelta(minutes=10)
    clock(-300)
    cookie = sign(app, {"user": "alice"})
    clock(0)
    assert get(client, "/", cookie).json == {"session": {"user": "alice"}}


def test_cookie_from_the_future_gives_an_empty_session(
    app: Flask, client: t.Any, clock: t.Callable[[float], None]
) -> None:
    clock(3600)
    cookie = sign(app, {"user": "alice"})
    clock(0)
    assert get(client, "/", cookie).json == {"session": {}}


def test_cookie_read_before_is_rejected_once_past_the_lifetime(
    app: Flask, client: t.Any, clock: t.Callable[[float], None]
) -> None:
    """A cookie that was valid (and read) before is checked again: once
    older than the lifetime it no longer opens a session."""
    app.permanent_session_lifetime = timedelta(hours=1)
    clock(-120)
    cookie = sign(app, {"user": "alice"})
    clock(0)
    for _ in range(2):
        assert get(client, "/", cookie).json == {"session": {"user": "alice"}}
    app.permanent_session_lifetime = timedelta(seconds=60)
    assert get(client, "/", cookie).json == {"session": {}}


def test_in_place_changes_do_not_reach_other_requests(
    app: Flask, client: t.Any
) -> None:
    """Each request decodes its own session: changing a mutable value in
    place (without marking the session modified) in one request is not
    seen by the next request sending the same cookie."""

    @app.route("/append/<item>")
    def append(item: str) -> dict[str, t.Any]:
        session["items"].append(item)
        session["nested"]["seen"] = item
        return {"items": session["items"], "nested": session["nested"]}

    cookie = sign(app, {"items": ["a"], "nested": {"k": 1}})
    for item in ("b", "c", "d"):
        response = get(client, f"/append/{item}", cookie)
        assert response.json == {
            "items": ["a", item],
            "nested": {"k": 1, "seen": item},
        }
    assert get(client, "/", cookie).json == {
        "session": {"items": ["a"], "nested": {"k": 1}}
    }


def test_cookie_repeated_in_the_header_is_served(app: Flask, client: t.Any) -> None:
    good = sign(app, {"user": "alice"})
    response = client.get("/", headers={"Cookie": f"session=junk; session={good}"})
    assert response.status_code == 200
    assert response.json["session"] in ({}, {"user": "alice"})


def test_cookie_of_another_app_is_rejected(app: Flask, client: t.Any) -> None:
    other = Flask("other", root_path=app.root_path)
    other.secret_key = "the other app's key"
    assert get(client, "/", sign(other, {"user": "alice"})).json == {"session": {}}


def test_changing_the_secret_key_invalidates_cookies(app: Flask, client: t.Any) -> None:
    cookie = sign(app, {"user": "alice"})
    assert get(client, "/", cookie).json == {"session": {"user": "alice"}}
    app.secret_key = "rotated without fallback"
    assert get(client, "/", cookie).json == {"session": {}}


# -- key rotation --------------------------------------------------------------------


def rotated(app: Flask, new: str, *fallbacks: str) -> Flask:
    app.config.update(SECRET_KEY=new, SECRET_KEY_FALLBACKS=list(fallbacks))
    return app


def test_fallback_key_reads_old_cookies(app: Flask, client: t.Any) -> None:
    old = sign(app, {"user": "alice"})
    rotated(app, "new key", SECRET)
    assert get(client, "/", old).json == {"session": {"user": "alice"}}


def test_session_written_after_rotation_uses_the_current_key(
    app: Flask, client: t.Any
) -> None:
    old = sign(app, {"user": "alice"})
    rotated(app, "new key", "older key", SECRET)
    response = get(client, "/login/bob", old)
    assert response.json == {"session": {"user": "bob"}}
    new_cookie = set_cookies(response)["session"]["value"]
    # Signed with the current key: readable with it alone, not with the old.
    assert serializer_for("new key").loads(new_cookie) == {"user": "bob"}
    with pytest.raises(itsdangerous.BadSignature):
        serializer_for(SECRET).loads(new_cookie)


def test_refreshed_permanent_session_is_resigned_with_the_current_key(
    app: Flask, client: t.Any
) -> None:
    old = sign(app, {"user": "alice", "_permanent": True})
    rotated(app, "new key", SECRET)
    response = get(client, "/", old)
    assert response.json == {"session": {"user": "alice", "_permanent": True}}
    refreshed = set_cookies(response)["session"]["value"]
    assert serializer_for("new key").loads(refreshed)["user"] == "alice"


def test_key_dropped_from_fallbacks_no_longer_reads(app: Flask, client: t.Any) -> None:
    old = sign(app, {"user": "alice"})
    rotated(app, "new key", SECRET)
    assert get(client, "/", old).json == {"session": {"user": "alice"}}
    rotated(app, "new key")
    assert get(client, "/", old).json == {"session": {}}


def test_every_fallback_is_tried(app: Flask, client: t.Any) -> None:
    cookies = {key: serializer_for(key).dumps({"k": key}) for key in ("k1", "k2", "k3")}
    rotated(app, "k3", "k1", "k2")
    for key, cookie in cookies.items():
        assert get(client, "/", cookie).json == {"session": {"k": key}}
    assert get(client, "/", serializer_for("k4").dumps({"k": "k4"})).json == {
        "session": {}
    }


# -- cookie attributes -----------------------------------------------------------------


def test_default_cookie_attributes(app: Flask, client: t.Any) -> None:
    cookie = set_cookies(get(client, "/login/alice", None))["session"]
    assert cookie["path"] == "/"
    assert "httponly" in cookie
    for absent in ("secure", "domain", "samesite", "expires", "max-age", "partitioned"):
        assert absent not in cookie


def test_cookie_attributes_follow_config(app: Flask, client: t.Any) -> None:
    app.config.update(
        SESSION_COOKIE_NAME="sid",
        SESSION_COOKIE_DOMAIN="example.org",
        SESSION_COOKIE_PATH="/app",
        SESSION_COOKIE_HTTPONLY=False,
        SESSION_COOKIE_SECURE=True,
        SESSION_COOKIE_SAMESITE="Strict",
        SESSION_COOKIE_PARTITIONED=True,
    )
    response = get(client, "/login/alice", None)
    cookies = set_cookies(response)
    assert "session" not in cookies
    cookie = cookies["sid"]
    assert cookie["domain"] == "example.org"
    assert cookie["path"] == "/app"
    assert "httponly" not in cookie
    assert "secure" in cookie
    assert cookie["samesite"] == "Strict"
    assert "partitioned" in cookie
    # The configured name is the one read back.
    value = cookie["value"]
    again = client.get("/", headers={"Cookie": f"sid={value}"})
    assert again.json == {"session": {"user": "alice"}}
    assert client.get("/", headers={"Cookie": f"session={value}"}).json == {
        "session": {}
    }


@pytest.mark.parametrize("samesite", ["Lax", "None", "Strict"])
def test_samesite_values(app: Flask, client: t.Any, samesite: str) -> None:
    app.config.update(SESSION_COOKIE_SAMESITE=samesite, SESSION_COOKIE_SECURE=True)
    cookie = set_cookies(get(client, "/login/alice", None))["session"]
    assert cookie["samesite"] == samesite


def test_application_root_is_the_default_path(app: Flask, client: t.Any) -> None:
    app.config["APPLICATION_ROOT"] = "/mounted"
    cookie = set_cookies(get(client, "/login/alice", None))["session"]
    assert cookie["path"] == "/mounted"


def test_permanent_session_expires_after_its_lifetime(
    app: Flask, client: t.Any
) -> None:
    app.permanent_session_lifetime = timedelta(days=3)
    cookie = set_cookies(get(client, "/permanent", None))["session"]
    expires = parsedate_to_datetime(cookie["expires"])
    expected = datetime.now(timezone.utc) + timedelta(days=3)
    assert abs(expires - expected) < timedelta(hours=1)


def test_cleared_session_is_deleted_with_the_same_attributes(
    app: Flask, client: t.Any
) -> None:
    app.config.update(
        SESSION_COOKIE_DOMAIN="example.org",
        SESSION_COOKIE_PATH="/app",
        SESSION_COOKIE_SECURE=True,
        SESSION_COOKIE_SAMESITE="Lax",
    )
    response = get(client, "/logout", sign(app, {"user": "alice"}))
    cookie = set_cookies(response)["session"]
    assert cookie["value"] == ""
    assert parsedate_to_datetime(cookie["expires"]).year == 1970
    assert cookie["domain"] == "example.org"
    assert cookie["path"] == "/app"
    assert "secure" in cookie
    assert cookie["samesite"] == "Lax"


def test_reading_the_session_varies_on_cookie(app: Flask, client: t.Any) -> None:
    response = get(client, "/", sign(app, {"user": "alice"}))
    assert "cookie" in {v.lower() for v in response.vary}


def test_no_secret_key_means_no_session_cookie_is_trusted(
    app: Flask, client: t.Any
) -> None:
    cookie = sign(app, {"user": "alice"})
    app.config["SECRET_KEY"] = None
    response = get(client, "/", cookie)
    assert response.status_code == 200
    assert response.json == {"session": {}}
