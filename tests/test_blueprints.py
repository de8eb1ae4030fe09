"""Blueprints: a recording of routes, hooks and handlers applied to an app
when registered, possibly several times, possibly nested.

Packages with static files, templates and resources live in
``tests/blueprint_apps``.
"""

from __future__ import annotations

import os
import typing as t
from datetime import timedelta

import pytest
from werkzeug.exceptions import NotFound
from werkzeug.routing import BuildError

import flask
from flask import Blueprint
from flask import Flask
from flask import g
from flask import request
from flask import url_for
from flask.blueprints import BlueprintSetupState

HERE = os.path.dirname(__file__)
BP_APPS = os.path.join(HERE, "blueprint_apps")


@pytest.fixture(autouse=True)
def _blueprint_apps_importable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(HERE)


@pytest.fixture
def bp() -> Blueprint:
    return Blueprint("bp", __name__)


@pytest.fixture
def template_app() -> Flask:
    """An app whose own template folder is ``blueprint_apps/app_templates``."""
    app = Flask("template_app", root_path=BP_APPS, template_folder="app_templates")
    app.testing = True
    return app


def admin_bp(**kwargs: t.Any) -> Blueprint:
    from blueprint_apps.admin import make_admin

    return make_admin(**kwargs)


def frontend_bp() -> Blueprint:
    from blueprint_apps.frontend import make_frontend

    return make_frontend()


# -- construction ------------------------------------------------------------


def test_constructor_keeps_its_arguments() -> None:
    bp = Blueprint(
        "shop",
        "shop_module",
        static_folder="assets",
        static_url_path="/files",
        template_folder="views",
        url_prefix="/shop",
        subdomain="store",
        url_defaults={"page": 1},
        root_path=BP_APPS,
        cli_group="shopping",
    )
    assert bp.name == "shop"
    assert bp.import_name == "shop_module"
    assert bp.root_path == BP_APPS
    assert bp.static_folder == os.path.join(BP_APPS, "assets")
    assert bp.static_url_path == "/files"
    assert bp.template_folder == "views"
    assert bp.url_prefix == "/shop"
    assert bp.subdomain == "store"
    assert bp.url_values_defaults == {"page": 1}
    assert bp.cli_group == "shopping"


def test_defaults_give_no_static_folder_templates_or_prefix(bp: Blueprint) -> None:
    assert bp.static_folder is None
    assert bp.static_url_path is None
    assert not bp.has_static_folder
    assert bp.template_folder is None
    assert bp.jinja_loader is None
    assert bp.url_prefix is None
    assert bp.subdomain is None
    assert bp.url_values_defaults == {}


def test_cli_group_is_named_after_the_blueprint(bp: Blueprint) -> None:
    assert bp.cli.name == "bp"


@pytest.mark.parametrize("name", ["", "a.b", ".", "admin."])
def test_bad_names_are_rejected(name: str) -> None:
    with pytest.raises(ValueError):
        Blueprint(name, __name__)


def test_dotted_endpoint_is_rejected(bp: Blueprint) -> None:
    with pytest.raises(ValueError, match="endpoint"):
        bp.add_url_rule("/", endpoint="a.b", view_func=lambda: "")


def test_dotted_view_function_name_is_rejected(bp: Blueprint) -> None:
    def view() -> str:
        return ""

    view.__name__ = "a.b"
    with pytest.raises(ValueError, match="view_func"):
        bp.add_url_rule("/", view_func=view)


def test_routes_exist_only_once_registered(app: Flask, bp: Blueprint) -> None:
    @bp.route("/hello")
    def hello() -> str:
        return "hi"

    assert [r.rule for r in app.url_map.iter_rules()] == ["/static/<path:filename>"]
    assert bp.view_functions == {}
    app.register_blueprint(bp)
    assert "bp.hello" in app.view_functions
    assert app.test_client().get("/hello").data == b"hi"


def test_setup_after_registration_fails(app: Flask, bp: Blueprint) -> None:
    app.register_blueprint(bp)
    with pytest.raises(AssertionError, match="already been registered"):
        bp.route("/late")(lambda: "")
    with pytest.raises(AssertionError):
        bp.before_request(lambda: None)


def test_method_shortcut_decorators(app: Flask, client: t.Any, bp: Blueprint) -> None:
    @bp.get("/item")
    def read() -> str:
        return "read"

    @bp.post("/item")
    def create() -> str:
        return "created"

    @bp.delete("/item")
    def remove() -> str:
        return "removed"

    app.register_blueprint(bp)
    assert client.get("/item").data == b"read"
    assert client.post("/item").data == b"created"
    assert client.delete("/item").data == b"removed"
    assert client.put("/item").status_code == 405


# -- endpoints ---------------------------------------------------------------


def test_endpoints_are_prefixed_with_the_name(app: Flask, bp: Blueprint) -> None:
    @bp.route("/a")
    def first() -> str:
        return request.endpoint or ""

    @bp.route("/b", endpoint="custom")
    def second() -> str:
        return request.endpoint or ""

    bp.add_url_rule("/c", "third", lambda: request.endpoint or "")
    app.register_blueprint(bp)
    client = app.test_client()
    assert client.get("/a").data == b"bp.first"
    assert client.get("/b").data == b"bp.custom"
    assert client.get("/c").data == b"bp.third"


