"""Tests for ``flask.sessions``: the session classes, the interface, and
the signed-cookie default, including its wire format.

The cookie format is checked against values built here directly from the
documented recipe (itsdangerous, salt ``cookie-session``, HMAC key
derivation, SHA-1, compact tagged JSON, optional zlib compression) so a
cookie written by Flask 3.1 with the same key reads back, and ours read
with Flask 3.1.
"""

from __future__ import annotations

import base64
import hashlib
import json
import typing as t
import uuid
import zlib
from datetime import datetime
from datetime import timedelta
from datetime import timezone

import pytest
from itsdangerous import BadSignature
from itsdangerous import TimestampSigner
from itsdangerous import URLSafeTimedSerializer
from markupsafe import Markup
from werkzeug.http import parse_cookie
from werkzeug.http import parse_date

import flask
from flask import Flask
from flask import session
from flask.json.tag import TaggedJSONSerializer
from flask.sessions import NullSession
from flask.sessions import SecureCookieSession
from flask.sessions import SecureCookieSessionInterface
from flask.sessions import session_json_serializer
from flask.sessions import SessionInterface
from flask.sessions import SessionMixin

KEY = "test key"  # the ``app`` fixture's SECRET_KEY

# -- the documented cookie format, built without Flask -------------------------------------


def _b64encode(data: bytes) -> bytes:
    return base64.urlsafe_b64encode(data).rstrip(b"=")


def _b64decode(data: bytes) -> bytes:
    return base64.urlsafe_b64decode(data + b"=" * (-len(data) % 4))


class _OldSigner(TimestampSigner):
    """Signs with a timestamp 40 days in the past (the default lifetime
    is 31 days)."""

    def get_timestamp(self) -> int:
        return super().get_timestamp() - 40 * 86400


def _signer(
    key: str | bytes = KEY, cls: type[TimestampSigner] = TimestampSigner
) -> TimestampSigner:
    return cls(
        key, salt="cookie-session", key_derivation="hmac", digest_method=hashlib.sha1
    )


def sign_payload(
    payload: str | bytes,
    key: str | bytes = KEY,
    compress: bool = False,
    signer_class: type[TimestampSigner] = TimestampSigner,
) -> str:
    """A cookie value holding ``payload`` (the JSON text) as Flask 3.1
    writes it."""
    data = payload.encode() if isinstance(payload, str) else payload
    body = b"." + _b64encode(zlib.compress(data)) if compress else _b64encode(data)
    return _signer(key, signer_class).sign(body).decode("ascii")


def read_payload(cookie: str, key: str | bytes = KEY) -> str:
    """The JSON text inside a cookie value, after checking its signature."""
    body = _signer(key).unsign(cookie)
    if body.startswith(b"."):
        return zlib.decompress(_b64decode(body[1:])).decode()
    return _b64decode(body).decode()


def reference_serializer(key: str | bytes = KEY) -> URLSafeTimedSerializer:
    """The serializer recipe the docs give for the cookie."""
    return URLSafeTimedSerializer(
        key,
        salt="cookie-session",
        serializer=TaggedJSONSerializer(),
        signer_kwargs={"key_derivation": "hmac", "digest_method": hashlib.sha1},
    )


def cookie_headers(response: t.Any, name: str = "session") -> list[str]:
    return [
        h for h in response.headers.getlist("Set-Cookie") if h.startswith(f"{name}=")
    ]


def cookie_value(response: t.Any, name: str = "session") -> str:
    (header,) = cookie_headers(response, name)
    return header.split(";", 1)[0].split("=", 1)[1]


def cookie_attributes(header: str) -> dict[str, str]:
    rv = {}
    for part in header.split(";")[1:]:
        key, _, value = part.strip().partition("=")
        rv[key.lower()] = value
    return rv


@pytest.fixture
def dump_app(app: Flask) -> Flask:
    """An app with views to show, set, clear and ignore the session."""

    @app.route("/show")
    def show() -> str:
        return repr(sorted(session.items()))

    @app.route("/set/<key>/<value>")
    def set_value(key: str, value: str) -> str:
        session[key] = value
        return ""

    @app.route("/clear")
    def clear() -> str:
        session.clear()
        return ""

    @app.route("/ignore")
    def ignore() -> str:
        return "ignored"

    return app


def fresh_client(app: Flask, cookie: str | None = None, name: str = "session") -> t.Any:
    client = app.test_client()
    if cookie is not None:
        client.set_cookie(name, cookie)
    return client


# -- session classes ---------------------------------------------------------------------


def test_session_mixin_defaults() -> None:
    class Session(dict, SessionMixin):  # type: ignore[type-arg]
        pass

    s = Session()
    assert s.new is False
    assert s.modified is True
    assert s.accessed is True
    assert s.permanent is False
    s.permanent = True
    assert s["_permanent"] is True
    s.permanent = 0  # type: ignore[assignment]
    assert s["_permanent"] is False


