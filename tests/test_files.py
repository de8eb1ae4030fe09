"""Sending files: send_file and send_from_directory, conditional and
range requests, cache lifetimes, and the static route."""

from __future__ import annotations

import io
import os
import typing as t
from datetime import timedelta

import pytest
from werkzeug.exceptions import NotFound

import flask
from flask import Flask


@pytest.fixture
def root(tmp_path: t.Any) -> t.Any:
    """An application folder with static files and a private file."""
    static = tmp_path / "static"
    (static / "css").mkdir(parents=True)
    (static / "hello.txt").write_text("hello static")
    (static / "css" / "site.css").write_text("body {}")
    (tmp_path / "public").mkdir()
    (tmp_path / "public" / "page.html").write_text("<p>public</p>")
    (tmp_path / "files").mkdir()
    (tmp_path / "files" / "report.csv").write_text("a,b\n1,2\n")
    (tmp_path / "secret.txt").write_text("top secret")
    return tmp_path


@pytest.fixture
def files_app(root: t.Any) -> Flask:
    app = Flask("files_app", root_path=str(root))
    app.testing = True
    return app


def fetch(client: t.Any, path: str, **kwargs: t.Any) -> t.Any:
    """Make a request, read the body, and close the response (files)."""
    with client.get(path, **kwargs) as response:
        response.get_data()
        return response


# -- send_file ---------------------------------------------------------------------


def test_send_file_relative_to_root_path(files_app: Flask, root: t.Any) -> None:
    with files_app.test_request_context():
        with flask.send_file("files/report.csv") as response:
            response.direct_passthrough = False
            assert response.get_data() == b"a,b\n1,2\n"
            assert response.mimetype == "text/csv"
            assert response.headers["Content-Length"] == "8"


def test_send_file_absolute_path(files_app: Flask, root: t.Any) -> None:
    with files_app.test_request_context():
        with flask.send_file(str(root / "secret.txt")) as response:
            response.direct_passthrough = False
            assert response.get_data() == b"top secret"
            assert response.mimetype == "text/plain"


def test_send_file_from_a_view(files_app: Flask) -> None:
    files_app.add_url_rule(
        "/report", "report", lambda: flask.send_file("files/report.csv")
    )
    response = fetch(files_app.test_client(), "/report")
    assert response.status_code == 200
    assert response.data == b"a,b\n1,2\n"


def test_send_file_object_with_mimetype(files_app: Flask) -> None:
    with files_app.test_request_context():
        with flask.send_file(io.BytesIO(b"raw"), mimetype="application/x-thing") as rv:
            rv.direct_passthrough = False
            assert rv.get_data() == b"raw"
            assert rv.mimetype == "application/x-thing"
            assert "Content-Disposition" not in rv.headers


def test_send_file_object_with_download_name_guesses_the_type(
    files_app: Flask,
) -> None:
    with files_app.test_request_context():
        with flask.send_file(io.BytesIO(b"{}"), download_name="data.json") as rv:
            assert rv.mimetype == "application/json"
            assert rv.headers["Content-Disposition"] == "inline; filename=data.json"


def test_send_file_object_without_a_name_or_type(files_app: Flask) -> None:
    with files_app.test_request_context():
        with pytest.raises(TypeError, match="Unable to detect the MIME type"):
            flask.send_file(io.BytesIO(b"anonymous"))


@pytest.mark.parametrize(
    ("download_name", "disposition"),
    [
        (None, "attachment; filename=report.csv"),
        ("renamed.csv", "attachment; filename=renamed.csv"),
        ("two words.csv", 'attachment; filename="two words.csv"'),
        ("Zoë.csv", "attachment; filename=Zoe.csv; filename*=UTF-8''Zo%C3%AB.csv"),
    ],
)
def test_as_attachment(
    files_app: Flask, download_name: str | None, disposition: str
) -> None:
    with files_app.test_request_context():
        with flask.send_file(
            "files/report.csv", as_attachment=True, download_name=download_name
        ) as rv:
            assert rv.headers["Content-Disposition"] == disposition


def test_explicit_mimetype_wins(files_app: Flask) -> None:
    with files_app.test_request_context():
        with flask.send_file("files/report.csv", mimetype="text/plain") as rv:
            assert rv.mimetype == "text/plain"