def test_endpoint_decorator_is_not_prefixed(app: Flask, bp: Blueprint) -> None:
    @bp.endpoint("plain")
    def plain() -> str:
        return "plain view"

    app.register_blueprint(bp)
    app.add_url_rule("/plain", "plain")
    assert app.test_client().get("/plain").data == b"plain view"


def test_url_for_relative_and_absolute(app: Flask, bp: Blueprint) -> None:
    @bp.route("/one")
    def one() -> str:
        return f"{url_for('.two')} {url_for('bp.two')} {url_for('home')}"

    @bp.route("/two")
    def two() -> str:
        return ""

    @app.route("/")
    def home() -> str:
        return url_for(".two") if request.blueprint else "app"

    app.register_blueprint(bp, url_prefix="/bp")
    client = app.test_client()
    assert client.get("/bp/one").data == b"/bp/two /bp/two /"
    with app.test_request_context():
        assert url_for("bp.one") == "/bp/one"


@pytest.mark.parametrize(
    ("path", "expected"),
    [("/", None), ("/bp/", "bp")],
)
def test_request_blueprint(
    app: Flask, bp: Blueprint, path: str, expected: str | None
) -> None:
    @app.route("/")
    def home() -> str:
        return repr((request.blueprint, request.blueprints))

    @bp.route("/")
    def index() -> str:
        return repr((request.blueprint, request.blueprints))

    app.register_blueprint(bp, url_prefix="/bp")
    blueprints = [] if expected is None else [expected]
    body = app.test_client().get(path).get_data(as_text=True)
    assert body == repr((expected, blueprints))


# -- registration options ----------------------------------------------------


@pytest.mark.parametrize(
    ("bp_prefix", "reg_prefix", "rule", "url"),
    [
        (None, "/bp", "/x", "/bp/x"),
        (None, "/bp/", "/x", "/bp/x"),
        (None, "/bp", "x", "/bp/x"),
        (None, "/bp/", "", "/bp/"),
        (None, "/bp", "", "/bp"),
        (None, "/", "/x", "/x"),
        (None, "", "/x", "/x"),
        ("/own", None, "/x", "/own/x"),
        ("/own", "/over", "/x", "/over/x"),
        ("/own/", None, "/x/", "/own/x/"),
    ],
)
def test_url_prefix_joins_with_one_slash(
    app: Flask,
    bp_prefix: str | None,
    reg_prefix: str | None,
    rule: str,
    url: str,
) -> None:
    bp = Blueprint("bp", __name__, url_prefix=bp_prefix)
    bp.add_url_rule(rule, "view", lambda: "ok")
    app.register_blueprint(bp, url_prefix=reg_prefix)
    assert app.test_client().get(url).data == b"ok"
    with app.test_request_context():
        assert url_for("bp.view") == url


def test_url_defaults_from_constructor_and_registration(app: Flask) -> None:
    bp = Blueprint("bp", __name__, url_defaults={"page": 1, "kind": "all"})

    @bp.route("/list")
    def listing(page: int, kind: str) -> str:
        return f"{kind} {page}"

    app.register_blueprint(bp, url_defaults={"kind": "news"})
    app.register_blueprint(bp, name="again", url_prefix="/again")
    client = app.test_client()
    assert client.get("/list").data == b"news 1"
    assert client.get("/again/list").data == b"all 1"
    assert bp.url_values_defaults == {"page": 1, "kind": "all"}


def test_rule_defaults_override_url_defaults(app: Flask) -> None:
    bp = Blueprint("bp", __name__, url_defaults={"kind": "all", "x": 0})
    bp.add_url_rule("/", "view", lambda kind, x: f"{kind}{x}", defaults={"kind": "one"})
    app.register_blueprint(bp)
    assert app.test_client().get("/").data == b"one0"


def test_empty_url_defaults_leave_rule_defaults(app: Flask, bp: Blueprint) -> None:
    @bp.route("/", defaults={"page": 1})
    @bp.route("/page/<int:page>")
    def listing(page: int) -> str:
        return str(page)

    app.register_blueprint(bp, url_defaults={})
    client = app.test_client()
    assert client.get("/").data == b"1"
    assert client.get("/page/2").data == b"2"


def test_prefix_variable_is_shared_by_the_blueprint(app: Flask) -> None:
    bp = Blueprint("frontend", __name__, url_prefix="/<lang_code>")

    @bp.url_defaults
    def add_language(endpoint: str, values: dict[str, t.Any]) -> None:
        values.setdefault("lang_code", g.lang_code)

    @bp.url_value_preprocessor
    def pull_language(endpoint: str | None, values: dict[str, t.Any] | None) -> None:
        assert values is not None
        g.lang_code = values.pop("lang_code")

    @bp.route("/")
    def index() -> str:
        return f"{g.lang_code} {url_for('.about')}"

    @bp.route("/about")
    def about() -> str:
        return g.lang_code  # type: ignore[no-any-return]

    app.register_blueprint(bp)
    client = app.test_client()
    assert client.get("/de/").data == b"de /de/about"
    assert client.get("/fr/about").data == b"fr"


