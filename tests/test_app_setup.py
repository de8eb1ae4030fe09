"""Building the application object: where it finds its files, the
attributes mirroring config, the logger, and the extension points."""

from __future__ import annotations

import logging
import os
import sys
import types
import typing as t
from datetime import timedelta

import pytest
from werkzeug.exceptions import Aborter
from werkzeug.exceptions import HTTPException
from werkzeug.routing import Map
from werkzeug.routing import Rule

import flask
from flask import Flask
from flask.config import Config
from flask.ctx import _AppCtxGlobals
from flask.json.provider import DefaultJSONProvider
from flask.sessions import SecureCookieSessionInterface
from flask.templating import Environment
from flask.testing import FlaskClient
from flask.testing import FlaskCliRunner

HERE = os.path.dirname(os.path.abspath(__file__))


@pytest.fixture
def importable(
    tmp_path: t.Any, monkeypatch: pytest.MonkeyPatch
) -> t.Iterator[t.Callable[..., t.Any]]:
    """Write modules under a temporary folder on ``sys.path``; the
    modules imported meanwhile are forgotten afterwards."""
    before = set(sys.modules)

    def write(relative: str, source: str = "", base: t.Any = None) -> t.Any:
        base = tmp_path if base is None else base
        path = base / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(source)
        return path

    monkeypatch.syspath_prepend(str(tmp_path))
    yield write
    for name in set(sys.modules) - before:
        del sys.modules[name]


# -- root_path and instance_path ----------------------------------------------


def test_root_path_of_a_module_is_its_folder() -> None:
    app = Flask(__name__)
    assert app.root_path == HERE


def test_root_path_of_a_package_is_the_package_folder(
    importable: t.Any, tmp_path: t.Any
) -> None:
    importable("setup_case_pkg/__init__.py")
    app = Flask("setup_case_pkg")
    assert app.root_path == str(tmp_path / "setup_case_pkg")


def test_root_path_of_an_unimported_module(importable: t.Any, tmp_path: t.Any) -> None:
    importable("setup_case_unimported.py")
    app = Flask("setup_case_unimported")
    assert app.root_path == str(tmp_path)
    assert "setup_case_unimported" not in sys.modules


def test_root_path_of_an_unknown_module_is_the_working_directory(
    tmp_path: t.Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    app = Flask("setup_case_there_is_no_such_module")
    assert app.root_path == str(tmp_path)


def test_explicit_root_path_wins(tmp_path: t.Any) -> None:
    app = Flask(__name__, root_path=str(tmp_path))
    assert app.root_path == str(tmp_path)
    assert app.static_folder == os.path.join(str(tmp_path), "static")


def test_instance_path_must_be_absolute() -> None:
    with pytest.raises(ValueError, match="must be absolute"):
        Flask(__name__, instance_path="relative/instance")


def test_explicit_absolute_instance_path(tmp_path: t.Any) -> None:
    app = Flask(__name__, instance_path=str(tmp_path))
    assert app.instance_path == str(tmp_path)


def test_instance_path_beside_an_uninstalled_module(
    importable: t.Any, tmp_path: t.Any
) -> None:
    importable("setup_case_mod.py", "import flask\napp = flask.Flask(__name__)\n")
    from setup_case_mod import app  # type: ignore[import-not-found]

    assert app.instance_path == str(tmp_path / "instance")


def test_instance_path_beside_an_uninstalled_package(
    importable: t.Any, tmp_path: t.Any
) -> None:
    importable(
        "setup_case_app_pkg/__init__.py", "import flask\napp = flask.Flask(__name__)\n"
    )
    from setup_case_app_pkg import app  # type: ignore[import-not-found]

    # Beside the package folder, not inside it.
    assert app.instance_path == str(tmp_path / "instance")


@pytest.mark.parametrize("inside_sys_prefix", [True, False])
def test_instance_path_of_an_installed_module(
    importable: t.Any,
    tmp_path: t.Any,
    monkeypatch: pytest.MonkeyPatch,
    inside_sys_prefix: bool,
) -> None:
    prefix = tmp_path / "prefix"
    site = prefix / "lib" / "site-packages"
    if inside_sys_prefix:
        site = prefix / "lib" / "python3" / "site-packages"
        monkeypatch.setattr(sys, "prefix", str(prefix))
    importable("setup_case_installed.py", base=site)
    monkeypatch.syspath_prepend(str(site))

    app = Flask("setup_case_installed")
    assert app.instance_path == str(prefix / "var" / "setup_case_installed-instance")


def test_instance_relative_config_loads_from_the_instance_folder(
    tmp_path: t.Any,
) -> None:
    (tmp_path / "settings.py").write_text("FROM_INSTANCE = True\n")
    app = Flask(__name__, instance_path=str(tmp_path), instance_relative_config=True)
    assert app.config.root_path == str(tmp_path)
    assert app.config.from_pyfile("settings.py")
    assert app.config["FROM_INSTANCE"] is True


def test_config_root_is_the_root_path_by_default(app: Flask) -> None:
    assert app.config.root_path == app.root_path


# -- resources ----------------------------------------------------------------


@pytest.fixture
def resource_app(tmp_path: t.Any) -> Flask:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "hello.txt").write_text("héllo", encoding="utf-8")
    (tmp_path / "instance").mkdir()
    return Flask(
        "resource_app",
        root_path=str(tmp_path),
        instance_path=str(tmp_path / "instance"),
    )


