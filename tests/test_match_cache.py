"""Remembered URL matches behave exactly like fresh ones."""

from __future__ import annotations

import typing as t

from werkzeug.routing import BaseConverter
from werkzeug.routing import Rule

from flask import Flask
from flask import request


def test_view_args_are_fresh_each_request(app: Flask) -> None:
    @app.route("/item/<int:item_id>")
    def item(item_id: int) -> str:
        request.view_args["item_id"] = -1  # type: ignore[index]
        return str(item_id)

    client = app.test_client()
    assert [client.get("/item/7").text for _ in range(3)] == ["7", "7", "7"]


def test_custom_converter_runs_every_request(app: Flask) -> None:
    calls: list[str] = []

    class Loader(BaseConverter):
        def to_python(self, value: str) -> t.Any:
            calls.append(value)
            return {"loaded": value}

    app.url_map.converters["loader"] = Loader

    @app.route("/obj/<loader:obj>")
    def obj(obj: dict[str, str]) -> str:
        return obj["loaded"]

    client = app.test_client()
    assert [client.get("/obj/a").text for _ in range(3)] == ["a", "a", "a"]
    assert calls == ["a", "a", "a"]


def test_rule_added_to_the_map_later_takes_effect(app: Flask) -> None:
    @app.route("/user/<name>")
    def user(name: str) -> str:
        return f"user {name}"

    client = app.test_client()
    assert client.get("/user/me").text == "user me"
    app.url_map.add(Rule("/user/me", endpoint="me"))
    app.view_functions["me"] = lambda: "it's me"
    assert client.get("/user/me").text == "it's me"


def test_method_and_host_are_part_of_the_match(app: Flask) -> None:
    app.add_url_rule("/r", "get_r", lambda: "get", methods=["GET"])
    app.add_url_rule("/r", "post_r", lambda: "post", methods=["POST"])
    client = app.test_client()
    assert client.get("/r").text == "get"
    assert client.post("/r").text == "post"
    assert client.get("/r").text == "get"


def test_remembered_404_turns_into_a_match_when_a_rule_is_added(app: Flask) -> None:
    client = app.test_client()
    assert client.get("/late").status_code == 404
    assert client.get("/late").status_code == 404
    app.url_map.add(Rule("/late", endpoint="late"))
    app.view_functions["late"] = lambda: "here now"
    assert client.get("/late").text == "here now"


def test_failed_matches_keep_their_status(app: Flask) -> None:
    app.add_url_rule("/slash/", "slash", lambda: "ok")
    client = app.test_client()
    assert client.get("/slash").status_code == 308
    assert client.get("/slash").status_code == 308
    assert client.get("/missing").status_code == 404
    assert client.get("/missing").status_code == 404
    assert client.post("/slash/").status_code == 405
    assert client.post("/slash/").status_code == 405
    assert client.get("/slash/").text == "ok"