def test_subdomain_from_constructor_and_registration(app: Flask) -> None:
    app.subdomain_matching = True
    app.config["SERVER_NAME"] = "example.test"
    own = Blueprint("own", __name__, subdomain="api")
    own.add_url_rule("/", "index", lambda: "api")
    app.register_blueprint(own)
    app.register_blueprint(own, name="other", subdomain="admin")
    client = app.test_client()
    assert client.get("/", base_url="http://api.example.test").data == b"api"
    assert client.get("/", base_url="http://admin.example.test").data == b"api"
    assert client.get("/", base_url="http://example.test").status_code == 404
    with app.app_context():
        assert url_for("own.index") == "http://api.example.test/"
        assert url_for("other.index") == "http://admin.example.test/"


def test_subdomain_variable_becomes_a_view_argument(app: Flask) -> None:
    app.subdomain_matching = True
    app.config["SERVER_NAME"] = "example.test"
    bp = Blueprint("users", __name__, subdomain="<user>")
    bp.add_url_rule("/", "home", lambda user: f"home of {user}")
    app.register_blueprint(bp)
    rv = app.test_client().get("/", base_url="http://ann.example.test")
    assert rv.data == b"home of ann"


def test_one_blueprint_under_two_names(app: Flask, bp: Blueprint) -> None:
    @bp.route("/")
    def index() -> str:
        return f"{request.blueprint} {url_for('.index')}"

    app.register_blueprint(bp, url_prefix="/a")
    app.register_blueprint(bp, url_prefix="/b", name="b")
    client = app.test_client()
    assert client.get("/a/").data == b"bp /a/"
    assert client.get("/b/").data == b"b /b/"
    assert app.blueprints == {"bp": bp, "b": bp}


@pytest.mark.parametrize("same_object", [True, False])
def test_same_name_twice_is_an_error(app: Flask, same_object: bool) -> None:
    first = Blueprint("bp", __name__)
    second = first if same_object else Blueprint("bp", __name__)
    app.register_blueprint(first)
    with pytest.raises(ValueError, match="name="):
        app.register_blueprint(second)
    app.register_blueprint(second, name="bp2")
    assert set(app.blueprints) == {"bp", "bp2"}


def test_registering_on_itself_is_an_error(bp: Blueprint) -> None:
    with pytest.raises(ValueError):
        bp.register_blueprint(bp)


def test_registration_on_two_apps(bp: Blueprint) -> None:
    bp.add_url_rule("/", "index", lambda: request.blueprint or "")
    apps = [Flask("one"), Flask("two")]
    for prefix, app in zip(("/1", "/2"), apps, strict=True):
        app.register_blueprint(bp, url_prefix=prefix)
    assert apps[0].test_client().get("/1/").data == b"bp"
    assert apps[1].test_client().get("/2/").data == b"bp"
    assert apps[0].test_client().get("/2/").status_code == 404


# -- nesting -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("parent_own", "child_own", "parent_reg", "child_reg"),
    [
        ("/parent", "/child", None, None),
        ("/parent", None, None, "/child"),
        (None, None, "/parent", "/child"),
        ("/ignored", "/ignored", "/parent", "/child"),
        ("/parent/", "/child/", None, None),
    ],
)
def test_nested_prefixes_combine(
    app: Flask,
    parent_own: str | None,
    child_own: str | None,
    parent_reg: str | None,
    child_reg: str | None,
) -> None:
    parent = Blueprint("parent", __name__, url_prefix=parent_own)
    child = Blueprint("child", __name__, url_prefix=child_own)
    child.add_url_rule("/leaf", "leaf", lambda: request.endpoint or "")
    parent.register_blueprint(child, url_prefix=child_reg)
    app.register_blueprint(parent, url_prefix=parent_reg)
    assert app.test_client().get("/parent/child/leaf").data == b"parent.child.leaf"


def test_nested_without_prefixes_use_the_parent_prefix(app: Flask) -> None:
    parent = Blueprint("parent", __name__)
    child = Blueprint("child", __name__)
    child.add_url_rule("/leaf", "leaf", lambda: "leaf")
    parent.register_blueprint(child)
    app.register_blueprint(parent, url_prefix="/p")
    assert app.test_client().get("/p/leaf").data == b"leaf"


def test_three_levels_of_dotted_names(app: Flask) -> None:
    top = Blueprint("top", __name__, url_prefix="/t")
    middle = Blueprint("middle", __name__, url_prefix="/m")
    bottom = Blueprint("bottom", __name__, url_prefix="/b")

    @bottom.route("/")
    def leaf() -> str:
        return repr(
            (request.endpoint, request.blueprint, request.blueprints, url_for(".leaf"))
        )

    middle.register_blueprint(bottom)
    top.register_blueprint(middle)
    app.register_blueprint(top)
    body = app.test_client().get("/t/m/b/").get_data(as_text=True)
    assert body == repr(
        (
            "top.middle.bottom.leaf",
            "top.middle.bottom",
            ["top.middle.bottom", "top.middle", "top"],
            "/t/m/b/",
        )
    )
    assert set(app.blueprints) == {"top", "top.middle", "top.middle.bottom"}