def test_secure_cookie_session_starts_clean() -> None:
    s = SecureCookieSession({"a": 1})
    assert s == {"a": 1}
    assert not s.modified
    assert not s.accessed
    assert not s.new
    assert isinstance(s, SessionMixin)


@pytest.mark.parametrize(
    ("operation", "accessed", "modified"),
    [
        (lambda s: s["a"], True, False),
        (lambda s: s.get("a"), True, False),
        (lambda s: s.get("missing"), True, False),
        (lambda s: s.setdefault("a", 5), True, False),
        (lambda s: s.setdefault("new", 5), True, True),
        (lambda s: s.__setitem__("b", 2), True, True),
        (lambda s: s.__delitem__("a"), True, True),
        (lambda s: s.pop("a"), True, True),
        (lambda s: s.popitem(), True, True),
        (lambda s: s.update(c=3), True, True),
        (lambda s: s.clear(), True, True),
        (lambda s: setattr(s, "permanent", True), True, True),
    ],
)
def test_secure_cookie_session_tracks_reads_and_writes(
    operation: t.Callable[[SecureCookieSession], t.Any], accessed: bool, modified: bool
) -> None:
    s = SecureCookieSession({"a": {"nested": []}})
    operation(s)
    assert s.accessed is accessed
    assert s.modified is modified


def test_nested_mutation_is_not_detected() -> None:
    s = SecureCookieSession({"items": []})
    s["items"].append(1)
    assert s.accessed and not s.modified
    s.modified = True
    assert s.modified


NULL_SESSION_WRITES = [
    pytest.param(lambda s: s.__setitem__("a", 1), id="setitem"),
    pytest.param(lambda s: s.__delitem__("a"), id="delitem"),
    pytest.param(lambda s: s.pop("a", None), id="pop"),
    pytest.param(lambda s: s.popitem(), id="popitem"),
    pytest.param(lambda s: s.update(a=1), id="update"),
    pytest.param(lambda s: s.clear(), id="clear"),
    pytest.param(lambda s: s.setdefault("a", 1), id="setdefault"),
    pytest.param(lambda s: setattr(s, "permanent", True), id="permanent"),
]


@pytest.mark.parametrize("write", NULL_SESSION_WRITES)
def test_null_session_refuses_writes(write: t.Callable[[NullSession], t.Any]) -> None:
    with pytest.raises(RuntimeError, match="secret key"):
        write(NullSession())


def test_null_session_allows_reads() -> None:
    s = NullSession()
    assert s.get("a") is None
    assert s.get("a", 1) == 1
    assert "a" not in s
    assert len(s) == 0
    assert not s
    assert s.permanent is False
    assert list(s.items()) == []


@pytest.fixture
def keyless_app(app: Flask) -> Flask:
    app.config["SECRET_KEY"] = None
    return app


def test_no_secret_key_gives_a_null_session(keyless_app: Flask) -> None:
    @keyless_app.route("/read")
    def read() -> str:
        assert isinstance(session._get_current_object(), NullSession)  # type: ignore[attr-defined]
        return f"{session.get('x', 'nothing')}"

    rv = fresh_client(keyless_app).get("/read")
    assert rv.text == "nothing"
    assert cookie_headers(rv) == []


def test_no_secret_key_write_explains(keyless_app: Flask) -> None:
    @keyless_app.route("/write")
    def write() -> str:
        session["x"] = 1
        return ""

    with pytest.raises(RuntimeError, match="secret key"):
        fresh_client(keyless_app).get("/write")


def test_null_session_is_never_saved(keyless_app: Flask) -> None:
    saved = []

    class Recording(SecureCookieSessionInterface):
        def save_session(self, app: Flask, session: t.Any, response: t.Any) -> None:
            saved.append(session)

    keyless_app.session_interface = Recording()

    @keyless_app.route("/")
    def index() -> str:
        return ""

    fresh_client(keyless_app).get("/")
    assert saved == []


# -- the session interface ---------------------------------------------------------------


def test_session_interface_defaults(app: Flask) -> None:
    iface = SessionInterface()
    assert iface.null_session_class is NullSession
    assert iface.pickle_based is False
    null = iface.make_null_session(app)
    assert isinstance(null, NullSession)
    assert iface.is_null_session(null)
    assert not iface.is_null_session(SecureCookieSession())
    with pytest.raises(NotImplementedError):
        iface.open_session(app, None)  # type: ignore[arg-type]
    with pytest.raises(NotImplementedError):
        iface.save_session(app, SecureCookieSession(), None)  # type: ignore[arg-type]


