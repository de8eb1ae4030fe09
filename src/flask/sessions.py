"""Sessions: the interface an app uses to load and save them, and the
default, which keeps the session in a signed cookie."""

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
from itsdangerous.encoding import want_bytes
from werkzeug.datastructures import CallbackDict

from .json.tag import TaggedJSONSerializer

if t.TYPE_CHECKING:  # pragma: no cover
    from .app import Flask
    from .wrappers import Request
    from .wrappers import Response


class SessionMixin(c.MutableMapping[str, t.Any]):
    """What every session object offers besides being a mapping."""

    @property
    def permanent(self) -> bool:
        """Whether the cookie outlives the browser session
        (``PERMANENT_SESSION_LIFETIME``)."""
        return self.get("_permanent", False)  # type: ignore[no-any-return]

    @permanent.setter
    def permanent(self, value: bool) -> None:
        self["_permanent"] = bool(value)

    #: True when the session was just created (interfaces may set it).
    new = False
    #: Whether the session changed; the default interface saves only then.
    modified = True
    #: Whether the session was read; adds ``Vary: Cookie`` to the response.
    accessed = True


class SecureCookieSession(CallbackDict[str, t.Any], SessionMixin):
    """The session of the signed-cookie interface: a dict tracking
    whether it was read (:attr:`accessed`) or changed (:attr:`modified`).
    Changes to mutable values inside it must set ``modified`` by hand."""

    modified = False
    accessed = False

    def __init__(
        self,
        initial: c.Mapping[str, t.Any] | c.Iterable[tuple[str, t.Any]] | None = None,
    ) -> None:
        def on_update(self: c.MutableMapping[str, t.Any]) -> None:
            self.modified = True  # type: ignore[attr-defined]
            self.accessed = True  # type: ignore[attr-defined]

        super().__init__(initial, on_update)

    @property
    def permanent(self) -> bool:
        # Reading the flag (as saving does) is not reading the session's data.
        return dict.get(self, "_permanent", False)  # type: ignore[no-any-return]

    @permanent.setter
    def permanent(self, value: bool) -> None:
        self["_permanent"] = bool(value)

    def __getitem__(self, key: str) -> t.Any:
        self.accessed = True
        return super().__getitem__(key)

    def get(self, key: str, default: t.Any = None) -> t.Any:
        self.accessed = True
        return super().get(key, default)

    def setdefault(self, key: str, default: t.Any = None) -> t.Any:
        self.accessed = True
        return super().setdefault(key, default)


class NullSession(SecureCookieSession):
    """The session when none can be opened (no secret key): reading
    works, writing raises a RuntimeError explaining why."""

    def _fail(self, *args: t.Any, **kwargs: t.Any) -> t.NoReturn:
        raise RuntimeError(
            "The session is unavailable because no secret "
            "key was set.  Set the secret_key on the "
            "application to something unique and secret."
        )

    __setitem__ = __delitem__ = clear = pop = popitem = update = setdefault = _fail  # noqa: B950
    del _fail


