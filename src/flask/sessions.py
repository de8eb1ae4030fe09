"""Sessions: the interface an app opens and saves them through, and the
default one, which keeps the session in a cookie signed with the secret key.

:class:`SessionInterface` is the extension point: ``app.session_interface``
may be any subclass, opened when a request starts and saved on its
response. The default, :class:`SecureCookieSessionInterface`, writes the
same cookie bytes as Flask's (a cookie made by either is read by the other)
and does as little per request as it can: its serializer is built once per
app and set of keys, and a cookie whose signature was checked once is not
checked again while the browser keeps sending it.
"""

from __future__ import annotations

import collections.abc as c
import hashlib
import time
import typing as t
import weakref
import zlib
from datetime import datetime
from datetime import timedelta
from datetime import timezone

from itsdangerous import BadData
from itsdangerous import BadSignature
from itsdangerous import Serializer
from itsdangerous import SignatureExpired
from itsdangerous import Signer
from itsdangerous import TimestampSigner
from itsdangerous import URLSafeTimedSerializer
from itsdangerous.encoding import base64_decode
from itsdangerous.encoding import base64_encode
from itsdangerous.encoding import int_to_bytes
from itsdangerous.encoding import want_bytes
from werkzeug.datastructures import CallbackDict

from .json.tag import TaggedJSONSerializer

if t.TYPE_CHECKING:  # pragma: no cover
    from .app import Flask
    from .wrappers import Request
    from .wrappers import Response

#: The key under which a session stores its ``permanent`` flag, so the
#: flag travels in the cookie with the data.
_PERMANENT_KEY = "_permanent"


class _PermanentFlag:
    """The ``permanent`` attribute of sessions, kept in the session itself.

    ``quiet`` reads it with :meth:`dict.get`, for sessions whose own
    ``get`` records an access: saving reads the flag, and that must not
    count as the view reading the session.
    """

    def __init__(self, *, quiet: bool) -> None:
        self.quiet = quiet
        self.__doc__ = (
            "Whether the cookie outlives the browser session "
            "(for ``PERMANENT_SESSION_LIFETIME``)."
        )

    @t.overload
    def __get__(self, session: None, owner: type | None = None) -> _PermanentFlag: ...

    @t.overload
    def __get__(self, session: SessionMixin, owner: type | None = None) -> bool: ...

    def __get__(
        self, session: SessionMixin | None, owner: type | None = None
    ) -> _PermanentFlag | bool:
        if session is None:
            return self
        if self.quiet:
            return bool(dict.get(session, _PERMANENT_KEY))  # type: ignore[call-overload]
        return bool(session.get(_PERMANENT_KEY, False))

    def __set__(self, session: SessionMixin, value: bool) -> None:
        session[_PERMANENT_KEY] = bool(value)


class SessionMixin(c.MutableMapping[str, t.Any]):
    """What a session offers besides being a mutable mapping: the flags
    the app reads when saving it. Custom session classes inherit it."""

    permanent = _PermanentFlag(quiet=False)

    #: True for a session created by this request (interfaces may set it).
    new: bool = False
    #: Whether the data changed. A mapping with no tracking reports True,
    #: so it is always saved.
    modified: bool = True
    #: Whether the data was read or written: then the response carries
    #: ``Vary: Cookie``, as it depends on the cookie.
    accessed: bool = True


def _record_write(session: c.MutableMapping[str, t.Any]) -> None:
    """The change callback of :class:`SecureCookieSession`."""
    session.modified = True  # type: ignore[attr-defined]
    session.accessed = True  # type: ignore[attr-defined]


class SecureCookieSession(CallbackDict[str, t.Any], SessionMixin):
    """The session of the signed-cookie interface: a dict that records
    reads (:attr:`accessed`) and writes (:attr:`modified`). Mutating a
    value in place isn't seen: set ``modified`` by hand then."""

    modified: bool = False
    accessed: bool = False
    permanent = _PermanentFlag(quiet=True)

    def __init__(
        self,
        initial: c.Mapping[str, t.Any] | c.Iterable[tuple[str, t.Any]] | None = None,
    ) -> None:
        super().__init__(initial, _record_write)

    # The reading methods; the writing ones call ``_record_write``.

    def __getitem__(self, key: str) -> t.Any:
        self.accessed = True
        return dict.__getitem__(self, key)

    def get(self, key: str, default: t.Any = None) -> t.Any:
        self.accessed = True
        return dict.get(self, key, default)

    def setdefault(self, key: str, default: t.Any = None) -> t.Any:
        self.accessed = True
        # Werkzeug's: it records a write when the key was missing.
        return super().setdefault(key, default)