def test_session_interface_reads_config(app: Flask) -> None:
    iface = SessionInterface()
    app.config.update(
        SESSION_COOKIE_NAME="sid",
        SESSION_COOKIE_DOMAIN="example.test",
        SESSION_COOKIE_PATH="/p",
        SESSION_COOKIE_HTTPONLY=False,
        SESSION_COOKIE_SECURE=True,
        SESSION_COOKIE_SAMESITE="Strict",
        SESSION_COOKIE_PARTITIONED=True,
    )
    assert iface.get_cookie_name(app) == "sid"
    assert iface.get_cookie_domain(app) == "example.test"
    assert iface.get_cookie_path(app) == "/p"
    assert iface.get_cookie_httponly(app) is False
    assert iface.get_cookie_secure(app) is True
    assert iface.get_cookie_samesite(app) == "Strict"
    assert iface.get_cookie_partitioned(app) is True


def test_cookie_path_falls_back_to_application_root(app: Flask) -> None:
    iface = SessionInterface()
    app.config.update(SESSION_COOKIE_PATH=None, APPLICATION_ROOT="/root")
    assert iface.get_cookie_path(app) == "/root"


def test_session_cookie_defaults(app: Flask) -> None:
    iface = SessionInterface()
    assert iface.get_cookie_name(app) == "session"
    assert iface.get_cookie_domain(app) is None
    assert iface.get_cookie_path(app) == "/"
    assert iface.get_cookie_httponly(app) is True
    assert iface.get_cookie_secure(app) is False
    assert iface.get_cookie_samesite(app) is None
    assert iface.get_cookie_partitioned(app) is False
    assert app.permanent_session_lifetime == timedelta(days=31)
    assert app.config["SESSION_REFRESH_EACH_REQUEST"] is True


@pytest.mark.parametrize(
    ("modified", "permanent", "refresh", "expected"),
    [
        (True, False, True, True),
        (True, False, False, True),
        (False, True, True, True),
        (False, True, False, False),
        (False, False, True, False),
    ],
)
def test_should_set_cookie(
    app: Flask, modified: bool, permanent: bool, refresh: bool, expected: bool
) -> None:
    app.config["SESSION_REFRESH_EACH_REQUEST"] = refresh
    s = SecureCookieSession({"_permanent": permanent})
    s.modified = modified
    assert SessionInterface().should_set_cookie(app, s) is expected


def test_expiration_time(app: Flask) -> None:
    iface = SessionInterface()
    app.permanent_session_lifetime = timedelta(hours=2)
    assert iface.get_expiration_time(app, SecureCookieSession()) is None
    before = datetime.now(timezone.utc)
    expires = iface.get_expiration_time(app, SecureCookieSession({"_permanent": True}))
    after = datetime.now(timezone.utc)
    assert expires is not None
    assert before + timedelta(hours=2) <= expires <= after + timedelta(hours=2)


def test_custom_session_interface(app: Flask, client: t.Any) -> None:
    store: dict[str, dict[str, t.Any]] = {}

    class ServerSide(dict, SessionMixin):  # type: ignore[type-arg]
        pass

    class MemoryInterface(SessionInterface):
        def open_session(self, app: Flask, request: flask.Request) -> ServerSide:
            sid = request.cookies.get("sid", "new")
            return ServerSide(store.get(sid, {}))

        def save_session(
            self, app: Flask, session: t.Any, response: flask.Response
        ) -> None:
            store["s1"] = dict(session)
            response.set_cookie("sid", "s1")

    app.session_interface = MemoryInterface()

    @app.route("/inc")
    def inc() -> str:
        session["n"] = session.get("n", 0) + 1
        return str(session["n"])

    assert client.get("/inc").text == "1"
    assert client.get("/inc").text == "2"
    assert store == {"s1": {"n": 2}}


def test_open_session_returning_none_gives_null_session(
    app: Flask, client: t.Any
) -> None:
    class Refusing(SessionInterface):
        def open_session(self, app: Flask, request: flask.Request) -> None:
            return None

        def save_session(self, app: Flask, session: t.Any, response: t.Any) -> None:
            raise AssertionError("a null session is not saved")

    app.session_interface = Refusing()

    @app.route("/")
    def index() -> str:
        return type(session._get_current_object()).__name__  # type: ignore[attr-defined]

    assert client.get("/").text == "NullSession"


def test_custom_null_session_class(app: Flask, client: t.Any) -> None:
    class MyNull(NullSession):
        pass

    class Interface(SecureCookieSessionInterface):
        null_session_class = MyNull

    app.session_interface = Interface()
    app.config["SECRET_KEY"] = None

    @app.route("/")
    def index() -> str:
        return type(session._get_current_object()).__name__  # type: ignore[attr-defined]

    assert client.get("/").text == "MyNull"


class _CountingInterface(SecureCookieSessionInterface):
    """The default interface, counting how often a serializer is needed
    (once per opened or saved session)."""

    def __init__(self) -> None:
        self.calls = 0

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        self.calls += 1
        return super().get_signing_serializer(app)