def test_open_resource_reads_bytes_by_default(resource_app: Flask) -> None:
    with resource_app.open_resource("data/hello.txt") as f:
        assert f.read() == "héllo".encode()


@pytest.mark.parametrize("mode", ["r", "rt"])
def test_open_resource_reads_text_with_an_encoding(
    resource_app: Flask, mode: str
) -> None:
    with resource_app.open_resource("data/hello.txt", mode, encoding="utf-8") as f:
        assert f.read() == "héllo"


@pytest.mark.parametrize("mode", ["w", "wb", "a", "r+", "x"])
def test_open_resource_refuses_to_write(resource_app: Flask, mode: str) -> None:
    with pytest.raises(ValueError, match="only be opened for reading"):
        resource_app.open_resource("data/hello.txt", mode)


def test_open_resource_missing_file(resource_app: Flask) -> None:
    with pytest.raises(FileNotFoundError):
        resource_app.open_resource("data/missing.txt")


def test_open_instance_resource_can_write_and_read_back(
    resource_app: Flask, tmp_path: t.Any
) -> None:
    with resource_app.open_instance_resource("notes.txt", "w") as f:
        f.write("ünïcode")
    assert (tmp_path / "instance" / "notes.txt").read_text("utf-8") == "ünïcode"
    with resource_app.open_instance_resource("notes.txt") as f:
        assert f.read() == "ünïcode".encode()
    with resource_app.open_instance_resource("notes.txt", "r") as f:
        assert f.read() == "ünïcode"


# -- name, repr and config-backed attributes ----------------------------------


def test_name_is_the_import_name() -> None:
    assert Flask("some.dotted.name", root_path=HERE).name == "some.dotted.name"


def test_repr_names_the_app(app: Flask) -> None:
    assert repr(app) == "<Flask 'flask_test'>"


