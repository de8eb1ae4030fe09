"""Tests for the ``flask`` command line (``flask.cli``).

Fixture applications live in ``tests/cli_apps``. Every test runs in an empty
temporary working directory with a clean set of ``FLASK_*`` variables, and
modules imported from the fixture folder are forgotten afterwards.
"""

from __future__ import annotations

import code
import contextlib
import importlib.metadata
import os
import platform
import socket
import ssl
import subprocess
import sys
import time
import types
import typing as t
import urllib.error
import urllib.request
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from click.testing import Result

from flask import Blueprint
from flask import current_app
from flask import Flask
from flask.cli import AppGroup
from flask.cli import CertParamType
from flask.cli import find_app_by_string
from flask.cli import find_best_app
from flask.cli import FlaskGroup
from flask.cli import load_dotenv
from flask.cli import locate_app
from flask.cli import NoAppException
from flask.cli import pass_script_info
from flask.cli import prepare_import
from flask.cli import run_command
from flask.cli import ScriptInfo
from flask.cli import SeparatedPathType
from flask.cli import show_server_banner
from flask.cli import with_appcontext

CLI_APPS = Path(__file__).resolve().parent / "cli_apps"

_FLASK_VARIABLES = (
    "FLASK_APP",
    "FLASK_DEBUG",
    "FLASK_ENV_FILE",
    "FLASK_RUN_FROM_CLI",
    "FLASK_SKIP_DOTENV",
    "FLASK_RUN_HOST",
    "FLASK_RUN_PORT",
    "PYTHONSTARTUP",
    "WERKZEUG_RUN_MAIN",
    "WERKZEUG_SERVER_FD",
)


# --------------------------------------------------------------------------
# Fixtures
# --------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> t.Iterator[Path]:
    """Run in an empty directory with a restored environment and sys.path."""
    saved_environ = dict(os.environ)
    saved_path = list(sys.path)
    for name in _FLASK_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    workdir = tmp_path / "work"
    workdir.mkdir()
    monkeypatch.chdir(workdir)
    yield workdir
    os.environ.clear()
    os.environ.update(saved_environ)
    sys.path[:] = saved_path


@pytest.fixture
def cli_apps(monkeypatch: pytest.MonkeyPatch) -> t.Iterator[Path]:
    """Make ``tests/cli_apps`` importable and forget what was imported."""
    monkeypatch.syspath_prepend(str(CLI_APPS))
    before = set(sys.modules)
    yield CLI_APPS
    for name in set(sys.modules) - before:
        del sys.modules[name]


@pytest.fixture
def runner() -> CliRunner:
    """A runner keeping stdout and stderr apart on every Click version."""
    try:
        return CliRunner(mix_stderr=False)  # type: ignore[call-arg]
    except (TypeError, DeprecationWarning):
        return CliRunner()


@pytest.fixture
def served_run_simple(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, t.Any]]:
    """Replace ``run_simple`` with a recorder of its arguments."""
    import werkzeug.serving

    calls: list[dict[str, t.Any]] = []

    def fake_run_simple(
        hostname: str, port: int, application: t.Any, **kwargs: t.Any
    ) -> None:
        calls.append(
            dict(hostname=hostname, port=port, application=application, **kwargs)
        )

    monkeypatch.setattr(werkzeug.serving, "run_simple", fake_run_simple)
    return calls


def make_module(name: str, **attrs: t.Any) -> types.ModuleType:
    """A module object with the given attributes."""
    module = types.ModuleType(name)
    module.__dict__.update(attrs)
    return module


def group_for(app: Flask, **kwargs: t.Any) -> FlaskGroup:
    """A FlaskGroup serving ``app``."""
    return FlaskGroup(create_app=lambda: app, **kwargs)


# --------------------------------------------------------------------------
# find_best_app
# --------------------------------------------------------------------------


def _factory_with_kwargs(**kwargs: t.Any) -> Flask:
    return Flask("kwargs_factory")


@pytest.mark.parametrize(
    ("attrs", "expected_name"),
    [
        pytest.param({"app": Flask("by_app")}, "by_app", id="app"),
        pytest.param(
            {"application": Flask("by_application")}, "by_application", id="application"
        ),
        pytest.param({"website": Flask("only_one")}, "only_one", id="single-instance"),
        pytest.param(
            {"create_app": lambda: Flask("created")}, "created", id="create_app"
        ),
        pytest.param({"make_app": lambda: Flask("made")}, "made", id="make_app"),
        pytest.param(
            {"create_app": _factory_with_kwargs}, "kwargs_factory", id="kwargs-factory"
        ),
        pytest.param(
            {"other": Flask("instance_wins"), "create_app": lambda: Flask("factory")},
            "instance_wins",
            id="instance-before-factory",
        ),
        pytest.param(
            {"app": Flask("named_app"), "extra": Flask("extra")},
            "named_app",
            id="app-name-before-scan",
        ),
    ],
)
def test_find_best_app_finds(attrs: dict[str, t.Any], expected_name: str) -> None:
    assert find_best_app(make_module("somewhere", **attrs)).name == expected_name


def _needs_args(config: str, mode: str) -> Flask:
    return Flask(config + mode)


@pytest.mark.parametrize(
    ("attrs", "message_part"),
    [
        pytest.param({}, "Failed to find Flask application", id="empty"),
        pytest.param(
            {"a": Flask("a"), "b": Flask("b")}, "multiple Flask applications", id="two"
        ),
        pytest.param(
            {"create_app": _needs_args}, "without arguments", id="factory-args"
        ),
        pytest.param(
            {"create_app": lambda: "not an app"}, "Failed to find", id="bad-factory"
        ),
    ],
)
def test_find_best_app_reports(attrs: dict[str, t.Any], message_part: str) -> None:
    with pytest.raises(NoAppException) as info:
        find_best_app(make_module("somewhere", **attrs))
    assert message_part in info.value.format_message()
    assert "somewhere" in info.value.format_message()


def test_find_best_app_lets_factory_type_error_through() -> None:
    def create_app() -> Flask:
        raise TypeError("raised inside the factory")

    with pytest.raises(TypeError, match="inside the factory"):
        find_best_app(make_module("m", create_app=create_app))