class SessionInterface:
    """How an app opens and saves sessions; set ``app.session_interface``
    to an instance of a subclass to replace the signed cookie.

    :meth:`open_session` returns a session, or None for a
    :class:`NullSession`; :meth:`save_session` writes it on the response.
    """

    #: The class :meth:`make_null_session` instantiates.
    null_session_class = NullSession
    #: True for interfaces using pickle (informational).
    pickle_based = False

    def make_null_session(self, app: Flask) -> NullSession:
        """The session used when :meth:`open_session` returns None."""
        return self.null_session_class()

    def is_null_session(self, obj: object) -> bool:
        """Whether ``obj`` is a null session (not saved)."""
        return isinstance(obj, self.null_session_class)

    def get_cookie_name(self, app: Flask) -> str:
        """``SESSION_COOKIE_NAME``."""
        return app.config["SESSION_COOKIE_NAME"]  # type: ignore[no-any-return]

    def get_cookie_domain(self, app: Flask) -> str | None:
        """``SESSION_COOKIE_DOMAIN``."""
        return app.config["SESSION_COOKIE_DOMAIN"]  # type: ignore[no-any-return]

    def get_cookie_path(self, app: Flask) -> str:
        """``SESSION_COOKIE_PATH``, else ``APPLICATION_ROOT``."""
        return app.config["SESSION_COOKIE_PATH"] or app.config["APPLICATION_ROOT"]  # type: ignore[no-any-return]

    def get_cookie_httponly(self, app: Flask) -> bool:
        """``SESSION_COOKIE_HTTPONLY``."""
        return app.config["SESSION_COOKIE_HTTPONLY"]  # type: ignore[no-any-return]

    def get_cookie_secure(self, app: Flask) -> bool:
        """``SESSION_COOKIE_SECURE``."""
        return app.config["SESSION_COOKIE_SECURE"]  # type: ignore[no-any-return]

    def get_cookie_samesite(self, app: Flask) -> str | None:
        """``SESSION_COOKIE_SAMESITE``."""
        return app.config["SESSION_COOKIE_SAMESITE"]  # type: ignore[no-any-return]

    def get_cookie_partitioned(self, app: Flask) -> bool:
        """``SESSION_COOKIE_PARTITIONED``."""
        return app.config["SESSION_COOKIE_PARTITIONED"]  # type: ignore[no-any-return]

    def get_expiration_time(self, app: Flask, session: SessionMixin) -> datetime | None:
        """When a permanent session's cookie expires; None (browser
        session) otherwise."""
        if session.permanent:
            lifetime: timedelta = app.permanent_session_lifetime
            return datetime.now(timezone.utc) + lifetime
        return None

    def should_set_cookie(self, app: Flask, session: SessionMixin) -> bool:
        """Whether to send the cookie: when modified, or for a permanent
        session with ``SESSION_REFRESH_EACH_REQUEST``."""
        return session.modified or (
            session.permanent and app.config["SESSION_REFRESH_EACH_REQUEST"]
        )

    def open_session(self, app: Flask, request: Request) -> SessionMixin | None:
        """Load the session for the request, or None for a null session."""
        raise NotImplementedError()

    def save_session(
        self, app: Flask, session: SessionMixin, response: Response
    ) -> None:
        """Write the session on the response."""
        raise NotImplementedError()


session_json_serializer = TaggedJSONSerializer()