def test_missing_file(files_app: Flask) -> None:
    with files_app.test_request_context(), pytest.raises(FileNotFoundError):
        flask.send_file("files/missing.csv")


# -- conditional requests, ranges and cache lifetimes -----------------------------


def test_conditional_request_gives_304(files_app: Flask) -> None:
    files_app.add_url_rule(
        "/report", "report", lambda: flask.send_file("files/report.csv")
    )
    client = files_app.test_client()
    first = fetch(client, "/report")
    assert first.headers["ETag"]
    assert first.headers["Last-Modified"]
    by_etag = fetch(client, "/report", headers={"If-None-Match": first.headers["ETag"]})
    assert by_etag.status_code == 304
    assert by_etag.data == b""
    by_date = fetch(
        client, "/report", headers={"If-Modified-Since": first.headers["Last-Modified"]}
    )
    assert by_date.status_code == 304


def test_range_request_gives_206(files_app: Flask) -> None:
    files_app.add_url_rule(
        "/report", "report", lambda: flask.send_file("files/report.csv")
    )
    response = fetch(files_app.test_client(), "/report", headers={"Range": "bytes=0-2"})
    assert response.status_code == 206
    assert response.data == b"a,b"
    assert response.headers["Content-Range"] == "bytes 0-2/8"


def test_unconditional_send_ignores_validators(files_app: Flask) -> None:
    files_app.add_url_rule(
        "/report",
        "report",
        lambda: flask.send_file("files/report.csv", conditional=False),
    )
    client = files_app.test_client()
    response = fetch(client, "/report", headers={"If-None-Match": "*"})
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("configured", "cache_control"),
    [
        (None, "no-cache"),
        (3600, "public, max-age=3600"),
        (timedelta(minutes=5), "public, max-age=300"),
        (0, "no-cache, max-age=0"),
    ],
)
def test_send_file_max_age_default(
    files_app: Flask, configured: t.Any, cache_control: str
) -> None:
    files_app.config["SEND_FILE_MAX_AGE_DEFAULT"] = configured
    client = files_app.test_client()
    files_app.add_url_rule(
        "/report", "report", lambda: flask.send_file("files/report.csv")
    )
    for path in ("/static/hello.txt", "/report"):
        response = fetch(client, path)
        assert response.headers["Cache-Control"] == cache_control


def test_explicit_max_age_wins(files_app: Flask) -> None:
    files_app.config["SEND_FILE_MAX_AGE_DEFAULT"] = 3600
    with files_app.test_request_context():
        with flask.send_file("files/report.csv", max_age=60) as rv:
            assert rv.cache_control.max_age == 60
            assert rv.expires is not None


def test_get_send_file_max_age_override(root: t.Any) -> None:
    class ShortCss(Flask):
        def get_send_file_max_age(self, filename: str | None) -> int | None:
            if filename is not None and filename.endswith(".css"):
                return 60
            return super().get_send_file_max_age(filename)

    app = ShortCss("short_css", root_path=str(root))
    app.add_url_rule("/report", "report", lambda: flask.send_file("files/report.csv"))
    client = app.test_client()
    assert fetch(client, "/static/css/site.css").cache_control.max_age == 60
    assert fetch(client, "/static/hello.txt").cache_control.max_age is None
    assert fetch(client, "/report").cache_control.max_age is None


def test_use_x_sendfile(files_app: Flask, root: t.Any) -> None:
    files_app.config["USE_X_SENDFILE"] = True
    response = fetch(files_app.test_client(), "/static/hello.txt")
    assert response.headers["X-Sendfile"] == str(root / "static" / "hello.txt")
    assert response.data == b""
    assert response.headers["Content-Length"] == "12"


# -- send_from_directory -------------------------------------------------------------


def test_send_from_directory(files_app: Flask, root: t.Any) -> None:
    files_app.add_url_rule(
        "/files/<path:name>",
        "files",
        lambda name: flask.send_from_directory("files", name),
    )
    client = files_app.test_client()
    assert fetch(client, "/files/report.csv").data == b"a,b\n1,2\n"
    assert fetch(client, "/files/missing.csv").status_code == 404


@pytest.mark.parametrize(
    "name",
    [
        "../secret.txt",
        "..",
        "../static/hello.txt",
        "sub/../../secret.txt",
        "/etc/passwd",
    ],
)
def test_send_from_directory_refuses_to_leave_the_directory(
    files_app: Flask, root: t.Any, name: str
) -> None:
    with files_app.test_request_context():
        with pytest.raises(NotFound):
            flask.send_from_directory(str(root / "files"), name)


