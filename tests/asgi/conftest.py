"""Fixtures of the ASGI adapter's tests: an event loop per test and an
in-process peer driving the app on it."""

from __future__ import annotations

import asyncio
import typing as t

import pytest
from asgi_helpers import Peer

from flask import Flask


@pytest.fixture
def loop() -> t.Iterator[asyncio.AbstractEventLoop]:
    loop = asyncio.new_event_loop()
    yield loop
    loop.run_until_complete(loop.shutdown_asyncgens())
    loop.close()


@pytest.fixture
def peer(app: Flask, loop: asyncio.AbstractEventLoop) -> t.Iterator[Peer]:
    yield Peer(app, loop)
    serving = app.__dict__.get("_asgi_serving")
    if serving is not None:
        serving.close()
