"""Fixtures shared by the test suite: an app, its client and contexts,
and a detector that fails any test leaving a context pushed."""

from __future__ import annotations

import os
import typing as t

import pytest

from flask import Flask
from flask.ctx import _AppCtxGlobals
from flask.globals import _cv_app
from flask.globals import _cv_request

HERE = os.path.dirname(__file__)


@pytest.fixture(autouse=True)
def _clean_flask_environ(monkeypatch: pytest.MonkeyPatch) -> None:
    """Start every test without FLASK_* variables from the outside."""
    for key in ("FLASK_APP", "FLASK_DEBUG", "FLASK_RUN_FROM_CLI", "FLASK_ENV_FILE"):
        monkeypatch.delenv(key, raising=False)


@pytest.fixture
def app() -> Flask:
    app = Flask("flask_test", root_path=HERE)
    app.config.update(TESTING=True, SECRET_KEY="test key")
    return app


@pytest.fixture
def client(app: Flask) -> t.Any:
    return app.test_client()


@pytest.fixture
def app_ctx(app: Flask) -> t.Iterator[t.Any]:
    with app.app_context() as ctx:
        yield ctx


@pytest.fixture
def req_ctx(app: Flask) -> t.Iterator[t.Any]:
    with app.test_request_context() as ctx:
        yield ctx


@pytest.fixture(autouse=True)
def _context_leak_detector() -> t.Iterator[None]:
    yield
    leaked = []
    while (ctx := _cv_request.get(None)) is not None:
        leaked.append(ctx)
        ctx.pop()
    assert leaked == [], "a test left a request context pushed"
    assert _cv_app.get(None) is None, "a test left an app context pushed"


@pytest.fixture
def made_globals(app: Flask) -> list[object]:
    """The ``g`` objects the app makes while the test runs."""
    made: list[object] = []

    class Globals(_AppCtxGlobals):
        def __init__(self) -> None:
            made.append(self)

    app.app_ctx_globals_class = Globals
    return made