_NO_SECRET_KEY = (
    "The session is unavailable because no secret key was set.  Set the"
    " secret_key on the application to something unique and secret."
)


def _refuse_write(self: NullSession, *args: t.Any, **kwargs: t.Any) -> t.NoReturn:
    raise RuntimeError(_NO_SECRET_KEY)


class NullSession(SecureCookieSession):
    """The session when none could be opened (no secret key): an empty
    session that can be read, and whose every change raises
    :exc:`RuntimeError` saying what is missing."""

    __setitem__ = _refuse_write
    __delitem__ = _refuse_write
    clear = _refuse_write
    pop = _refuse_write
    popitem = _refuse_write
    update = _refuse_write
    setdefault = _refuse_write


class SessionInterface:
    """How an app opens and saves sessions. To keep them elsewhere than in
    a signed cookie, subclass it and set ``app.session_interface``.

    :meth:`open_session` runs when the request context is pushed and
    returns the session, or None to use :meth:`make_null_session`'s;
    :meth:`save_session` runs on the response, for any session that is not
    a null one. The ``get_cookie_*`` methods read the app's config; they
    are what the default interface sets its cookie with.
    """

    #: The class of :meth:`make_null_session`'s sessions.
    null_session_class: type[NullSession] = NullSession
    #: Whether the interface pickles sessions (informational for users).
    pickle_based: bool = False

    def get_cookie_name(self, app: Flask) -> str:
        """The cookie's name: ``SESSION_COOKIE_NAME``."""
        name: str = app.config["SESSION_COOKIE_NAME"]
        return name

    def get_cookie_domain(self, app: Flask) -> str | None:
        """The cookie's ``Domain``: ``SESSION_COOKIE_DOMAIN`` (None: the
        host that set it only)."""
        domain: str | None = app.config["SESSION_COOKIE_DOMAIN"]
        return domain

    def get_cookie_path(self, app: Flask) -> str:
        """The cookie's ``Path``: ``SESSION_COOKIE_PATH``, or when that is
        empty ``APPLICATION_ROOT``."""
        config = app.config
        path: str = config["SESSION_COOKIE_PATH"] or config["APPLICATION_ROOT"]
        return path

    def get_cookie_httponly(self, app: Flask) -> bool:
        """Whether scripts are kept from the cookie: ``SESSION_COOKIE_HTTPONLY``."""
        httponly: bool = app.config["SESSION_COOKIE_HTTPONLY"]
        return httponly

    def get_cookie_secure(self, app: Flask) -> bool:
        """Whether the cookie is sent over HTTPS only: ``SESSION_COOKIE_SECURE``."""
        secure: bool = app.config["SESSION_COOKIE_SECURE"]
        return secure

    def get_cookie_samesite(self, app: Flask) -> str | None:
        """The cookie's ``SameSite``: ``SESSION_COOKIE_SAMESITE``."""
        samesite: str | None = app.config["SESSION_COOKIE_SAMESITE"]
        return samesite

    def get_cookie_partitioned(self, app: Flask) -> bool:
        """Whether the cookie is ``Partitioned`` (CHIPS):
        ``SESSION_COOKIE_PARTITIONED``."""
        partitioned: bool = app.config["SESSION_COOKIE_PARTITIONED"]
        return partitioned

    def get_expiration_time(self, app: Flask, session: SessionMixin) -> datetime | None:
        """When the cookie expires: ``PERMANENT_SESSION_LIFETIME`` from now
        for a permanent session, else None (when the browser closes)."""
        if not session.permanent:
            return None
        lifetime: timedelta = app.permanent_session_lifetime
        return datetime.now(timezone.utc) + lifetime

    def should_set_cookie(self, app: Flask, session: SessionMixin) -> bool:
        """Whether the response sets the cookie: the session changed, or it
        is permanent and ``SESSION_REFRESH_EACH_REQUEST`` renews it."""
        if session.modified:
            return True
        return session.permanent and bool(app.config["SESSION_REFRESH_EACH_REQUEST"])

    def open_session(self, app: Flask, request: Request) -> SessionMixin | None:
        """The request's session; None when it can't be opened, to get a
        null session instead (requests still work, writes to it fail)."""
        raise NotImplementedError()

    def make_null_session(self, app: Flask) -> NullSession:
        """The stand-in for a session :meth:`open_session` could not open."""
        return self.null_session_class()

    def is_null_session(self, obj: object) -> bool:
        """Whether ``obj`` is a null session, which is never saved."""
        return isinstance(obj, self.null_session_class)

    def save_session(
        self, app: Flask, session: SessionMixin, response: Response
    ) -> None:
        """Store the session, typically by setting a cookie on the response."""
        raise NotImplementedError()


