"""Tests for ``flask.templating``: the app's Jinja environment, the
dispatching loader, autoescaping, the standard context, context
processors, filters/tests/globals and the render and stream functions.

Template files live in ``tests/templates`` (the ``app`` fixture's root
path is ``tests/``); blueprint folders are ``templates/bp_first`` and
``templates/bp_second``.
"""

from __future__ import annotations

import json
import logging
import os
import typing as t
from pathlib import Path

import pytest
from jinja2 import DictLoader
from jinja2 import Template
from jinja2 import TemplateNotFound
from markupsafe import Markup

import flask
from flask import Blueprint
from flask import Flask
from flask import g
from flask import get_template_attribute
from flask import render_template
from flask import render_template_string
from flask import session
from flask import stream_template
from flask import stream_template_string
from flask.sessions import SecureCookieSession
from flask.sessions import SecureCookieSessionInterface
from flask.templating import DispatchingJinjaLoader
from flask.templating import Environment

HERE = os.path.dirname(__file__)

DANGER = "<b>&'\"</b>"
DANGER_ESCAPED = "&lt;b&gt;&amp;&#39;&#34;&lt;/b&gt;"


def _blueprint(name: str, folder: str | None) -> Blueprint:
    return Blueprint(name, __name__, root_path=HERE, template_folder=folder)


# -- the environment --------------------------------------------------------------------


def test_jinja_env_is_created_lazily_once() -> None:
    calls = []

    class CountingFlask(Flask):
        def create_jinja_environment(self) -> Environment:
            calls.append(1)
            return super().create_jinja_environment()

    app = CountingFlask("flask_test", root_path=HERE)
    assert calls == []
    env = app.jinja_env
    assert app.jinja_env is env
    assert calls == [1]


def test_environment_knows_its_app(app: Flask) -> None:
    env = app.jinja_env
    assert isinstance(env, Environment)
    assert env.app is app
    assert isinstance(env.loader, DispatchingJinjaLoader)


def test_jinja_environment_class_is_overridable() -> None:
    class MyEnvironment(Environment):
        pass

    class MyFlask(Flask):
        jinja_environment = MyEnvironment

    app = MyFlask("flask_test", root_path=HERE)
    assert isinstance(app.jinja_env, MyEnvironment)


def test_jinja_options_reach_the_environment() -> None:
    class TrimmingFlask(Flask):
        jinja_options = {"trim_blocks": True, "extensions": ["jinja2.ext.do"]}

    app = TrimmingFlask("flask_test", root_path=HERE)
    env = app.jinja_env
    assert env.trim_blocks is True
    assert "jinja2.ext.ExprStmtExtension" in env.extensions
    with app.app_context():
        assert render_template_string("{% if 1 %}\nx{% endif %}") == "x"


def test_jinja_options_can_replace_the_loader() -> None:
    class DictFlask(Flask):
        jinja_options = {"loader": DictLoader({"x.html": "from dict {{ v }}"})}

    app = DictFlask("flask_test", root_path=HERE)
    with app.app_context():
        assert render_template("x.html", v="<>") == "from dict &lt;&gt;"


def test_create_global_jinja_loader_is_overridable() -> None:
    class MyFlask(Flask):
        def create_global_jinja_loader(self) -> DictLoader:
            return DictLoader({"only.html": "custom {{ value }}"})

    app = MyFlask("flask_test", root_path=HERE)
    with app.app_context():
        assert render_template("only.html", value=1) == "custom 1"
        with pytest.raises(TemplateNotFound):
            render_template("plain.html")


# -- loaders ------------------------------------------------------------------------------


def test_loader_uses_the_template_folder(app: Flask, app_ctx: t.Any) -> None:
    assert render_template("plain.html", value="hi") == "hi"
    assert app.jinja_loader is not None
    assert app.jinja_loader.searchpath == [os.path.join(HERE, "templates")]  # type: ignore[attr-defined]


def test_custom_template_folder(tmp_path: Path) -> None:
    (tmp_path / "views").mkdir()
    (tmp_path / "views" / "hello.html").write_text("custom folder {{ who }}")
    app = Flask("flask_test", root_path=str(tmp_path), template_folder="views")
    with app.app_context():
        assert render_template("hello.html", who="ok") == "custom folder ok"


def test_no_template_folder_means_no_app_templates() -> None:
    app = Flask("flask_test", root_path=HERE, template_folder=None)
    assert app.jinja_loader is None
    with app.app_context(), pytest.raises(TemplateNotFound):
        render_template("plain.html")


