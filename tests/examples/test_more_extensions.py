"""Widely used extensions work unchanged on this package: each is set up
the way its documentation shows and exercised through the test client."""

from __future__ import annotations

import typing as t
from pathlib import Path

import pytest
from cachelib import FileSystemCache
from flask_babel import Babel
from flask_babel import gettext
from flask_caching import Cache
from flask_cors import CORS
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_migrate import Migrate
from flask_restful import Api
from flask_restful import Resource
from flask_session import Session
from flask_sqlalchemy import SQLAlchemy

from flask import Flask
from flask import session


@pytest.fixture
def ext_app(tmp_path: Path) -> t.Iterator[Flask]:
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY="k",
        CACHE_TYPE="SimpleCache",
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'db.sqlite'}",
        SESSION_TYPE="cachelib",
        SESSION_CACHELIB=FileSystemCache(str(tmp_path / "sessions")),
    )
    yield app


def test_cors_answers_preflight_and_tags_responses(ext_app: Flask) -> None:
    CORS(ext_app, resources={r"/api/*": {"origins": "https://a.test"}})
    ext_app.add_url_rule("/api/x", "x", lambda: "x", methods=["GET", "POST"])
    client = ext_app.test_client()
    rv = client.get("/api/x", headers={"Origin": "https://a.test"})
    assert rv.headers["Access-Control-Allow-Origin"] == "https://a.test"
    pre = client.options(
        "/api/x",
        headers={"Origin": "https://a.test", "Access-Control-Request-Method": "POST"},
    )
    assert pre.status_code == 200
    assert "POST" in pre.headers["Access-Control-Allow-Methods"]
    other = client.get("/api/x", headers={"Origin": "https://evil.test"})
    assert "Access-Control-Allow-Origin" not in other.headers


def test_caching_memoizes_views(ext_app: Flask) -> None:
    cache = Cache(ext_app)
    calls: list[int] = []

    @ext_app.route("/cached")
    @cache.cached(timeout=60)
    def cached() -> str:
        calls.append(1)
        return f"computed {len(calls)}"

    client = ext_app.test_client()
    assert [client.get("/cached").text for _ in range(3)] == ["computed 1"] * 3


def test_limiter_rejects_over_the_limit(ext_app: Flask) -> None:
    Limiter(
        get_remote_address,
        app=ext_app,
        default_limits=["2 per minute"],
        storage_uri="memory://",
    )
    ext_app.add_url_rule("/", "index", lambda: "ok")
    client = ext_app.test_client()
    assert [client.get("/").status_code for _ in range(3)] == [200, 200, 429]


def test_server_side_session_replaces_the_cookie_session(ext_app: Flask) -> None:
    Session(ext_app)

    @ext_app.route("/count")
    def count() -> str:
        session["n"] = session.get("n", 0) + 1
        return str(session["n"])

    client = ext_app.test_client()
    assert [client.get("/count").text for _ in range(3)] == ["1", "2", "3"]
    cookie = client.get_cookie("session")
    assert cookie is not None and "." not in cookie.value  # an id, not signed data


def test_sqlalchemy_with_migrate_commands(ext_app: Flask) -> None:
    db = SQLAlchemy(ext_app)
    Migrate(ext_app, db)

    class Item(db.Model):  # type: ignore[name-defined, misc]
        id = db.Column(db.Integer, primary_key=True)
        name = db.Column(db.String(20))

    with ext_app.app_context():
        db.create_all()
        db.session.add(Item(name="a"))
        db.session.commit()
        assert db.session.scalar(db.select(db.func.count(Item.id))) == 1
    result = ext_app.test_cli_runner().invoke(args=["db", "--help"])
    assert result.exit_code == 0
    assert "upgrade" in result.output


def test_restful_resources(ext_app: Flask) -> None:
    api = Api(ext_app)

    class Hello(Resource):  # type: ignore[misc]
        def get(self, name: str) -> dict[str, str]:
            return {"hello": name}

    api.add_resource(Hello, "/hello/<name>")
    client = ext_app.test_client()
    assert client.get("/hello/you").json == {"hello": "you"}
    assert client.get("/missing").status_code == 404


def test_babel_translates_in_requests(ext_app: Flask) -> None:
    Babel(ext_app)
    ext_app.add_url_rule("/t", "t", lambda: gettext("Hello"))
    assert ext_app.test_client().get("/t").text == "Hello"