session_json_serializer = TaggedJSONSerializer()


# Serializers built per app, reused while the keys and settings stay the same.
_serializers: weakref.WeakKeyDictionary[
    Flask, tuple[_SigningSetup, _SessionSerializer]
] = weakref.WeakKeyDictionary()


def _lazy_sha1(string: bytes = b"") -> t.Any:
    """SHA-1 built on first use, so importing works where it is absent."""
    return hashlib.sha1(string)


def _resolve_digest(digest_method: t.Any) -> t.Any:
    # ``hmac`` takes its fast OpenSSL path only for hashlib's own
    # constructors, so the lazy default is swapped for ``hashlib.sha1`` when
    # the serializer is built (at run time, once per configuration).
    if digest_method is _lazy_sha1:
        return hashlib.sha1
    return digest_method


class _ReusedSigner(TimestampSigner):
    """A timestamp signer kept for the life of its serializer, so each
    key is derived (two HMAC rounds) once instead of on every request."""

    def __init__(self, *args: t.Any, **kwargs: t.Any) -> None:
        super().__init__(*args, **kwargs)
        self._derived: dict[bytes | None, bytes] = {}

    def derive_key(self, secret_key: str | bytes | None = None) -> bytes:
        cache_key = None if secret_key is None else want_bytes(secret_key)
        rv = self._derived.get(cache_key)
        if rv is None:
            rv = self._derived[cache_key] = super().derive_key(secret_key)
        return rv


class _SessionSerializer(URLSafeTimedSerializer):
    """The cookie serializer; it builds its signer for the default salt
    once. Its output is the same as a plain ``URLSafeTimedSerializer``."""

    default_signer = _ReusedSigner
    _signer: Signer | None = None

    def __init__(self, *args: t.Any, **kwargs: t.Any) -> None:
        super().__init__(*args, **kwargs)
        #: cookie -> (its JSON, its timestamp), for cookies known as signed.
        self._verified: dict[str, tuple[bytes, int]] = {}
        #: (JSON, timestamp) -> cookie, for cookies this serializer made.
        self._dumped: dict[tuple[bytes, int], str] = {}

    def make_signer(self, salt: str | bytes | None = None) -> Signer:
        if salt is not None and want_bytes(salt) != self.salt:
            return super().make_signer(salt)
        if self._signer is None:
            self._signer = super().make_signer()
        return self._signer

    def dumps(self, obj: t.Any, salt: str | bytes | None = None) -> str:
        """Like itsdangerous's, but the same data signed in the same second
        is signed once (the cookie is a function of the JSON, the key and
        the timestamp). The cookie made is remembered as verified: the
        browser sends it back on its next request."""
        if not self.is_text_serializer or (
            salt is not None and want_bytes(salt) != self.salt
        ):
            return super().dumps(obj, salt)
        json_bytes = Serializer.dump_payload(self, obj)
        signer = t.cast(TimestampSigner, self.make_signer())
        stamp = signer.get_timestamp()
        dumped = self._dumped
        cookie = dumped.get((json_bytes, stamp))
        if cookie is None:
            # TimestampSigner.sign, with the timestamp already read.
            sep = want_bytes(signer.sep)
            value = _encode_url_safe(json_bytes) + sep
            value += base64_encode(int_to_bytes(stamp))
            cookie = (value + sep + signer.get_signature(value)).decode()
            if len(dumped) >= _MAX_DUMPED:
                dumped.clear()
            dumped[(json_bytes, stamp)] = cookie
            self._remember(cookie, json_bytes, stamp)
        return cookie

    def _remember(self, cookie: str, json_bytes: bytes, timestamp: int) -> None:
        verified = self._verified
        if len(verified) >= _MAX_VERIFIED:
            verified.clear()
        verified[cookie] = (json_bytes, timestamp)

    def loads(  # type: ignore[override]
        self,
        s: str | bytes,
        max_age: int | None = None,
        return_timestamp: bool = False,
        salt: str | bytes | None = None,
    ) -> t.Any:
        """Like itsdangerous's, but a cookie whose signature was verified
        before is not verified again: browsers send the same cookie until
        it changes. Only its age is checked again."""
        if return_timestamp or salt is not None or not isinstance(s, str):
            return super().loads(s, max_age, return_timestamp, salt)
        hit = self._verified.get(s)
        if hit is not None:
            json_bytes, timestamp = hit
            age = int(time.time()) - timestamp
            if max_age is None or 0 <= age <= max_age:
                # Skip the URL-safe decoding too: the decoded JSON was kept.
                return Serializer.load_payload(self, json_bytes)
        payload, signed_at = self._unsign(s, max_age)
        result = self.load_payload(payload)
        self._remember(s, _decode_url_safe(payload), int(signed_at.timestamp()))
        return result

    def _unsign(self, s: str, max_age: int | None) -> tuple[bytes, datetime]:
        """Verify with each key in turn, as itsdangerous does."""
        last_error: BadSignature | None = None
        for signer in self.iter_unsigners():
            try:
                return signer.unsign(s, max_age=max_age, return_timestamp=True)
            except SignatureExpired:
                raise
            except BadSignature as e:
                last_error = e
        assert last_error is not None
        raise last_error