# --------------------------------------------------------------------------
# find_app_by_string and locate_app
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("expression", "expected_name"),
    [
        ("create_app", "from_factory"),
        ("create_app()", "from_factory"),
        ("  create_app ( )  ", "from_factory"),
        ("create_app('named')", "named"),
        ("create_app(name='keyword')", "keyword"),
        ('build("a", "b")', "a-b"),
        ('build("a", "b", )', "a-b"),
        ('build("solo")', "solo-end"),
    ],
)
def test_find_app_by_string(
    cli_apps: Path, expression: str, expected_name: str
) -> None:
    module = importlib.import_module("factories")
    assert find_app_by_string(module, expression).name == expected_name


@pytest.mark.parametrize(
    ("expression", "message_part"),
    [
        ("missing", "Failed to find attribute 'missing'"),
        ("create_app(", "Failed to parse"),
        ("1 + 2", "Failed to parse"),
        ("factories.create_app()", "simple name"),
        ("create_app(some_variable)", "literal values"),
        ("build('a', 'b', 'c')", "could not be called"),
        ("build()", "could not be called"),
        ("returns_nothing", "A valid Flask application was not obtained"),
        ("not_callable", "A valid Flask application was not obtained"),
    ],
)
def test_find_app_by_string_errors(
    cli_apps: Path, expression: str, message_part: str
) -> None:
    module = importlib.import_module("factories")
    with pytest.raises(NoAppException) as info:
        find_app_by_string(module, expression)
    assert message_part in info.value.format_message()


@pytest.mark.parametrize(
    ("module_name", "app_name", "expected_name"),
    [
        ("commands_app", None, "commands_app"),
        ("commands_app", "application", "commands_app"),
        ("factories", None, "from_factory"),
        ("factories", "build('x', suffix='y')", "x-y"),
        ("nested_pkg.inner", None, "nested_inner"),
        ("nested_pkg.inner.module", None, "nested_module"),
    ],
)
def test_locate_app(
    cli_apps: Path, module_name: str, app_name: str | None, expected_name: str
) -> None:
    assert locate_app(module_name, app_name).name == expected_name


@pytest.mark.parametrize(
    "module_name",
    ["no_such_module_here", "nested_pkg.absent", "served.py", "nested_pkg/inner"],
)
def test_locate_app_missing_module(cli_apps: Path, module_name: str) -> None:
    with pytest.raises(NoAppException, match="Could not import"):
        locate_app(module_name, None)
    assert locate_app(module_name, None, raise_if_not_found=False) is None


@pytest.mark.parametrize("raise_if_not_found", [True, False])
def test_locate_app_reports_import_error_inside_module(
    cli_apps: Path, raise_if_not_found: bool
) -> None:
    with pytest.raises(NoAppException) as info:
        locate_app("broken_dependency", None, raise_if_not_found=raise_if_not_found)
    message = info.value.format_message()
    assert "While importing 'broken_dependency'" in message
    assert "cli_apps_dependency_that_does_not_exist" in message


def test_locate_app_with_multiple_apps(cli_apps: Path) -> None:
    with pytest.raises(NoAppException, match="two_apps:name"):
        locate_app("two_apps", None)
    assert locate_app("two_apps", "second").name == "second"


# --------------------------------------------------------------------------
# prepare_import
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("relative", "expected_name", "expected_dir"),
    [
        ("served.py", "served", "."),
        ("served", "served", "."),
        ("nested_pkg/__init__.py", "nested_pkg", "."),
        ("nested_pkg/inner", "nested_pkg.inner", "."),
        ("nested_pkg/inner/__init__", "nested_pkg.inner", "."),
        ("nested_pkg/inner/module.py", "nested_pkg.inner.module", "."),
        ("dotted.module.name", "dotted.module.name", "."),
    ],
)
def test_prepare_import(relative: str, expected_name: str, expected_dir: str) -> None:
    assert prepare_import(CLI_APPS / relative) == expected_name
    assert sys.path[0] == str((CLI_APPS / expected_dir).resolve())


def test_prepare_import_relative_to_cwd(isolated: Path) -> None:
    (isolated / "sub").mkdir()
    assert prepare_import("sub/thing.py") == "thing"
    assert sys.path[0] == str((isolated / "sub").resolve())


def test_prepare_import_does_not_duplicate_path_entry() -> None:
    prepare_import(CLI_APPS / "served.py")
    prepare_import(CLI_APPS / "two_apps.py")
    assert sys.path.count(str(CLI_APPS)) == 1


# --------------------------------------------------------------------------
# ScriptInfo
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("import_path", "expected_name"),
    [
        ("commands_app", "commands_app"),
        ("commands_app:application", "commands_app"),
        ("factories:create_app('explicit')", "explicit"),
        (str(CLI_APPS / "two_apps.py") + ":first", "first"),
        (str(CLI_APPS / "served.py"), "served"),
        (str(CLI_APPS / "nested_pkg" / "inner"), "nested_inner"),
    ],
)
def test_script_info_import_path(
    cli_apps: Path, import_path: str, expected_name: str
) -> None:
    info = ScriptInfo(app_import_path=import_path)
    app = info.load_app()
    assert app.name == expected_name
    assert info.load_app() is app


def test_script_info_create_app_is_cached() -> None:
    created: list[Flask] = []

    def create() -> Flask:
        created.append(Flask("made_once"))
        return created[-1]

    info = ScriptInfo(create_app=create)
    assert info.load_app() is info.load_app() is created[0]
    assert len(created) == 1


def test_script_info_data_is_per_instance() -> None:
    first, second = ScriptInfo(), ScriptInfo()
    first.data["key"] = "value"
    assert second.data == {}


def test_script_info_without_app_explains_options() -> None:
    with pytest.raises(NoAppException) as info:
        ScriptInfo().load_app()
    message = info.value.format_message()
    assert "--app" in message
    assert "FLASK_APP" in message
    assert "wsgi.py" in message