@pytest.mark.parametrize(
    ("path", "opened"), [("/ignore", False), ("/show", True), ("/set/a/1", True)]
)
def test_default_session_opens_on_first_use(
    dump_app: Flask, path: str, opened: bool
) -> None:
    iface = dump_app.session_interface = _CountingInterface()
    with dump_app.test_request_context():
        assert iface.calls == 0
        session.get("x")
        assert iface.calls == 1
    iface.calls = 0
    fresh_client(dump_app).get(path)
    assert (iface.calls > 0) is opened


def test_custom_session_interface_opens_eagerly(app: Flask) -> None:
    opened = []

    class Eager(SecureCookieSessionInterface):
        def open_session(self, app: Flask, request: flask.Request) -> t.Any:
            opened.append(request.path)
            return super().open_session(app, request)

    app.session_interface = Eager()
    with app.test_request_context("/x"):
        assert opened == ["/x"]


# -- SecureCookieSessionInterface configuration ------------------------------------------


def test_secure_cookie_interface_attributes() -> None:
    iface = SecureCookieSessionInterface()
    assert iface.salt == "cookie-session"
    assert iface.key_derivation == "hmac"
    assert iface.digest_method().name == "sha1"
    assert iface.digest_method(b"abc").hexdigest() == hashlib.sha1(b"abc").hexdigest()
    assert iface.serializer is session_json_serializer
    assert isinstance(session_json_serializer, TaggedJSONSerializer)
    assert iface.session_class is SecureCookieSession
    assert flask.Flask.session_interface.__class__ is SecureCookieSessionInterface


def test_signing_serializer_needs_a_secret_key(app: Flask) -> None:
    iface = SecureCookieSessionInterface()
    assert iface.get_signing_serializer(app) is not None
    app.config["SECRET_KEY"] = ""
    assert iface.get_signing_serializer(app) is None


def test_subclass_salt_changes_the_signature(app: Flask) -> None:
    class Salty(SecureCookieSessionInterface):
        salt = "other-salt"

    app.session_interface = Salty()

    @app.route("/")
    def index() -> str:
        session["a"] = 1
        return ""

    cookie = cookie_value(fresh_client(app).get("/"))
    with pytest.raises(BadSignature):
        read_payload(cookie)
    assert TimestampSigner(
        KEY, salt="other-salt", key_derivation="hmac", digest_method=hashlib.sha1
    ).unsign(cookie)


# -- interop with the Flask 3.1 cookie format --------------------------------------------


DT = datetime(2024, 2, 29, 13, 14, 15, tzinfo=timezone.utc)
U = uuid.UUID("12345678-1234-5678-1234-567812345678")

# (session data, the exact compact JSON Flask 3.1 writes for it)
WIRE_CASES = [
    pytest.param({"a": 1, "b": "x"}, '{"a":1,"b":"x"}', id="plain"),
    pytest.param({"z": 1, "a": 2}, '{"a":2,"z":1}', id="sorted-keys"),
    pytest.param({"t": (1, "2")}, '{"t":{" t":[1,"2"]}}', id="tuple"),
    pytest.param({"b": b"\x00\xffhi"}, '{"b":{" b":"AP9oaQ=="}}', id="bytes"),
    pytest.param({"m": Markup("<em>x</em>")}, '{"m":{" m":"<em>x</em>"}}', id="markup"),
    pytest.param(
        {"u": U}, '{"u":{" u":"12345678123456781234567812345678"}}', id="uuid"
    ),
    pytest.param(
        {"d": DT}, '{"d":{" d":"Thu, 29 Feb 2024 13:14:15 GMT"}}', id="datetime"
    ),
    pytest.param({"x": {" t": 1}}, '{"x":{" di":{" t__":1}}}', id="tag-like-dict"),
    pytest.param(
        {"l": [(1,), {"k": b"a"}]},
        '{"l":[{" t":[1]},{"k":{" b":"YQ=="}}]}',
        id="nested",
    ),
    pytest.param({"s": "é☃"}, '{"s":"\\u00e9\\u2603"}', id="non-ascii"),
    pytest.param(
        {"_permanent": True, "a": None}, '{"_permanent":true,"a":null}', id="permanent"
    ),
]


@pytest.mark.parametrize(("data", "wire"), WIRE_CASES)
def test_reads_cookies_in_the_flask_format(
    dump_app: Flask, data: dict[str, t.Any], wire: str
) -> None:
    rv = fresh_client(dump_app, sign_payload(wire)).get("/show")
    assert rv.status_code == 200
    assert rv.text == repr(sorted(data.items()))


@pytest.mark.parametrize(("data", "wire"), WIRE_CASES)
def test_writes_cookies_in_the_flask_format(
    app: Flask, data: dict[str, t.Any], wire: str
) -> None:
    @app.route("/")
    def index() -> str:
        session.update(data)
        return ""

    cookie = cookie_value(fresh_client(app).get("/"))
    assert read_payload(cookie) == wire
    assert reference_serializer().loads(cookie) == data