# Serializers built per app, reused while the keys and settings stay the same.
_serializers: weakref.WeakKeyDictionary[
    Flask, tuple[tuple[t.Any, ...], URLSafeTimedSerializer]
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

    def make_signer(self, salt: str | bytes | None = None) -> Signer:
        if salt is not None and want_bytes(salt) != self.salt:
            return super().make_signer(salt)
        if self._signer is None:
            self._signer = super().make_signer()
        return self._signer

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
        verified: dict[str, tuple[bytes, int]] = self.__dict__.setdefault(
            "_verified", {}
        )
        hit = verified.get(s)
        if hit is not None:
            json_bytes, timestamp = hit
            age = int(time.time()) - timestamp
            if max_age is None or 0 <= age <= max_age:
                # Skip the URL-safe decoding too: the decoded JSON was kept.
                return Serializer.load_payload(self, json_bytes)
        payload, signed_at = self._unsign(s, max_age)
        result = self.load_payload(payload)
        if len(verified) >= _MAX_VERIFIED:
            verified.clear()
        verified[s] = (_decode_url_safe(payload), int(signed_at.timestamp()))
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


def _decode_url_safe(payload: bytes) -> bytes:
    """The JSON inside a payload that already loaded once: URL-safe
    base64, zlib-compressed when it starts with a dot (itsdangerous's
    format)."""
    if payload.startswith(b"."):
        return zlib.decompress(base64_decode(payload[1:]))
    return base64_decode(payload)


class SecureCookieSessionInterface(SessionInterface):
    """Keeps the session in a cookie signed with ``SECRET_KEY`` (and
    readable with ``SECRET_KEY_FALLBACKS``) by :mod:`itsdangerous`.

    A cookie that is tampered with, signed by another key, expired or
    undecodable gives an empty session.
    """

    #: Salt mixed into the signing key.
    salt = "cookie-session"
    #: Hash function of the signature.
    digest_method = staticmethod(_lazy_sha1)
    #: How itsdangerous derives the signing key.
    key_derivation = "hmac"
    #: Serializer of the payload: tagged JSON.
    serializer = session_json_serializer
    session_class = SecureCookieSession

    #: Whether request contexts may open the session on first use instead
    #: of on push: with no cookie sent, opening it late or never gives the
    #: same response, and with a cookie sent it is opened before saving.
    #: Only the stock load/save logic qualifies; other interfaces (without
    #: this attribute, or subclasses overriding either) are opened eagerly.
    _open_lazily = True

    def __init_subclass__(cls, **kwargs: t.Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._open_lazily = (
            cls.open_session is SecureCookieSessionInterface.open_session
            and cls.save_session is SecureCookieSessionInterface.save_session
        )

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        """The serializer for the app's keys, or None without a secret key."""
        if not app.secret_key:
            return None
        fallbacks = app.config["SECRET_KEY_FALLBACKS"]
        settings = (
            app.secret_key,
            tuple(fallbacks) if fallbacks else (),
            self.salt,
            self.serializer,
            self.key_derivation,
            self.digest_method,
        )
        cached = _serializers.get(app)
        if cached is not None and cached[0] == settings:
            return cached[1]
        # itsdangerous signs with the last key and verifies with all.
        keys: list[str | bytes] = [*settings[1], app.secret_key]
        serializer = _SessionSerializer(
            keys,  # type: ignore[arg-type]
            salt=self.salt,
            serializer=self.serializer,
            signer_kwargs={
                "key_derivation": self.key_derivation,
                "digest_method": _resolve_digest(self.digest_method),
            },
        )
        _serializers[app] = (settings, serializer)
        return serializer

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        s = self.get_signing_serializer(app)
        if s is None:
            return None
        val = request.cookies.get(self.get_cookie_name(app))
        if not val:
            return self.session_class()
        max_age = int(app.permanent_session_lifetime.total_seconds())
        try:
            data = s.loads(val, max_age=max_age)
        except BadData:
            # Bad or expired signature, or a signed payload that doesn't
            # decode: start over with an empty session, never an error.
            return self.session_class()
        if not isinstance(data, dict):
            return self.session_class()
        return self.session_class(data)

    def _cookie_options(self, app: Flask) -> dict[str, t.Any]:
        """The attributes the cookie is set and deleted with."""
        return {
            "domain": self.get_cookie_domain(app),
            "path": self.get_cookie_path(app),
            "secure": self.get_cookie_secure(app),
            "partitioned": self.get_cookie_partitioned(app),
            "samesite": self.get_cookie_samesite(app),
            "httponly": self.get_cookie_httponly(app),
        }

    def save_session(
        self, app: Flask, session: SessionMixin, response: Response
    ) -> None:
        # ``Vary: Cookie`` when the session was read or the cookie changes.
        if not session:
            # An emptied session deletes its cookie.
            if session.modified:
                response.delete_cookie(
                    self.get_cookie_name(app), **self._cookie_options(app)
                )
                _vary_on_cookie(response)
            elif session.accessed:
                _vary_on_cookie(response)
            return

        if not self.should_set_cookie(app, session):
            if session.accessed:
                _vary_on_cookie(response)
            return

        expires = self.get_expiration_time(app, session)
        val = self.get_signing_serializer(app).dumps(dict(session))  # type: ignore[union-attr]
        response.set_cookie(
            self.get_cookie_name(app),
            val,
            expires=expires,
            **self._cookie_options(app),
        )
        _vary_on_cookie(response)


def _vary_on_cookie(response: Response) -> None:
    """Add ``Cookie`` to the ``Vary`` header; without parsing a header set
    when there is no ``Vary`` yet (the common case)."""
    if response.headers.getlist("Vary"):
        response.vary.add("Cookie")
    else:
        response.headers["Vary"] = "Cookie"