@pytest.mark.parametrize(
    ("files", "expected_name"),
    [
        ({"wsgi.py": "w"}, "w"),
        ({"app.py": "a"}, "a"),
        ({"wsgi.py": "w", "app.py": "a"}, "w"),
    ],
)
def test_script_info_discovers_default_files(
    isolated: Path,
    monkeypatch: pytest.MonkeyPatch,
    files: dict[str, str],
    expected_name: str,
) -> None:
    for filename, app_name in files.items():
        (isolated / filename).write_text(
            f"from flask import Flask\nflask_app = Flask({app_name!r})\n"
        )
    for module_name in ("wsgi", "app"):
        monkeypatch.delitem(sys.modules, module_name, raising=False)
    try:
        assert ScriptInfo().load_app().name == expected_name
    finally:
        for module_name in ("wsgi", "app"):
            sys.modules.pop(module_name, None)


@pytest.mark.parametrize(
    ("flask_debug", "set_flag", "expected"),
    [
        ("1", True, True),
        ("0", True, False),
        (None, True, False),
        ("1", False, "unchanged"),
    ],
)
def test_script_info_debug_flag(
    monkeypatch: pytest.MonkeyPatch,
    flask_debug: str | None,
    set_flag: bool,
    expected: t.Any,
) -> None:
    if flask_debug is not None:
        monkeypatch.setenv("FLASK_DEBUG", flask_debug)
    app = Flask("debugged")
    app.debug = True
    ScriptInfo(create_app=lambda: app, set_debug_flag=set_flag).load_app()
    assert app.debug is (True if expected == "unchanged" else expected)


# --------------------------------------------------------------------------
# with_appcontext, AppGroup, pass_script_info
# --------------------------------------------------------------------------


def test_with_appcontext_pushes_app_from_script_info(runner: CliRunner) -> None:
    @click.command()
    @with_appcontext
    def name() -> None:
        click.echo(current_app.name)

    result = runner.invoke(name, obj=ScriptInfo(create_app=lambda: Flask("ctx_app")))
    assert result.exit_code == 0, result.output
    assert result.stdout == "ctx_app\n"


def test_with_appcontext_reuses_active_context(runner: CliRunner) -> None:
    outer = Flask("outer")

    @click.command()
    @with_appcontext
    def name() -> None:
        click.echo(current_app.name)

    never = ScriptInfo(create_app=lambda: Flask("never_loaded"))
    with outer.app_context():
        result = runner.invoke(name, obj=never)
    assert result.stdout == "outer\n"


def test_with_appcontext_preserves_metadata() -> None:
    def documented() -> None:
        """Some documentation."""

    wrapped = with_appcontext(documented)
    assert wrapped.__name__ == "documented"
    assert wrapped.__doc__ == "Some documentation."


def test_app_group_commands_get_app_context(runner: CliRunner) -> None:
    @click.group(cls=AppGroup)
    def root() -> None:
        pass

    @root.command()
    def top() -> None:
        click.echo(f"top:{current_app.name}")

    @root.group()
    def sub() -> None:
        pass

    @sub.command()
    def inner() -> None:
        click.echo(f"inner:{current_app.name}")

    @root.command(with_appcontext=False)
    def plain() -> None:
        click.echo(f"plain:{bool(current_app)}")

    @root.command
    def bare() -> None:
        click.echo(f"bare:{current_app.name}")

    assert isinstance(sub, AppGroup)

    def invoke(*args: str) -> str:
        obj = ScriptInfo(create_app=lambda: Flask("grouped"))
        result = runner.invoke(root, list(args), obj=obj)
        assert result.exit_code == 0, result.output
        return result.stdout

    assert invoke("top") == "top:grouped\n"
    assert invoke("sub", "inner") == "inner:grouped\n"
    assert invoke("plain") == "plain:False\n"
    assert invoke("bare") == "bare:grouped\n"


def test_app_group_bare_group_decorator() -> None:
    root = AppGroup("root")

    @root.group
    def child() -> None:
        pass

    assert isinstance(child, AppGroup)
    assert root.commands["child"] is child


def test_pass_script_info(runner: CliRunner) -> None:
    @click.command()
    @pass_script_info
    def show(info: ScriptInfo) -> None:
        click.echo(info.app_import_path)

    result = runner.invoke(show, obj=ScriptInfo(app_import_path="given:app"))
    assert result.stdout == "given:app\n"


# --------------------------------------------------------------------------
# FlaskGroup
# --------------------------------------------------------------------------


def test_app_cli_name_is_app_name() -> None:
    app = Flask("named_cli")
    assert app.cli.name == app.name


def test_flask_group_runs_app_commands(runner: CliRunner) -> None:
    app = Flask("group_app")

    @app.cli.command()
    def hello() -> None:
        click.echo(f"hello from {current_app.name}")

    result = runner.invoke(group_for(app), ["hello"])
    assert result.exit_code == 0, result.output
    assert result.stdout == "hello from group_app\n"


def test_flask_group_as_decorator(runner: CliRunner) -> None:
    @click.group(cls=FlaskGroup, create_app=lambda: Flask("decorated"))
    def manage() -> None:
        """A management script."""

    @manage.command()
    def name() -> None:
        click.echo(current_app.name)

    result = runner.invoke(manage, ["name"])
    assert result.stdout == "decorated\n"


def test_app_context_available_in_parameter_callbacks(runner: CliRunner) -> None:
    app = Flask("callback_app")

    def callback(ctx: click.Context, param: click.Parameter, value: str) -> str:
        return f"{value}@{current_app.name}"

    @app.cli.command()
    @click.argument("value", callback=callback)
    def check(value: str) -> tuple[str, bool]:
        loaded = click.get_current_context().ensure_object(ScriptInfo).load_app()
        return value, current_app._get_current_object() is loaded  # type: ignore[attr-defined]

    result = runner.invoke(group_for(app), ["check", "x"], standalone_mode=False)
    assert result.return_value == ("x@callback_app", True)


