"""Path traversal against the static route and ``send_from_directory``.

A secret file sits next to the served folder. Every way of naming it from
inside the folder -- ``..``, absolute paths, percent-encoded and
double-encoded separators, backslashes, NUL bytes, symlinks -- must give a
404 (a redirect for ``//``, which Werkzeug merges, is followed) and never
a 500, and the secret's content must never appear in a response. The
names travel three ways: as the PATH_INFO a server hands over, as a query
argument passed to ``send_from_directory``, and encoded on the wire to a
live server, which decodes them itself.
"""

from __future__ import annotations

import os
import typing as t
import urllib.parse
import uuid
from pathlib import Path

import pytest
from hostile_helpers import call_wsgi
from hostile_helpers import FUZZ
from hostile_helpers import live_server
from hostile_helpers import make_environ
from hostile_helpers import raw_http
from hostile_helpers import recorded_exceptions
from hostile_helpers import WSGIResult
from hypothesis import given
from hypothesis import strategies as st
from werkzeug.exceptions import NotFound
from werkzeug.utils import secure_filename

from flask import Flask
from flask import request
from flask import send_from_directory

SECRET = f"TOP-SECRET-{uuid.uuid4()}".encode()
PUBLIC = {
    "ok.txt": b"public ok",
    "sub/inner.txt": b"public inner",
    "dir with space/a b.txt": b"public spaced",
}


class Site(t.NamedTuple):
    root: Path
    static: Path
    app: Flask


