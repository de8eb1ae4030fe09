"""The request pipeline, independent of the server protocol.

A request meets these stages, in this order (each is a function of this
module; the public ones are bound as the :class:`~flask.Flask` methods of
the same name, so an app overriding one gets its override called):

1. :func:`serve` pushes the request context: the app context when none is
   active for the app, the URL binding and match; the session opens on
   first use (``RequestContext.push``).
2. :func:`full_dispatch_request` marks setup as finished and sends
   ``request_started``.
3. :func:`preprocess_request` runs the endpoint's URL value
   preprocessors, then its ``before_request`` functions; the first
   non-None value they return is the response value.
4. :func:`dispatch_request` raises the routing error, answers an
   automatic OPTIONS, or calls the view with the URL's values.
5. An exception from 2-4 goes to ``handle_user_exception`` (see
   :mod:`flask._errors`): an HTTP error, or a registered handler's value.
6. :func:`finalize_request` turns the value into a response
   (``make_response``) and runs :func:`process_response`:
   ``after_this_request`` functions, the endpoint's ``after_request``
   functions, the session save; then sends ``request_finished``.
7. An exception escaping 2-6 goes to ``handle_exception``: re-raised when
   propagating, else logged and answered with a 500.
8. :func:`serve` hands the response to the adapter's ``deliver``.
9. Popping the context runs :func:`do_teardown_request` (the endpoint's
   ``teardown_request`` functions), closes the request, then pops the app
   context, which runs :func:`do_teardown_appcontext`.

What differs from Flask's: the hooks of each stage come from the
endpoint's :class:`~flask._chains.Chain`, gathered once per endpoint and
kept until a registry changes, instead of being looked up along the
request's blueprints in every stage. The first stage takes the chain
(one clock comparison) and the later ones reuse it from the context.
Finding it needs the endpoint only, so a hook never forces the request
object or the session into existence, and an error handler is looked up
once per exception class, not per error.

The protocol lives only in ``deliver`` (and ``keep``): the WSGI adapter
passes one that calls the response with ``start_response``; the ASGI
adapter (:mod:`flask._asgi`) one that takes the status, headers and body
to send once the contexts are popped. For a request whose view is a
coroutine function and whose other code is plain, the ASGI adapter runs
:func:`serve_awaiting_view` on its event loop instead: the same stages,
the view's coroutine awaited rather than run to completion by
``ensure_sync`` (its only difference from :func:`serve` and
:func:`full_dispatch_request` is that ``await``).

Why plain functions and not a generator yielding user calls to a driver:
driving a stage as a generator (create, ``next``, ``send``, catch
``StopIteration``) measured about 0.8 us against 0.1 us for a plain call
on this project's machine, per stage and request, and the overridable
methods must stay synchronous anyway. Measured against the previous
in-method pipeline, interleaved in-process runs give the same times
(hello 21.7 vs 21.8 us CPU on a loaded machine; a 404 is 9% faster, its
handler lookup no longer making the request object). User code is reached
only through callables resolved by ``ensure_sync``/``async_to_sync``
(:meth:`flask._chains.Chains.resolve` for hooks, ``ensure_sync`` for
views and error handlers). An ASGI adapter can therefore run these same
stages in a worker thread (plain functions then run there) with an
``async_to_sync`` that submits coroutines to the server's loop and waits
for them, which awaits ``async def`` views, hooks and handlers on that
loop with no second pipeline.
"""

from __future__ import annotations

import inspect
import sys
import typing as t
from types import CoroutineType

from werkzeug.exceptions import BadRequest
from werkzeug.routing import RequestRedirect

from ._errors import raise_routing_exception
from .ctx import _opens_lazily
from .globals import _cv_app
from .globals import _cv_request
from .globals import request_ctx
from .signals import appcontext_tearing_down
from .signals import request_finished
from .signals import request_started
from .signals import request_tearing_down

if t.TYPE_CHECKING:  # pragma: no cover
    from werkzeug.exceptions import HTTPException

    from .app import Flask
    from .ctx import RequestContext
    from .typing import ResponseReturnValue
    from .wrappers import Response

_R = t.TypeVar("_R")
_UNSET: t.Any = object()