@pytest.mark.parametrize(
    "path",
    ["/files/..%2fsecret.txt", "/files/%2e%2e/secret.txt", "/files/..%5csecret.txt"],
)
def test_traversal_through_a_view_is_a_404(files_app: Flask, path: str) -> None:
    files_app.add_url_rule(
        "/files/<path:name>",
        "files",
        lambda name: flask.send_from_directory("files", name),
    )
    response = fetch(files_app.test_client(), path)
    assert response.status_code == 404
    assert b"top secret" not in response.data


def test_send_from_directory_passes_options(files_app: Flask) -> None:
    with files_app.test_request_context():
        with flask.send_from_directory(
            "files", "report.csv", as_attachment=True, max_age=10
        ) as rv:
            assert rv.headers["Content-Disposition"].startswith("attachment")
            assert rv.cache_control.max_age == 10


# -- the static route ---------------------------------------------------------------


def test_static_route(files_app: Flask, root: t.Any) -> None:
    client = files_app.test_client()
    response = fetch(client, "/static/hello.txt")
    assert response.status_code == 200
    assert response.data == b"hello static"
    assert response.mimetype == "text/plain"
    assert fetch(client, "/static/css/site.css").mimetype == "text/css"
    assert fetch(client, "/static/missing.txt").status_code == 404
    assert files_app.static_folder == os.path.join(str(root), "static")


def test_static_route_head(files_app: Flask) -> None:
    with files_app.test_client().head("/static/hello.txt") as response:
        assert response.status_code == 200
        assert response.headers["Content-Length"] == "12"
        assert response.get_data() == b""


@pytest.mark.parametrize(
    "path",
    ["/static/../secret.txt", "/static/..%2fsecret.txt", "/static/%2e%2e%2fsecret.txt"],
)
def test_static_route_refuses_traversal(files_app: Flask, path: str) -> None:
    response = fetch(files_app.test_client(), path)
    assert response.status_code == 404
    assert b"top secret" not in response.data


@pytest.mark.parametrize(
    ("kwargs", "url", "body"),
    [
        ({"static_url_path": "/assets"}, "/assets/hello.txt", b"hello static"),
        ({"static_url_path": "/assets/"}, "/assets/hello.txt", b"hello static"),
        ({"static_folder": "public"}, "/public/page.html", b"<p>public</p>"),
        ({"static_folder": "public/"}, "/public/page.html", b"<p>public</p>"),
        ({"static_folder": "public", "static_url_path": "/s"}, "/s/page.html",
         b"<p>public</p>"),
        ({"static_url_path": ""}, "/hello.txt", b"hello static"),
    ],
)  # fmt: skip
def test_static_folder_and_url_path(
    root: t.Any, kwargs: dict[str, str], url: str, body: bytes
) -> None:
    app = Flask("static_options", root_path=str(root), **kwargs)
    response = fetch(app.test_client(), url)
    assert response.status_code == 200
    assert response.data == body
    with app.test_request_context():
        assert flask.url_for("static", filename=url.rsplit("/", 1)[1]) == url


def test_absolute_static_folder(root: t.Any, tmp_path: t.Any) -> None:
    app = Flask("absolute_static", static_folder=str(root / "public"))
    assert app.static_folder == str(root / "public")
    assert app.static_url_path == "/public"
    assert fetch(app.test_client(), "/public/page.html").data == b"<p>public</p>"


def test_no_static_folder(root: t.Any) -> None:
    app = Flask("no_static", root_path=str(root), static_folder=None)
    assert app.static_folder is None
    assert app.static_url_path is None
    assert not app.has_static_folder
    assert "static" not in app.view_functions
    assert fetch(app.test_client(), "/static/hello.txt").status_code == 404
    with app.test_request_context():
        with pytest.raises(RuntimeError, match="'static_folder' must be set"):
            app.send_static_file("hello.txt")


def test_send_static_file_directly(files_app: Flask) -> None:
    with files_app.test_request_context():
        with files_app.send_static_file("hello.txt") as rv:
            rv.direct_passthrough = False
            assert rv.get_data() == b"hello static"