#: Verified cookies remembered per serializer (per app and keys).
_MAX_VERIFIED = 512
#: Cookies made from the same JSON in the same second, remembered per
#: serializer; older seconds are never asked for again.
_MAX_DUMPED = 64


def _encode_url_safe(json_bytes: bytes) -> bytes:
    """URLSafeSerializer's payload for ``json_bytes``: URL-safe base64 of
    the zlib-compressed JSON behind a dot when that is shorter."""
    compressed = zlib.compress(json_bytes)
    if len(compressed) < len(json_bytes) - 1:
        return b"." + base64_encode(compressed)
    return base64_encode(json_bytes)


def _decode_url_safe(payload: bytes) -> bytes:
    """The JSON inside a payload that already loaded once: URL-safe
    base64, zlib-compressed when it starts with a dot (itsdangerous's
    format)."""
    if payload.startswith(b"."):
        return zlib.decompress(base64_decode(payload[1:]))
    return base64_decode(payload)


class _SigningSetup(t.NamedTuple):
    """Everything a cookie serializer is built from. An app's serializer
    is reused while its setup compares equal, and rebuilt when a key or an
    interface setting changes."""

    secret_key: str | bytes
    fallbacks: tuple[str | bytes, ...]
    salt: str | bytes
    serializer: t.Any
    key_derivation: str
    digest_method: t.Any

    def build(self) -> _SessionSerializer:
        # itsdangerous signs with the last key and verifies with each one.
        keys: list[t.Any] = [*self.fallbacks, self.secret_key]
        signing = {
            "key_derivation": self.key_derivation,
            "digest_method": _resolve_digest(self.digest_method),
        }
        return _SessionSerializer(
            keys, self.salt, self.serializer, signer_kwargs=signing
        )


#: The ``set_cookie`` keywords the session cookie is set and deleted with,
#: each with the interface method that gives it.
_COOKIE_ATTRIBUTES = (
    ("domain", "get_cookie_domain"),
    ("path", "get_cookie_path"),
    ("secure", "get_cookie_secure"),
    ("partitioned", "get_cookie_partitioned"),
    ("samesite", "get_cookie_samesite"),
    ("httponly", "get_cookie_httponly"),
)


