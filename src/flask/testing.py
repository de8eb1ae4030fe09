"""Driving an app from tests: the test client, its environ builder, and the
CLI runner.

The client is Werkzeug's, with three additions: requests are built against
the app's configured server name, root and scheme; responses read JSON with
the app's provider; and ``with client:`` keeps the contexts of the last
request pushed. For that last one the app hands its contexts, as it pops
them, to a callable the client puts in the environ under
``werkzeug.debug.preserve_context``; the client pushes them again once the
response is back, and pops them at the next request or at the block's end.

This module is a tool on top of the app: it never imports ``flask.app``,
which imports it lazily.
"""

from __future__ import annotations

import functools
import importlib.metadata
import typing as t
from contextlib import contextmanager
from contextlib import ExitStack
from copy import copy
from urllib.parse import urlsplit

import click
import werkzeug.test
from click.testing import CliRunner
from click.testing import Result
from werkzeug.wrappers import Request as BaseRequest

from .cli import ScriptInfo
from .sessions import SessionMixin

if t.TYPE_CHECKING:  # pragma: no cover
    from _typeshed.wsgi import WSGIEnvironment
    from werkzeug.test import TestResponse

    from ._asgi._testclient import WebSocketSession
    from .app import Flask

_PRESERVE_KEY = "werkzeug.debug.preserve_context"


def _locate(
    app: Flask, path: str, subdomain: str | None, url_scheme: str | None
) -> tuple[str, str]:
    """``(base_url, path)`` for a request to ``path``: the base URL comes
    from the app's config, except for a scheme or host written in ``path``,
    and the path keeps only its path and query."""
    config = app.config
    host = config.get("SERVER_NAME") or "localhost"
    if subdomain:
        host = f"{subdomain}.{host}"
    target = urlsplit(path)
    scheme = target.scheme or url_scheme or config["PREFERRED_URL_SCHEME"]
    root = config["APPLICATION_ROOT"].lstrip("/")
    local = f"{target.path}?{target.query}" if target.query else target.path
    return f"{scheme}://{target.netloc or host}/{root}", local


class EnvironBuilder(werkzeug.test.EnvironBuilder):
    """Werkzeug's :class:`~werkzeug.test.EnvironBuilder` for ``app``.

    Without ``base_url``, the URL is built from ``SERVER_NAME`` (else
    ``localhost``), ``APPLICATION_ROOT`` and ``PREFERRED_URL_SCHEME``; a
    full URL as ``path`` supplies its own scheme and host. ``json=`` bodies
    are serialized with ``app.json``.

    :param subdomain: put in front of the server name.
    :param url_scheme: instead of ``PREFERRED_URL_SCHEME``.

    Neither may be combined with ``base_url``. The other arguments are
    Werkzeug's.
    """

    app: Flask

    def __init__(
        self,
        app: Flask,
        path: str = "/",
        base_url: str | None = None,
        subdomain: str | None = None,
        url_scheme: str | None = None,
        *werkzeug_args: t.Any,
        **werkzeug_kwargs: t.Any,
    ) -> None:
        if base_url is None:
            base_url, path = _locate(app, path, subdomain, url_scheme)
        elif subdomain or url_scheme:
            raise AssertionError(
                'Cannot pass "subdomain" or "url_scheme" with "base_url".'
            )
        self.app = app
        super().__init__(path, base_url, *werkzeug_args, **werkzeug_kwargs)

    def json_dumps(self, obj: t.Any, **kwargs: t.Any) -> str:
        """Serialize a ``json=`` body with the app's JSON provider."""
        return self.app.json.dumps(obj, **kwargs)


@functools.cache
def _default_user_agent() -> str:
    return f"Werkzeug/{importlib.metadata.version('werkzeug')}"


class _KeptContexts:
    """What ``with client:`` keeps: while it is active, requests hand their
    contexts to :attr:`handed`; :meth:`hold` pushes them again and
    :meth:`release` pops them."""

    def __init__(self) -> None:
        self.active = False
        self.handed: list[t.ContextManager[t.Any]] = []
        self._pushed = ExitStack()

    def start(self) -> None:
        if self.active:
            raise RuntimeError("Cannot nest client invocations")
        self.active = True

    def stop(self) -> None:
        self.active = False
        self.release()

    def hold(self) -> None:
        # In the order handed over: the app context, then the request's.
        for ctx in self.handed:
            self._pushed.enter_context(ctx)
        self.handed.clear()

    def release(self) -> None:
        self._pushed.close()