def test_app_templates_win_over_blueprint_templates(app: Flask, app_ctx: t.Any) -> None:
    app.register_blueprint(_blueprint("first", "templates/bp_first"))
    assert render_template("overridden.html", value=1) == "app 1"


@pytest.mark.parametrize(
    ("order", "expected"),
    [
        (("first", "second"), "first bp shared"),
        (("second", "first"), "second bp shared"),
    ],
)
def test_blueprint_templates_in_registration_order(
    app: Flask, order: tuple[str, str], expected: str
) -> None:
    for name in order:
        app.register_blueprint(_blueprint(name, f"templates/bp_{name}"))
    with app.app_context():
        assert render_template("shared.html") == expected
        # A template only one blueprint has is found whatever the order.
        assert render_template("only_second.html") == "second bp only"


def test_blueprint_without_template_folder_is_skipped(
    app: Flask, app_ctx: t.Any
) -> None:
    app.register_blueprint(_blueprint("nofolder", None))
    app.register_blueprint(_blueprint("second", "templates/bp_second"))
    assert render_template("only_second.html") == "second bp only"


def test_list_templates_merges_app_and_blueprints(app: Flask) -> None:
    app.register_blueprint(_blueprint("second", "templates/bp_second"))
    names = app.jinja_env.list_templates()
    assert "plain.html" in names
    assert "only_second.html" in names
    assert len(names) == len(set(names))


def test_missing_template_raises(app: Flask, app_ctx: t.Any) -> None:
    with pytest.raises(TemplateNotFound):
        render_template("does-not-exist.html")


def test_explain_template_loading_logs_each_place_searched(
    app: Flask, caplog: pytest.LogCaptureFixture
) -> None:
    app.config["EXPLAIN_TEMPLATE_LOADING"] = True
    app.register_blueprint(_blueprint("first", "templates/bp_first"))
    app.register_blueprint(_blueprint("second", "templates/bp_second"))
    caplog.set_level(logging.INFO, logger=app.logger.name)

    with app.app_context(), pytest.raises(TemplateNotFound):
        render_template("missing-everywhere.html")

    text = "\n".join(r.getMessage() for r in caplog.records)
    assert "missing-everywhere.html" in text
    assert "flask_test" in text
    assert "'first'" in text and "'second'" in text
    assert text.index("'first'") < text.index("'second'")
    assert os.path.join(HERE, "templates", "bp_second") in text
    assert "could not be found" in text


def test_explain_template_loading_still_finds_templates(
    app: Flask, caplog: pytest.LogCaptureFixture
) -> None:
    app.config["EXPLAIN_TEMPLATE_LOADING"] = True
    app.register_blueprint(_blueprint("second", "templates/bp_second"))
    caplog.set_level(logging.INFO, logger=app.logger.name)
    with app.app_context():
        assert render_template("only_second.html") == "second bp only"
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert "only_second.html" in text
    assert "found" in text


def test_explain_template_loading_warns_about_shadowed_templates(
    app: Flask, caplog: pytest.LogCaptureFixture
) -> None:
    app.config["EXPLAIN_TEMPLATE_LOADING"] = True
    app.register_blueprint(_blueprint("first", "templates/bp_first"))
    caplog.set_level(logging.INFO, logger=app.logger.name)
    with app.app_context():
        assert render_template("overridden.html", value=1) == "app 1"
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert "multiple loaders" in text


def test_explain_template_loading_hints_at_the_blueprint(
    app: Flask, caplog: pytest.LogCaptureFixture
) -> None:
    app.config["EXPLAIN_TEMPLATE_LOADING"] = True
    bp = _blueprint("first", "templates/bp_first")

    @bp.route("/page")
    def page() -> str:
        return render_template("missing-in-bp.html")

    app.register_blueprint(bp)
    caplog.set_level(logging.INFO, logger=app.logger.name)
    with pytest.raises(TemplateNotFound):
        app.test_client().get("/page")
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert "belongs to the blueprint 'first'" in text


def test_without_explain_template_loading_nothing_is_logged(
    app: Flask, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger=app.logger.name)
    with app.app_context(), pytest.raises(TemplateNotFound):
        render_template("missing-everywhere.html")
    assert caplog.records == []


