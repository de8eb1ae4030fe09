"""The manual's chapter 7 "Testing Flask Applications" beyond the Flaskr
tests (7.6-7.9), run as written (Python 3 spelling)."""

from __future__ import annotations

from contextlib import contextmanager
from types import SimpleNamespace

import pytest

import flask
from flask import appcontext_pushed
from flask import g
from flask import json
from flask import jsonify
from flask import request
from flask import Response


def test_7_6_other_testing_tricks():
    app = flask.Flask(__name__)

    with app.test_request_context("/?name=Peter"):
        assert flask.request.path == "/"
        assert flask.request.args["name"] == "Peter"


def test_7_6_before_and_after_request_are_not_called_automatically():
    app = flask.Flask(__name__)
    calls = []

    @app.before_request
    def before():
        calls.append("before")

    @app.after_request
    def after(response):
        calls.append("after")
        response.headers["X-After"] = "yes"
        return response

    @app.teardown_request
    def teardown(exc):
        calls.append("teardown")

    with app.test_request_context("/?name=Peter"):
        assert calls == []
        app.preprocess_request()
        assert calls == ["before"]
        resp = Response("...")
        resp = app.process_response(resp)
        assert calls == ["before", "after"]
        assert resp.headers["X-After"] == "yes"
    assert calls == ["before", "after", "teardown"]  # teardown runs on leaving


@contextmanager
def user_set(app, user):
    def handler(sender, **kwargs):
        g.user = user

    with appcontext_pushed.connected_to(handler, app):
        yield


def test_7_7_faking_resources_and_context():
    app = flask.Flask(__name__)

    @app.route("/users/me")
    def users_me():
        return jsonify(username=g.user.username)

    my_user = SimpleNamespace(username="peter")
    with user_set(app, my_user):
        with app.test_client() as c:
            resp = c.get("/users/me")
            data = json.loads(resp.data)
            assert data["username"] == my_user.username


def test_7_8_keeping_the_context_around():
    app = flask.Flask(__name__)

    @app.route("/")
    def index():
        return "ok"

    with app.test_client() as c:
        c.get("/?tequila=42")
        assert request.args["tequila"] == "42"

    # Without the with block the request is gone after the call.
    app.test_client().get("/?tequila=42")
    with pytest.raises(RuntimeError):
        request.args  # noqa: B018


def test_7_9_accessing_and_modifying_sessions():
    app = flask.Flask(__name__)
    app.secret_key = "testing"

    @app.route("/")
    def index():
        flask.session["foo"] = 42
        return flask.session.get("a_key", "no key")

    with app.test_client() as c:
        rv = c.get("/")
        assert flask.session["foo"] == 42
        assert rv.data == b"no key"

    with app.test_client() as c:
        with c.session_transaction() as sess:
            sess["a_key"] = "a value"

        # once this is reached the session was stored
        assert c.get("/").data == b"a value"
