"""Running coroutine functions from synchronous code (async views on WSGI).

Each thread keeps one event loop and reuses it for every call, instead of
starting a thread and a loop per call. The coroutine runs in a task that
copies the caller's context variables, so the request and app contexts
are visible inside it.
"""

from __future__ import annotations

import asyncio
import threading
import typing as t
from functools import wraps

_local = threading.local()


class _LoopHolder:
    """Owns a thread's loop and closes it when the thread ends."""

    __slots__ = ("loop",)

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()

    def __del__(self) -> None:
        self.loop.close()


def _thread_loop() -> asyncio.AbstractEventLoop:
    """This thread's event loop, created on first use."""
    holder: _LoopHolder | None = getattr(_local, "holder", None)
    if holder is None or holder.loop.is_closed():
        holder = _local.holder = _LoopHolder()
    return holder.loop


def _run_in_new_thread(coro: t.Coroutine[t.Any, t.Any, t.Any]) -> t.Any:
    """Run ``coro`` on another thread's loop, for calls made while this
    thread's loop is already running (sync code inside a coroutine)."""
    import contextvars

    result: list[t.Any] = []
    error: list[BaseException] = []
    context = contextvars.copy_context()

    def target() -> None:
        try:
            result.append(context.run(_thread_loop().run_until_complete, coro))
        except BaseException as e:  # re-raised in the caller's thread
            error.append(e)

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if error:
        raise error[0]
    return result[0]


def _loop_is_running() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def run_coroutine_sync(
    func: t.Callable[..., t.Coroutine[t.Any, t.Any, t.Any]],
) -> t.Callable[..., t.Any]:
    """Wrap ``func`` so calling it runs the coroutine to completion and
    returns its result."""

    @wraps(func)
    def wrapper(*args: t.Any, **kwargs: t.Any) -> t.Any:
        coro = func(*args, **kwargs)
        if _loop_is_running():
            return _run_in_new_thread(coro)
        return _thread_loop().run_until_complete(coro)

    return wrapper