def test_reads_a_hand_built_compressed_cookie(dump_app: Flask) -> None:
    wire = json.dumps({"big": "ab" * 200, "t": {" t": [1, 2]}}, separators=(",", ":"))
    cookie = sign_payload(wire, compress=True)
    assert cookie.startswith(".")
    rv = fresh_client(dump_app, cookie).get("/show")
    assert rv.text == repr([("big", "ab" * 200), ("t", (1, 2))])


def test_writes_compressed_cookies_when_shorter(app: Flask) -> None:
    @app.route("/")
    def index() -> str:
        session["big"] = "x" * 500
        return ""

    cookie = cookie_value(fresh_client(app).get("/"))
    assert cookie.startswith(".")
    assert len(cookie) < 500
    assert read_payload(cookie) == '{"big":"' + "x" * 500 + '"}'


def test_reference_serializer_round_trip(dump_app: Flask) -> None:
    data = {"t": (1, 2), "b": b"\x01", "m": Markup("<i>"), "u": U, "d": DT}
    cookie = reference_serializer().dumps(data)
    rv = fresh_client(dump_app, cookie).get("/show")
    assert rv.text == repr(sorted(data.items()))


def test_session_transaction_uses_the_cookie(dump_app: Flask) -> None:
    client = dump_app.test_client()
    with client.session_transaction() as sess:
        sess["a"] = (1, 2)
    assert client.get("/show").text == repr([("a", (1, 2))])
    cookie = client.get_cookie("session")
    assert cookie is not None
    assert read_payload(cookie.value) == '{"a":{" t":[1,2]}}'


# -- what the response carries -----------------------------------------------------------


def test_set_session_sends_cookie_and_vary(dump_app: Flask) -> None:
    rv = fresh_client(dump_app).get("/set/a/1")
    (header,) = cookie_headers(rv)
    assert rv.headers.getlist("Vary") == ["Cookie"]
    attrs = cookie_attributes(header)
    assert attrs["path"] == "/"
    assert "httponly" in attrs
    assert "expires" not in attrs  # not permanent: a browser-session cookie
    assert "secure" not in attrs and "domain" not in attrs


@pytest.mark.parametrize("with_cookie", [False, True])
def test_untouched_session_sets_no_cookie(dump_app: Flask, with_cookie: bool) -> None:
    cookie = sign_payload('{"a":"1"}') if with_cookie else None
    rv = fresh_client(dump_app, cookie).get("/ignore")
    assert cookie_headers(rv) == []
    assert "Vary" not in rv.headers


@pytest.mark.parametrize("with_cookie", [False, True])
@pytest.mark.parametrize(
    "read",
    [
        lambda: session.get("a"),
        lambda: session["a"] if session.get("a") else None,
        lambda: session.setdefault("a", "1"),
    ],
)
def test_reading_the_session_adds_vary_cookie(
    app: Flask, with_cookie: bool, read: t.Callable[[], t.Any]
) -> None:
    @app.route("/")
    def index() -> str:
        read()
        return ""

    cookie = sign_payload('{"a":"1"}') if with_cookie else None
    rv = fresh_client(app, cookie).get("/")
    assert rv.headers.getlist("Vary") == ["Cookie"]


def test_vary_is_merged_with_other_values(app: Flask) -> None:
    @app.route("/")
    def index() -> flask.Response:
        session.get("a")
        rv = flask.make_response("")
        rv.vary.add("Accept-Encoding")
        return rv

    rv = fresh_client(app).get("/")
    assert rv.headers.getlist("Vary") == ["Accept-Encoding, Cookie"]


def test_emptied_session_deletes_the_cookie(dump_app: Flask) -> None:
    client = dump_app.test_client()
    client.get("/set/a/1")
    assert client.get_cookie("session") is not None
    rv = client.get("/clear")
    (header,) = cookie_headers(rv)
    attrs = cookie_attributes(header)
    assert header.startswith("session=;")
    expires = parse_date(attrs["expires"])
    assert expires is not None and expires < datetime.now(timezone.utc)
    assert attrs["max-age"] == "0"
    assert rv.headers.getlist("Vary") == ["Cookie"]
    assert client.get_cookie("session") is None
    assert client.get("/show").text == "[]"


def test_clearing_an_absent_session_still_deletes(dump_app: Flask) -> None:
    # The view emptied the session (which is modified), so any stale
    # cookie the browser holds is removed.
    rv = fresh_client(dump_app).get("/clear")
    (header,) = cookie_headers(rv)
    assert "max-age=0" in header.lower()


def test_session_persists_between_requests(dump_app: Flask) -> None:
    client = dump_app.test_client()
    client.get("/set/a/1")
    client.get("/set/b/2")
    assert client.get("/show").text == repr([("a", "1"), ("b", "2")])


def test_after_request_can_still_change_the_session(app: Flask) -> None:
    @app.after_request
    def late(response: flask.Response) -> flask.Response:
        session["late"] = True
        return response

    @app.route("/")
    def index() -> str:
        return ""

    cookie = cookie_value(fresh_client(app).get("/"))
    assert read_payload(cookie) == '{"late":true}'