def serve(
    app: Flask,
    ctx: RequestContext,
    deliver: t.Callable[[Response], _R],
    keep: t.Callable[[t.Any], None] | None = None,
) -> _R:
    """Run one request through every stage and return what ``deliver``
    made of the response. ``keep``, when given, receives the app and
    request contexts before they are popped (a debugger keeping them)."""
    failure: BaseException | None = None
    try:
        try:
            ctx.push()  # 1
            response = app.full_dispatch_request()  # 2-6
        except Exception as e:
            failure = e
            response = app.handle_exception(e)  # 7
        except BaseException:
            failure = sys.exc_info()[1]
            raise
        return deliver(response)  # 8
    finally:
        if keep is not None:
            keep(_cv_app.get())
            keep(_cv_request.get())
        if failure is not None and app.should_ignore_error(failure):
            failure = None
        ctx.pop(failure)  # 9 (pop_context, inline on the hot path)


async def serve_awaiting_view(
    app: Flask, ctx: RequestContext, deliver: t.Callable[[Response], _R]
) -> _R:
    """:func:`serve` for a request whose view is a coroutine function, run
    on the event loop that awaits it (the ASGI adapter's loop path): the
    same stages in the same order, the view awaited instead of called.
    (Stages 2-6 inline, :func:`full_dispatch_request`'s twin: one
    coroutine less per request.)"""
    failure: BaseException | None = None
    try:
        try:
            ctx.push()
            rv: t.Any
            try:
                rv = _start(app)
                if rv is None:
                    rule, view_args, _ = _dispatch_target(app)
                    rv = app.view_functions[rule.endpoint](**view_args)
                    if type(rv) is CoroutineType or inspect.isawaitable(rv):
                        rv = await rv
            except Exception as e:
                rv = app.handle_user_exception(e)
            response = app.finalize_request(rv)
        except Exception as e:
            failure = e
            response = app.handle_exception(e)
        except BaseException:
            failure = sys.exc_info()[1]
            raise
        return deliver(response)
    finally:
        pop_context(app, ctx, failure)


def pop_context(app: Flask, ctx: RequestContext, failure: BaseException | None) -> None:
    """Pop the request context, its teardown seeing ``failure`` unless the
    app ignores that error (what :func:`serve` does inline)."""
    if failure is not None and app.should_ignore_error(failure):
        failure = None
    ctx.pop(failure)


def full_dispatch_request(app: Flask) -> Response:
    """Stages 2 to 6: preprocess, dispatch and finalize the request, an
    exception becoming the value of its handler."""
    try:
        rv = _start(app)
        if rv is None:
            rv = app.dispatch_request()
    except Exception as e:
        rv = app.handle_user_exception(e)
    return app.finalize_request(rv)


def _start(app: Flask) -> ResponseReturnValue | None:
    """Stages 2 and 3: setup is finished, ``request_started`` is sent, the
    request preprocessed."""
    app._got_first_request = True
    if request_started.receivers:
        request_started.send(app, _async_wrapper=app.ensure_sync)
    return app.preprocess_request()


def preprocess_request(app: Flask) -> ResponseReturnValue | None:
    """Stage 3: the endpoint's URL value preprocessors (app first, then
    its blueprints outward-in), then its ``before_request`` functions in
    the same order; stop at the first that returns a value."""
    if app._chains.clock.idle:
        return None
    ctx = _cv_request.get()
    chain = app._chains.of_context(ctx)
    if chain.url_values:
        endpoint, view_args = ctx._route()
        for preprocessor in chain.url_values:
            preprocessor(endpoint, view_args)
    for before in chain.before:
        rv = before()
        if rv is not None:
            return rv  # type: ignore[no-any-return]
    return None


def dispatch_request(app: Flask) -> ResponseReturnValue:
    """Stage 4: call the matched view with the URL's values; answer
    OPTIONS automatically; raise the routing error if matching failed."""
    rule, view_args, method = _dispatch_target(app)
    if method == "OPTIONS" and getattr(rule, "provide_automatic_options", False):
        return app.make_default_options_response()
    if rule.websocket:
        raise _WebSocketNeedsAsgi()
    view = app.view_functions[rule.endpoint]
    return app.ensure_sync(view)(**view_args)  # type: ignore[no-any-return]


