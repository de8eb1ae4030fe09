"""The sans-I/O classes on their own, as another framework (Quart) uses
them: what it does not override must work from ``flask.sansio``."""

from __future__ import annotations

import typing as t

import click
import pytest
from jinja2 import Environment
from werkzeug.exceptions import HTTPException
from werkzeug.exceptions import NotFound
from werkzeug.sansio.response import Response

import flask
from flask.cli import AppGroup
from flask.sansio.app import App
from flask.sansio.blueprints import Blueprint
from flask.sansio.scaffold import Scaffold
from flask.templating import DispatchingJinjaLoader


class BareApp(App):
    """The least a framework defines: its config defaults and response class."""

    default_config: t.ClassVar[dict[str, t.Any]] = {
        "DEBUG": None,
        "TESTING": False,
        "EXPLAIN_TEMPLATE_LOADING": False,
        "PROVIDE_AUTOMATIC_OPTIONS": True,
        "TEMPLATES_AUTO_RELOAD": None,
        "TRAP_HTTP_EXCEPTIONS": False,
        "TRAP_BAD_REQUEST_ERRORS": None,
    }
    response_class = Response


@pytest.fixture
def bare(tmp_path: t.Any) -> BareApp:
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "index.html").write_text("app {{ who }}")
    (tmp_path / "parts" / "templates").mkdir(parents=True)
    (tmp_path / "parts" / "templates" / "part.html").write_text("part")
    return BareApp("bare_app", root_path=str(tmp_path))


def test_a_bare_app_creates_its_global_loader_and_lists_templates(
    bare: BareApp, tmp_path: t.Any
) -> None:
    parts = Blueprint("parts", "bare_app", root_path=str(tmp_path / "parts"))
    parts.template_folder = "templates"
    bare.register_blueprint(parts)

    loader = bare.create_global_jinja_loader()

    assert isinstance(loader, DispatchingJinjaLoader)
    assert sorted(loader.list_templates()) == ["index.html", "part.html"]
    env = Environment(loader=loader)
    assert env.get_template("index.html").render(who="here") == "app here"
    assert env.get_template("part.html").render() == "part"


def test_sansio_cli_groups_are_plain_click_groups(bare: BareApp) -> None:
    assert type(bare.cli) is click.Group
    assert type(Blueprint("bp", __name__).cli) is click.Group
    assert Scaffold._cli_group_class is click.Group


def test_wsgi_classes_make_app_groups() -> None:
    assert isinstance(flask.Flask(__name__).cli, AppGroup)
    assert isinstance(flask.Blueprint("bp", __name__).cli, AppGroup)


def test_a_subclass_chooses_its_cli_group_class() -> None:
    class Group(click.Group):
        pass

    class WithGroup(BareApp):
        _cli_group_class = Group

    assert type(WithGroup("with_group").cli) is Group


def test_routes_and_nested_blueprints_register_on_a_bare_app(bare: BareApp) -> None:
    outer = Blueprint("outer", __name__, url_prefix="/outer/")
    inner = Blueprint("inner", __name__, url_prefix="/inner", subdomain="api")

    @inner.get("/")
    def index() -> str:
        return "index"

    outer.register_blueprint(inner)
    bare.register_blueprint(outer, subdomain="v1")

    rule = next(bare.url_map.iter_rules("outer.inner.index"))
    assert rule.rule == "/outer/inner/"
    assert rule.subdomain == "api.v1"
    assert rule.methods == {"GET", "HEAD", "OPTIONS"}
    assert bare.view_functions["outer.inner.index"] is index
    assert list(bare.blueprints) == ["outer", "outer.inner"]


def test_error_handler_lookup_prefers_code_then_blueprint_then_class(
    bare: BareApp,
) -> None:
    def by_class(e: Exception) -> str:
        return "class"

    def app_code(e: Exception) -> str:
        return "app code"

    def bp_code(e: Exception) -> str:
        return "bp code"

    def bp_base(e: Exception) -> str:
        return "bp base"

    bare.register_error_handler(HTTPException, by_class)
    bare.register_error_handler(404, app_code)
    bp = Blueprint("bp", __name__)
    bp.register_error_handler(HTTPException, bp_base)
    bare.register_blueprint(bp)

    assert bare._find_error_handler(NotFound(), ["bp"]) is app_code
    bare.error_handler_spec["bp"][404][NotFound] = bp_code
    assert bare._find_error_handler(NotFound(), ["bp"]) is bp_code
    assert bare._find_error_handler(NotFound(), []) is app_code
    assert bare._find_error_handler(KeyError(), ["bp"]) is None

    class Teapot(HTTPException):
        code = 418

    assert bare._find_error_handler(Teapot(), ["bp"]) is bp_base
    assert bare._find_error_handler(Teapot(), []) is by_class


def test_url_defaults_run_app_first_then_outer_to_inner(bare: BareApp) -> None:
    calls: list[str] = []

    def recorder(name: str) -> t.Callable[[str, dict[str, t.Any]], None]:
        return lambda endpoint, values: calls.append(f"{name}:{endpoint}")

    bare.url_defaults(recorder("app"))
    bare.url_default_functions["a"].append(recorder("a"))
    bare.url_default_functions["a.b"].append(recorder("a.b"))
    bare.url_default_functions["b"].append(recorder("b"))

    bare.inject_url_defaults("a.b.view", {})
    bare.inject_url_defaults("view", {})

    assert calls == ["app:a.b.view", "a:a.b.view", "a.b:a.b.view", "app:view"]


def test_registering_after_the_first_request_is_refused(bare: BareApp) -> None:
    bare._got_first_request = True
    with pytest.raises(AssertionError, match="'before_request' can no longer"):
        bare.before_request(lambda: None)
    with pytest.raises(AssertionError, match="'get' can no longer"):
        bare.get("/")