def test_nested_subdomains_combine(app: Flask) -> None:
    app.subdomain_matching = True
    app.config["SERVER_NAME"] = "example.test"
    parent = Blueprint("parent", __name__)
    child = Blueprint("child", __name__, subdomain="api")
    inherits = Blueprint("inherits", __name__)
    child.add_url_rule("/", "index", lambda: "child")
    inherits.add_url_rule("/inherited", "index", lambda: "inherits")
    parent.register_blueprint(child)
    parent.register_blueprint(inherits)
    app.register_blueprint(parent, subdomain="v1")
    client = app.test_client()
    assert client.get("/", base_url="http://api.v1.example.test").data == b"child"
    assert client.get("/", base_url="http://v1.example.test").status_code == 404
    rv = client.get("/inherited", base_url="http://v1.example.test")
    assert rv.data == b"inherits"


def test_nested_child_renamed_under_renamed_parent(app: Flask) -> None:
    parent = Blueprint("parent", __name__)
    child = Blueprint("child", __name__)
    child.add_url_rule("/", "index", lambda: request.endpoint or "")
    parent.register_blueprint(child, url_prefix="/c", name="kid")
    app.register_blueprint(parent, url_prefix="/one")
    app.register_blueprint(parent, url_prefix="/two", name="other")
    client = app.test_client()
    assert client.get("/one/c/").data == b"parent.kid.index"
    assert client.get("/two/c/").data == b"other.kid.index"


def test_nested_hook_order(app: Flask, client: t.Any) -> None:
    parent = Blueprint("parent", __name__)
    child = Blueprint("child", __name__)
    calls: list[str] = []

    for scaffold, label in ((app, "app"), (parent, "parent"), (child, "child")):
        for n in (1, 2):

            def before(label: str = label, n: int = n) -> None:
                calls.append(f"before {label}{n}")

            def after(
                response: flask.Response, label: str = label, n: int = n
            ) -> flask.Response:
                calls.append(f"after {label}{n}")
                return response

            def teardown(
                exc: BaseException | None, label: str = label, n: int = n
            ) -> None:
                calls.append(f"teardown {label}{n}")

            scaffold.before_request(before)
            scaffold.after_request(after)
            scaffold.teardown_request(teardown)

    @child.route("/")
    def index() -> str:
        calls.append("view")
        return ""

    parent.register_blueprint(child)
    app.register_blueprint(parent)
    client.get("/")
    assert calls == [
        "before app1",
        "before app2",
        "before parent1",
        "before parent2",
        "before child1",
        "before child2",
        "view",
        "after child2",
        "after child1",
        "after parent2",
        "after parent1",
        "after app2",
        "after app1",
        "teardown child2",
        "teardown child1",
        "teardown parent2",
        "teardown parent1",
        "teardown app2",
        "teardown app1",
    ]


def test_nested_context_processors_innermost_wins(app: Flask, client: t.Any) -> None:
    parent = Blueprint("parent", __name__)
    child = Blueprint("child", __name__)
    app.context_processor(lambda: {"who": "app", "app_only": "a"})
    parent.context_processor(lambda: {"who": "parent", "parent_only": "p"})
    child.context_processor(lambda: {"who": "child"})
    child.add_url_rule(
        "/",
        "index",
        lambda: flask.render_template_string(
            "{{ who }} {{ app_only }}{{ parent_only }}"
        ),
    )
    parent.add_url_rule(
        "/p", "index", lambda: flask.render_template_string("{{ who }}")
    )
    parent.register_blueprint(child, url_prefix="/c")
    app.register_blueprint(parent)
    assert client.get("/c/").data == b"child ap"
    assert client.get("/p").data == b"parent"


def test_nested_error_handlers_fall_back_outward(app: Flask, client: t.Any) -> None:
    parent = Blueprint("parent", __name__)
    child = Blueprint("child", __name__)
    grandchild = Blueprint("grandchild", __name__)

    @app.errorhandler(403)
    def app_forbidden(e: Exception) -> tuple[str, int]:
        return "app handler", 403

    @parent.errorhandler(403)
    def parent_forbidden(e: Exception) -> tuple[str, int]:
        return "parent handler", 403

    @grandchild.errorhandler(403)
    def grandchild_forbidden(e: Exception) -> tuple[str, int]:
        return "grandchild handler", 403

    def deny() -> str:
        flask.abort(403)

    app.add_url_rule("/no", "no", deny)
    parent.add_url_rule("/no", "no", deny)
    child.add_url_rule("/no", "no", deny)
    grandchild.add_url_rule("/no", "no", deny)
    child.register_blueprint(grandchild, url_prefix="/g")
    parent.register_blueprint(child, url_prefix="/c")
    app.register_blueprint(parent, url_prefix="/p")

    assert client.get("/no").data == b"app handler"
    assert client.get("/p/no").data == b"parent handler"
    assert client.get("/p/c/no").data == b"parent handler"
    assert client.get("/p/c/g/no").data == b"grandchild handler"


# -- hooks recorded on the blueprint ----------------------------------------


