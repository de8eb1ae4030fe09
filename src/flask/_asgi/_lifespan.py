"""The ASGI ``lifespan`` protocol: startup and shutdown, running the
app's ``before_serving`` and ``after_serving`` functions inside an
application context."""

from __future__ import annotations

import traceback
import typing as t
from inspect import isawaitable

from ._serving import serving_of

if t.TYPE_CHECKING:  # pragma: no cover
    from ..app import Flask
    from ._reply import Receive
    from ._reply import Send


async def serve_lifespan(app: Flask, receive: Receive, send: Send) -> None:
    """Answer ``lifespan.startup`` and ``lifespan.shutdown`` until the
    server says the latter."""
    serving = serving_of(app)
    while True:
        message = await receive()
        kind = message["type"]
        if kind == "lifespan.startup":
            stage, funcs = "startup", app.before_serving_funcs
        elif kind == "lifespan.shutdown":
            stage, funcs = "shutdown", app.after_serving_funcs
        else:  # pragma: no cover - not sent by servers
            continue
        try:
            await _run_all(app, funcs)
        except Exception:
            await send(
                {"type": f"lifespan.{stage}.failed", "message": traceback.format_exc()}
            )
            if stage == "shutdown":
                serving.close()
            return
        await send({"type": f"lifespan.{stage}.complete"})
        if stage == "shutdown":
            serving.close()
            return


async def _run_all(app: Flask, funcs: list[t.Callable[[], t.Any]]) -> None:
    """Call each function in an app context, awaiting coroutines."""
    if not funcs:
        return
    with app.app_context():
        for func in funcs:
            result = func()
            if isawaitable(result):
                await result