@pytest.mark.parametrize(
    ("auto_reload", "debug", "expected"),
    [
        (None, False, False),
        (None, True, True),
        (True, False, True),
        (False, True, False),
    ],
)
def test_templates_auto_reload_setting(
    app: Flask, auto_reload: bool | None, debug: bool, expected: bool
) -> None:
    app.config["TEMPLATES_AUTO_RELOAD"] = auto_reload
    app.debug = debug
    assert app.jinja_env.auto_reload is expected


@pytest.mark.parametrize("debug", [True, False])
def test_auto_reload_follows_debug_changed_after_creation(
    app: Flask, debug: bool
) -> None:
    app.debug = not debug
    assert app.jinja_env.auto_reload is (not debug)
    app.debug = debug
    assert app.jinja_env.auto_reload is debug


def test_explicit_auto_reload_ignores_later_debug_changes(app: Flask) -> None:
    app.config["TEMPLATES_AUTO_RELOAD"] = False
    assert app.jinja_env.auto_reload is False
    app.debug = True
    assert app.jinja_env.auto_reload is False


@pytest.mark.parametrize(("auto_reload", "changes"), [(True, True), (False, False)])
def test_auto_reload_picks_up_edited_templates(
    tmp_path: Path, auto_reload: bool, changes: bool
) -> None:
    (tmp_path / "templates").mkdir()
    path = tmp_path / "templates" / "edit.html"
    path.write_text("before")
    app = Flask("flask_test", root_path=str(tmp_path))
    app.config["TEMPLATES_AUTO_RELOAD"] = auto_reload
    with app.app_context():
        assert render_template("edit.html") == "before"
        path.write_text("after")
        # Move the modification time forward so the change is visible
        # regardless of the file system's time resolution.
        stat = path.stat()
        os.utime(path, (stat.st_atime, stat.st_mtime + 10))
        assert render_template("edit.html") == ("after" if changes else "before")


# -- autoescaping ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "escaped"),
    [
        ("escape.html", True),
        ("escape.htm", True),
        ("escape.xml", True),
        ("escape.xhtml", True),
        ("escape.svg", True),
        ("escape.txt", False),
        ("escape.js", False),
    ],
)
def test_autoescape_by_extension(
    app: Flask, app_ctx: t.Any, name: str, escaped: bool
) -> None:
    rv = render_template(name, value=DANGER)
    if escaped:
        assert DANGER_ESCAPED in rv
        assert DANGER not in rv
    else:
        assert DANGER in rv


@pytest.mark.parametrize("render", [render_template_string, stream_template_string])
def test_string_templates_are_autoescaped(
    app: Flask, req_ctx: t.Any, render: t.Callable[..., t.Any]
) -> None:
    rv = render("{{ value }}", value=DANGER)
    if not isinstance(rv, str):
        rv = "".join(rv)
    assert rv == DANGER_ESCAPED


@pytest.mark.parametrize(
    "source",
    [
        "{{ value|safe }}",
        "{% autoescape false %}{{ value }}{% endautoescape %}",
        "{{ markup }}",
    ],
)
def test_ways_to_skip_escaping(app: Flask, app_ctx: t.Any, source: str) -> None:
    rv = render_template_string(source, value=DANGER, markup=Markup(DANGER))
    assert rv == DANGER


def test_objects_with_html_method_are_not_escaped(app: Flask, app_ctx: t.Any) -> None:
    class Widget:
        def __html__(self) -> str:
            return "<widget>"

    assert render_template_string("{{ w }}", w=Widget()) == "<widget>"


def test_select_jinja_autoescape_is_overridable() -> None:
    class EscapeEverything(Flask):
        def select_jinja_autoescape(self, filename: str | None) -> bool:
            return True

    class EscapeNothing(Flask):
        def select_jinja_autoescape(self, filename: str | None) -> bool:
            return False

    for cls, expected in ((EscapeEverything, DANGER_ESCAPED), (EscapeNothing, DANGER)):
        app = cls("flask_test", root_path=HERE)
        with app.app_context():
            assert render_template("escape.txt", value=DANGER).strip() == expected
            assert render_template_string("{{ v }}", v=DANGER) == expected


@pytest.mark.parametrize(
    ("filename", "expected"),
    [
        (None, True),
        ("a.html", True),
        ("a.htm", True),
        ("a.xml", True),
        ("a.xhtml", True),
        ("a.svg", True),
        ("a.txt", False),
        ("a.css", False),
        ("a.html.txt", False),
        ("email.jinja", False),
    ],
)
def test_select_jinja_autoescape_default(
    app: Flask, filename: str | None, expected: bool
) -> None:
    assert app.select_jinja_autoescape(filename) is expected