class SecureCookieSessionInterface(SessionInterface):
    """Keeps the session in a cookie signed by :mod:`itsdangerous` with
    ``SECRET_KEY``, and still readable when signed with one of
    ``SECRET_KEY_FALLBACKS``.

    A cookie that was tampered with, signed with another key, expired or
    can't be decoded opens as an empty session, never as an error.
    """

    #: Mixed into the signing key, so the key signs nothing else alike.
    salt: str = "cookie-session"
    #: How itsdangerous derives the signing key from the secret key.
    key_derivation: str = "hmac"
    #: The signature's hash function (SHA-1, built on first use).
    digest_method: t.Any = staticmethod(_lazy_sha1)
    #: Turns the session's data into the payload and back: tagged JSON.
    serializer: t.Any = session_json_serializer
    #: The class of the sessions :meth:`open_session` returns.
    session_class: type[SecureCookieSession] = SecureCookieSession

    #: Whether request contexts may open the session on first use instead
    #: of on push: with no cookie sent, opening it late or never gives the
    #: same response, and with a cookie sent it is opened before saving.
    #: Only the stock load/save logic qualifies; other interfaces (without
    #: this attribute, or subclasses overriding either) are opened eagerly.
    _open_lazily: bool = True

    def __init_subclass__(cls, **kwargs: t.Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._open_lazily = (
            cls.open_session is SecureCookieSessionInterface.open_session
            and cls.save_session is SecureCookieSessionInterface.save_session
        )

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        """The serializer for the app's keys, or None without a secret key."""
        secret_key = app.secret_key
        if not secret_key:
            return None
        fallbacks = app.config["SECRET_KEY_FALLBACKS"]
        # A plain tuple compares equal to the kept _SigningSetup; the named
        # one is only built when the setup changed (twice per request else).
        setup = (
            secret_key,
            tuple(fallbacks) if fallbacks else (),
            self.salt,
            self.serializer,
            self.key_derivation,
            self.digest_method,
        )
        known = _serializers.get(app)
        if known is None or known[0] != setup:
            named = _SigningSetup(*setup)
            known = _serializers[app] = (named, named.build())
        return known[1]

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        serializer = self.get_signing_serializer(app)
        if serializer is None:
            return None
        return self.session_class(self._cookie_data(app, request, serializer))

    def _cookie_data(
        self, app: Flask, request: Request, serializer: URLSafeTimedSerializer
    ) -> dict[str, t.Any]:
        """The data signed into the request's cookie: empty without one,
        or when it is bad, expired, or signs something else than a dict."""
        cookie = request.cookies.get(self.get_cookie_name(app))
        if not cookie:
            return {}
        lifetime = int(app.permanent_session_lifetime.total_seconds())
        try:
            data = serializer.loads(cookie, max_age=lifetime)
        except BadData:
            # A bad or expired signature, or a signed payload that doesn't
            # decode: both are a fresh session.
            return {}
        return data if isinstance(data, dict) else {}

    def save_session(
        self, app: Flask, session: SessionMixin, response: Response
    ) -> None:
        # A non-empty session is written when ``should_set_cookie`` says
        # so; an emptied one deletes its cookie. The response varies on the
        # cookie when it was read or when it changes.
        if session:
            changed = self.should_set_cookie(app, session)
            if changed:
                self._set_cookie(app, session, response)
        else:
            changed = session.modified
            if changed:
                name = self.get_cookie_name(app)
                response.delete_cookie(name, **self._cookie_attributes(app))
        if changed or session.accessed:
            _vary_on_cookie(response)

    def _set_cookie(
        self, app: Flask, session: SessionMixin, response: Response
    ) -> None:
        serializer = self.get_signing_serializer(app)
        assert serializer is not None, "saving a session needs a secret key"
        response.set_cookie(
            self.get_cookie_name(app),
            serializer.dumps(dict(session)),
            expires=self.get_expiration_time(app, session),
            **self._cookie_attributes(app),
        )

    def _cookie_attributes(self, app: Flask) -> dict[str, t.Any]:
        return {kw: getattr(self, getter)(app) for kw, getter in _COOKIE_ATTRIBUTES}


def _vary_on_cookie(response: Response) -> None:
    """Add ``Cookie`` to the ``Vary`` header; without parsing a header set
    when there is no ``Vary`` yet (the common case)."""
    if response.headers.getlist("Vary"):
        response.vary.add("Cookie")
    else:
        response.headers["Vary"] = "Cookie"