def _expired_cookie() -> str:
    return sign_payload('{"a":"1"}', signer_class=_OldSigner)


def _bad_zlib_cookie() -> str:
    return _signer().sign(b"." + _b64encode(b"not zlib")).decode()


def _bad_base64_cookie() -> str:
    return _signer().sign(b"!!!").decode()


def _tampered_cookie() -> str:
    good = sign_payload('{"a":"1"}')
    payload, rest = good.split(".", 1)
    forged = _b64encode(b'{"a":"2"}').decode()
    return f"{forged}.{rest}"


def _change_signature(cookie: str) -> str:
    """Change a character of the signature that carries only data bits (the
    last one of the base64 text also holds padding bits, which decoding
    ignores, so changing it may leave the signature as it was)."""
    i = len(cookie) - 2
    return cookie[:i] + ("B" if cookie[i] == "A" else "A") + cookie[i + 1 :]


BAD_COOKIES = [
    pytest.param(_tampered_cookie, id="tampered-payload"),
    pytest.param(
        lambda: _change_signature(sign_payload('{"a":"1"}')), id="tampered-signature"
    ),
    pytest.param(lambda: sign_payload('{"a":"1"}', key="another key"), id="other-key"),
    pytest.param(_expired_cookie, id="expired"),
    pytest.param(lambda: sign_payload('{"a":"1"}')[:-8], id="truncated"),
    pytest.param(lambda: sign_payload('{"a":"1"}').split(".")[0], id="no-signature"),
    pytest.param(lambda: "not-a-cookie", id="garbage"),
    pytest.param(lambda: "é" + sign_payload('{"a":"1"}'), id="non-ascii"),
    pytest.param(lambda: sign_payload('{"a":"1"}') * 50, id="repeated"),
    pytest.param(lambda: ".", id="dot"),
    pytest.param(lambda: "....", id="dots"),
    pytest.param(lambda: sign_payload("{not json"), id="signed-not-json"),
    pytest.param(lambda: sign_payload(b"\xff\xfe"), id="signed-not-utf8"),
    pytest.param(lambda: sign_payload("[1,2]"), id="signed-list"),
    pytest.param(lambda: sign_payload('"text"'), id="signed-string"),
    pytest.param(lambda: sign_payload('{"a":{" t":5}}'), id="signed-bad-tuple-tag"),
    pytest.param(lambda: sign_payload('{"a":{" u":"zz"}}'), id="signed-bad-uuid-tag"),
    pytest.param(_bad_zlib_cookie, id="signed-bad-zlib"),
    pytest.param(_bad_base64_cookie, id="signed-bad-base64"),
]


@pytest.mark.parametrize("make_cookie", BAD_COOKIES)
def test_bad_cookies_give_an_empty_session(
    dump_app: Flask, make_cookie: t.Callable[[], str]
) -> None:
    client = fresh_client(dump_app, make_cookie())
    rv = client.get("/show")
    assert rv.status_code == 200
    assert rv.text == "[]"
    # The bad cookie is left alone until the session is written.
    assert cookie_headers(rv) == []
    rv = client.get("/set/a/new")
    assert read_payload(cookie_value(rv)) == '{"a":"new"}'


def test_expired_cookie_is_fine_with_a_longer_lifetime(dump_app: Flask) -> None:
    dump_app.permanent_session_lifetime = timedelta(days=41)
    rv = fresh_client(dump_app, _expired_cookie()).get("/show")
    assert rv.text == repr([("a", "1")])


# -- SESSION_COOKIE_* settings ----------------------------------------------------------


@pytest.mark.parametrize(
    ("config", "check"),
    [
        ({"SESSION_COOKIE_NAME": "sid"}, lambda h, a: h.startswith("sid=")),
        (
            {"SESSION_COOKIE_DOMAIN": "example.test"},
            lambda h, a: a["domain"] == "example.test",
        ),
        ({"SESSION_COOKIE_PATH": "/sub"}, lambda h, a: a["path"] == "/sub"),
        ({"APPLICATION_ROOT": "/root"}, lambda h, a: a["path"] == "/root"),
        (
            {"APPLICATION_ROOT": "/root", "SESSION_COOKIE_PATH": "/sub"},
            lambda h, a: a["path"] == "/sub",
        ),
        ({"SESSION_COOKIE_HTTPONLY": False}, lambda h, a: "httponly" not in a),
        ({"SESSION_COOKIE_HTTPONLY": True}, lambda h, a: "httponly" in a),
        ({"SESSION_COOKIE_SECURE": True}, lambda h, a: "secure" in a),
        ({"SESSION_COOKIE_SECURE": False}, lambda h, a: "secure" not in a),
        ({"SESSION_COOKIE_SAMESITE": "Lax"}, lambda h, a: a["samesite"] == "Lax"),
        ({"SESSION_COOKIE_SAMESITE": "Strict"}, lambda h, a: a["samesite"] == "Strict"),
        ({"SESSION_COOKIE_SAMESITE": "None"}, lambda h, a: a["samesite"] == "None"),
        ({"SESSION_COOKIE_SAMESITE": None}, lambda h, a: "samesite" not in a),
        ({"SESSION_COOKIE_PARTITIONED": True}, lambda h, a: "partitioned" in a),
        ({"SESSION_COOKIE_PARTITIONED": False}, lambda h, a: "partitioned" not in a),
    ],
)
@pytest.mark.parametrize("action", ["set", "delete"])
def test_session_cookie_settings(
    dump_app: Flask,
    config: dict[str, t.Any],
    check: t.Callable[[str, dict[str, str]], bool],
    action: str,
) -> None:
    dump_app.config.update(config)
    name = config.get("SESSION_COOKIE_NAME", "session")
    root = config.get("APPLICATION_ROOT", "")
    client = fresh_client(dump_app)
    url = "/set/a/1" if action == "set" else "/clear"
    base_url = f"https://example.test{root}"
    rv = client.get(url, base_url=base_url)
    (header,) = cookie_headers(rv, name)
    assert check(header, cookie_attributes(header)), header