# -- the standard context ----------------------------------------------------------------


def test_standard_context_in_a_request(app: Flask, client: t.Any) -> None:
    app.config["GREETING"] = "hello"

    @app.route("/")
    def index() -> str:
        g.answer = 42
        session["user"] = "ann"
        flask.flash("first")
        flask.flash("second")
        return render_template("standard_context.html")

    lines = client.get("/").text.splitlines()
    assert lines == [
        "config=hello",
        "path=/",
        "user=ann",
        "g=42",
        "url=/",
        "flashes=first,second",
    ]


def test_standard_context_in_string_templates(app: Flask, client: t.Any) -> None:
    @app.route("/p/<name>")
    def page(name: str) -> str:
        g.name = name
        return render_template_string(
            "{{ request.view_args.name }} {{ g.name }} {{ config.TESTING }}"
            " {{ url_for('page', name='x') }} {{ session.get('k', 'none') }}"
        )

    assert client.get("/p/abc").text == "abc abc True /p/x none"


def test_rendering_without_a_request(app: Flask, app_ctx: t.Any) -> None:
    app.config["PUNCTUATION"] = "!"
    g.answer = 7
    rv = render_template_string(
        "{{ 'request' if request else 'no request' }}"
        " {{ 'session' if session else 'no session' }}"
        " {{ g.answer }} {{ config.PUNCTUATION }}"
    )
    assert rv == "no request no session 7 !"


def test_rendering_needs_an_app_context(app: Flask) -> None:
    with pytest.raises(RuntimeError):
        render_template_string("x")


def test_imported_macros_see_config_and_request(app: Flask, client: t.Any) -> None:
    app.config["PUNCTUATION"] = "?!"

    @app.route("/imports")
    def imports() -> str:
        return render_template("imports_macros.html")

    assert client.get("/imports").text.strip() == "HEY?! /imports"
    with app.app_context():
        rv = render_template("imports_macros.html").strip()
    assert rv == "HEY?! no request"


def test_update_template_context_adds_standard_values(
    app: Flask, req_ctx: t.Any
) -> None:
    g.x = 1
    context: dict[str, t.Any] = {}
    app.update_template_context(context)
    assert context["g"] is g._get_current_object()
    assert context["request"] is flask.request._get_current_object()  # type: ignore[attr-defined]
    # ``session`` behaves as the session (it is opened on first use).
    assert isinstance(context["session"], SecureCookieSession)
    context["session"]["k"] = "v"
    assert session["k"] == "v"


@pytest.mark.parametrize(
    ("source", "opened"),
    [("{{ 1 + 1 }}", False), ("{{ session.get('x') }}", True)],
)
def test_templates_open_the_session_only_when_they_read_it(
    app: Flask, source: str, opened: bool
) -> None:
    calls = []

    class Counting(SecureCookieSessionInterface):
        def get_signing_serializer(self, app: Flask) -> t.Any:
            calls.append(1)
            return super().get_signing_serializer(app)

    app.session_interface = Counting()

    @app.route("/")
    def index() -> str:
        return render_template_string(source)

    rv = app.test_client().get("/")
    assert bool(calls) is opened
    assert ("Cookie" in rv.headers.get("Vary", "")) is opened


# -- context processors ------------------------------------------------------------------


def test_app_context_processor(app: Flask, client: t.Any) -> None:
    @app.context_processor
    def inject() -> dict[str, t.Any]:
        return {"site": "Example", "price": lambda v: f"${v:.2f}"}

    @app.route("/")
    def index() -> str:
        return render_template_string("{{ site }} {{ price(3) }}")

    assert client.get("/").text == "Example $3.00"


def test_explicit_values_win_over_context_processors(app: Flask, client: t.Any) -> None:
    bp = Blueprint("bp", __name__)

    @app.context_processor
    def app_values() -> dict[str, t.Any]:
        return {"who": "app", "what": "app", "extra": "app extra"}

    @bp.context_processor
    def bp_values() -> dict[str, t.Any]:
        return {"who": "bp"}

    @bp.route("/")
    def index() -> str:
        return render_template_string(
            "{{ who }} {{ what }} {{ extra }}", what="explicit", who="explicit too"
        )

    app.register_blueprint(bp)
    assert client.get("/").text == "explicit too explicit app extra"