def build_site(root: Path) -> Site:
    """root/secret.txt, root/static2/secret.txt (a sibling whose name
    starts like the folder's) and root/static/ with public files."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "secret.txt").write_bytes(SECRET)
    (root / "static2").mkdir()
    (root / "static2" / "secret.txt").write_bytes(SECRET)
    static = root / "static"
    for name, content in PUBLIC.items():
        path = static / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)

    app = Flask("traversal", root_path=str(root), static_folder="static")
    app.config.update(TESTING=False, PROPAGATE_EXCEPTIONS=False)

    @app.route("/files/<path:name>")
    def files(name: str) -> t.Any:
        return send_from_directory(static, name)

    @app.route("/download")
    def download() -> t.Any:
        return send_from_directory("static", request.args["name"])

    return Site(root, static, app)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Site:
    return build_site(tmp_path_factory.mktemp("site") / "root")


def fetch(app: Flask, environ: dict[str, t.Any], hops: int = 3) -> WSGIResult:
    """Call the app, following same-host redirects; check for 500s and
    for the secret."""
    with recorded_exceptions(app) as errors:
        result = call_wsgi(app, environ)
    assert errors == [], errors
    assert result.status_code < 500, result
    assert SECRET not in result.body
    location = result.header("Location")
    if result.status_code in (301, 302, 307, 308) and location and hops:
        url = urllib.parse.urlsplit(location)
        assert url.netloc in ("", "localhost"), location
        path = urllib.parse.unquote_to_bytes(url.path)
        query = url.query
        return fetch(app, make_environ(path=path, query=query), hops - 1)
    return result


#: Names for a file of the static folder that point outside it, in the
#: form the view receives them (already URL-decoded once).
HOSTILE_NAMES = [
    "../secret.txt",
    "../../secret.txt",
    "sub/../../secret.txt",
    "./../secret.txt",
    "sub/./../../secret.txt",
    "../static2/secret.txt",
    "../static/../secret.txt",
    "..",
    "../",
    "...",
    "....//secret.txt",
    "..\\secret.txt",
    "sub\\..\\..\\secret.txt",
    "..%2fsecret.txt",
    "%2e%2e%2fsecret.txt",
    "%2e%2e/secret.txt",
    "%252e%252e%252fsecret.txt",
    "..%5csecret.txt",
    "..%c0%afsecret.txt",
    "..\u2215secret.txt",
    "..\uff0fsecret.txt",
    "secret.txt\x00.txt",
    "../secret.txt\x00",
    "ok.txt\x00../../secret.txt",
    "/secret.txt",
    "//secret.txt",
    "SECRET_ABSOLUTE",
    "SECRET_ABSOLUTE_BACKSLASH",
    "C:secret.txt",
    "C:\\secret.txt",
    "\\\\server\\share\\secret.txt",
    "~/secret.txt",
    "$HOME/secret.txt",
    "sub/..",
    "sub/",
    ".",
    "",
]


def resolve(name: str, site: Site) -> str:
    if name == "SECRET_ABSOLUTE":
        return str(site.root / "secret.txt")
    if name == "SECRET_ABSOLUTE_BACKSLASH":
        return str(site.root / "secret.txt").replace("/", "\\")
    return name


@pytest.mark.parametrize("name", HOSTILE_NAMES)
@pytest.mark.parametrize("prefix", ["/static/", "/files/"])
def test_traversal_in_the_path_is_404(site: Site, prefix: str, name: str) -> None:
    # PEP 3333: PATH_INFO carries the decoded URL bytes as latin-1.
    path = (prefix + resolve(name, site)).encode()
    result = fetch(site.app, make_environ(path=path))
    assert result.status_code == 404


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_traversal_in_a_query_argument_is_404(site: Site, name: str) -> None:
    query = urllib.parse.urlencode({"name": resolve(name, site)})
    result = fetch(site.app, make_environ(path="/download", query=query))
    assert result.status_code in (404, 400)  # 400: empty name is missing


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_send_from_directory_refuses_with_not_found(site: Site, name: str) -> None:
    with site.app.test_request_context():
        with pytest.raises(NotFound):
            send_from_directory(site.static, resolve(name, site))


#: Request targets as sent on the wire; the server decodes them once.
WIRE_TARGETS = [
    "/static/../secret.txt",
    "/static/..%2fsecret.txt",
    "/static/..%2Fsecret.txt",
    "/static/%2e%2e%2fsecret.txt",
    "/static/%2E%2E%2Fsecret.txt",
    "/static/%2e%2e/secret.txt",
    "/static/%252e%252e%252fsecret.txt",
    "/static/..%255csecret.txt",
    "/static/..%5csecret.txt",
    "/static/..\\secret.txt",
    "/static/sub/%2e%2e/%2e%2e/secret.txt",
    "/static/secret.txt%00.txt",
    "/static/..%00/secret.txt",
    "/static/%c0%ae%c0%ae/secret.txt",
    "/static/..;/secret.txt",
    "/files/..%2fsecret.txt",
    "/files/%2e%2e%2f%2e%2e%2fsecret.txt",
    "/download?name=..%2fsecret.txt",
    "/download?name=%2e%2e/secret.txt",
    "/download?name=..%2f..%2fsecret.txt",
    "/download?name=%00",
    "/static//secret.txt",
    "//static/../secret.txt",
    "/./static/../secret.txt",
    "/static/./../secret.txt",
]


def test_traversal_over_the_wire_is_404(site: Site) -> None:
    with live_server(site.app) as (_, port):
        for target in WIRE_TARGETS:
            raw = raw_http(
                port,
                f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                "Connection: close\r\n\r\n".encode(),
            )
            status = int(raw.split(b" ", 2)[1])
            assert SECRET not in raw, target
            assert status in (404, 308, 400), (target, raw[:200])
            if status == 308:
                # Werkzeug merged slashes; the redirect stays on the site.
                location = raw.split(b"\r\nLocation: ", 1)[1].split(b"\r\n", 1)[0]
                follow = urllib.parse.urlsplit(location.decode())
                again = raw_http(
                    port,
                    f"GET {follow.path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    "Connection: close\r\n\r\n".encode(),
                )
                assert SECRET not in again
                assert int(again.split(b" ", 2)[1]) == 404, target


@pytest.mark.parametrize(("name", "content"), list(PUBLIC.items()))
def test_public_files_are_served(site: Site, name: str, content: bytes) -> None:
    for path in ("/static/" + name, "/files/" + name):
        result = fetch(site.app, make_environ(path=path.encode()))
        assert result.status_code == 200
        assert result.body == content
    query = urllib.parse.urlencode({"name": name})
    result = fetch(site.app, make_environ(path="/download", query=query))
    assert result.body == content


def test_dot_segments_that_stay_inside_are_served(site: Site) -> None:
    result = fetch(site.app, make_environ(path="/static/sub/../ok.txt"))
    assert result.status_code == 200
    assert result.body == PUBLIC["ok.txt"]


SEGMENTS = [
    "..",
    ".",
    "...",
    "",
    "sub",
    "static",
    "static2",
    "secret.txt",
    "ok.txt",
    "inner.txt",
    "%2e%2e",
    "%2f",
    "%5c",
    "\\",
    "..\\",
    "\x00",
    "~",
    "C:",
    "dir with space",
    "a b.txt",
]


@FUZZ
@given(
    segments=st.lists(st.sampled_from(SEGMENTS), min_size=1, max_size=8),
    prefix=st.sampled_from(["/static/", "/files/", "/download?name="]),
)
def test_any_combination_of_segments_stays_inside(
    site: Site, segments: list[str], prefix: str
) -> None:
    """Whatever the path, the answer is a public file, a 404 (or 400 for an
    empty name), never the secret."""
    name = "/".join(segments)
    if prefix.startswith("/download"):
        environ = make_environ(
            path="/download", query=urllib.parse.urlencode({"name": name})
        )
    else:
        environ = make_environ(path=(prefix + name).encode())
    result = fetch(site.app, environ)
    if result.status_code == 200:
        assert result.body in PUBLIC.values()
    else:
        assert result.status_code in (400, 404)


@pytest.mark.parametrize(
    "range_header",
    [
        "bytes=0-0",
        "bytes=-1",
        "bytes=5-",
        "bytes=999999-",
        "bytes=5-1",
        "bytes=a-b",
        "bytes=0-1,0-1,0-1",
        "bytes=" + ",".join(["0-0"] * 500),
        "pages=1-2",
        "bytes=-0",
        "bytes=99999999999999999999999-",
    ],
)
def test_range_requests_on_static_files_are_not_server_errors(
    site: Site, range_header: str
) -> None:
    result = fetch(
        site.app, make_environ(path="/static/ok.txt", headers={"Range": range_header})
    )
    assert result.status_code in (200, 206, 416)
    if result.status_code in (200, 206):
        assert result.body in PUBLIC["ok.txt"]


@pytest.mark.parametrize(
    "header",
    [
        ("If-Modified-Since", "garbage"),
        ("If-Modified-Since", "Sun, 06 Nov 99999 08:49:37 GMT"),
        ("If-None-Match", '"unterminated'),
        ("If-None-Match", "*"),
        ("If-Range", "garbage"),
        ("If-Match", "\x00"),
    ],
)
def test_conditional_headers_on_static_files_are_not_server_errors(
    site: Site, header: tuple[str, str]
) -> None:
    result = fetch(site.app, make_environ(path="/static/ok.txt", headers=[header]))
    assert result.status_code in (200, 304, 412)


# -- symlinks --------------------------------------------------------------------------


@pytest.fixture
def linked_site(tmp_path: Path) -> Site:
    site = build_site(tmp_path / "root")
    os.symlink(site.root / "secret.txt", site.static / "abs-link.txt")
    os.symlink("../secret.txt", site.static / "rel-link.txt")
    os.symlink(site.root, site.static / "dir-link")
    os.symlink("ok.txt", site.static / "inside-link.txt")
    return site


def test_symlink_inside_the_folder_is_served(linked_site: Site) -> None:
    result = fetch(linked_site.app, make_environ(path="/static/inside-link.txt"))
    assert result.status_code == 200
    assert result.body == PUBLIC["ok.txt"]


@pytest.mark.parametrize(
    "name",
    [
        "abs-link.txt",
        "rel-link.txt",
        "dir-link/secret.txt",
        "dir-link/static2/secret.txt",
    ],
)
@pytest.mark.parametrize("prefix", ["/static/", "/files/"])
def test_symlink_out_of_the_folder_is_404(
    linked_site: Site, prefix: str, name: str
) -> None:
    result = fetch(linked_site.app, make_environ(path=prefix + name))
    assert result.status_code == 404


# -- upload file names ------------------------------------------------------------------


@FUZZ
@given(filename=st.text(max_size=60) | st.sampled_from(HOSTILE_NAMES))
def test_secure_filename_keeps_uploads_in_their_folder(filename: str) -> None:
    """The upload pattern of the manual: ``secure_filename`` then join."""
    uploads = Path("/srv/uploads")
    safe = secure_filename(filename)
    assert "/" not in safe and "\\" not in safe and "\x00" not in safe
    assert safe not in (".", "..")
    target = os.path.normpath(uploads / safe) if safe else str(uploads)
    assert os.path.commonpath([uploads, target]) == str(uploads)