def test_name_of_a_main_script_is_the_file_stem(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fake_main = types.ModuleType("__main__")
    fake_main.__file__ = "/srv/site/manage_site.py"
    monkeypatch.setitem(sys.modules, "__main__", fake_main)
    app = Flask("__main__", root_path=HERE)
    assert app.name == "manage_site"


def test_name_of_an_interactive_main_is_main(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "__main__", types.ModuleType("__main__"))
    app = Flask("__main__", root_path=HERE)
    assert app.name == "__main__"


def test_name_can_be_overridden_by_a_subclass() -> None:
    class Named(Flask):
        name = "custom"  # type: ignore[assignment]

    assert Named(__name__).name == "custom"


def test_cli_group_is_named_after_the_app(app: Flask) -> None:
    assert app.cli.name == app.name


@pytest.mark.parametrize(
    ("attribute", "key", "value"),
    [
        ("debug", "DEBUG", True),
        ("testing", "TESTING", False),
        ("secret_key", "SECRET_KEY", b"other key"),
    ],
)
def test_attributes_mirror_config(
    app: Flask, attribute: str, key: str, value: t.Any
) -> None:
    setattr(app, attribute, value)
    assert app.config[key] == value
    app.config[key] = "from config"
    assert getattr(app, attribute) == "from config"


def test_permanent_session_lifetime_accepts_seconds(app: Flask) -> None:
    assert app.permanent_session_lifetime == timedelta(days=31)
    app.config["PERMANENT_SESSION_LIFETIME"] = 90
    assert app.permanent_session_lifetime == timedelta(seconds=90)


@pytest.mark.parametrize(
    ("value", "expected"),
    [("1", True), ("true", True), ("yes", True), ("0", False), ("False", False),
     ("no", False), ("", False)],
)  # fmt: skip
def test_debug_default_comes_from_flask_debug(
    monkeypatch: pytest.MonkeyPatch, value: str, expected: bool
) -> None:
    monkeypatch.setenv("FLASK_DEBUG", value)
    app = Flask(__name__)
    assert app.debug is expected
    assert app.config["DEBUG"] is expected


def test_debug_is_false_without_flask_debug() -> None:
    assert Flask(__name__).debug is False


def test_setting_debug_updates_template_auto_reload(app: Flask) -> None:
    assert app.jinja_env.auto_reload is False
    app.debug = True
    assert app.jinja_env.auto_reload is True


def test_explicit_template_auto_reload_is_kept(app: Flask) -> None:
    app.config["TEMPLATES_AUTO_RELOAD"] = False
    app.debug = True
    assert app.jinja_env.auto_reload is False


# -- logger and extensions ------------------------------------------------------


def test_logger_is_named_after_the_app() -> None:
    app = Flask("setup_case_logger_name", root_path=HERE)
    assert isinstance(app.logger, logging.Logger)
    assert app.logger.name == "setup_case_logger_name"
    assert app.logger is logging.getLogger("setup_case_logger_name")


def test_logger_level_is_debug_in_debug_mode(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    name = "setup_case_debug_logger"
    monkeypatch.setattr(logging.getLogger(name), "level", logging.NOTSET)
    app = Flask(name, root_path=HERE)
    app.debug = True
    assert app.logger.level == logging.DEBUG


def test_logger_level_set_by_the_user_is_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    name = "setup_case_user_level"
    monkeypatch.setattr(logging.getLogger(name), "level", logging.WARNING)
    app = Flask(name, root_path=HERE)
    app.debug = True
    assert app.logger.level == logging.WARNING


def test_extensions_start_empty_and_per_app() -> None:
    one, two = Flask(__name__), Flask(__name__)
    assert one.extensions == {}
    one.extensions["thing"] = object()
    assert two.extensions == {}


def test_registries_start_empty(app: Flask) -> None:
    assert app.blueprints == {}
    assert list(app.iter_blueprints()) == []
    assert app.url_build_error_handlers == []
    assert app.teardown_appcontext_funcs == []
    assert app.shell_context_processors == []
    assert set(app.view_functions) == {"static"}


# -- extension points --------------------------------------------------------------


@pytest.mark.parametrize(
    ("attribute", "default"),
    [
        ("request_class", flask.Request),
        ("response_class", flask.Response),
        ("config_class", Config),
        ("aborter_class", Aborter),
        ("url_map_class", Map),
        ("url_rule_class", Rule),
        ("json_provider_class", DefaultJSONProvider),
        ("app_ctx_globals_class", _AppCtxGlobals),
        ("jinja_environment", Environment),
        ("test_client_class", None),
        ("test_cli_runner_class", None),
    ],
)
def test_extension_point_defaults(attribute: str, default: t.Any) -> None:
    assert getattr(Flask, attribute) is default


def test_default_session_interface() -> None:
    assert isinstance(Flask.session_interface, SecureCookieSessionInterface)


def test_replaced_classes_are_used() -> None:
    class MyRequest(flask.Request):
        pass

    class MyResponse(flask.Response):
        pass

    class MyConfig(Config):
        pass

    class MyGlobals(_AppCtxGlobals):
        pass

    class MyRule(Rule):
        pass

    class MyMap(Map):
        pass

    class MyApp(Flask):
        request_class = MyRequest
        response_class = MyResponse
        config_class = MyConfig
        app_ctx_globals_class = MyGlobals
        url_rule_class = MyRule
        url_map_class = MyMap

    app = MyApp(__name__)
    seen = {}

    @app.route("/")
    def index() -> str:
        seen["request"] = flask.request._get_current_object()  # type: ignore[attr-defined]
        seen["g"] = flask.g._get_current_object()  # type: ignore[attr-defined]
        return "ok"

    response = app.test_client().get("/")
    assert isinstance(response, MyResponse)
    assert type(seen["request"]) is MyRequest
    assert type(seen["g"]) is MyGlobals
    assert type(app.config) is MyConfig
    assert type(app.url_map) is MyMap
    assert all(type(rule) is MyRule for rule in app.url_map.iter_rules())


def test_test_client_class_receives_extra_arguments() -> None:
    class MyClient(FlaskClient):
        def __init__(self, *args: t.Any, **kwargs: t.Any) -> None:
            self.token = kwargs.pop("token")
            super().__init__(*args, **kwargs)

    class MyApp(Flask):
        test_client_class = MyClient

    client = MyApp(__name__).test_client(token="abc")
    assert isinstance(client, MyClient)
    assert client.token == "abc"


def test_test_cli_runner_class_is_used() -> None:
    class MyRunner(FlaskCliRunner):
        pass

    class MyApp(Flask):
        test_cli_runner_class = MyRunner

    app = MyApp(__name__)
    runner = app.test_cli_runner()
    assert isinstance(runner, MyRunner)
    assert runner.app is app


def test_aborter_class_is_used_by_abort() -> None:
    class Gone(HTTPException):
        code = 499
        description = "client went away"

    class MyAborter(Aborter):
        def __init__(self) -> None:
            super().__init__(extra={499: Gone})

    class MyApp(Flask):
        aborter_class = MyAborter

    app = MyApp(__name__)
    assert isinstance(app.aborter, MyAborter)

    @app.route("/")
    def index() -> str:
        flask.abort(499)

    response = app.test_client().get("/")
    assert response.status_code == 499
    assert b"client went away" in response.data


def test_jinja_options_are_passed_to_the_environment() -> None:
    class MyApp(Flask):
        jinja_options = {"trim_blocks": True}

    assert MyApp(__name__).jinja_env.trim_blocks is True


# -- default configuration ----------------------------------------------------------

FLASK_31_DEFAULTS = {
    "DEBUG": None,
    "TESTING": False,
    "PROPAGATE_EXCEPTIONS": None,
    "SECRET_KEY": None,
    "SECRET_KEY_FALLBACKS": None,
    "PERMANENT_SESSION_LIFETIME": timedelta(days=31),
    "USE_X_SENDFILE": False,
    "TRUSTED_HOSTS": None,
    "SERVER_NAME": None,
    "APPLICATION_ROOT": "/",
    "SESSION_COOKIE_NAME": "session",
    "SESSION_COOKIE_DOMAIN": None,
    "SESSION_COOKIE_PATH": None,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SECURE": False,
    "SESSION_COOKIE_PARTITIONED": False,
    "SESSION_COOKIE_SAMESITE": None,
    "SESSION_REFRESH_EACH_REQUEST": True,
    "MAX_CONTENT_LENGTH": None,
    "MAX_FORM_MEMORY_SIZE": 500_000,
    "MAX_FORM_PARTS": 1_000,
    "SEND_FILE_MAX_AGE_DEFAULT": None,
    "TRAP_BAD_REQUEST_ERRORS": None,
    "TRAP_HTTP_EXCEPTIONS": False,
    "EXPLAIN_TEMPLATE_LOADING": False,
    "PREFERRED_URL_SCHEME": "http",
    "TEMPLATES_AUTO_RELOAD": None,
    "MAX_COOKIE_SIZE": 4093,
    "PROVIDE_AUTOMATIC_OPTIONS": True,
}


def test_default_config_has_exactly_the_flask_31_keys() -> None:
    assert dict(Flask.default_config) == FLASK_31_DEFAULTS


@pytest.mark.parametrize(("key", "value"), sorted(FLASK_31_DEFAULTS.items()))
def test_new_app_config_starts_from_the_defaults(key: str, value: t.Any) -> None:
    config = Flask(__name__).config
    if key == "DEBUG":
        # None in default_config; the app resolves it from FLASK_DEBUG.
        value = False
    assert config[key] == value


def test_default_config_is_immutable() -> None:
    with pytest.raises(TypeError):
        Flask.default_config["DEBUG"] = True  # type: ignore[index]


def test_config_changes_stay_in_one_app() -> None:
    one, two = Flask(__name__), Flask(__name__)
    one.config["SERVER_NAME"] = "one.test"
    assert two.config["SERVER_NAME"] is None


# -- the static route and host matching ---------------------------------------------


def test_static_route_is_added_even_without_a_static_folder_on_disk(
    tmp_path: t.Any,
) -> None:
    app = Flask(__name__, root_path=str(tmp_path))
    assert not (tmp_path / "static").exists()
    assert app.has_static_folder
    assert app.static_url_path == "/static"
    rules = {rule.endpoint: rule.rule for rule in app.url_map.iter_rules()}
    assert rules == {"static": "/static/<path:filename>"}


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"static_host": "static.test"}, "static_host"),
        ({"host_matching": True}, "static_host"),
    ],
)
def test_static_host_requires_host_matching(
    kwargs: dict[str, t.Any], message: str
) -> None:
    with pytest.raises(AssertionError, match=message):
        Flask(__name__, **kwargs)


def test_host_matching_without_static_folder_needs_no_static_host() -> None:
    app = Flask(__name__, host_matching=True, static_folder=None)
    assert app.url_map.host_matching is True


def test_matching_flags_are_recorded() -> None:
    app = Flask(__name__, subdomain_matching=True)
    assert app.subdomain_matching is True
    assert app.url_map.host_matching is False