def test_blueprint_processor_wins_over_app_processor(app: Flask, client: t.Any) -> None:
    bp = Blueprint("bp", __name__, url_prefix="/bp")

    @app.context_processor
    def app_values() -> dict[str, t.Any]:
        return {"who": "app"}

    @bp.context_processor
    def bp_values() -> dict[str, t.Any]:
        return {"who": "bp"}

    @bp.route("/")
    def bp_index() -> str:
        return render_template_string("{{ who }}")

    @app.route("/")
    def app_index() -> str:
        return render_template_string("{{ who }}")

    app.register_blueprint(bp)
    assert client.get("/bp/").text == "bp"
    assert client.get("/").text == "app"


def test_blueprint_context_processors(app: Flask, client: t.Any) -> None:
    bp = Blueprint("bp", __name__, url_prefix="/bp")

    @bp.context_processor
    def local() -> dict[str, t.Any]:
        return {"local": "bp only"}

    @bp.app_context_processor
    def everywhere() -> dict[str, t.Any]:
        return {"everywhere": "all"}

    source = "{{ local|default('-') }} {{ everywhere|default('-') }}"

    @bp.route("/")
    def bp_index() -> str:
        return render_template_string(source)

    @app.route("/")
    def app_index() -> str:
        return render_template_string(source)

    app.register_blueprint(bp)
    assert client.get("/bp/").text == "bp only all"
    assert client.get("/").text == "- all"
    with app.app_context():
        # Outside a request only app-wide processors run.
        assert render_template_string(source) == "- all"


def test_nested_blueprint_processors_apply_outermost_first(
    app: Flask, client: t.Any
) -> None:
    parent = Blueprint("parent", __name__, url_prefix="/parent")
    child = Blueprint("child", __name__, url_prefix="/child")

    @parent.context_processor
    def parent_values() -> dict[str, t.Any]:
        return {"a": "parent", "b": "parent"}

    @child.context_processor
    def child_values() -> dict[str, t.Any]:
        return {"b": "child"}

    @child.route("/")
    def index() -> str:
        return render_template_string("{{ a }} {{ b }}")

    parent.register_blueprint(child)
    app.register_blueprint(parent)
    assert client.get("/parent/child/").text == "parent child"


def test_async_context_processor(app: Flask, client: t.Any) -> None:
    pytest.importorskip("asgiref")

    @app.context_processor
    async def inject() -> dict[str, t.Any]:
        return {"value": "async"}

    @app.route("/")
    def index() -> str:
        return render_template_string("{{ value }}")

    assert client.get("/").text == "async"


# -- filters, tests and globals ----------------------------------------------------------


def _reverse(s: str) -> str:
    return s[::-1]


def _is_boolean(value: t.Any) -> bool:
    return isinstance(value, bool)


def _answer() -> int:
    return 42


def _register_app_decorator(
    app: Flask, kind: str, f: t.Callable[..., t.Any], name: str | None
) -> None:
    decorator = getattr(app, f"template_{kind}")
    (decorator(name) if name else decorator())(f)


def _register_app_add(
    app: Flask, kind: str, f: t.Callable[..., t.Any], name: str | None
) -> None:
    getattr(app, f"add_template_{kind}")(f, name=name)


def _register_bp_decorator(
    app: Flask, kind: str, f: t.Callable[..., t.Any], name: str | None
) -> None:
    bp = Blueprint("bp", __name__)
    decorator = getattr(bp, f"app_template_{kind}")
    (decorator(name) if name else decorator())(f)
    app.register_blueprint(bp)


def _register_bp_add(
    app: Flask, kind: str, f: t.Callable[..., t.Any], name: str | None
) -> None:
    bp = Blueprint("bp", __name__)
    getattr(bp, f"add_app_template_{kind}")(f, name=name)
    app.register_blueprint(bp)


REGISTRATIONS = [
    pytest.param(_register_app_decorator, id="app-decorator"),
    pytest.param(_register_app_add, id="app-add"),
    pytest.param(_register_bp_decorator, id="blueprint-decorator"),
    pytest.param(_register_bp_add, id="blueprint-add"),
]


@pytest.mark.parametrize("register", REGISTRATIONS)
@pytest.mark.parametrize("name", [None, "custom"])
def test_template_filter_registration(
    app: Flask, register: t.Callable[..., None], name: str | None
) -> None:
    register(app, "filter", _reverse, name)
    key = name or "_reverse"
    assert app.jinja_env.filters[key] is _reverse
    with app.app_context():
        assert render_template_string(f"{{{{ 'abc'|{key} }}}}") == "cba"


