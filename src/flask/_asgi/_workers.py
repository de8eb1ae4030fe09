"""The worker threads plain functions run in under ASGI.

A bounded pool like :class:`concurrent.futures.ThreadPoolExecutor`, made
for being awaited from one event loop: :meth:`Workers.run` returns an
asyncio future of the loop, which the worker completes through
``call_soon_threadsafe``. There is no ``concurrent.futures.Future`` in
between, with its locks and its callbacks chained to an asyncio future,
so a call from the loop to a thread and back costs a few calls instead
of a few dozen: a plain view pays it on every request.
"""

from __future__ import annotations

import asyncio
import queue
import threading
import typing as t

_R = t.TypeVar("_R")
_Job = tuple["asyncio.Future[t.Any]", t.Callable[..., t.Any], tuple[t.Any, ...]]


class Workers:
    """Up to ``size`` daemon threads named ``<name>_<n>``, started as the
    calls in flight need them, serving calls made on ``loop``."""

    def __init__(self, loop: asyncio.AbstractEventLoop, size: int, name: str) -> None:
        self._loop = loop
        self._size = size
        self._name = name
        self._jobs: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._threads: list[threading.Thread] = []
        #: Calls not finished yet; only read and written on the loop.
        self._in_flight = 0
        self._closed = False

    def run(self, func: t.Callable[..., _R], *args: t.Any) -> asyncio.Future[_R]:
        """``func(*args)`` in a worker thread, as a future of the loop. A
        call cancelled before a worker takes it up never runs."""
        if self._closed:
            raise RuntimeError("the worker threads are shut down")
        future: asyncio.Future[_R] = self._loop.create_future()
        self._in_flight += 1
        future.add_done_callback(self._finished)
        self._jobs.put((future, func, args))
        if self._in_flight > len(self._threads) < self._size:
            self._start_thread()
        return future

    def _finished(self, future: asyncio.Future[t.Any]) -> None:
        self._in_flight -= 1

    def _start_thread(self) -> None:
        thread = threading.Thread(
            target=self._work,
            name=f"{self._name}_{len(self._threads)}",
            daemon=True,
        )
        thread.start()
        self._threads.append(thread)

    def _work(self) -> None:
        jobs, loop = self._jobs, self._loop
        while True:
            job = jobs.get()
            if job is None:
                return
            future, func, args = job
            if future.cancelled():  # given up while it waited
                continue
            try:
                result = func(*args)
            except BaseException as error:  # handed to the awaiting task
                _deliver(loop, _fail, future, error)
            else:
                _deliver(loop, _succeed, future, result)
            del job, future, func, args  # keep nothing of a call while idle

    def close(self) -> None:
        """Stop the threads once they finish what they run; calls not
        started are dropped."""
        self._closed = True
        while True:
            try:
                self._jobs.get_nowait()
            except queue.Empty:
                break
        for _ in self._threads:
            self._jobs.put(None)


def _deliver(
    loop: asyncio.AbstractEventLoop,
    settle: t.Callable[[asyncio.Future[t.Any], t.Any], None],
    future: asyncio.Future[t.Any],
    value: t.Any,
) -> None:
    try:
        loop.call_soon_threadsafe(settle, future, value)
    except RuntimeError:
        pass  # the loop is closed: nobody awaits the call any more


def _succeed(future: asyncio.Future[t.Any], result: t.Any) -> None:
    if not future.cancelled():
        future.set_result(result)


def _fail(future: asyncio.Future[t.Any], error: BaseException) -> None:
    if isinstance(error, StopIteration):  # which a future refuses to hold
        wrapped = RuntimeError(f"{type(error).__name__} raised in a worker thread")
        wrapped.__cause__ = error
        error = wrapped
    if not future.cancelled():
        future.set_exception(error)