class FlaskClient(werkzeug.test.Client):
    """Sends requests straight to the app and keeps their cookies.

    ``with client:`` keeps the contexts of the last request pushed until
    the block ends, so the test can read ``request``, ``session`` and
    ``g`` as the view left them. Every request gets ``REMOTE_ADDR`` and
    ``HTTP_USER_AGENT`` from :attr:`environ_base`, which may be changed.
    """

    application: Flask
    environ_base: dict[str, t.Any]

    def __init__(self, *args: t.Any, **kwargs: t.Any) -> None:
        super().__init__(*args, **kwargs)
        self._kept = _KeptContexts()
        self.environ_base = {
            "REMOTE_ADDR": "127.0.0.1",
            "HTTP_USER_AGENT": _default_user_agent(),
        }

    @property
    def preserve_context(self) -> bool:
        """Whether requests keep their contexts: true inside ``with client:``."""
        return self._kept.active

    @preserve_context.setter
    def preserve_context(self, value: bool) -> None:
        self._kept.active = value

    def __enter__(self) -> FlaskClient:
        self._kept.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._kept.stop()

    # -- requests ------------------------------------------------------------

    def open(
        self,
        *builder_args: t.Any,
        buffered: bool = False,
        follow_redirects: bool = False,
        **builder_kwargs: t.Any,
    ) -> TestResponse:
        """Send a request and return the response. The arguments are those
        of :class:`EnvironBuilder`, or a single prepared request: a
        Werkzeug ``EnvironBuilder``, a WSGI environ dict or a request."""
        request = self._prepare(builder_args, builder_kwargs)
        # The previous request's contexts end before the next one begins.
        self._kept.release()
        response = super().open(
            request, buffered=buffered, follow_redirects=follow_redirects
        )
        response.json_module = self.application.json  # type: ignore[assignment]
        self._kept.hold()
        return response

    def _prepare(
        self, args: tuple[t.Any, ...], kwargs: dict[str, t.Any]
    ) -> BaseRequest:
        prepared = args[0] if args else None
        if isinstance(prepared, werkzeug.test.EnvironBuilder):
            # A copy, so the caller's builder keeps its own environ_base; not
            # closed, since its files are still the caller's.
            builder = copy(prepared)
            builder.environ_base = self._environ_with(prepared.environ_base)
            return builder.get_request()
        if isinstance(prepared, dict):
            builder = EnvironBuilder.from_environ(
                prepared, app=self.application, environ_base=self._environ_with(None)
            )
        elif isinstance(prepared, BaseRequest):
            request = copy(prepared)
            request.environ = self._environ_with(prepared.environ)
            return request
        else:
            kwargs["environ_base"] = self._environ_with(kwargs.get("environ_base"))
            builder = EnvironBuilder(self.application, *args, **kwargs)
        try:
            return builder.get_request()
        finally:
            builder.close()

    def _environ_with(self, given: t.Mapping[str, t.Any] | None) -> WSGIEnvironment:
        """The client's :attr:`environ_base` under ``given``, plus the
        hand-over callable inside ``with client:``."""
        environ: dict[str, t.Any] = {**self.environ_base, **(given or {})}
        if self._kept.active:
            environ[_PRESERVE_KEY] = self._kept.handed.append
        return environ

    def websocket(
        self,
        *args: t.Any,
        subprotocols: t.Sequence[str] = (),
        timeout: float = 10.0,
        **kwargs: t.Any,
    ) -> WebSocketSession:
        """A connection to a WebSocket route, in-process, with the client's
        cookies (so its session): ``with client.websocket("/ws") as ws:``
        then ``ws.send(...)``, ``ws.receive()``, ``ws.close()`` (or
        ``async with`` and ``await`` in an async test). The arguments are
        those of :class:`EnvironBuilder` for the handshake."""
        from ._asgi._testclient import websocket_scope
        from ._asgi._testclient import WebSocketSession

        kwargs["environ_base"] = self._environ_with(kwargs.get("environ_base"))
        builder = EnvironBuilder(self.application, *args, **kwargs)
        try:
            environ = builder.get_environ()
        finally:
            builder.close()
        if self._cookies is not None:
            self._add_cookies_to_wsgi(environ)
        environ.pop(_PRESERVE_KEY, None)
        scope = websocket_scope(environ, subprotocols)
        return WebSocketSession(self.application, scope, timeout)

    # -- sessions ------------------------------------------------------------

    @contextmanager
    def session_transaction(
        self, *args: t.Any, **kwargs: t.Any
    ) -> t.Generator[SessionMixin, None, None]:
        """Open the session the next request would get, for the block to
        read or change; a changed session is saved to the client's cookies
        at the end. No context is pushed inside the block. The arguments are
        those of :meth:`~flask.Flask.test_request_context` (a path under the
        session cookie's path, say)."""
        if self._cookies is None:
            raise TypeError(
                "Cookies are disabled, so there is no session to open."
                " Create the client with 'use_cookies=True'."
            )
        app = self.application
        backend = app.session_interface
        ctx = app.test_request_context(*args, **kwargs)
        self._add_cookies_to_wsgi(ctx.request.environ)
        with ctx:
            session = backend.open_session(app, ctx.request)
        if session is None:
            raise RuntimeError("Session backend did not open a session.")
        yield session
        if backend.is_null_session(session):
            return
        with ctx:
            cookies = _saved_cookies(app, session)
        host = ctx.request.host.partition(":")[0]
        self._update_cookies_from_response(host, ctx.request.path, cookies)


def _saved_cookies(app: Flask, session: SessionMixin) -> list[str]:
    """The ``Set-Cookie`` values the session backend writes for ``session``."""
    carrier = app.response_class()
    app.session_interface.save_session(app, session, carrier)
    return carrier.headers.getlist("Set-Cookie")


class FlaskCliRunner(CliRunner):
    """Click's test runner for ``app``'s commands: :meth:`invoke` runs
    ``app.cli`` unless told otherwise, with this app already loaded."""

    def __init__(self, app: Flask, **runner_options: t.Any) -> None:
        self.app = app
        super().__init__(**runner_options)

    def invoke(  # type: ignore[override]
        self,
        cli: click.Command | None = None,
        args: str | t.Sequence[str] | None = None,
        **kwargs: t.Any,
    ) -> Result:
        """Run ``cli`` (default: ``app.cli``) with ``args``. Unless an
        ``obj`` is given, commands find the app through a
        :class:`~flask.cli.ScriptInfo` that returns it."""
        command = self.app.cli if cli is None else cli
        if "obj" not in kwargs:
            kwargs["obj"] = ScriptInfo(create_app=lambda: self.app)
        return super().invoke(command, args, **kwargs)
