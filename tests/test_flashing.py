"""Tests for message flashing: ``flask.flash`` and
``flask.get_flashed_messages``, in views, templates and the session."""

from __future__ import annotations

import typing as t

import pytest
from markupsafe import Markup

import flask
from flask import flash
from flask import Flask
from flask import get_flashed_messages
from flask import redirect
from flask import render_template
from flask import session
from flask import url_for


@pytest.fixture
def flash_app(app: Flask) -> Flask:
    """``/flash`` flashes the query arguments (``category=message``
    pairs, or ``message`` alone) and redirects; ``/show`` lists them."""

    @app.route("/flash")
    def do_flash() -> t.Any:
        for category, message in flask.request.args.items(multi=True):
            if category == "_":
                flash(message)
            else:
                flash(message, category)
        return redirect(url_for("show"))

    @app.route("/show")
    def show() -> str:
        return repr(get_flashed_messages(with_categories=True))

    @app.route("/nothing")
    def nothing() -> str:
        return ""

    return app


def test_flash_stores_category_and_message(req_ctx: t.Any) -> None:
    flash("saved")
    flash("oops", "error")
    flash("note", category="info")
    assert session["_flashes"] == [
        ("message", "saved"),
        ("error", "oops"),
        ("info", "note"),
    ]
    assert session.modified


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({}, ["a", "b", "c", "d"]),
        (
            {"with_categories": True},
            [("message", "a"), ("error", "b"), ("info", "c"), ("error", "d")],
        ),
        ({"category_filter": ["error"]}, ["b", "d"]),
        ({"category_filter": ("error", "info")}, ["b", "c", "d"]),
        ({"category_filter": ["warning"]}, []),
        (
            {"with_categories": True, "category_filter": ["info", "message"]},
            [("message", "a"), ("info", "c")],
        ),
    ],
)
def test_get_flashed_messages_options(
    req_ctx: t.Any, kwargs: dict[str, t.Any], expected: list[t.Any]
) -> None:
    flash("a")
    flash("b", "error")
    flash("c", "info")
    flash("d", "error")
    assert get_flashed_messages(**kwargs) == expected


def test_repeated_calls_return_the_same_messages(req_ctx: t.Any) -> None:
    flash("one")
    flash("two", "error")
    first = get_flashed_messages(with_categories=True)
    assert "_flashes" not in session
    assert get_flashed_messages(with_categories=True) == first
    assert get_flashed_messages() == ["one", "two"]
    assert get_flashed_messages(category_filter=["error"]) == ["two"]


def test_messages_show_on_the_next_request_only(flash_app: Flask) -> None:
    client = flash_app.test_client()
    rv = client.get("/flash?_=hello&error=bad")
    assert rv.status_code == 302
    assert client.get("/show").text == repr([("message", "hello"), ("error", "bad")])
    assert client.get("/show").text == "[]"


def test_following_the_redirect(flash_app: Flask) -> None:
    client = flash_app.test_client()
    rv = client.get("/flash?info=welcome", follow_redirects=True)
    assert rv.text == repr([("info", "welcome")])
    assert client.get("/show").text == "[]"


def test_messages_wait_until_read(flash_app: Flask) -> None:
    client = flash_app.test_client()
    client.get("/flash?_=first")
    client.get("/nothing")
    client.get("/flash?_=second")
    assert client.get("/show").text == repr(
        [("message", "first"), ("message", "second")]
    )


def test_no_flashes_leaves_the_session_unmodified(flash_app: Flask) -> None:
    with flash_app.test_request_context():
        assert get_flashed_messages() == []
        assert not session.modified

    rv = flash_app.test_client().get("/show")
    assert rv.text == "[]"
    assert rv.headers.getlist("Set-Cookie") == []


def test_reading_flashes_keeps_other_session_data(flash_app: Flask) -> None:
    @flash_app.route("/login")
    def login() -> str:
        session["user"] = "ann"
        flash("welcome")
        return ""

    @flash_app.route("/user")
    def user() -> str:
        return str(session.get("user"))

    client = flash_app.test_client()
    client.get("/login")
    assert client.get("/show").text == repr([("message", "welcome")])
    assert client.get("/user").text == "ann"
    assert client.get("/show").text == "[]"


def test_flashes_in_templates(flash_app: Flask) -> None:
    @flash_app.route("/page")
    def page() -> str:
        return render_template("flashes.html")

    client = flash_app.test_client()
    client.get("/flash?_=<hi>&error=oops")
    assert client.get("/page").text.splitlines() == [
        "[message] &lt;hi&gt;",
        "[error] oops",
    ]
    assert client.get("/page").text.strip() == ""


def test_markup_messages_survive_the_cookie(flash_app: Flask) -> None:
    @flash_app.route("/markup")
    def markup() -> t.Any:
        flash(Markup("<b>bold</b>"))
        return redirect("/page")

    @flash_app.route("/page")
    def page() -> str:
        return render_template("flashes.html")

    client = flash_app.test_client()
    rv = client.get("/markup", follow_redirects=True)
    assert rv.text.strip() == "[message] <b>bold</b>"


def test_message_flashed_signal(app: Flask, req_ctx: t.Any) -> None:
    recorded: list[tuple[t.Any, str, str]] = []

    def record(sender: t.Any, message: str, category: str) -> None:
        recorded.append((sender, message, category))

    with flask.message_flashed.connected_to(record, app):
        flash("hello")
        flash("careful", "warning")

    assert recorded == [(app, "hello", "message"), (app, "careful", "warning")]


def test_flash_without_a_request_fails(app: Flask, app_ctx: t.Any) -> None:
    with pytest.raises(RuntimeError):
        flash("nowhere")


def test_flash_without_a_secret_key_explains(app: Flask) -> None:
    app.config["SECRET_KEY"] = None
    with app.test_request_context():
        assert get_flashed_messages() == []
        with pytest.raises(RuntimeError, match="secret key"):
            flash("lost")
