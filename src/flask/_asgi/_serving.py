"""What the ASGI adapter keeps per application and event loop: the
worker-thread pool plain functions run in, and which endpoints may run
on the loop itself."""

from __future__ import annotations

import asyncio
import typing as t
from inspect import iscoroutinefunction

from .._pipeline import dispatch_request
from .._pipeline import full_dispatch_request
from ..ctx import _opens_lazily
from ._workers import Workers

if t.TYPE_CHECKING:  # pragma: no cover
    from ..app import Flask

#: Worker threads when ``ASGI_WORKER_THREADS`` is not configured.
DEFAULT_WORKER_THREADS = 40


class Serving:
    """One application served on one loop."""

    def __init__(self, app: Flask, loop: asyncio.AbstractEventLoop) -> None:
        self.app = app
        self.loop = loop
        size = app.config.get("ASGI_WORKER_THREADS") or DEFAULT_WORKER_THREADS
        self.workers = Workers(loop, int(size), "flask-asgi")
        #: endpoint -> (registry clock, its plan).
        self._plans: dict[str | None, tuple[int, Plan]] = {}

    def plan(self, endpoint: str | None, method: str) -> Plan:
        """Where a request to ``endpoint`` runs (see :class:`Plan`)."""
        if endpoint is None or method == "OPTIONS":
            return THREAD
        now = self.app._chains.clock.now
        known = self._plans.get(endpoint)
        if known is not None and known[0] == now:
            return known[1]
        found = _plan_of(self.app, endpoint)
        if len(self._plans) > 4096:
            self._plans.clear()
        self._plans[endpoint] = (now, found)
        return found

    def close(self) -> None:
        self.workers.close()


class Plan(t.NamedTuple):
    """``on_loop``: the stages run on the loop, the view awaited there;
    else in a worker thread. ``receive_first``: some code of the request
    runs on the loop, so its body is received before the code runs."""

    on_loop: bool
    receive_first: bool


THREAD = Plan(False, False)


def _plan_of(app: Flask, endpoint: str) -> Plan:
    """On the loop: a coroutine view, the stock stages around it, no
    coroutine hook or error handler anywhere (those are awaited from the
    thread path), and the stock session interface (others may do
    blocking I/O)."""
    view = app.view_functions.get(endpoint)
    cls = type(app)
    async_view = view is not None and iscoroutinefunction(view)
    async_hooks = _any_coroutine_hook(app)
    on_loop = (
        async_view
        and not async_hooks
        and app._stock_ensure_sync
        and cls.full_dispatch_request is full_dispatch_request
        and cls.dispatch_request is dispatch_request
        and _opens_lazily(app.session_interface)
    )
    return Plan(on_loop, async_view or async_hooks)


def _any_coroutine_hook(app: Flask) -> bool:
    registries: tuple[t.Mapping[t.Any, t.Any], ...] = (
        app.before_request_funcs,
        app.after_request_funcs,
        app.teardown_request_funcs,
        app.url_value_preprocessors,
        app.template_context_processors,
    )
    for registry in registries:
        for funcs in registry.values():
            if any(iscoroutinefunction(f) for f in funcs):
                return True
    for by_code in app.error_handler_spec.values():
        for handlers in by_code.values():
            if any(iscoroutinefunction(f) for f in handlers.values()):
                return True
    return any(iscoroutinefunction(f) for f in app.teardown_appcontext_funcs)


def serving_of(app: Flask) -> Serving:
    """The app's state for the running loop, made on first use. An app is
    served on one loop in production; tests may use several at once (a
    WebSocket test client runs its own), each with its own state."""
    loop = asyncio.get_running_loop()
    serving: Serving | None = app.__dict__.get("_asgi_serving")
    if serving is not None and serving.loop is loop:
        return serving
    by_loop: dict[asyncio.AbstractEventLoop, Serving] = app.__dict__.setdefault(
        "_asgi_servings", {}
    )
    for other in [other for other in by_loop if other.is_closed()]:
        by_loop.pop(other).close()
    serving = by_loop.get(loop)
    if serving is None:
        serving = by_loop[loop] = Serving(app, loop)
    app.__dict__["_asgi_serving"] = serving
    return serving


def forget_serving(app: Flask, loop: asyncio.AbstractEventLoop) -> None:
    """Drop (and close) the app's state for ``loop``, which is ending."""
    serving = app.__dict__.get("_asgi_servings", {}).pop(loop, None)
    if serving is not None:
        serving.close()
        if app.__dict__.get("_asgi_serving") is serving:
            del app.__dict__["_asgi_serving"]
