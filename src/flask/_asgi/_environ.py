"""The WSGI environ of an ASGI HTTP scope, so that the request object,
the URL map, sessions and extensions see under ASGI what they see under
WSGI (PEP 3333 strings: bytes decoded as latin-1)."""

from __future__ import annotations

import io
import sys
import typing as t
from urllib.parse import unquote_to_bytes

if t.TYPE_CHECKING:  # pragma: no cover
    from _typeshed.wsgi import WSGIEnvironment

Scope = t.MutableMapping[str, t.Any]

#: Header name (as the server sends it) -> environ key, filled as names
#: are met; bounded so that made-up names cannot grow it without end.
_KEYS: dict[bytes, str] = {}
_KEYS_LIMIT = 512
#: Joined with "; " instead of ", " when a request repeats them (RFC 9113
#: 8.2.3 lets HTTP/2 clients split cookies into several fields).
_SEMICOLON_JOINED = frozenset({"HTTP_COOKIE"})


class _NoBody(io.RawIOBase):
    """The input stream of a request without a body: always at its end.
    Stateless, so one instance serves every such request."""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: t.Any) -> int:
        return 0


NO_BODY = _NoBody()


def _environ_key(name: bytes) -> str:
    """The environ key of a header name not in the cache yet; "" for names
    with an underscore, which are dropped as gunicorn and nginx drop them:
    "X_Forwarded_For" would otherwise pass for "X-Forwarded-For"."""
    text = name.decode("latin-1").upper()
    if "_" in text:
        key = ""
    else:
        text = text.replace("-", "_")
        key = text if text in ("CONTENT_TYPE", "CONTENT_LENGTH") else "HTTP_" + text
    if len(_KEYS) < _KEYS_LIMIT:
        _KEYS[name] = key
    return key


def _path_info(scope: Scope) -> tuple[str, str]:
    """SCRIPT_NAME and PATH_INFO: the raw path, percent-decoded to bytes
    (so that non-UTF-8 escapes survive, as under WSGI), less the root."""
    root = scope.get("root_path", "")
    raw = scope.get("raw_path")
    if raw is None:
        path = scope["path"].encode("utf-8")
    elif b"%" in raw:
        path = unquote_to_bytes(raw)
    else:
        path = bytes(raw)
    if root:
        root_bytes = root.encode("utf-8")
        if path.startswith(root_bytes):
            path = path[len(root_bytes) :]
        return root_bytes.decode("latin-1"), path.decode("latin-1")
    return "", path.decode("latin-1")


#: (server, scheme, HTTP version) of a scope -> the environ entries every
#: request of that listener shares, copied for each (bounded).
_BASES: dict[tuple[t.Any, ...], dict[str, t.Any]] = {}


def _base(scope: Scope, key: tuple[t.Any, ...]) -> dict[str, t.Any]:
    server = scope.get("server") or ("localhost", 80)
    port = server[1]
    base = {
        "wsgi.version": (1, 0),
        "wsgi.input_terminated": True,
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        "SERVER_NAME": str(server[0]),
        "SERVER_PORT": "80" if port is None else str(port),
        "SERVER_PROTOCOL": "HTTP/" + key[2],
        "wsgi.url_scheme": key[1],
        "SCRIPT_NAME": "",
    }
    try:
        hash(key)
    except TypeError:  # a server given as a list: not cached
        return base
    if len(_BASES) >= 64:
        _BASES.clear()
    _BASES[key] = base
    return base


def build_environ(scope: Scope, body: t.Any) -> WSGIEnvironment:
    """The environ of an HTTP ``scope``, reading its body from ``body``.
    The scope itself is kept under ``asgi.scope``."""
    listener = (
        scope.get("server"),
        scope.get("scheme", "http"),
        scope.get("http_version", "1.1"),
    )
    try:
        base = _BASES.get(listener)
    except TypeError:
        base = None
    environ = (base or _base(scope, listener)).copy()
    raw = scope.get("raw_path")
    if raw is not None and b"%" not in raw and not scope.get("root_path"):
        environ["PATH_INFO"] = raw.decode("latin-1")  # the common case
    else:
        environ["SCRIPT_NAME"], environ["PATH_INFO"] = _path_info(scope)
    environ["REQUEST_METHOD"] = scope.get("method", "GET")  # none for WebSockets
    environ["QUERY_STRING"] = scope.get("query_string", b"").decode("latin-1")
    environ["wsgi.input"] = body
    environ["wsgi.errors"] = sys.stderr
    environ["asgi.scope"] = scope
    client = scope.get("client")
    if client:
        environ["REMOTE_ADDR"] = client[0]
        environ["REMOTE_PORT"] = str(client[1])
    for name, value in scope["headers"]:
        key = _KEYS.get(name)
        if key is None:
            key = _environ_key(name)
        if not key:
            continue
        if key in environ:
            joiner = "; " if key in _SEMICOLON_JOINED else ","
            environ[key] = environ[key] + joiner + value.decode("latin-1")
        else:
            environ[key] = value.decode("latin-1")
    return environ


def has_body(environ: WSGIEnvironment) -> bool:
    """Whether the request may carry a body: a non-zero Content-Length, a
    Transfer-Encoding, or, over HTTP/2 and later (whose frames need
    neither), any method but GET and HEAD."""
    length = environ.get("CONTENT_LENGTH")
    if length is not None:
        return length.strip() not in ("0", "")
    if "HTTP_TRANSFER_ENCODING" in environ:
        return True
    return environ["SERVER_PROTOCOL"] not in ("HTTP/1.1", "HTTP/1.0") and (
        environ["REQUEST_METHOD"] not in ("GET", "HEAD")
    )