@pytest.fixture
def scoped_app(app: Flask) -> tuple[Flask, list[str]]:
    """An app with a route of its own, the blueprint ``bp`` at ``/bp`` with
    every blueprint-local hook, and a bare blueprint ``other`` at
    ``/other``. Hooks append to the returned list."""
    calls: list[str] = []
    bp = Blueprint("bp", __name__)
    other = Blueprint("other", __name__)

    @bp.before_request
    def before() -> None:
        calls.append("before")

    @bp.after_request
    def after(response: flask.Response) -> flask.Response:
        calls.append("after")
        response.headers["X-BP"] = "yes"
        return response

    @bp.teardown_request
    def teardown(exc: BaseException | None) -> None:
        calls.append("teardown")

    @bp.context_processor
    def inject() -> dict[str, str]:
        return {"owner": "bp"}

    @bp.url_value_preprocessor
    def preprocess(endpoint: str | None, values: dict[str, t.Any] | None) -> None:
        calls.append("preprocess")

    @bp.url_defaults
    def defaults(endpoint: str, values: dict[str, t.Any]) -> None:
        if app.url_map.is_endpoint_expecting(endpoint, "tag"):
            values.setdefault("tag", "default")

    @bp.errorhandler(404)
    def not_found(e: Exception) -> tuple[str, int]:
        return "bp 404", 404

    template = "{{ owner | default('nobody') }}"
    view = lambda tag=None: flask.render_template_string(template)  # noqa: E731
    for scaffold in (app, bp, other):
        scaffold.add_url_rule("/page", "page", view)
        scaffold.add_url_rule("/tagged/<tag>", "tagged", lambda tag: url_for(".tagged"))
        scaffold.add_url_rule("/missing", "missing", lambda: flask.abort(404))
    app.register_blueprint(bp, url_prefix="/bp")
    app.register_blueprint(other, url_prefix="/other")
    return app, calls


@pytest.mark.parametrize("prefix", ["", "/other"])
def test_blueprint_hooks_skip_other_requests(
    scoped_app: tuple[Flask, list[str]], prefix: str
) -> None:
    app, calls = scoped_app
    client = app.test_client()
    rv = client.get(f"{prefix}/page")
    assert rv.data == b"nobody"
    assert "X-BP" not in rv.headers
    assert client.get(f"{prefix}/missing").data != b"bp 404"
    with pytest.raises(BuildError, match="tag"):
        client.get(f"{prefix}/tagged/x")
    assert calls == []


def test_blueprint_hooks_run_for_its_requests(
    scoped_app: tuple[Flask, list[str]],
) -> None:
    app, calls = scoped_app
    client = app.test_client()
    rv = client.get("/bp/page")
    assert rv.data == b"bp"
    assert rv.headers["X-BP"] == "yes"
    assert calls == ["preprocess", "before", "after", "teardown"]
    assert client.get("/bp/tagged/x").data == b"/bp/tagged/default"
    assert client.get("/bp/missing").data == b"bp 404"


def test_blueprint_404_handler_not_used_for_unmatched_urls(
    scoped_app: tuple[Flask, list[str]],
) -> None:
    app, _ = scoped_app
    # No blueprint handled a URL that matched nothing.
    assert app.test_client().get("/bp/nowhere").data != b"bp 404"


class AppError(Exception):
    pass


class SpecificError(AppError):
    pass


def test_error_handler_precedence(app: Flask, client: t.Any, bp: Blueprint) -> None:
    plain = Blueprint("plain", __name__)

    @app.errorhandler(AppError)
    def app_handler(e: Exception) -> str:
        return f"app:{type(e).__name__}"

    @bp.errorhandler(AppError)
    def bp_handler(e: Exception) -> str:
        return f"bp:{type(e).__name__}"

    def fail_specific() -> str:
        raise SpecificError()

    for scaffold in (app, bp, plain):
        scaffold.add_url_rule("/fail", "fail", fail_specific)
    app.register_blueprint(bp, url_prefix="/bp")
    app.register_blueprint(plain, url_prefix="/plain")
    assert client.get("/fail").data == b"app:SpecificError"
    assert client.get("/bp/fail").data == b"bp:SpecificError"
    assert client.get("/plain/fail").data == b"app:SpecificError"


def test_blueprint_scope_is_searched_before_the_app(
    app: Flask, client: t.Any, bp: Blueprint
) -> None:
    # Scopes are searched innermost first and, within a scope, the
    # exception's classes in MRO order: the blueprint's handler for the
    # base class wins over the app's handler for the exact class.
    @app.errorhandler(SpecificError)
    def app_handler(e: Exception) -> str:
        return "app specific"

    @bp.errorhandler(AppError)
    def bp_handler(e: Exception) -> str:
        return "bp general"

    @bp.route("/fail")
    def fail() -> str:
        raise SpecificError()

    @app.route("/fail")
    def app_fail() -> str:
        raise SpecificError()

    app.register_blueprint(bp, url_prefix="/bp")
    assert client.get("/bp/fail").data == b"bp general"
    assert client.get("/fail").data == b"app specific"


