"""One ASGI HTTP request through the pipeline.

Where it runs is chosen by its endpoint, once matched:

* **On the loop**, for a request to a coroutine view whose surroundings
  are all synchronous framework stages and plain hooks
  (:meth:`Serving.plan`): the stages run on the server's loop and the
  view is awaited there, with no thread (see
  :func:`flask._pipeline.serve_awaiting_view`). Its body, if any, is
  received first, since code on the loop reads it synchronously.
* **In a worker thread** otherwise: the whole pipeline (:func:`serve`, as
  under WSGI) runs in the pool; the body is read from ``receive`` as the
  code asks for it; coroutine views, hooks and handlers met on the way are
  awaited on the server's loop while the thread waits.

Either way the request runs in a copy of the server task's context
variables (a task of its own on the loop, the thread's run otherwise),
and its contexts are popped before the response is sent, so nothing of
one request is left for the next on a keep-alive connection, pipelined
or not.
"""

from __future__ import annotations

import contextvars
import typing as t

from .._async import server_loop
from .._pipeline import serve
from .._pipeline import serve_awaiting_view
from ._body import receive_whole
from ._body import ReceiveStream
from ._environ import build_environ
from ._environ import has_body
from ._environ import NO_BODY
from ._reply import FileBody
from ._reply import Outgoing
from ._reply import Reply
from ._reply import reply_of
from ._reply import send_reply
from ._reply import wsgi_reply
from ._serving import serving_of

if t.TYPE_CHECKING:  # pragma: no cover
    import asyncio

    from ..app import Flask
    from ..ctx import RequestContext
    from ._reply import Receive
    from ._reply import Send
    from ._serving import Serving


async def serve_http(
    app: Flask,
    scope: t.MutableMapping[str, t.Any],
    receive: Receive,
    send: Send,
) -> None:
    """Answer one ``http`` scope."""
    serving = serving_of(app)
    environ = build_environ(scope, NO_BODY)
    environ["wsgi.file_wrapper"] = FileBody
    if "wsgi_app" in app.__dict__ or not app._stock_wsgi_app:
        # WSGI middleware wraps the app (``app.wsgi_app = ...``) or a
        # subclass replaced ``wsgi_app``: that then serves requests.
        await _through_wsgi_middleware(app, serving, environ, receive, send)
        return
    ctx = app.request_context(environ)
    ctx._match_once()
    plan = serving.plan(ctx._route()[0], environ["REQUEST_METHOD"])
    stream: ReceiveStream | None = None
    if has_body(environ):
        if plan.receive_first:
            received = await receive_whole(
                receive, _declared_length(environ), app.config["MAX_CONTENT_LENGTH"]
            )
            if received is None:
                return  # the client left before its body was sent
            environ["wsgi.input"] = received
        else:
            stream = environ["wsgi.input"] = ReceiveStream(receive, serving.loop)
    try:
        if plan.on_loop:
            # In a copy of the server task's context: what the request's
            # coroutines set stays with it (uvicorn starts a pipelined
            # request in the previous one's context otherwise).
            coro = serve_awaiting_view(app, ctx, reply_of)
            context = contextvars.copy_context()
            try:
                reply = await _InContext(coro, context, context.run(coro.send, None))
            except StopIteration as done:  # done in its first step
                reply = done.value
        else:
            reply = await serving.workers.run(
                contextvars.copy_context().run,
                _in_thread,
                app,
                ctx,
                serving.loop,
            )
        watch = stream is None or stream.ended
        await send_reply(reply, send, receive, scope, serving.workers, watch)
    finally:
        if environ["wsgi.input"] is not NO_BODY:
            environ["wsgi.input"].close()


async def _through_wsgi_middleware(
    app: Flask, serving: Serving, environ: t.Any, receive: Receive, send: Send
) -> None:
    """Serve an app whose ``wsgi_app`` was wrapped (``ProxyFix`` and the
    like) through the wrapper, in a worker thread as a WSGI server would,
    so the middleware applies under ASGI too."""
    stream = environ["wsgi.input"] = ReceiveStream(receive, serving.loop)
    context = contextvars.copy_context()
    reply = await serving.workers.run(
        context.run, _wsgi_in_thread, app, environ, serving.loop
    )
    await send_reply(
        reply, send, receive, environ["asgi.scope"], serving.workers, stream.ended
    )


def _wsgi_in_thread(
    app: Flask, environ: t.Any, loop: asyncio.AbstractEventLoop
) -> Reply:
    server_loop.set(loop)
    return wsgi_reply(app.wsgi_app, environ)


def _declared_length(environ: t.Any) -> int | None:
    try:
        return max(0, int(environ["CONTENT_LENGTH"]))
    except (KeyError, ValueError):
        return None


class _InContext:
    """Go on awaiting ``coro``, which yielded ``waited`` in its first step
    (run in ``context``), with each step run in ``context``, within the
    awaiting task: a task's isolation without a task (no scheduling, no
    loop iteration)."""

    __slots__ = ("_coro", "_context", "_waited")

    def __init__(
        self,
        coro: t.Coroutine[t.Any, t.Any, Outgoing],
        context: contextvars.Context,
        waited: t.Any,
    ) -> None:
        self._coro = coro
        self._context = context
        self._waited = waited

    def __await__(self) -> t.Generator[t.Any, t.Any, Outgoing]:
        run = self._context.run
        coro = self._coro
        waited = self._waited
        while True:
            step: t.Callable[..., t.Any]
            try:
                value = yield waited
                step = coro.send
            except BaseException as error:  # cancellation included: passed on
                value = error
                step = coro.throw
            try:
                waited = run(step, value)
            except StopIteration as done:
                return t.cast(Outgoing, done.value)


def _in_thread(
    app: Flask, ctx: RequestContext, loop: asyncio.AbstractEventLoop
) -> Outgoing:
    # Runs in a copy of the server task's context: what the request sets
    # is dropped with it.
    server_loop.set(loop)
    return serve(app, ctx, reply_of)