@pytest.mark.parametrize("register", REGISTRATIONS)
@pytest.mark.parametrize("name", [None, "boolean_value"])
def test_template_test_registration(
    app: Flask, register: t.Callable[..., None], name: str | None
) -> None:
    register(app, "test", _is_boolean, name)
    key = name or "_is_boolean"
    assert app.jinja_env.tests[key] is _is_boolean
    with app.app_context():
        source = f"{{{{ 'yes' if value is {key} else 'no' }}}}"
        assert render_template_string(source, value=False) == "yes"
        assert render_template_string(source, value=0) == "no"


@pytest.mark.parametrize("register", REGISTRATIONS)
@pytest.mark.parametrize("name", [None, "the_answer"])
def test_template_global_registration(
    app: Flask, register: t.Callable[..., None], name: str | None
) -> None:
    register(app, "global", _answer, name)
    key = name or "_answer"
    assert app.jinja_env.globals[key] is _answer
    with app.app_context():
        assert render_template_string(f"{{{{ {key}() }}}}") == "42"
        # Globals are visible in imported templates too.
        app.jinja_env.loader = DictLoader(
            {"lib.html": f"{{% macro m() %}}{{{{ {key}() }}}}{{% endmacro %}}"}
        )
        assert (
            render_template_string('{% import "lib.html" as lib %}{{ lib.m() }}')
            == "42"
        )


def test_filters_assigned_on_jinja_env_directly(app: Flask, app_ctx: t.Any) -> None:
    app.jinja_env.filters["shout"] = lambda s: s.upper() + "!"
    assert render_template_string("{{ 'hi'|shout }}") == "HI!"


def test_decorators_return_the_function(app: Flask) -> None:
    assert app.template_filter()(_reverse) is _reverse
    assert app.template_test()(_is_boolean) is _is_boolean
    assert app.template_global()(_answer) is _answer


# -- |tojson -------------------------------------------------------------------------------


HOSTILE = "</script><script>alert('x')</script>&\"<!--"


def test_tojson_is_safe_inside_script(app: Flask, app_ctx: t.Any) -> None:
    rv = render_template_string(
        "<script>var data = {{ data|tojson }};</script>", data={"s": HOSTILE}
    )
    inner = rv[len("<script>var data = ") : -len(";</script>")]
    assert "<" not in inner and ">" not in inner and "&" not in inner
    assert "'" not in inner
    assert json.loads(inner) == {"s": HOSTILE}


def test_tojson_is_safe_in_single_quoted_attributes(app: Flask, app_ctx: t.Any) -> None:
    rv = render_template_string("<div data-x='{{ data|tojson }}'></div>", data=HOSTILE)
    inner = rv[len("<div data-x='") : -len("'></div>")]
    assert "'" not in inner and "<" not in inner
    assert json.loads(inner) == HOSTILE


def test_tojson_output_is_not_escaped_again(app: Flask, app_ctx: t.Any) -> None:
    rv = render_template_string('{{ {"a": "b"}|tojson }}')
    assert rv == '{"a": "b"}'


def test_tojson_uses_the_app_json_provider(app: Flask, app_ctx: t.Any) -> None:
    from datetime import date

    rv = render_template_string(
        "{{ data|tojson }}", data={"b": 1, "a": date(2020, 5, 17)}
    )
    assert rv == '{"a": "Sun, 17 May 2020 00:00:00 GMT", "b": 1}'


def test_tojson_follows_a_replaced_provider(app: Flask) -> None:
    from flask.json.provider import DefaultJSONProvider

    class Upper(DefaultJSONProvider):
        def dumps(self, obj: t.Any, **kwargs: t.Any) -> str:
            return super().dumps(obj, **kwargs).upper()

    app.add_template_filter(_reverse)  # creates the environment
    app.json = Upper(app)
    with app.app_context():
        assert render_template_string("{{ 'x'|tojson }}") == '"X"'


# -- render and stream functions ---------------------------------------------------------


def test_render_template_picks_first_existing_from_list(
    app: Flask, app_ctx: t.Any
) -> None:
    rv = render_template(["nope.html", "plain.html", "escape.html"], value="x")
    assert rv == "x"
    with pytest.raises(TemplateNotFound):
        render_template(["nope.html", "also-nope.html"])


def test_render_template_accepts_template_objects(app: Flask, app_ctx: t.Any) -> None:
    template = app.jinja_env.from_string("object {{ value }}")
    assert render_template(template, value=1) == "object 1"
    assert render_template(["nope.html", template], value=2) == "object 2"