def test_register_error_handler(app: Flask, client: t.Any, bp: Blueprint) -> None:
    bp.register_error_handler(409, lambda e: ("conflict in bp", 409))
    bp.register_error_handler(KeyError, lambda e: ("missing key", 400))
    bp.add_url_rule("/conflict", "conflict", lambda: flask.abort(409))
    bp.add_url_rule("/key", "key", lambda: {}["nope"])
    app.register_blueprint(bp)
    assert client.get("/conflict").data == b"conflict in bp"
    rv = client.get("/key")
    assert (rv.status_code, rv.data) == (400, b"missing key")


def test_errorhandler_rejects_non_exceptions(bp: Blueprint) -> None:
    with pytest.raises(ValueError, match="subclass of Exception"):
        bp.errorhandler(object)(lambda e: "")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="instance"):
        bp.errorhandler(NotFound())(lambda e: "")  # type: ignore[arg-type]


# -- app-wide hooks from a blueprint ----------------------------------------


def test_app_hooks_apply_to_every_request(app: Flask, client: t.Any) -> None:
    bp = Blueprint("bp", __name__)
    calls: list[str] = []

    @bp.before_app_request
    def before() -> None:
        calls.append(f"before {request.path}")

    @bp.after_app_request
    def after(response: flask.Response) -> flask.Response:
        response.headers["X-From-BP"] = "1"
        return response

    @bp.teardown_app_request
    def teardown(exc: BaseException | None) -> None:
        calls.append(f"teardown {request.path}")

    @bp.app_context_processor
    def inject() -> dict[str, str]:
        return {"site": "Example"}

    @bp.app_errorhandler(404)
    def not_found(e: Exception) -> tuple[str, int]:
        return "custom 404", 404

    @bp.app_errorhandler(AppError)
    def app_error(e: Exception) -> str:
        return "handled app error"

    @app.route("/")
    def home() -> str:
        return flask.render_template_string("{{ site }}")

    @app.route("/fail")
    def fail() -> str:
        raise AppError()

    app.register_blueprint(bp)
    rv = client.get("/")
    assert rv.data == b"Example"
    assert rv.headers["X-From-BP"] == "1"
    assert calls == ["before /", "teardown /"]
    rv = client.get("/nowhere")
    assert (rv.status_code, rv.data) == (404, b"custom 404")
    assert client.get("/fail").data == b"handled app error"


def test_app_url_processors(app: Flask, client: t.Any) -> None:
    bp = Blueprint("bp", __name__)

    @bp.app_url_defaults
    def add_lang(endpoint: str, values: dict[str, t.Any]) -> None:
        if app.url_map.is_endpoint_expecting(endpoint, "lang"):
            values.setdefault("lang", g.lang)

    @bp.app_url_value_preprocessor
    def pull_lang(endpoint: str | None, values: dict[str, t.Any] | None) -> None:
        g.lang = values.pop("lang") if values else "none"

    @app.route("/<lang>/")
    def index() -> str:
        return f"{g.lang} {url_for('about')}"

    @app.route("/<lang>/about")
    def about() -> str:
        return "about"

    app.register_blueprint(bp)
    assert client.get("/nl/").data == b"nl /nl/about"


def test_app_hooks_recorded_once_per_app(app: Flask, client: t.Any) -> None:
    bp = Blueprint("bp", __name__)
    calls: list[str] = []

    @bp.before_app_request
    def before() -> None:
        calls.append("before")

    app.register_blueprint(bp)
    app.register_blueprint(bp, name="second")
    app.add_url_rule("/", "home", lambda: "")
    client.get("/")
    assert calls == ["before"]


@pytest.mark.parametrize("kind", ["filter", "test", "global"])
@pytest.mark.parametrize("use_decorator", [True, False])
@pytest.mark.parametrize("name", [None, "renamed"])
def test_app_template_helpers(
    app: Flask, kind: str, use_decorator: bool, name: str | None
) -> None:
    bp = Blueprint("bp", __name__)

    def shout(value: t.Any = "x") -> t.Any:
        return str(value).upper() if kind != "test" else value == "yes"

    if use_decorator:
        getattr(bp, f"app_template_{kind}")(name)(shout)
    else:
        getattr(bp, f"add_app_template_{kind}")(shout, name=name)
    app.register_blueprint(bp)

    key = name or "shout"
    store = {
        "filter": app.jinja_env.filters,
        "test": app.jinja_env.tests,
        "global": app.jinja_env.globals,
    }[kind]
    assert store[key] is shout
    source = {
        "filter": f"{{{{ 'hi' | {key} }}}}",
        "test": f"{{{{ 'yes' is {key} }}}}",
        "global": f"{{{{ {key}('hi') }}}}",
    }[kind]
    expected = "True" if kind == "test" else "HI"
    with app.app_context():
        assert flask.render_template_string(source) == expected


def test_app_template_filter_usable_in_blueprint_templates(template_app: Flask) -> None:
    admin = admin_bp()
    admin.add_app_template_filter(lambda s: s[::-1], "backwards")
    template_app.register_blueprint(admin)
    with template_app.app_context():
        out = flask.render_template_string("{{ 'abc' | backwards }}")
    assert out == "cba"


# -- record, record_once and the setup state ---------------------------------