def _dispatch_target(app: Flask) -> tuple[t.Any, t.Any, str]:
    """The rule, view arguments and method to dispatch; the routing error
    raised if matching failed. A hook may have made the request object
    and changed its rule or arguments: dispatch obeys it."""
    ctx = _cv_request.get()
    target = ctx._match_without_request()
    if target is not None:
        return target
    failure = ctx._routing_exception
    if (
        failure is not None
        and ctx._request is None
        and (not app.debug or not isinstance(failure, RequestRedirect))
        and type(app).raise_routing_exception is raise_routing_exception
    ):
        # What raise_routing_exception would raise, without making the
        # request object for it (the debug-mode redirect check needs one).
        raise failure
    req = ctx.request
    if req.routing_exception is not None:
        app.raise_routing_exception(req)
    return req.url_rule, req.view_args, req.method


class _WebSocketNeedsAsgi(BadRequest):
    """A WebSocket handshake reached a WebSocket rule through a server
    without WebSockets (a WSGI server)."""

    description = (
        "This URL is a WebSocket endpoint, and WebSockets need the app to be"
        " served by an ASGI server (such as uvicorn); this server speaks WSGI."
    )


def make_default_options_response(app: Flask) -> Response:
    """The automatic OPTIONS answer: empty, ``Allow`` listing the URL's
    methods."""
    response = app.response_class()
    response.allow.update(request_ctx.url_adapter.allowed_methods())  # type: ignore[union-attr]
    return response


def finalize_request(
    app: Flask,
    rv: ResponseReturnValue | HTTPException,
    from_error_handler: bool = False,
) -> Response:
    """Stage 6: the response for ``rv``, processed. For an error response
    (``from_error_handler``) a failure while processing is logged and the
    unprocessed response returned."""
    response = app.make_response(rv)
    try:
        response = app.process_response(response)
        if request_finished.receivers:
            request_finished.send(
                app, _async_wrapper=app.ensure_sync, response=response
            )
    except Exception:
        if not from_error_handler:
            raise
        app.logger.exception(
            "Request finalizing failed with an error while handling an error"
        )
    return response


def process_response(app: Flask, response: Response) -> Response:
    """``after_this_request`` functions, then the endpoint's
    ``after_request`` functions (blueprints inward-out, then the app, each
    latest first), then the session save."""
    ctx = _cv_request.get()
    for once in ctx._after_request_functions:
        response = app.ensure_sync(once)(response)
    if not app._chains.clock.idle:
        for after in (ctx._chain or app._chains.of_context(ctx)).after:
            response = after(response)
    _save_session(app, ctx, response)
    return response


def _save_session(app: Flask, ctx: RequestContext, response: Response) -> None:
    """Hand the session to the interface. A lazily opening interface is
    spared the sessions that cannot change the response: never opened and
    no cookie of its name came, or opened and left empty and unread."""
    interface = app.session_interface
    lazy = _opens_lazily(interface)
    opened = ctx._opened_session
    if opened is None:
        if lazy and (
            "HTTP_COOKIE" not in ctx._environ
            or interface.get_cookie_name(app) not in ctx.request.cookies
        ):
            return
        opened = ctx.session
    if lazy and not (opened or opened.modified or opened.accessed):
        return
    if not interface.is_null_session(opened):
        interface.save_session(app, opened, response)


def do_teardown_request(
    app: Flask,
    exc: BaseException | None = _UNSET,
) -> None:
    """Stage 9: the endpoint's ``teardown_request`` functions (blueprints
    inward-out, then the app, each latest first), then
    ``request_tearing_down``. ``exc`` defaults to the exception being
    handled."""
    if exc is _UNSET:
        exc = sys.exc_info()[1]
    if not app._chains.clock.idle:
        ctx = _cv_request.get(None)
        chain = ctx._chain if ctx is not None else None
        for teardown in (chain or app._chains.of_context(ctx)).teardown:
            teardown(exc)
    if request_tearing_down.receivers:
        request_tearing_down.send(app, _async_wrapper=app.ensure_sync, exc=exc)


def do_teardown_appcontext(
    app: Flask,
    exc: BaseException | None = _UNSET,
) -> None:
    """The last of stage 9: ``teardown_appcontext`` functions, latest
    first, then ``appcontext_tearing_down``."""
    if exc is _UNSET:
        exc = sys.exc_info()[1]
    chains = app._chains
    if chains.built_at != chains.clock.now:
        chains.refresh()
    for teardown in chains.appcontext_teardown:
        teardown(exc)
    if appcontext_tearing_down.receivers:
        appcontext_tearing_down.send(app, _async_wrapper=app.ensure_sync, exc=exc)
