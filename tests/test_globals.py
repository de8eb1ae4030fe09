"""The context-local proxies: Werkzeug ``LocalProxy`` objects whose
attribute reads and writes reach the current context's object."""

from __future__ import annotations

import pytest
from werkzeug.local import LocalProxy

import flask
from flask import Flask
from flask.globals import app_ctx
from flask.globals import request_ctx

# By name: pytest would otherwise touch the unbound proxies to name them.
PROXIES = {
    "current_app": (flask.current_app, "application"),
    "g": (flask.g, "application"),
    "app_ctx": (app_ctx, "application"),
    "request": (flask.request, "request"),
    "session": (flask.session, "request"),
    "request_ctx": (request_ctx, "request"),
}


@pytest.mark.parametrize("name", PROXIES)
def test_proxies_are_werkzeug_local_proxies(name: str) -> None:
    proxy = PROXIES[name][0]
    assert isinstance(proxy, LocalProxy)
    assert repr(proxy) == "<LocalProxy unbound>"


@pytest.mark.parametrize("name", PROXIES)
def test_unbound_attribute_access_says_which_context(name: str) -> None:
    proxy, context = PROXIES[name]
    with pytest.raises(RuntimeError, match=f"Working outside of {context} context"):
        proxy.anything  # type: ignore[attr-defined]  # noqa: B018
    with pytest.raises(RuntimeError, match=f"Working outside of {context} context"):
        proxy.anything = 1  # type: ignore[attr-defined]


def test_reads_and_writes_reach_the_current_objects(app: Flask) -> None:
    with app.test_request_context("/?a=1") as ctx:
        assert flask.current_app.name == app.name
        assert flask.request.args["a"] == "1"
        assert request_ctx.request is ctx.request
        flask.g.user = "ada"
        assert app_ctx.g.user == "ada"
        assert flask.g._get_current_object().user == "ada"  # type: ignore[attr-defined]
        request_ctx.flashes = [("message", "hi")]
        assert ctx.flashes == [("message", "hi")]
        del flask.g.user
        assert not hasattr(flask.g, "user")
        with pytest.raises(AttributeError):
            flask.request.no_such_attribute  # noqa: B018


def test_each_context_sees_its_own_objects(app: Flask) -> None:
    with app.test_request_context("/first"):
        flask.g.seen = "first"
        with app.test_request_context("/second"):
            assert flask.request.path == "/second"
            assert flask.g.seen == "first"  # the same app context
        assert flask.request.path == "/first"


def test_missing_attribute_of_the_current_object_names_it(app: Flask) -> None:
    with app.app_context():
        missing = "'_AppCtxGlobals' object has no attribute 'nope'"
        with pytest.raises(AttributeError, match=missing):
            flask.g.nope  # noqa: B018
        flask.g._private = 1
        assert flask.g._private == 1
        assert getattr(flask.g, "_missing", "default") == "default"