def test_cookie_name_is_used_for_reading(dump_app: Flask) -> None:
    dump_app.config["SESSION_COOKIE_NAME"] = "sid"
    cookie = sign_payload('{"a":"1"}')
    assert fresh_client(dump_app, cookie, name="sid").get("/show").text == repr(
        [("a", "1")]
    )
    assert fresh_client(dump_app, cookie, name="session").get("/show").text == "[]"


@pytest.mark.parametrize(
    "lifetime",
    [timedelta(hours=1), timedelta(days=31), 600],
)
def test_permanent_session_expires_after_the_lifetime(
    app: Flask, lifetime: timedelta | int
) -> None:
    app.config["PERMANENT_SESSION_LIFETIME"] = lifetime
    span = lifetime if isinstance(lifetime, timedelta) else timedelta(seconds=lifetime)

    @app.route("/")
    def index() -> str:
        session.permanent = True
        session["a"] = 1
        return ""

    before = datetime.now(timezone.utc).replace(microsecond=0)
    rv = fresh_client(app).get("/")
    after = datetime.now(timezone.utc)
    (header,) = cookie_headers(rv)
    expires = parse_date(cookie_attributes(header)["expires"])
    assert expires is not None
    assert before + span <= expires <= after + span
    assert read_payload(cookie_value(rv)) == '{"_permanent":true,"a":1}'


def test_session_is_not_permanent_by_default(app: Flask) -> None:
    @app.route("/")
    def index() -> str:
        assert session.permanent is False
        session["a"] = 1
        return ""

    rv = fresh_client(app).get("/")
    assert "expires" not in cookie_attributes(cookie_headers(rv)[0])
    assert read_payload(cookie_value(rv)) == '{"a":1}'


def test_permanent_flag_survives_requests(dump_app: Flask) -> None:
    @dump_app.route("/perm")
    def perm() -> str:
        return str(session.permanent)

    cookie = sign_payload('{"_permanent":true,"a":"1"}')
    assert fresh_client(dump_app, cookie).get("/perm").text == "True"
    assert (
        fresh_client(dump_app, sign_payload('{"a":"1"}')).get("/perm").text == "False"
    )


@pytest.mark.parametrize(
    ("permanent", "refresh", "refreshed"),
    [
        (True, True, True),
        (True, False, False),
        (False, True, False),
        (False, False, False),
    ],
)
def test_refresh_each_request(
    dump_app: Flask, permanent: bool, refresh: bool, refreshed: bool
) -> None:
    dump_app.config["SESSION_REFRESH_EACH_REQUEST"] = refresh
    payload = '{"_permanent":true,"a":"1"}' if permanent else '{"a":"1"}'
    rv = fresh_client(dump_app, sign_payload(payload)).get("/ignore")
    headers = cookie_headers(rv)
    if refreshed:
        assert read_payload(cookie_value(rv)) == payload
        assert "expires" in cookie_attributes(headers[0])
        assert rv.headers.getlist("Vary") == ["Cookie"]
    else:
        assert headers == []


def test_max_age_follows_the_lifetime_setting(dump_app: Flask) -> None:
    dump_app.permanent_session_lifetime = timedelta(days=39)
    assert fresh_client(dump_app, _expired_cookie()).get("/show").text == "[]"
    dump_app.permanent_session_lifetime = timedelta(days=41)
    assert fresh_client(dump_app, _expired_cookie()).get("/show").text != "[]"


# -- keys: fallbacks, rotation and the serializer cache -----------------------------------