@pytest.mark.parametrize("how", ["option", "short", "env"])
def test_app_option_and_env_var(
    cli_apps: Path, runner: CliRunner, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    args = ["whoami"]
    if how == "option":
        args = ["--app", "commands_app", *args]
    elif how == "short":
        args = ["-A", "commands_app", *args]
    else:
        monkeypatch.setenv("FLASK_APP", "commands_app")
    result = runner.invoke(FlaskGroup(), args)
    assert result.exit_code == 0, result.output
    assert result.stdout == "app=commands_app\n"


def test_command_without_app_context(cli_apps: Path, runner: CliRunner) -> None:
    result = runner.invoke(FlaskGroup(), ["--app", "commands_app", "no-context"])
    assert result.exit_code == 0, result.output
    # FlaskGroup pushes the context when it loads the app to find the command.
    assert result.stdout == "context=True\n"


@pytest.mark.parametrize(
    ("args", "env", "expected"),
    [
        (["--debug"], None, "True"),
        (["--no-debug"], "1", "False"),
        ([], "1", "True"),
        ([], "yes", "True"),
        ([], "false", "False"),
        ([], None, "False"),
    ],
)
def test_debug_option(
    cli_apps: Path,
    runner: CliRunner,
    monkeypatch: pytest.MonkeyPatch,
    args: list[str],
    env: str | None,
    expected: str,
) -> None:
    if env is not None:
        monkeypatch.setenv("FLASK_DEBUG", env)
    result = runner.invoke(
        FlaskGroup(), ["--app", "commands_app", *args, "debug-state"]
    )
    assert result.exit_code == 0, result.output
    assert result.stdout == f"debug={expected}\n"
    if args:
        assert os.environ["FLASK_DEBUG"] == ("1" if expected == "True" else "0")


@pytest.mark.parametrize("set_debug_flag", [True, False])
def test_flask_group_set_debug_flag(runner: CliRunner, set_debug_flag: bool) -> None:
    def create() -> Flask:
        app = Flask("debug_flag")
        app.debug = True

        @app.cli.command()
        def show() -> None:
            click.echo(current_app.debug)

        return app

    result = runner.invoke(
        FlaskGroup(create_app=create, set_debug_flag=set_debug_flag), ["show"]
    )
    assert result.stdout == f"{not set_debug_flag}\n"


def test_flask_group_nested_in_click_group(runner: CliRunner) -> None:
    app = Flask("nested_group")
    outer = click.Group("outer")
    inner = group_for(app, name="flask")
    outer.add_command(inner)

    @inner.command()
    def where() -> None:
        click.echo(current_app.name)

    result = runner.invoke(outer, ["flask", "where"])
    assert result.exit_code == 0, result.output
    assert result.stdout == "nested_group\n"


def test_flask_group_sets_run_from_cli(runner: CliRunner) -> None:
    app = Flask("flagged")

    @app.cli.command()
    def flag() -> None:
        click.echo(os.environ.get("FLASK_RUN_FROM_CLI"))

    assert runner.invoke(group_for(app), ["flag"]).stdout == "true\n"


def test_version_option(runner: CliRunner) -> None:
    result = runner.invoke(FlaskGroup(), ["--version"])
    assert result.exit_code == 0
    assert f"Python {platform.python_version()}" in result.stdout
    assert f"Flask {importlib.metadata.version('flask')}" in result.stdout
    assert "clean-room implementation" in result.stdout
    assert f"Werkzeug {importlib.metadata.version('werkzeug')}" in result.stdout


def test_version_option_can_be_left_out(runner: CliRunner) -> None:
    result = runner.invoke(FlaskGroup(add_version_option=False), ["--version"])
    assert result.exit_code == 2
    assert "No such option" in result.stderr


def test_default_commands_can_be_left_out() -> None:
    assert set(FlaskGroup().commands) == {"run", "shell", "routes"}
    assert FlaskGroup(add_default_commands=False).commands == {}


def test_help_lists_commands_when_app_is_missing(runner: CliRunner) -> None:
    result = runner.invoke(FlaskGroup(), ["--help"])
    assert result.exit_code == 0
    assert "Usage:" in result.stdout
    for name in ("run", "shell", "routes"):
        assert name in result.stdout
    assert "FLASK_APP" in result.stderr


def test_help_reports_exception_from_factory(runner: CliRunner) -> None:
    def create() -> Flask:
        raise RuntimeError("factory exploded")

    result = runner.invoke(FlaskGroup(create_app=create), ["--help"])
    assert result.exit_code == 0
    assert "RuntimeError: factory exploded" in result.stderr
    assert "Usage:" in result.stdout


def test_help_lists_app_commands(cli_apps: Path, runner: CliRunner) -> None:
    result = runner.invoke(FlaskGroup(), ["--app", "commands_app", "--help"])
    assert result.exit_code == 0
    assert "whoami" in result.stdout
    assert result.stderr == ""


def test_help_uses_flask_app_from_dotenv(
    cli_apps: Path, runner: CliRunner, isolated: Path
) -> None:
    (isolated / ".flaskenv").write_text("FLASK_APP=commands_app\n")
    for args in ([], ["--help"]):
        result = runner.invoke(FlaskGroup(), args)
        # Click 8.2+ prints the help for a bare group on stderr.
        assert "whoami" in result.stdout + result.stderr


@pytest.mark.parametrize("args", [["--help"], [], ["whoami"], ["whoami", "--help"]])
def test_app_context_does_not_outlive_invocation(
    cli_apps: Path, runner: CliRunner, args: list[str]
) -> None:
    runner.invoke(FlaskGroup(), ["--app", "commands_app", *args])
    assert not current_app


def test_unknown_command_reports_loading_error(runner: CliRunner) -> None:
    from flask.cli import cli

    result = runner.invoke(cli, ["not-a-command"])
    assert result.exit_code == 2
    assert "FLASK_APP" in result.stderr
    assert "Usage:" in result.stderr


def test_module_level_cli_is_flask_group() -> None:
    from flask.cli import cli
    from flask.cli import main

    assert isinstance(cli, FlaskGroup)
    assert cli.name == "flask"
    assert callable(main)


def test_plugin_commands_from_entry_points(
    cli_apps: Path, runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    entry_point = importlib.metadata.EntryPoint(
        name="from-plugin", value="plugin_commands:plugin", group="flask.commands"
    )
    seen_groups: list[str | None] = []

    def fake_entry_points(**params: t.Any) -> list[importlib.metadata.EntryPoint]:
        seen_groups.append(params.get("group"))
        return [entry_point] if params.get("group") == "flask.commands" else []

    monkeypatch.setattr(importlib.metadata, "entry_points", fake_entry_points)
    group = FlaskGroup(create_app=lambda: Flask("with_plugins"))
    result = runner.invoke(group, ["from-plugin"])
    assert result.exit_code == 0, result.output
    assert result.stdout == "plugin ran\n"
    assert "flask.commands" in seen_groups
    assert "from-plugin" in runner.invoke(group, ["--help"]).stdout


def test_blueprint_cli_groups(runner: CliRunner) -> None:
    app = Flask("bp_cli")
    own_group = Blueprint("own", __name__, cli_group="custom")
    flat = Blueprint("flat", __name__, cli_group=None)
    default = Blueprint("default_group", __name__)

    @own_group.cli.command("one")
    def one() -> None:
        click.echo(f"one:{current_app.name}")

    @flat.cli.command("two")
    def two() -> None:
        click.echo("two")

    @default.cli.command("three")
    def three() -> None:
        click.echo("three")

    app.register_blueprint(own_group)
    app.register_blueprint(flat)
    app.register_blueprint(default)

    group = group_for(app)
    assert runner.invoke(group, ["custom", "one"]).stdout == "one:bp_cli\n"
    assert runner.invoke(group, ["two"]).stdout == "two\n"
    assert runner.invoke(group, ["default_group", "three"]).stdout == "three\n"


# --------------------------------------------------------------------------
# Dotenv
# --------------------------------------------------------------------------


@pytest.fixture
def env_files(isolated: Path) -> Path:
    """``.flaskenv``, ``.env`` and a custom file in the working directory."""
    (isolated / ".flaskenv").write_text(
        "CLI_T_SHARED=flaskenv\nCLI_T_FLASKENV_ONLY=f\nCLI_T_PRESET=flaskenv\n"
    )
    (isolated / ".env").write_text(
        "CLI_T_SHARED=env\nCLI_T_ENV_ONLY=e\nCLI_T_UNICODE=été ☃\n", encoding="utf-8"
    )
    (isolated / "custom.env").write_text("CLI_T_SHARED=custom\nCLI_T_CUSTOM_ONLY=c\n")
    return isolated


def test_load_dotenv_precedence(
    env_files: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CLI_T_PRESET", "environment")
    assert load_dotenv() is True
    assert os.environ["CLI_T_SHARED"] == "env"
    assert os.environ["CLI_T_FLASKENV_ONLY"] == "f"
    assert os.environ["CLI_T_ENV_ONLY"] == "e"
    assert os.environ["CLI_T_UNICODE"] == "été ☃"
    assert os.environ["CLI_T_PRESET"] == "environment"
    assert Path.cwd() == env_files


def test_load_dotenv_path_beats_defaults(env_files: Path) -> None:
    assert load_dotenv(env_files / "custom.env")
    assert os.environ["CLI_T_SHARED"] == "custom"
    assert os.environ["CLI_T_ENV_ONLY"] == "e"


def test_load_dotenv_path_without_defaults(env_files: Path) -> None:
    assert load_dotenv(str(env_files / "custom.env"), load_defaults=False)
    assert os.environ["CLI_T_SHARED"] == "custom"
    assert "CLI_T_ENV_ONLY" not in os.environ


def test_load_dotenv_missing_path(env_files: Path) -> None:
    assert load_dotenv("does-not-exist.env", load_defaults=False) is False


def test_load_dotenv_searches_parent_directories(
    env_files: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    child = env_files / "deeper" / "still"
    child.mkdir(parents=True)
    monkeypatch.chdir(child)
    assert load_dotenv()
    assert os.environ["CLI_T_ENV_ONLY"] == "e"
    assert Path.cwd() == child


def test_load_dotenv_without_files(isolated: Path) -> None:
    # Parents of the temporary directory might hold files; look only here.
    assert load_dotenv(load_defaults=False) is False


def test_load_dotenv_without_python_dotenv(
    env_files: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "dotenv", None)
    assert load_dotenv() is False
    assert "CLI_T_SHARED" not in os.environ
    assert "python-dotenv" in capsys.readouterr().err


def test_env_file_option_requires_python_dotenv(
    env_files: Path, runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "dotenv", None)
    result = runner.invoke(FlaskGroup(), ["-e", "custom.env", "routes"])
    assert result.exit_code == 2
    assert "python-dotenv must be installed" in result.stderr


def test_flask_group_loads_dotenv(env_files: Path, runner: CliRunner) -> None:
    app = Flask("dotenv_app")

    @app.cli.command()
    def show() -> None:
        click.echo(os.environ.get("CLI_T_SHARED"))

    assert runner.invoke(group_for(app), ["show"]).stdout == "env\n"


@pytest.mark.parametrize("args", [["-e", "custom.env"], ["--env-file", "custom.env"]])
def test_flask_group_env_file_option(
    env_files: Path, runner: CliRunner, args: list[str]
) -> None:
    app = Flask("dotenv_app")

    @app.cli.command()
    def show() -> None:
        click.echo(
            f"{os.environ.get('CLI_T_SHARED')} {os.environ.get('CLI_T_ENV_ONLY')}"
        )

    assert runner.invoke(group_for(app), [*args, "show"]).stdout == "custom e\n"


def test_env_file_can_name_the_app(
    cli_apps: Path, isolated: Path, runner: CliRunner
) -> None:
    (isolated / "app.env").write_text("FLASK_APP=commands_app\nFLASK_DEBUG=1\n")
    result = runner.invoke(FlaskGroup(), ["-e", "app.env", "debug-state"])
    assert result.exit_code == 0, result.output
    assert result.stdout == "debug=True\n"


def test_env_file_must_exist(runner: CliRunner) -> None:
    result = runner.invoke(FlaskGroup(), ["-e", "nowhere.env", "routes"])
    assert result.exit_code == 2
    assert "nowhere.env" in result.stderr


@pytest.mark.parametrize("how", ["env", "argument"])
def test_dotenv_can_be_disabled(
    env_files: Path, runner: CliRunner, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    if how == "env":
        monkeypatch.setenv("FLASK_SKIP_DOTENV", "1")
        group = FlaskGroup(create_app=lambda: Flask("no_dotenv"))
    else:
        group = FlaskGroup(create_app=lambda: Flask("no_dotenv"), load_dotenv=False)
    runner.invoke(group, ["routes"])
    runner.invoke(group, [])
    assert "CLI_T_SHARED" not in os.environ


# --------------------------------------------------------------------------
# The run command
# --------------------------------------------------------------------------


def test_run_defaults(
    served_run_simple: list[dict[str, t.Any]], runner: CliRunner
) -> None:
    app = Flask("run_defaults")
    result = runner.invoke(group_for(app), ["run"])
    assert result.exit_code == 0, result.output
    (call,) = served_run_simple
    assert call["hostname"] == "127.0.0.1"
    assert call["port"] == 5000
    assert call["application"] is app
    assert call["use_reloader"] is False
    assert call["use_debugger"] is False
    assert call["threaded"] is True
    assert call["ssl_context"] is None
    assert call["extra_files"] is None
    assert call["exclude_patterns"] is None
    assert " * Debug mode: off" in result.stdout
    assert os.environ["FLASK_RUN_FROM_CLI"] == "true"


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            ["--host", "0.0.0.0", "--port", "8080"],
            {"hostname": "0.0.0.0", "port": 8080},
        ),
        (["-h", "localhost", "-p", "1234"], {"hostname": "localhost", "port": 1234}),
        (["--without-threads"], {"threaded": False}),
        (["--reload", "--debugger"], {"use_reloader": True, "use_debugger": True}),
    ],
)
def test_run_options(
    served_run_simple: list[dict[str, t.Any]],
    runner: CliRunner,
    args: list[str],
    expected: dict[str, t.Any],
) -> None:
    result = runner.invoke(group_for(Flask("opts")), ["run", *args])
    assert result.exit_code == 0, result.output
    (call,) = served_run_simple
    assert {key: call[key] for key in expected} == expected


@pytest.mark.parametrize(
    ("group_args", "run_args", "reload", "debugger"),
    [
        (["--debug"], [], True, True),
        (["--debug"], ["--no-reload"], False, True),
        (["--debug"], ["--no-debugger"], True, False),
        (["--no-debug"], ["--reload"], True, False),
        # ``flask run --debug`` is the documented spelling too.
        ([], ["--debug"], True, True),
        ([], ["--debug", "--no-reload"], False, True),
        (["--debug"], ["--no-debug"], False, False),
    ],
)
def test_run_follows_debug_flag(
    served_run_simple: list[dict[str, t.Any]],
    runner: CliRunner,
    group_args: list[str],
    run_args: list[str],
    reload: bool,
    debugger: bool,
) -> None:
    result = runner.invoke(group_for(Flask("dbg")), [*group_args, "run", *run_args])
    assert result.exit_code == 0, result.output
    (call,) = served_run_simple
    assert (call["use_reloader"], call["use_debugger"]) == (reload, debugger)


def test_run_reads_options_from_environment(
    served_run_simple: list[dict[str, t.Any]],
    runner: CliRunner,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("FLASK_RUN_PORT", "6543")
    monkeypatch.setenv("FLASK_RUN_HOST", "127.0.0.2")
    runner.invoke(group_for(Flask("env_opts")), ["run"])
    (call,) = served_run_simple
    assert (call["hostname"], call["port"]) == ("127.0.0.2", 6543)


def test_run_banner_names_import_path(
    cli_apps: Path, served_run_simple: list[dict[str, t.Any]], runner: CliRunner
) -> None:
    result = runner.invoke(FlaskGroup(), ["--app", "served", "--debug", "run"])
    assert result.exit_code == 0, result.output
    assert " * Serving Flask app 'served'" in result.stdout
    assert " * Debug mode: on" in result.stdout


def test_run_debug_option_reaches_the_app(
    cli_apps: Path, served_run_simple: list[dict[str, t.Any]], runner: CliRunner
) -> None:
    result = runner.invoke(FlaskGroup(), ["--app", "served", "run", "--debug"])
    assert result.exit_code == 0, result.output
    assert " * Debug mode: on" in result.stdout
    assert served_run_simple[0]["application"].debug is True
    assert os.environ["FLASK_DEBUG"] == "1"


def test_run_fails_when_app_is_missing(
    served_run_simple: list[dict[str, t.Any]], runner: CliRunner
) -> None:
    result = runner.invoke(FlaskGroup(), ["run"])
    assert result.exit_code == 2
    assert "FLASK_APP" in result.stderr
    assert served_run_simple == []


def test_run_in_reloader_child_serves_load_error(
    served_run_simple: list[dict[str, t.Any]],
    runner: CliRunner,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("WERKZEUG_RUN_MAIN", "true")
    result = runner.invoke(FlaskGroup(), ["run"])
    assert result.exit_code == 0, result.output
    (call,) = served_run_simple
    with pytest.raises(NoAppException):
        call["application"]({}, lambda *a: None)


def test_run_separated_paths(
    served_run_simple: list[dict[str, t.Any]], runner: CliRunner, isolated: Path
) -> None:
    first, second = isolated / "a.cfg", isolated / "b.cfg"
    first.write_text("")
    second.write_text("")
    joined = os.pathsep.join([str(first), str(second)])
    patterns = os.pathsep.join(["*.pyc", "*/build/*"])
    result = runner.invoke(
        group_for(Flask("paths")),
        ["run", "--extra-files", joined, "--exclude-patterns", patterns],
    )
    assert result.exit_code == 0, result.output
    (call,) = served_run_simple
    assert call["extra_files"] == [str(first), str(second)]
    assert call["exclude_patterns"] == ["*.pyc", "*/build/*"]


def test_separated_path_type_checks_each_item(isolated: Path) -> None:
    kind = SeparatedPathType(exists=True)
    (isolated / "there").write_text("")
    assert kind.convert("there", None, None) == ["there"]
    with pytest.raises(click.BadParameter):
        kind.convert(os.pathsep.join(["there", "missing"]), None, None)


THIS_FILE = str(Path(__file__).resolve())


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(["--cert", THIS_FILE], id="cert-without-key"),
        pytest.param(["--key", THIS_FILE], id="key-without-cert"),
        pytest.param(["--cert", "no_such_cert_or_module"], id="unknown-cert"),
        pytest.param(["--cert", "os"], id="module-is-not-context"),
        pytest.param(
            ["--cert", THIS_FILE, "--key", "missing.key"], id="missing-key-file"
        ),
    ],
)
def test_run_cert_errors(args: list[str]) -> None:
    with pytest.raises(click.BadParameter):
        run_command.make_context("run", args)


@pytest.mark.parametrize("key_first", [False, True])
def test_run_cert_and_key_files(key_first: bool) -> None:
    pairs = [["--cert", THIS_FILE], ["--key", THIS_FILE]]
    if key_first:
        pairs.reverse()
    ctx = run_command.make_context("run", [*pairs[0], *pairs[1]])
    assert ctx.params["cert"] == (THIS_FILE, THIS_FILE)


def test_run_cert_adhoc(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "cryptography", None)
    with pytest.raises(click.BadParameter, match="cryptography"):
        run_command.make_context("run", ["--cert", "adhoc"])

    monkeypatch.setitem(sys.modules, "cryptography", types.ModuleType("cryptography"))
    assert (
        run_command.make_context("run", ["--cert", "adhoc"]).params["cert"] == "adhoc"
    )
    assert (
        run_command.make_context("run", ["--cert", "ADHOC"]).params["cert"] == "adhoc"
    )
    with pytest.raises(click.BadParameter, match="adhoc"):
        run_command.make_context("run", ["--cert", "adhoc", "--key", THIS_FILE])


def test_run_cert_ssl_context(monkeypatch: pytest.MonkeyPatch) -> None:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    holder = make_module("cli_test_ssl_holder", context=context)
    monkeypatch.setitem(sys.modules, "cli_test_ssl_holder", holder)
    ctx = run_command.make_context("run", ["--cert", "cli_test_ssl_holder:context"])
    assert ctx.params["cert"] is context
    with pytest.raises(click.BadParameter, match="SSLContext"):
        run_command.make_context(
            "run", ["--cert", "cli_test_ssl_holder.context", "--key", THIS_FILE]
        )


def test_run_cert_without_ssl_module(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "ssl", None)
    with pytest.raises(click.BadParameter, match="SSL support"):
        CertParamType().convert(THIS_FILE, None, None)


def test_run_cert_passed_to_server(
    served_run_simple: list[dict[str, t.Any]], runner: CliRunner
) -> None:
    result = runner.invoke(
        group_for(Flask("tls")), ["run", "--cert", THIS_FILE, "--key", THIS_FILE]
    )
    assert result.exit_code == 0, result.output
    assert served_run_simple[0]["ssl_context"] == (THIS_FILE, THIS_FILE)


@pytest.mark.parametrize(
    ("debug", "path", "expected"),
    [
        (True, "pkg:app", [" * Serving Flask app 'pkg:app'", " * Debug mode: on"]),
        (False, None, [" * Debug mode: off"]),
        (None, "x", [" * Serving Flask app 'x'"]),
        (None, None, []),
    ],
)
def test_show_server_banner(
    capsys: pytest.CaptureFixture[str],
    debug: bool | None,
    path: str | None,
    expected: list[str],
) -> None:
    show_server_banner(debug, path)
    assert capsys.readouterr().out.splitlines() == expected


def test_show_server_banner_quiet_in_reloader(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WERKZEUG_RUN_MAIN", "true")
    show_server_banner(True, "app")
    assert capsys.readouterr().out == ""


# --------------------------------------------------------------------------
# The shell command
# --------------------------------------------------------------------------


@pytest.fixture
def interact_calls(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, t.Any]]:
    """Replace ``code.interact`` with a recorder that checks the context."""
    calls: list[dict[str, t.Any]] = []

    def fake_interact(
        banner: str | None = None, local: t.Any = None, **kwargs: t.Any
    ) -> None:
        calls.append(
            {"banner": banner, "local": dict(local or {}), "app": current_app.name}
        )

    monkeypatch.setattr(code, "interact", fake_interact)
    monkeypatch.delattr(sys, "__interactivehook__", raising=False)
    return calls


def test_shell_namespace_and_banner(
    interact_calls: list[dict[str, t.Any]], runner: CliRunner
) -> None:
    app = Flask("shell_app")

    @app.shell_context_processor
    def extra() -> dict[str, t.Any]:
        return {"answer": 42}

    result = runner.invoke(group_for(app), ["shell"])
    assert result.exit_code == 0, result.output
    (call,) = interact_calls
    assert call["app"] == "shell_app"
    assert call["local"]["app"] is app
    assert call["local"]["answer"] == 42
    assert "g" in call["local"]
    assert "App: shell_app" in call["banner"]
    assert "Instance:" in call["banner"]
    assert platform.python_version() in call["banner"]


def test_shell_runs_pythonstartup(
    interact_calls: list[dict[str, t.Any]],
    runner: CliRunner,
    isolated: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    startup = isolated / "startup.py"
    startup.write_text(
        "from_startup = 'loaded'\napp = 'overridden by the shell context'\n"
    )
    monkeypatch.setenv("PYTHONSTARTUP", str(startup))
    app = Flask("startup_app")
    runner.invoke(group_for(app), ["shell"])
    (call,) = interact_calls
    assert call["local"]["from_startup"] == "loaded"
    assert call["local"]["app"] is app


def test_shell_ignores_missing_pythonstartup(
    interact_calls: list[dict[str, t.Any]],
    runner: CliRunner,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PYTHONSTARTUP", "/nonexistent/startup.py")
    result = runner.invoke(group_for(Flask("no_startup")), ["shell"])
    assert result.exit_code == 0, result.output
    assert len(interact_calls) == 1


def test_shell_calls_interactive_hook(
    interact_calls: list[dict[str, t.Any]],
    runner: CliRunner,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    hooked: list[bool] = []
    monkeypatch.setattr(
        sys, "__interactivehook__", lambda: hooked.append(True), raising=False
    )
    runner.invoke(group_for(Flask("hooked")), ["shell"])
    assert hooked == [True]


# --------------------------------------------------------------------------
# The routes command
# --------------------------------------------------------------------------


@pytest.fixture
def routed_app() -> Flask:
    app = Flask("routed")
    app.add_url_rule("/zeta/<int:n>", endpoint="alpha_view", methods=["GET", "POST"])
    app.add_url_rule("/beta", endpoint="zulu_view", methods=["PUT"])
    return app


def _endpoints(output: str) -> list[str]:
    """First column of the table rows (header and rule skipped)."""
    return [line.split()[0] for line in output.splitlines()[2:]]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ([], ["alpha_view", "static", "zulu_view"]),
        (["--sort", "endpoint"], ["alpha_view", "static", "zulu_view"]),
        (["-s", "methods"], ["static", "alpha_view", "zulu_view"]),
        (["-s", "rule"], ["zulu_view", "static", "alpha_view"]),
        (["-s", "domain"], ["static", "alpha_view", "zulu_view"]),
    ],
)
def test_routes_sorting(
    routed_app: Flask, runner: CliRunner, args: list[str], expected: list[str]
) -> None:
    result = runner.invoke(group_for(routed_app), ["routes", *args])
    assert result.exit_code == 0, result.output
    assert _endpoints(result.stdout) == expected


def test_routes_match_order(routed_app: Flask, runner: CliRunner) -> None:
    result = runner.invoke(group_for(routed_app), ["routes", "-s", "match"])
    expected = [rule.endpoint for rule in routed_app.url_map.iter_rules()]
    assert _endpoints(result.stdout) == expected


def test_routes_table_layout(routed_app: Flask, runner: CliRunner) -> None:
    lines = runner.invoke(group_for(routed_app), ["routes"]).stdout.splitlines()
    assert lines[0].split() == ["Endpoint", "Methods", "Rule"]
    assert set(lines[1].replace(" ", "")) == {"-"}
    assert lines[2].split("  ")[0] == "alpha_view"
    assert "GET, POST" in lines[2]
    assert lines[2].rstrip().endswith("/zeta/<int:n>")
    # Columns line up: every rule starts where the "Rule" header starts.
    column = lines[0].index("Rule")
    assert all(line[column] == "/" for line in lines[2:])


def test_routes_all_methods(routed_app: Flask, runner: CliRunner) -> None:
    group = group_for(routed_app)
    assert "HEAD" not in runner.invoke(group, ["routes"]).stdout
    output = runner.invoke(group, ["routes", "--all-methods"]).stdout
    assert "GET, HEAD, OPTIONS, POST" in output


def test_routes_invalid_sort(routed_app: Flask, runner: CliRunner) -> None:
    result = runner.invoke(group_for(routed_app), ["routes", "-s", "colour"])
    assert result.exit_code == 2


def test_routes_without_rules(runner: CliRunner) -> None:
    result = runner.invoke(group_for(Flask("bare", static_folder=None)), ["routes"])
    assert result.exit_code == 0
    assert "No routes were registered." in result.stdout


@pytest.mark.parametrize(
    ("kwargs", "rule_option", "header"),
    [({}, "subdomain", "Subdomain"), ({"host_matching": True}, "host", "Host")],
)
def test_routes_domain_column(
    runner: CliRunner, kwargs: dict[str, t.Any], rule_option: str, header: str
) -> None:
    app = Flask("domains", static_folder=None, **kwargs)
    app.add_url_rule("/a", endpoint="a", **{rule_option: "zzz"})
    app.add_url_rule("/b", endpoint="b", **{rule_option: "aaa"})
    output = runner.invoke(group_for(app), ["routes", "-s", "domain"]).stdout
    assert output.splitlines()[0].split() == ["Endpoint", "Methods", header, "Rule"]
    assert _endpoints(output) == ["b", "a"]


# --------------------------------------------------------------------------
# Real processes: python -m flask and the development server
# --------------------------------------------------------------------------


def _subprocess_env() -> dict[str, str]:
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("FLASK_", "WERKZEUG_"))
    }
    env["PYTHONUNBUFFERED"] = "1"
    return env


def test_python_dash_m_flask(isolated: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "flask", "--version"],
        capture_output=True,
        text=True,
        env=_subprocess_env(),
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert f"Flask {importlib.metadata.version('flask')}" in result.stdout


def test_python_dash_m_flask_runs_app_command(isolated: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "flask",
            "--app",
            str(CLI_APPS / "commands_app.py"),
            "whoami",
        ],
        capture_output=True,
        text=True,
        env=_subprocess_env(),
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "app=commands_app\n"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _fetch(url: str) -> tuple[int, str]:
    """GET ``url``; return the status and body, also for error statuses."""
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode("utf-8", "replace")


@contextlib.contextmanager
def running_server(*flask_args: str) -> t.Iterator[str]:
    """Start ``flask --app served ... run`` on a free loopback port and yield
    its base URL; the process is stopped on exit.
    """
    port = _free_port()
    args = [
        sys.executable,
        "-m",
        "flask",
        "--app",
        str(CLI_APPS / "served.py"),
        *flask_args,
        "run",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--no-reload",
    ]
    process = subprocess.Popen(
        args,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env=_subprocess_env(),
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                output = process.stdout.read() if process.stdout else ""
                pytest.fail(f"server exited with {process.returncode}:\n{output}")
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail("server did not start within 30 seconds")
                time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        if process.stdout:
            process.stdout.close()


def test_server_serves_requests() -> None:
    with running_server() as base:
        status, body = _fetch(base + "/")
        assert (status, body) == (200, "served by flask run")
        status, _ = _fetch(base + "/nothing-here")
        assert status == 404


def test_server_without_debug_returns_plain_500() -> None:
    with running_server("--no-debug") as base:
        status, body = _fetch(base + "/fail")
    assert status == 500
    assert "Internal Server Error" in body
    assert "Werkzeug Debugger" not in body
    assert "deliberate failure" not in body


def test_server_with_debug_shows_debugger() -> None:
    with running_server("--debug") as base:
        status, body = _fetch(base + "/fail")
    assert status == 500
    assert "Werkzeug Debugger" in body
    assert "deliberate failure for the debugger test" in body


def test_cli_result_type(runner: CliRunner) -> None:
    # Guards the runner fixture: stdout and stderr are kept apart.
    result: Result = runner.invoke(
        click.Command("noop", callback=lambda: click.echo("x", err=True))
    )
    assert result.stderr == "x\n"