def test_render_template_string(app: Flask, client: t.Any) -> None:
    @app.route("/")
    def index() -> str:
        return render_template_string(
            "{% for i in items %}{{ i }};{% endfor %}", items=[1, 2]
        )

    assert client.get("/").text == "1;2;"


def test_stream_template_in_a_response(app: Flask, client: t.Any) -> None:
    @app.route("/stream")
    def stream() -> flask.Response:
        return app.response_class(stream_template("stream.html", items=["a", "b"]))

    # The request context stays available while the template streams.
    assert client.get("/stream").text.strip() == "<a><b>|/stream"


def test_stream_template_string_in_a_response(app: Flask, client: t.Any) -> None:
    @app.route("/s")
    def stream() -> flask.Response:
        return app.response_class(
            stream_template_string("{{ request.path }} {{ v }}", v="<x>")
        )

    assert client.get("/s").text == "/s &lt;x&gt;"


def test_stream_template_yields_pieces(app: Flask, app_ctx: t.Any) -> None:
    rv = stream_template_string(
        "{% for i in items %}{{ i }}{% endfor %}", items=[1, 2, 3]
    )
    assert not isinstance(rv, str)
    assert "".join(rv) == "123"


def test_get_template_attribute_calls_a_macro(app: Flask, app_ctx: t.Any) -> None:
    greet = get_template_attribute("macros.html", "greet")
    assert greet("<World>") == "Hello, &lt;World&gt;!"


def test_get_template_attribute_missing(app: Flask, app_ctx: t.Any) -> None:
    with pytest.raises(AttributeError):
        get_template_attribute("macros.html", "nope")


# -- signals ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "render",
    [
        pytest.param(lambda: render_template("plain.html", value="v"), id="file"),
        pytest.param(
            lambda: render_template_string("{{ value }}", value="v"), id="string"
        ),
        pytest.param(
            lambda: "".join(stream_template("plain.html", value="v")), id="stream"
        ),
        pytest.param(
            lambda: "".join(stream_template_string("{{ value }}", value="v")),
            id="stream-string",
        ),
    ],
)
def test_render_signals(
    app: Flask, req_ctx: t.Any, render: t.Callable[[], str]
) -> None:
    events: list[tuple[str, t.Any, Template, dict[str, t.Any]]] = []

    def before(sender: t.Any, template: Template, context: dict[str, t.Any]) -> None:
        events.append(("before", sender, template, context))
        context["added_by_signal"] = True

    def after(sender: t.Any, template: Template, context: dict[str, t.Any]) -> None:
        events.append(("after", sender, template, context))

    with flask.before_render_template.connected_to(before, app):
        with flask.template_rendered.connected_to(after, app):
            assert render().strip() == "v"

    assert [e[0] for e in events] == ["before", "after"]
    (_, sender1, template1, context1), (_, sender2, template2, context2) = events
    assert sender1 is app and sender2 is app
    assert template1 is template2
    assert context1 is context2
    assert context1["value"] == "v"
    assert context1["added_by_signal"] is True
    # The standard context values were added before the signals.
    assert "request" in context1 and "g" in context1


def test_before_render_signal_can_change_the_context(
    app: Flask, app_ctx: t.Any
) -> None:
    def before(sender: t.Any, template: Template, context: dict[str, t.Any]) -> None:
        context["value"] = "changed"

    with flask.before_render_template.connected_to(before, app):
        assert render_template_string("{{ value }}", value="original") == "changed"


def test_template_rendered_waits_for_the_stream(app: Flask, app_ctx: t.Any) -> None:
    rendered: list[str] = []

    def after(sender: t.Any, template: Template, context: dict[str, t.Any]) -> None:
        rendered.append("done")

    with flask.template_rendered.connected_to(after, app):
        rv = stream_template_string("{{ a }}{{ b }}", a=1, b=2)
        assert rendered == []
        assert "".join(rv) == "12"
    assert rendered == ["done"]


# -- templates compiled from strings are kept per environment -------------------


def _templates_used(app: Flask, render: t.Callable[[], t.Any]) -> list[Template]:
    used: list[Template] = []

    def record(sender: t.Any, template: Template, context: t.Any) -> None:
        used.append(template)

    with flask.before_render_template.connected_to(record, app):
        render()
    return used


@pytest.mark.parametrize("render", [render_template_string, stream_template_string])
def test_a_source_is_compiled_once(
    app: Flask, req_ctx: t.Any, render: t.Callable[..., t.Any]
) -> None:
    def twice() -> None:
        for _ in range(2):
            assert "".join(render("{{ x|upper }}", x="a")) == "A"

    first, second = _templates_used(app, twice)
    assert first is second
    (other,) = _templates_used(app, lambda: render_template_string("{{ x }}", x=1))
    assert other is not first