def test_record_runs_on_every_registration(bp: Blueprint) -> None:
    states: list[BlueprintSetupState] = []
    bp.record(states.append)
    app = Flask("recording")
    app.register_blueprint(bp, url_prefix="/a", subdomain="x", url_defaults={"n": 1})
    app.register_blueprint(bp, name="again")
    other = Flask("other")
    other.register_blueprint(bp)

    first, second, third = states
    assert first.app is app and first.blueprint is bp
    assert first.first_registration is True
    assert first.options == {
        "url_prefix": "/a",
        "subdomain": "x",
        "url_defaults": {"n": 1},
    }
    assert (first.url_prefix, first.subdomain, first.url_defaults) == (
        "/a",
        "x",
        {"n": 1},
    )
    assert first.name == "bp"
    assert second.first_registration is False
    assert second.name == "again"
    assert (second.url_prefix, second.subdomain) == (None, None)
    assert third.app is other and third.first_registration is True


def test_record_once_runs_once_per_app(bp: Blueprint) -> None:
    apps: list[Flask] = []
    bp.record_once(lambda state: apps.append(state.app))
    one, two = Flask("one"), Flask("two")
    one.register_blueprint(bp)
    one.register_blueprint(bp, name="again")
    two.register_blueprint(bp)
    assert apps == [one, two]


def test_setup_state_falls_back_to_blueprint_settings() -> None:
    bp = Blueprint(
        "bp", __name__, url_prefix="/own", subdomain="sub", url_defaults={"a": 1}
    )
    state = bp.make_setup_state(Flask("x"), {"url_defaults": {"b": 2}})
    assert isinstance(state, BlueprintSetupState)
    assert state.first_registration is False
    assert (state.url_prefix, state.subdomain) == ("/own", "sub")
    assert state.url_defaults == {"a": 1, "b": 2}
    assert bp.url_values_defaults == {"a": 1}


def test_setup_state_add_url_rule(app: Flask, bp: Blueprint) -> None:
    def record(state: BlueprintSetupState) -> None:
        state.add_url_rule("/extra", view_func=lambda: "extra", endpoint="extra")
        state.add_url_rule("", endpoint="root", view_func=lambda: "root")

    bp.record(record)
    app.register_blueprint(bp, url_prefix="/bp", name="named")
    client = app.test_client()
    assert client.get("/bp/extra").data == b"extra"
    assert client.get("/bp").data == b"root"
    assert {"named.extra", "named.root"} <= set(app.view_functions)


def test_make_setup_state_can_be_overridden(app: Flask) -> None:
    class TaggingState(BlueprintSetupState):
        def add_url_rule(self, rule: str, *args: t.Any, **kwargs: t.Any) -> None:
            super().add_url_rule(rule + "/tagged", *args, **kwargs)

    class TaggingBlueprint(Blueprint):
        def make_setup_state(
            self,
            app: t.Any,
            options: dict[str, t.Any],
            first_registration: bool = False,
        ) -> BlueprintSetupState:
            return TaggingState(self, app, options, first_registration)

    bp = TaggingBlueprint("bp", __name__)
    bp.add_url_rule("/x", "x", lambda: "x")
    app.register_blueprint(bp)
    assert app.test_client().get("/x/tagged").data == b"x"


# -- static files, templates and resources -----------------------------------


def test_root_path_from_import_name() -> None:
    admin = admin_bp()
    assert admin.root_path == os.path.join(BP_APPS, "admin")
    assert admin.static_folder == os.path.join(BP_APPS, "admin", "static")
    assert admin.static_url_path == "/static"
    assert admin.has_static_folder


def test_root_path_of_a_plain_module_is_its_directory(bp: Blueprint) -> None:
    assert bp.root_path == HERE


def test_send_static_file_directly(template_app: Flask) -> None:
    admin = admin_bp()
    template_app.register_blueprint(admin)
    with template_app.test_request_context():
        rv = admin.send_static_file("css/style.css")
        rv.direct_passthrough = False
        assert rv.status_code == 200
        assert rv.get_data().strip() == b"body { color: teal; }"
        rv.close()
        with pytest.raises(NotFound):
            admin.send_static_file("missing.css")


def test_static_files_served_under_prefix(template_app: Flask) -> None:
    admin = admin_bp()
    template_app.register_blueprint(admin)
    client = template_app.test_client()
    rv = client.get("/admin/static/css/style.css")
    assert rv.status_code == 200
    assert rv.data.strip() == b"body { color: teal; }"
    assert rv.mimetype == "text/css"
    rv.close()
    assert client.get("/admin/static/nope.css").status_code == 404
    assert client.get("/admin/static/../__init__.py").status_code == 404
    with template_app.test_request_context():
        assert url_for("admin.static", filename="a.css") == "/admin/static/a.css"


def test_static_url_path_and_relative_url_for(template_app: Flask) -> None:
    admin = admin_bp(static_url_path="/assets")

    @admin.route("/link")
    def link() -> str:
        return url_for(".static", filename="css/style.css")

    template_app.register_blueprint(admin, url_prefix="/panel")
    client = template_app.test_client()
    assert client.get("/panel/link").data == b"/panel/assets/css/style.css"
    rv = client.get("/panel/assets/css/style.css")
    assert rv.status_code == 200
    rv.close()


