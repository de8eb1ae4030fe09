"""Running coroutine functions from synchronous code (async views on WSGI).

Each thread keeps one event loop and reuses it for every call, instead of
starting a thread and a loop per call. A call behaves like a complete run
of its own, though:

* the coroutine runs with a copy of the caller's context variables, so the
  request and app contexts are visible inside it, and the variables it
  sets are copied back to the caller when it finishes;
* tasks it spawned and left running are cancelled when it returns (Flask
  documents that background tasks do not outlive the call);
* its exception, if any, propagates to the caller unchanged.

A call made while the thread's loop is already running (synchronous code
called from a coroutine, which calls another coroutine function) runs on
a short-lived loop in a helper thread, since a running loop cannot be
re-entered. Under the ASGI adapter, a call made in a worker thread goes
to the server's own loop instead (:data:`server_loop` names it), and the
thread waits for it there. A thread's loop is closed when the thread ends. Loops
inherited through ``fork`` are never used by the child.
"""

from __future__ import annotations

import asyncio
import atexit
import contextvars
import os
import threading
import typing as t
from functools import wraps

_T = t.TypeVar("_T")
_Coro = t.Coroutine[t.Any, t.Any, _T]

_local = threading.local()
_missing = object()

#: The loop of the ASGI server, set by the adapter in the context of the
#: worker thread running a request; None outside the adapter.
server_loop: contextvars.ContextVar[asyncio.AbstractEventLoop | None] = (
    contextvars.ContextVar("flask.server_loop", default=None)
)

#: Loops a forked child inherited from its parent. Closing them in the
#: child would unregister the parent's descriptors from the epoll instance
#: both share, so they are only kept out of the way.
_inherited: list[asyncio.AbstractEventLoop] = []


class _Runner:
    """An event loop owned by one thread, with the tasks created on it
    during the current call."""

    __slots__ = ("loop", "tasks", "pid")

    def __init__(self) -> None:
        loop = asyncio.new_event_loop()
        tasks: list[asyncio.Task[t.Any]] = []

        # The factory must not refer to the runner: a reference cycle
        # would delay closing the loop when the thread ends.
        def task_factory(
            loop: asyncio.AbstractEventLoop, coro: t.Any, **kwargs: t.Any
        ) -> asyncio.Task[t.Any]:
            task: asyncio.Task[t.Any] = asyncio.Task(coro, loop=loop, **kwargs)
            tasks.append(task)
            return task

        loop.set_task_factory(task_factory)
        self.loop = loop
        self.tasks = tasks
        self.pid = os.getpid()

    def run(
        self,
        coro: _Coro[_T],
        context: contextvars.Context,
        final: list[contextvars.Context],
    ) -> _T:
        """Run ``coro`` to completion in a copy of ``context``, then cancel
        the tasks it left behind. The context it finished with is
        appended to ``final``."""
        loop = self.loop
        task = context.run(loop.create_task, _capture_context(coro, final))
        try:
            return loop.run_until_complete(task)
        finally:
            tasks = self.tasks
            if len(tasks) == 1 and tasks[0] is task and task.done():
                tasks.clear()
            else:
                self._cancel_leftovers()

    def _cancel_leftovers(self) -> None:
        pending = [task for task in self.tasks if not task.done()]
        # Tasks created while these are being cancelled are dealt with
        # after the next call.
        self.tasks.clear()
        if not pending:
            return
        for task in pending:
            task.cancel()
        loop = self.loop
        loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
        for task in pending:
            if task.cancelled():
                continue
            exc = task.exception()
            if exc is not None:
                loop.call_exception_handler(
                    {
                        "message": "unhandled exception in a task cancelled"
                        " at the end of an async call",
                        "exception": exc,
                        "task": task,
                    }
                )

    def close(self) -> None:
        """Close the loop, unless it belongs to the parent of a fork."""
        loop = self.loop
        if self.pid != os.getpid():
            _inherited.append(loop)
            return
        if loop.is_closed() or loop.is_running():
            return
        try:
            self._cancel_leftovers()
        finally:
            loop.close()

    def __del__(self) -> None:
        # Runs when the thread ends and its thread-local data is dropped.
        try:
            self.close()
        except Exception:  # pragma: no cover - interpreter shutdown
            pass


