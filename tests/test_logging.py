"""The app's logger, the default handler and the ``wsgi.errors`` stream."""

from __future__ import annotations

import io
import logging
import sys
import typing as t

import pytest

from flask import Flask
from flask.logging import create_logger
from flask.logging import default_handler
from flask.logging import has_level_handler
from flask.logging import wsgi_errors_stream


@pytest.fixture
def bare_logging(pytestconfig: pytest.Config) -> t.Iterator[None]:
    """No root handlers and no pytest capture handler while the test runs."""
    root = logging.root
    saved = root.handlers[:], root.level
    root.handlers = []
    plugin = pytestconfig.pluginmanager.unregister(name="logging-plugin")
    yield
    root.handlers[:], level = saved
    root.setLevel(level)
    for name in ("flask_test", "flask_test_debug", "logging_case"):
        logger = logging.getLogger(name)
        logger.handlers = []
        logger.setLevel(logging.NOTSET)
        logger.propagate = True
    if plugin:
        pytestconfig.pluginmanager.register(plugin, "logging-plugin")


def test_wsgi_errors_stream_follows_the_request(app: Flask) -> None:
    assert wsgi_errors_stream._get_current_object() is sys.stderr
    stream = io.StringIO()
    with app.test_request_context(errors_stream=stream):
        assert wsgi_errors_stream._get_current_object() is stream
    assert wsgi_errors_stream._get_current_object() is sys.stderr


@pytest.mark.usefixtures("bare_logging")
def test_has_level_handler_walks_the_propagation_chain() -> None:
    parent = logging.getLogger("logging_case")
    child = logging.getLogger("logging_case.child")
    assert not has_level_handler(child)

    handler = logging.StreamHandler(io.StringIO())
    parent.addHandler(handler)
    try:
        assert has_level_handler(child)
        child.propagate = False
        assert not has_level_handler(child)
        child.propagate = True
        handler.setLevel(logging.ERROR)  # above the effective WARNING
        assert not has_level_handler(child)
        child.setLevel(logging.ERROR)
        assert has_level_handler(child)
    finally:
        parent.removeHandler(handler)
        child.setLevel(logging.NOTSET)
        child.propagate = True


@pytest.mark.usefixtures("bare_logging")
def test_create_logger_adds_the_default_handler_once(app: Flask) -> None:
    logger = create_logger(app)
    assert logger is logging.getLogger("flask_test")
    assert logger.handlers == [default_handler]
    assert logger.level == logging.NOTSET
    create_logger(app)
    assert logger.handlers == [default_handler]


@pytest.mark.usefixtures("bare_logging")
def test_create_logger_in_debug_mode() -> None:
    app = Flask("flask_test_debug")
    app.debug = True
    assert create_logger(app).level == logging.DEBUG


@pytest.mark.usefixtures("bare_logging")
def test_debug_mode_keeps_an_explicit_level() -> None:
    logging.getLogger("flask_test_debug").setLevel(logging.ERROR)
    app = Flask("flask_test_debug")
    app.debug = True
    assert create_logger(app).level == logging.ERROR


@pytest.mark.usefixtures("bare_logging")
def test_configured_handler_means_no_default_handler(app: Flask) -> None:
    logging.root.addHandler(logging.StreamHandler(io.StringIO()))
    assert create_logger(app).handlers == []


@pytest.mark.usefixtures("bare_logging")
def test_default_handler_writes_to_the_request_errors_stream(
    app: Flask, client: t.Any
) -> None:
    @app.route("/")
    def index() -> str:
        app.logger.error("from the view")
        return ""

    stream = io.StringIO()
    client.get("/", errors_stream=stream)
    assert "ERROR in test_logging: from the view" in stream.getvalue()
    assert stream.getvalue().startswith("[")
