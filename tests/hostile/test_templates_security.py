"""Template escaping, ``|tojson`` in scripts, the debugger and the
development server's defaults.

Templates are written to a temporary folder for each test, so nothing
here depends on the shared template fixtures.
"""

from __future__ import annotations

import json
import typing as t
from pathlib import Path

import pytest
from click.testing import CliRunner
from hostile_helpers import call_wsgi
from hostile_helpers import FUZZ
from hostile_helpers import make_environ
from hypothesis import given
from hypothesis import strategies as st
from markupsafe import Markup

from flask import flash
from flask import Flask
from flask import render_template
from flask import render_template_string
from flask.cli import FlaskGroup
from flask.cli import run_command

ESCAPED_EXTENSIONS = [".html", ".htm", ".xml", ".xhtml", ".svg"]
PAYLOADS = [
    "<script>alert(1)</script>",
    "</title><img src=x onerror=alert(1)>",
    '" onmouseover="alert(1)',
    "' onmouseover='alert(1)",
    "&lt;already escaped&gt; & raw",
    "<![CDATA[ ]]><!-- -->",
    "<svg/onload=alert(1)>",
]


@pytest.fixture
def template_app(tmp_path: Path) -> Flask:
    folder = tmp_path / "templates"
    folder.mkdir()
    for ext in ESCAPED_EXTENSIONS:
        (folder / f"page{ext}").write_text(
            '<p title="{{ v }}">{{ v }}</p>'
            "<p title='{{ v }}'>{% for m in get_flashed_messages() %}{{ m }}{% endfor %}</p>"
        )
    (folder / "page.txt").write_text("{{ v }}")
    (folder / "script.html").write_text(
        "<script>var data = {{ v|tojson }};</script><div data-v='{{ v|tojson }}'></div>"
    )
    app = Flask("templates_security", root_path=str(tmp_path))
    app.config.update(TESTING=False, PROPAGATE_EXCEPTIONS=False, SECRET_KEY="t")
    return app


@pytest.mark.parametrize("payload", PAYLOADS)
@pytest.mark.parametrize("ext", ESCAPED_EXTENSIONS)
def test_templates_of_every_markup_extension_autoescape(
    template_app: Flask, ext: str, payload: str
) -> None:
    with template_app.test_request_context():
        flash(payload)
        output = render_template(f"page{ext}", v=payload)
    escaped = str(Markup.escape(payload))
    expected = f"<p title=\"{escaped}\">{escaped}</p><p title='{escaped}'>{escaped}</p>"
    assert output == expected


@pytest.mark.parametrize("payload", PAYLOADS)
def test_render_template_string_autoescapes(template_app: Flask, payload: str) -> None:
    with template_app.test_request_context():
        output = render_template_string('<a href="{{ v }}">{{ v }}</a>', v=payload)
    escaped = str(Markup.escape(payload))
    assert output == f'<a href="{escaped}">{escaped}</a>'


def test_autoescape_covers_exactly_the_markup_extensions(template_app: Flask) -> None:
    for ext in ESCAPED_EXTENSIONS:
        assert template_app.select_jinja_autoescape(f"x{ext}")
    for ext in (".txt", ".js", ".css", ".json", ".md", ""):
        assert not template_app.select_jinja_autoescape(f"x{ext}")
    assert template_app.select_jinja_autoescape(None)  # template strings
    with template_app.test_request_context():
        # Plain text is not HTML: left as is.
        assert render_template("page.txt", v="<b>") == "<b>"


def test_only_explicit_markup_bypasses_escaping(template_app: Flask) -> None:
    with template_app.test_request_context():
        assert render_template_string("{{ v }}", v=Markup("<b>ok</b>")) == "<b>ok</b>"
        assert render_template_string("{{ v|safe }}", v="<b>") == "<b>"
        assert render_template_string("{{ v }}", v="<b>") == "&lt;b&gt;"
        # |tojson output is markup, but its own content is escaped.
        assert "<b>" not in render_template_string("{{ v|tojson }}", v="<b>")


# -- |tojson ---------------------------------------------------------------------------


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=20,
)
script_breakers = st.sampled_from(
    [
        "</script><script>alert(1)</script>",
        "</SCRIPT>",
        "<!--<script>",
        "]]>",
        "'; alert(1); '",
        '"; alert(1); "',
        "&lt;&amp;",
        "\u2028\u2029",
        "`${alert(1)}`",
    ]
)


def check_tojson(output: str, value: t.Any) -> None:
    for char in "<>&'":
        assert char not in output, (char, output)
    lowered = output.lower()
    assert "</script" not in lowered and "<!--" not in lowered
    assert json.loads(output) == value


@pytest.fixture(scope="module")
def tojson_app() -> Flask:
    return Flask("tojson")


@FUZZ
@given(value=json_values | script_breakers | st.lists(script_breakers))
def test_tojson_is_safe_inside_script_and_round_trips(
    tojson_app: Flask, value: t.Any
) -> None:
    with tojson_app.app_context():
        output = render_template_string("{{ v|tojson }}", v=value)
    check_tojson(output, value)