async def _capture_context(coro: _Coro[_T], final: list[contextvars.Context]) -> _T:
    try:
        return await coro
    finally:
        final.append(contextvars.copy_context())


def _restore_context(context: contextvars.Context) -> None:
    """Set in the current context the variables that differ in ``context``."""
    for var, value in context.items():
        if var.get(_missing) is not value:
            var.set(value)


def _thread_runner() -> _Runner:
    """This thread's runner, created on first use."""
    runner: _Runner | None = getattr(_local, "runner", None)
    if runner is None or runner.loop.is_closed():
        runner = _local.runner = _Runner()
        if threading.current_thread() is threading.main_thread():
            # The main thread's data is not dropped before shutdown.
            atexit.register(runner.close)
    return runner


def _forget_inherited_runner() -> None:
    runner = _local.__dict__.pop("runner", None)
    if runner is not None:
        runner.close()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_inherited_runner)


def _run_in_helper_thread(
    coro: _Coro[_T],
    context: contextvars.Context,
    final: list[contextvars.Context],
) -> _T:
    """Run ``coro`` on a new loop in another thread and wait for it."""
    outcome: list[t.Any] = []

    def target() -> None:
        runner = _Runner()
        try:
            outcome.append((True, runner.run(coro, context, final)))
        except BaseException as e:  # re-raised in the calling thread
            outcome.append((False, e))
        finally:
            runner.close()

    thread = threading.Thread(target=target, name="flask-async-nested", daemon=True)
    thread.start()
    thread.join()
    ok, value = outcome[0]
    if not ok:
        raise value
    return value  # type: ignore[no-any-return]


def _run_on_loop(
    loop: asyncio.AbstractEventLoop,
    coro: _Coro[_T],
    final: list[contextvars.Context],
) -> _T:
    """Run ``coro`` as a task of another thread's running ``loop`` and wait
    for it; the task starts from a copy of this thread's context."""
    future = asyncio.run_coroutine_threadsafe(_capture_context(coro, final), loop)
    return future.result()


def run_coroutine_sync(
    func: t.Callable[..., _Coro[t.Any]],
) -> t.Callable[..., t.Any]:
    """Wrap ``func`` so calling it runs the coroutine to completion and
    returns its result."""

    @wraps(func)
    def wrapper(*args: t.Any, **kwargs: t.Any) -> t.Any:
        coro = func(*args, **kwargs)
        context = contextvars.copy_context()
        final: list[contextvars.Context] = []
        try:
            running = asyncio._get_running_loop()
            target = server_loop.get()
            if target is not None and running is None:
                return _run_on_loop(target, coro, final)
            if running is None:
                return _thread_runner().run(coro, context, final)
            return _run_in_helper_thread(coro, context, final)
        finally:
            if final:
                _restore_context(final[0])

    return wrapper


def iterate_sync(chunks: t.AsyncIterable[_T]) -> t.Iterator[_T]:
    """Iterate an async iterable from synchronous code, each step run to
    completion as :func:`run_coroutine_sync` runs a call; closing the
    iterator closes the async one."""
    iterator = chunks.__aiter__()
    step = run_coroutine_sync(_next_or_end)
    try:
        while (item := step(iterator)) is not _END:
            yield item
    finally:
        aclose = getattr(iterator, "aclose", None)
        if aclose is not None:
            run_coroutine_sync(aclose)()


_END: t.Any = object()


async def _next_or_end(iterator: t.AsyncIterator[_T]) -> _T:
    try:
        return await iterator.__anext__()
    except StopAsyncIteration:
        return t.cast(_T, _END)