def test_no_static_folder_means_no_static_route(app: Flask, bp: Blueprint) -> None:
    app.register_blueprint(bp, url_prefix="/bp")
    assert "bp.static" not in app.view_functions
    with app.app_context(), pytest.raises(RuntimeError, match="static_folder"):
        bp.send_static_file("x.css")


@pytest.mark.parametrize(
    ("setting", "expected"),
    [(None, None), (60, 60), (timedelta(hours=1), 3600)],
)
def test_static_max_age(
    template_app: Flask, setting: t.Any, expected: int | None
) -> None:
    template_app.config["SEND_FILE_MAX_AGE_DEFAULT"] = setting
    admin = admin_bp()
    template_app.register_blueprint(admin)
    with template_app.app_context():
        assert admin.get_send_file_max_age("css/style.css") == expected
    rv = template_app.test_client().get("/admin/static/css/style.css")
    assert rv.cache_control.max_age == expected
    rv.close()


def test_get_send_file_max_age_override(template_app: Flask) -> None:
    from blueprint_apps import admin as admin_module

    class ShortLived(Blueprint):
        def get_send_file_max_age(self, filename: str | None) -> int | None:
            return 7 if filename and filename.endswith(".css") else None

    bp = ShortLived(
        "short", admin_module.__name__, static_folder="static", url_prefix="/s"
    )
    template_app.register_blueprint(bp)
    rv = template_app.test_client().get("/s/static/css/style.css")
    assert rv.cache_control.max_age == 7
    rv.close()


def test_blueprint_template_folder(template_app: Flask) -> None:
    template_app.register_blueprint(admin_bp())
    template_app.register_blueprint(frontend_bp(), url_prefix="/front")
    client = template_app.test_client()
    assert client.get("/admin/").data == b"<h1>admin: Dashboard</h1>"
    assert client.get("/front/page").data == b"frontend page for frontend"
    with template_app.app_context():
        names = template_app.jinja_env.list_templates()
    assert {"admin/index.html", "frontend/page.html", "shared.html"} <= set(names)


def test_app_templates_win_over_blueprint_templates(template_app: Flask) -> None:
    template_app.register_blueprint(admin_bp())
    rv = template_app.test_client().get("/admin/shared")
    assert rv.data == b"shared from the app"


@pytest.mark.parametrize("admin_first", [True, False])
def test_first_registered_blueprint_template_wins(admin_first: bool) -> None:
    app = Flask("no_templates", root_path=BP_APPS)
    blueprints = [admin_bp(), frontend_bp()]
    if not admin_first:
        blueprints.reverse()
    for blueprint in blueprints:
        app.register_blueprint(blueprint, url_prefix=f"/{blueprint.name}")
    client = app.test_client()
    expected = b"shared from admin" if admin_first else b"shared from frontend"
    assert client.get("/admin/shared").data == expected
    assert client.get("/frontend/shared").data == expected


@pytest.mark.parametrize(
    ("mode", "expected"),
    [
        ("r", "admin notes\nsecond line ü\n"),
        ("rt", "admin notes\nsecond line ü\n"),
        ("rb", "admin notes\nsecond line ü\n".encode()),
    ],
)
def test_open_resource(mode: str, expected: t.Any) -> None:
    admin = admin_bp()
    with admin.open_resource("resources/notes.txt", mode) as f:
        assert f.read() == expected


def test_open_resource_with_encoding() -> None:
    admin = admin_bp()
    with admin.open_resource("resources/notes.txt", "r", encoding="latin-1") as f:
        assert f.read() == "admin notes\nsecond line Ã¼\n"


@pytest.mark.parametrize("mode", ["w", "a", "r+", "wb", "x"])
def test_open_resource_is_read_only(mode: str) -> None:
    with pytest.raises(ValueError, match="reading"):
        admin_bp().open_resource("resources/notes.txt", mode)


def test_explicit_root_path(tmp_path: t.Any) -> None:
    (tmp_path / "data.txt").write_text("from tmp")
    bp = Blueprint("tmp", "not.an.importable.module", root_path=str(tmp_path))
    with bp.open_resource("data.txt", "r") as f:
        assert f.read() == "from tmp"


# -- CLI group -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("cli_group", "registered_with", "path"),
    [
        (Ellipsis, {}, ["bp", "hello"]),
        ("custom", {}, ["custom", "hello"]),
        (None, {}, ["hello"]),
        (Ellipsis, {"cli_group": "chosen"}, ["chosen", "hello"]),
        ("custom", {"cli_group": None}, ["hello"]),
    ],
)
def test_cli_group(
    cli_group: t.Any, registered_with: dict[str, t.Any], path: list[str]
) -> None:
    kwargs = {} if cli_group is Ellipsis else {"cli_group": cli_group}
    bp = Blueprint("bp", __name__, **kwargs)

    @bp.cli.command("hello")
    def hello() -> None:
        print("hello from the blueprint")

    app = Flask("cli_app")
    app.register_blueprint(bp, **registered_with)
    result = app.test_cli_runner().invoke(args=path)
    assert result.exit_code == 0, result.output
    assert "hello from the blueprint" in result.output


def test_blueprint_without_commands_adds_no_group(app: Flask, bp: Blueprint) -> None:
    app.register_blueprint(bp)
    assert "bp" not in app.cli.commands  # type: ignore[attr-defined]