@pytest.mark.parametrize("payload", PAYLOADS + ["</script>", "'"])
def test_tojson_in_a_script_block_and_attribute(
    template_app: Flask, payload: str
) -> None:
    with template_app.app_context():
        output = render_template("script.html", v={"k": payload})
    script = output.split("<script>var data = ", 1)[1].split(";</script>", 1)[0]
    attribute = output.split("data-v='", 1)[1].split("'></div>", 1)[0]
    check_tojson(script, {"k": payload})
    check_tojson(attribute, {"k": payload})
    assert output.count("</script>") == 1


# -- the debugger ------------------------------------------------------------------------


@pytest.fixture
def plain_app() -> Flask:
    app = Flask("no_debugger")
    app.config.update(PROPAGATE_EXCEPTIONS=False)

    @app.route("/")
    def index() -> str:
        return "index page"

    @app.route("/boom")
    def boom() -> str:
        raise RuntimeError("secret internals: password=hunter2")

    return app


DEBUGGER_QUERIES = [
    "__debugger__=yes&cmd=resource&f=style.css",
    "__debugger__=yes&cmd=resource&f=debugger.js",
    "__debugger__=yes&cmd=printpin&s=x",
    "__debugger__=yes&cmd=pinauth&pin=123-456-789&s=x",
    "__debugger__=yes&cmd=import os&frm=0&s=x",
]


@pytest.mark.parametrize("query", DEBUGGER_QUERIES)
@pytest.mark.parametrize("path", ["/", "/missing", "/console"])
def test_debugger_is_not_reachable_without_debug_mode(
    plain_app: Flask, path: str, query: str
) -> None:
    assert not plain_app.debug
    result = call_wsgi(plain_app, make_environ(path=path, query=query))
    if path == "/":
        assert result.status_code == 200
        assert result.body == b"index page"
    else:
        assert result.status_code == 404
    assert b"Werkzeug Debugger" not in result.body
    assert b"debugger" not in result.body.lower()
    assert (result.header("Content-Type") or "").startswith("text/html")


def test_error_page_reveals_nothing_without_debug_mode(plain_app: Flask) -> None:
    result = call_wsgi(plain_app, make_environ(path="/boom"))
    assert result.status_code == 500
    for leak in (
        b"hunter2",
        b"secret internals",
        b"Traceback",
        b"RuntimeError",
        b".py",
    ):
        assert leak not in result.body


@pytest.fixture
def run_simple_calls(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, t.Any]]:
    """Record calls to Werkzeug's ``run_simple`` instead of serving."""
    calls: list[dict[str, t.Any]] = []

    def fake_run_simple(
        hostname: str, port: int, application: t.Any, **kwargs: t.Any
    ) -> None:
        calls.append(
            dict(kwargs, hostname=hostname, port=port, application=application)
        )

    import werkzeug.serving

    monkeypatch.setattr(werkzeug.serving, "run_simple", fake_run_simple)
    # `flask run` and `flask --debug` write these to os.environ: unset them
    # for the test in a way monkeypatch restores (unset) afterwards.
    for name in ("FLASK_RUN_FROM_CLI", "FLASK_DEBUG"):
        monkeypatch.setenv(name, "")
        monkeypatch.delenv(name)
    return calls


def test_app_run_defaults_to_loopback_without_debugger(
    plain_app: Flask, run_simple_calls: list[dict[str, t.Any]]
) -> None:
    plain_app.run(load_dotenv=False)
    (call,) = run_simple_calls
    assert call["hostname"] == "127.0.0.1"
    assert call["use_debugger"] is False
    assert call["use_reloader"] is False
    assert call["application"] is plain_app


def test_flask_run_defaults_to_loopback_without_debugger(
    plain_app: Flask, run_simple_calls: list[dict[str, t.Any]]
) -> None:
    options = {param.name: param for param in run_command.params}
    assert options["host"].default == "127.0.0.1"
    cli = FlaskGroup(create_app=lambda: plain_app, load_dotenv=False)
    result = CliRunner().invoke(cli, ["run"])
    assert result.exit_code == 0, result.output
    (call,) = run_simple_calls
    assert call["hostname"] == "127.0.0.1"
    assert call["use_debugger"] is False
    assert call["use_reloader"] is False


def test_flask_run_enables_the_debugger_only_with_debug(
    plain_app: Flask, run_simple_calls: list[dict[str, t.Any]]
) -> None:
    cli = FlaskGroup(create_app=lambda: plain_app, load_dotenv=False)
    runner = CliRunner()
    assert runner.invoke(cli, ["--debug", "run", "--no-reload"]).exit_code == 0
    assert run_simple_calls[-1]["use_debugger"] is True
    assert runner.invoke(cli, ["--no-debug", "run"]).exit_code == 0
    assert run_simple_calls[-1]["use_debugger"] is False