def test_kept_templates_are_bounded(app: Flask, app_ctx: t.Any) -> None:
    from flask.templating import _SOURCE_CACHE_SIZE

    def render_many() -> None:
        for n in range(_SOURCE_CACHE_SIZE + 1):
            render_template_string(f"{n}")
        render_template_string("0")

    used = _templates_used(app, render_many)
    assert used[-1] is not used[0]  # the oldest source was dropped


def test_a_replaced_environment_compiles_again(app: Flask, app_ctx: t.Any) -> None:
    assert render_template_string("{{ 1 }}") == "1"
    app.jinja_env = app.create_jinja_environment()
    app.jinja_env.variable_start_string = "[["
    app.jinja_env.variable_end_string = "]]"
    assert render_template_string("[[ 1 ]]") == "1"
    assert render_template_string("{{ 1 }}") == "{{ 1 }}"


def test_an_overlay_keeps_its_own_templates(app: Flask, app_ctx: t.Any) -> None:
    parent = app.jinja_env
    assert render_template_string("<% 1 %>{{ 2 }}") == "<% 1 %>2"
    app.jinja_env = parent.overlay(variable_start_string="<%", variable_end_string="%>")
    assert render_template_string("<% 1 %>{{ 2 }}") == "1{{ 2 }}"
    app.jinja_env = parent
    assert render_template_string("<% 1 %>{{ 2 }}") == "<% 1 %>2"


def test_changed_settings_apply_to_a_kept_source(app: Flask, app_ctx: t.Any) -> None:
    source = "# if yes\nline\n# endif"
    assert render_template_string(source, yes=True) == source
    app.jinja_env.line_statement_prefix = "#"
    assert render_template_string(source, yes=True) == "line\n"
    assert render_template_string("{{ '<' }}") == "&lt;"
    app.jinja_env.autoescape = False
    assert render_template_string("{{ '<' }}") == "<"


def test_reassigned_globals_apply_to_a_kept_source(app: Flask, app_ctx: t.Any) -> None:
    app.jinja_env.globals["who"] = "first"
    assert render_template_string("{{ who }}") == "first"
    app.jinja_env.globals = {**app.jinja_env.globals, "who": "second"}
    assert render_template_string("{{ who }}") == "second"


def test_an_autoescape_function_is_asked_on_each_render(app_ctx: t.Any) -> None:
    class Switching(Flask):
        escape = True

        def select_jinja_autoescape(self, filename: str | None) -> bool:
            return self.escape

    app = Switching(__name__)
    with app.app_context():
        assert render_template_string("{{ v }}", v="<b>") == "&lt;b&gt;"
        app.escape = False
        assert render_template_string("{{ v }}", v="<b>") == "<b>"
        app.escape = True
        assert render_template_string("{{ v }}", v="<b>") == "&lt;b&gt;"


def test_a_replaced_filter_applies_to_a_kept_source(app: Flask, app_ctx: t.Any) -> None:
    # The optimizer calls filters on constants while compiling.
    app.jinja_env.filters["shout"] = lambda s: s.upper()
    assert render_template_string("{{ 'hey'|shout }}") == "HEY"
    app.jinja_env.filters["shout"] = lambda s: s + "!"
    assert render_template_string("{{ 'hey'|shout }}") == "hey!"
    app.jinja_env.tests["loud"] = lambda s: s.isupper()
    assert render_template_string("{{ 'A' is loud }}") == "True"
    app.jinja_env.tests["loud"] = lambda s: False
    assert render_template_string("{{ 'A' is loud }}") == "False"


def test_a_cache_size_of_zero_keeps_nothing() -> None:
    class Uncached(Flask):
        jinja_options = {"cache_size": 0}

    app = Uncached(__name__)
    with app.app_context():

        def twice() -> None:
            render_template_string("{{ 1 }}")
            render_template_string("{{ 1 }}")

        first, second = _templates_used(app, twice)
    assert first is not second


def test_a_plain_jinja_environment_still_renders_strings() -> None:
    import jinja2

    class PlainEnv(Flask):
        def create_jinja_environment(self) -> t.Any:
            return jinja2.Environment(autoescape=True)

    app = PlainEnv(__name__)
    with app.app_context():
        assert render_template_string("{{ v }}", v="<") == "&lt;"