def test_fallback_key_reads_old_cookie_and_writes_with_the_new_key(
    dump_app: Flask,
) -> None:
    dump_app.config["SECRET_KEY"] = "new key"
    dump_app.config["SECRET_KEY_FALLBACKS"] = ["older key", "old key"]
    client = fresh_client(dump_app, sign_payload('{"a":"1"}', key="old key"))
    assert client.get("/show").text == repr([("a", "1")])

    rv = client.get("/set/b/2")
    cookie = cookie_value(rv)
    assert read_payload(cookie, key="new key") == '{"a":"1","b":"2"}'
    for old in ("old key", "older key"):
        with pytest.raises(BadSignature):
            read_payload(cookie, key=old)


def test_key_not_in_fallbacks_is_rejected(dump_app: Flask) -> None:
    dump_app.config["SECRET_KEY"] = "new key"
    dump_app.config["SECRET_KEY_FALLBACKS"] = ["old key"]
    cookie = sign_payload('{"a":"1"}', key="unrelated key")
    assert fresh_client(dump_app, cookie).get("/show").text == "[]"


def test_bytes_secret_key(dump_app: Flask) -> None:
    dump_app.config["SECRET_KEY"] = b"\x00bytes key\xff"
    cookie = sign_payload('{"a":"1"}', key=b"\x00bytes key\xff")
    assert fresh_client(dump_app, cookie).get("/show").text == repr([("a", "1")])


def test_changing_the_secret_key_takes_effect(dump_app: Flask) -> None:
    client = dump_app.test_client()
    cookie = cookie_value(client.get("/set/a/1"))
    assert read_payload(cookie, key=KEY)

    dump_app.config["SECRET_KEY"] = "rotated"
    assert client.get("/show").text == "[]"
    cookie = cookie_value(client.get("/set/b/2"))
    assert read_payload(cookie, key="rotated") == '{"b":"2"}'

    dump_app.secret_key = KEY
    assert client.get("/show").text == "[]"
    dump_app.config["SECRET_KEY_FALLBACKS"] = ["rotated"]
    assert client.get("/show").text == repr([("b", "2")])
    dump_app.config["SECRET_KEY_FALLBACKS"] = []
    assert client.get("/show").text == "[]"


def test_serializer_is_cached_while_settings_stay_the_same(app: Flask) -> None:
    iface = SecureCookieSessionInterface()
    first = iface.get_signing_serializer(app)
    assert iface.get_signing_serializer(app) is first
    app.config["SECRET_KEY"] = "changed"
    second = iface.get_signing_serializer(app)
    assert second is not first
    assert iface.get_signing_serializer(app) is second


def test_cached_serializer_keeps_keys_apart(dump_app: Flask) -> None:
    # The cached serializer reuses its signer and derived keys; cookies
    # signed with either key keep reading correctly, in any order.
    dump_app.config["SECRET_KEY_FALLBACKS"] = ["old key"]
    old = sign_payload('{"a":"old"}', key="old key")
    new = sign_payload('{"a":"new"}')
    other = sign_payload('{"a":"other"}', key="other key")
    for cookie, expected in [(old, "old"), (new, "new"), (other, None)] * 2:
        text = fresh_client(dump_app, cookie).get("/show").text
        assert text == (repr([("a", expected)]) if expected else "[]")


def test_signing_serializer_other_salt(app: Flask) -> None:
    s = SecureCookieSessionInterface().get_signing_serializer(app)
    assert s is not None
    value = s.dumps({"a": 1}, salt="elsewhere")
    assert s.loads(value, salt="elsewhere") == {"a": 1}
    with pytest.raises(BadSignature):
        s.loads(value)
    assert s.loads(s.dumps({"b": 2})) == {"b": 2}
    assert reference_serializer().loads(s.dumps({"b": 2})) == {"b": 2}


def test_serializer_cache_is_per_app(app: Flask) -> None:
    other = Flask("other")
    other.config["SECRET_KEY"] = "other key"
    iface = SecureCookieSessionInterface()
    s1 = iface.get_signing_serializer(app)
    s2 = iface.get_signing_serializer(other)
    assert s1 is not s2
    assert s1 is not None and s2 is not None
    cookie = s2.dumps({"a": 1})
    with pytest.raises(BadSignature):
        s1.loads(cookie)
    assert iface.get_signing_serializer(app) is s1


def test_serializer_cache_sees_subclass_settings(app: Flask) -> None:
    class Salty(SecureCookieSessionInterface):
        salt = "pepper"

    plain = SecureCookieSessionInterface().get_signing_serializer(app)
    salty = Salty().get_signing_serializer(app)
    assert plain is not None and salty is not None
    with pytest.raises(BadSignature):
        salty.loads(plain.dumps({"a": 1}))


def test_parse_cookie_round_trip(dump_app: Flask) -> None:
    # The cookie value needs no quoting in the Set-Cookie header.
    rv = fresh_client(dump_app).get("/set/a/" + "b" * 10)
    (header,) = cookie_headers(rv)
    assert '"' not in header.split(";", 1)[0]
    assert parse_cookie(header.split(";", 1)[0])["session"] == cookie_value(rv)
