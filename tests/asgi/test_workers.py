"""The worker threads plain functions run in: results and errors come back
to the loop, threads start only as calls need them, up to the bound."""

from __future__ import annotations

import asyncio
import threading
import time
import typing as t

import pytest

from flask._asgi._workers import Workers


@pytest.fixture
def workers(loop: asyncio.AbstractEventLoop) -> t.Iterator[Workers]:
    made = Workers(loop, 3, "test-workers")
    yield made
    made.close()


def test_a_call_runs_in_a_named_worker_thread(
    loop: asyncio.AbstractEventLoop, workers: Workers
) -> None:
    name = loop.run_until_complete(workers.run(lambda: threading.current_thread().name))
    assert name == "test-workers_0"


def test_arguments_and_results(
    loop: asyncio.AbstractEventLoop, workers: Workers
) -> None:
    assert loop.run_until_complete(workers.run(divmod, 17, 5)) == (3, 2)


@pytest.mark.parametrize("error", [ValueError("bad"), KeyError("k")])
def test_an_error_reaches_the_awaiting_code(
    loop: asyncio.AbstractEventLoop, workers: Workers, error: Exception
) -> None:
    def fail() -> None:
        raise error

    with pytest.raises(type(error)) as caught:
        loop.run_until_complete(workers.run(fail))
    assert caught.value is error


def test_stop_iteration_comes_back_wrapped(
    loop: asyncio.AbstractEventLoop, workers: Workers
) -> None:
    def stop() -> None:
        raise StopIteration

    with pytest.raises(RuntimeError, match="StopIteration") as caught:
        loop.run_until_complete(asyncio.wait_for(workers.run(stop), 5))
    assert isinstance(caught.value.__cause__, StopIteration)


def test_one_call_at_a_time_needs_one_thread(
    loop: asyncio.AbstractEventLoop, workers: Workers
) -> None:
    names = {
        loop.run_until_complete(workers.run(lambda: threading.current_thread().name))
        for _ in range(20)
    }
    assert names == {"test-workers_0"}


def test_concurrent_calls_use_at_most_the_bound(
    loop: asyncio.AbstractEventLoop, workers: Workers
) -> None:
    running = 0
    most = 0
    lock = threading.Lock()

    def busy() -> str:
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
        time.sleep(0.02)
        with lock:
            running -= 1
        return threading.current_thread().name

    async def many() -> list[str]:
        return await asyncio.gather(*(workers.run(busy) for _ in range(12)))

    names = loop.run_until_complete(asyncio.wait_for(many(), 10))
    assert len(names) == 12
    assert set(names) == {f"test-workers_{n}" for n in range(3)}
    assert most == 3


def test_a_call_cancelled_while_waiting_never_runs(
    loop: asyncio.AbstractEventLoop,
) -> None:
    workers = Workers(loop, 1, "test-workers")
    release = threading.Event()
    ran: list[str] = []

    async def scenario() -> None:
        blocker = workers.run(release.wait, 5)
        waiting = workers.run(ran.append, "ran")
        waiting.cancel()
        release.set()
        await blocker
        await workers.run(ran.append, "after")

    try:
        loop.run_until_complete(asyncio.wait_for(scenario(), 10))
    finally:
        workers.close()
    assert ran == ["after"]


def test_close_ends_the_threads(loop: asyncio.AbstractEventLoop) -> None:
    workers = Workers(loop, 2, "closing-workers")
    loop.run_until_complete(workers.run(time.sleep, 0))
    threads = [t for t in threading.enumerate() if t.name.startswith("closing-")]
    assert len(threads) == 1
    workers.close()
    threads[0].join(5)
    assert not threads[0].is_alive()
    with pytest.raises(RuntimeError, match="shut down"):
        workers.run(time.sleep, 0)
