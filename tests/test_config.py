"""The Config mapping and its loaders: objects, Python files, data files,
mappings and prefixed environment variables. Loaders take only
uppercase keys."""

from __future__ import annotations

import json
import os
import sys
import typing as t

import pytest

from flask import Flask
from flask.config import Config
from flask.config import ConfigAttribute


@pytest.fixture
def config(tmp_path: t.Any) -> Config:
    return Config(tmp_path)


@pytest.fixture
def no_flask_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """An environment without any ``FLASK_*`` variables."""
    for key in list(os.environ):
        if key.startswith("FLASK_"):
            monkeypatch.delenv(key)
    return monkeypatch


class BaseSettings:
    SECRET_KEY = "base"
    DEBUG = False
    lowercase = "ignored"
    _PRIVATE_LOOKING = "kept: the loader only checks for uppercase"


class DevSettings(BaseSettings):
    DEBUG = True


def test_config_is_a_dict_with_root_path_and_defaults(tmp_path: t.Any) -> None:
    config = Config(tmp_path, {"A": 1})
    assert isinstance(config, dict)
    assert config.root_path == tmp_path
    assert config == {"A": 1}


def test_defaults_are_copied(tmp_path: t.Any) -> None:
    defaults = {"A": 1}
    config = Config(tmp_path, defaults)
    config["A"] = 2
    assert defaults == {"A": 1}


def test_repr(config: Config) -> None:
    config["A"] = 1
    assert repr(config) == "<Config {'A': 1}>"


# -- from_object ------------------------------------------------------------------


def test_from_object_loads_uppercase_attributes_with_inheritance(
    config: Config,
) -> None:
    config.from_object(DevSettings)
    assert config == {
        "SECRET_KEY": "base",
        "DEBUG": True,
        "_PRIVATE_LOOKING": "kept: the loader only checks for uppercase",
    }


def test_from_object_accepts_an_instance(config: Config) -> None:
    settings = BaseSettings()
    settings.SECRET_KEY = "instance value"
    config.from_object(settings)
    assert config["SECRET_KEY"] == "instance value"


def test_from_object_accepts_an_import_string(
    config: Config, tmp_path: t.Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "cfg_case_settings.py").write_text(
        "HOST = 'db.test'\nport = 5432\n\nclass Production:\n    HOST = 'prod.test'\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "cfg_case_settings", raising=False)
    try:
        config.from_object("cfg_case_settings")
        assert config == {"HOST": "db.test"}
        config.from_object("cfg_case_settings.Production")
        assert config == {"HOST": "prod.test"}
        config.from_object("cfg_case_settings:Production")
        assert config == {"HOST": "prod.test"}
    finally:
        sys.modules.pop("cfg_case_settings", None)


def test_from_object_with_a_bad_import_string(config: Config) -> None:
    with pytest.raises(ImportError):
        config.from_object("cfg_case_no_such_module.Settings")


def test_from_object_does_not_read_dict_items(config: Config) -> None:
    config.from_object({"DEBUG": True})
    assert config == {}


# -- from_pyfile ----------------------------------------------------------------------


def test_from_pyfile_relative_to_root_path(config: Config, tmp_path: t.Any) -> None:
    (tmp_path / "settings.py").write_text(
        "import os\n"
        "SECRET_KEY = 'from file'\n"
        "FILE_NAME = os.path.basename(__file__)\n"
        "lowercase = 1\n"
    )
    assert config.from_pyfile("settings.py") is True
    assert config == {"SECRET_KEY": "from file", "FILE_NAME": "settings.py"}


def test_from_pyfile_with_an_absolute_path(tmp_path: t.Any) -> None:
    (tmp_path / "abs.cfg").write_text("VALUE = 42\n")
    config = Config("/somewhere/else")
    assert config.from_pyfile(tmp_path / "abs.cfg") is True
    assert config["VALUE"] == 42


def test_from_pyfile_missing_file_error_names_the_file(config: Config) -> None:
    with pytest.raises(FileNotFoundError) as exc_info:
        config.from_pyfile("missing.py")
    message = str(exc_info.value)
    assert "Unable to load configuration file" in message
    assert "missing.py" in message


@pytest.mark.parametrize("name", ["missing.py", "a_folder", "a_file.py/below"])
def test_from_pyfile_silent_skips_what_cannot_be_opened(
    config: Config, tmp_path: t.Any, name: str
) -> None:
    (tmp_path / "a_folder").mkdir()
    (tmp_path / "a_file.py").write_text("X = 1\n")
    assert config.from_pyfile(name, silent=True) is False
    assert config == {}


def test_from_pyfile_silent_does_not_hide_errors_in_the_file(
    config: Config, tmp_path: t.Any
) -> None:
    (tmp_path / "broken.py").write_text("VALUE = (\n")
    with pytest.raises(SyntaxError):
        config.from_pyfile("broken.py", silent=True)
    (tmp_path / "raising.py").write_text("VALUE = 1 / 0\n")
    with pytest.raises(ZeroDivisionError):
        config.from_pyfile("raising.py", silent=True)


# -- from_envvar ------------------------------------------------------------------------


def test_from_envvar_loads_the_named_file(
    config: Config, tmp_path: t.Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "env.cfg").write_text("FROM_ENV = 'yes'\n")
    monkeypatch.setenv("CFG_CASE_SETTINGS", str(tmp_path / "env.cfg"))
    assert config.from_envvar("CFG_CASE_SETTINGS") is True
    assert config["FROM_ENV"] == "yes"


@pytest.mark.parametrize("value", [None, ""])
def test_from_envvar_unset_variable(
    config: Config, monkeypatch: pytest.MonkeyPatch, value: str | None
) -> None:
    if value is None:
        monkeypatch.delenv("CFG_CASE_SETTINGS", raising=False)
    else:
        monkeypatch.setenv("CFG_CASE_SETTINGS", value)
    with pytest.raises(RuntimeError, match="'CFG_CASE_SETTINGS' is not set"):
        config.from_envvar("CFG_CASE_SETTINGS")
    assert config.from_envvar("CFG_CASE_SETTINGS", silent=True) is False


def test_from_envvar_pointing_at_a_missing_file(
    config: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CFG_CASE_SETTINGS", "missing.cfg")
    with pytest.raises(OSError, match="Unable to load configuration file"):
        config.from_envvar("CFG_CASE_SETTINGS")
    assert config.from_envvar("CFG_CASE_SETTINGS", silent=True) is False


# -- from_file ---------------------------------------------------------------------------


def test_from_file_with_json(config: Config, tmp_path: t.Any) -> None:
    (tmp_path / "config.json").write_text(
        json.dumps({"SECRET_KEY": "json", "ITEMS": [1, 2], "lower": True})
    )
    assert config.from_file("config.json", load=json.load) is True
    assert config == {"SECRET_KEY": "json", "ITEMS": [1, 2]}


def test_from_file_with_toml_in_binary_mode(config: Config, tmp_path: t.Any) -> None:
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    (tmp_path / "config.toml").write_text(
        'SECRET_KEY = "toml"\nPORT = 8080\nlower = 1\n\n[DATABASE]\nHOST = "db"\n'
    )
    assert config.from_file("config.toml", load=tomllib.load, text=False) is True
    assert config == {"SECRET_KEY": "toml", "PORT": 8080, "DATABASE": {"HOST": "db"}}


def test_from_file_absolute_path(tmp_path: t.Any) -> None:
    (tmp_path / "c.json").write_text('{"A": 1}')
    config = Config("/somewhere/else")
    assert config.from_file(str(tmp_path / "c.json"), load=json.load)
    assert config["A"] == 1


@pytest.mark.parametrize("name", ["missing.json", "a_folder"])
def test_from_file_silent(config: Config, tmp_path: t.Any, name: str) -> None:
    (tmp_path / "a_folder").mkdir()
    assert config.from_file(name, load=json.load, silent=True) is False
    assert config == {}


def test_from_file_missing_file_error(config: Config) -> None:
    with pytest.raises(FileNotFoundError) as exc_info:
        config.from_file("missing.json", load=json.load)
    assert "Unable to load configuration file" in str(exc_info.value)
    assert "missing.json" in str(exc_info.value)


def test_from_file_parse_errors_are_not_silenced(
    config: Config, tmp_path: t.Any
) -> None:
    (tmp_path / "bad.json").write_text("{not json")
    with pytest.raises(json.JSONDecodeError):
        config.from_file("bad.json", load=json.load, silent=True)


# -- from_mapping ------------------------------------------------------------------------


def test_from_mapping_with_mapping_and_keywords(config: Config) -> None:
    assert config.from_mapping({"A": 1, "b": 2}, C=3, d=4) is True
    assert config == {"A": 1, "C": 3}


def test_from_mapping_keywords_win(config: Config) -> None:
    config.from_mapping({"A": 1}, A=2)
    assert config["A"] == 2


def test_from_mapping_accepts_pairs(config: Config) -> None:
    config.from_mapping([("A", 1), ("b", 2)])
    assert config == {"A": 1}


def test_from_mapping_with_nothing(config: Config) -> None:
    assert config.from_mapping() is True
    assert config == {}


def test_from_mapping_takes_one_positional_mapping(config: Config) -> None:
    with pytest.raises(TypeError):
        config.from_mapping({"A": 1}, {"B": 2})  # type: ignore[call-arg]


# -- from_prefixed_env ----------------------------------------------------------------------


def test_from_prefixed_env_parses_json_values(no_flask_env: pytest.MonkeyPatch) -> None:
    no_flask_env.setenv("FLASK_STRING", "plain text")
    no_flask_env.setenv("FLASK_INT", "42")
    no_flask_env.setenv("FLASK_FLOAT", "1.5")
    no_flask_env.setenv("FLASK_BOOL", "false")
    no_flask_env.setenv("FLASK_NULL", "null")
    no_flask_env.setenv("FLASK_LIST", '[1, "two"]')
    no_flask_env.setenv("FLASK_DICT", '{"k": "v"}')
    no_flask_env.setenv("FLASK_QUOTED", '"42"')
    no_flask_env.setenv("NOT_FLASK_INT", "1")
    config = Config(".")
    assert config.from_prefixed_env() is True
    assert config == {
        "STRING": "plain text",
        "INT": 42,
        "FLOAT": 1.5,
        "BOOL": False,
        "NULL": None,
        "LIST": [1, "two"],
        "DICT": {"k": "v"},
        "QUOTED": "42",
    }


def test_from_prefixed_env_custom_prefix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CFGCASE_SECRET_KEY", "s3cret")
    monkeypatch.setenv("CFGCASEX_OTHER", "1")
    config = Config(".")
    config.from_prefixed_env("CFGCASE")
    assert config == {"SECRET_KEY": "s3cret"}


def test_from_prefixed_env_custom_loads(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CFGCASE_PORT", "8080")
    config = Config(".")
    config.from_prefixed_env("CFGCASE", loads=lambda value: f"<{value}>")
    assert config == {"PORT": "<8080>"}


def test_from_prefixed_env_nested_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CFGCASE_DB__HOST", "db.test")
    monkeypatch.setenv("CFGCASE_DB__PORT", "5432")
    monkeypatch.setenv("CFGCASE_CACHE__REDIS__URL", '"redis://"')
    monkeypatch.setenv("CFGCASE_EXISTING__NEW", "true")
    config = Config(".", {"EXISTING": {"OLD": 1}})
    config.from_prefixed_env("CFGCASE")
    assert config == {
        "DB": {"HOST": "db.test", "PORT": 5432},
        "CACHE": {"REDIS": {"URL": "redis://"}},
        "EXISTING": {"OLD": 1, "NEW": True},
    }


def test_from_prefixed_env_overrides_existing_values(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CFGCASE_DEBUG", "true")
    config = Config(".", {"DEBUG": False})
    config.from_prefixed_env("CFGCASE")
    assert config["DEBUG"] is True


def test_app_config_from_prefixed_env(no_flask_env: pytest.MonkeyPatch) -> None:
    no_flask_env.setenv("FLASK_SECRET_KEY", "from env")
    app = Flask(__name__)
    app.config.from_prefixed_env()
    assert app.secret_key == "from env"


# -- get_namespace ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lowercase", "trim", "expected"),
    [
        (True, True, {"type": "fs", "base_url": "/img"}),
        (False, True, {"TYPE": "fs", "BASE_URL": "/img"}),
        (True, False, {"image_store_type": "fs", "image_store_base_url": "/img"}),
        (False, False, {"IMAGE_STORE_TYPE": "fs", "IMAGE_STORE_BASE_URL": "/img"}),
    ],
)
def test_get_namespace(
    config: Config, lowercase: bool, trim: bool, expected: dict[str, str]
) -> None:
    config.update(
        IMAGE_STORE_TYPE="fs",
        IMAGE_STORE_BASE_URL="/img",
        IMAGE_OTHER="no",
        STORE_IMAGE_TYPE="no",
    )
    result = config.get_namespace(
        "IMAGE_STORE_", lowercase=lowercase, trim_namespace=trim
    )
    assert result == expected


def test_get_namespace_returns_a_new_dict(config: Config) -> None:
    config["NS_A"] = 1
    config.get_namespace("NS_")["a"] = 2
    assert config["NS_A"] == 1


# -- uppercase only, across loaders ---------------------------------------------------------


def _load_object(config: Config, tmp_path: t.Any) -> None:
    config.from_object(type("Settings", (), {"KEEP": 1, "drop": 2, "Mixed": 3}))


def _load_pyfile(config: Config, tmp_path: t.Any) -> None:
    (tmp_path / "s.py").write_text("KEEP = 1\ndrop = 2\nMixed = 3\n")
    config.from_pyfile("s.py")


def _load_file(config: Config, tmp_path: t.Any) -> None:
    (tmp_path / "s.json").write_text('{"KEEP": 1, "drop": 2, "Mixed": 3}')
    config.from_file("s.json", load=json.load)


def _load_mapping(config: Config, tmp_path: t.Any) -> None:
    config.from_mapping({"KEEP": 1, "drop": 2}, Mixed=3)


@pytest.mark.parametrize(
    "load", [_load_object, _load_pyfile, _load_file, _load_mapping]
)
def test_loaders_take_only_uppercase_keys(
    config: Config, tmp_path: t.Any, load: t.Callable[[Config, t.Any], None]
) -> None:
    load(config, tmp_path)
    assert config == {"KEEP": 1}


# -- ConfigAttribute ---------------------------------------------------------------


def test_config_attribute_reads_and_writes_the_key(tmp_path: t.Any) -> None:
    class Holder:
        flag = ConfigAttribute[bool]("FLAG")
        seconds = ConfigAttribute[int]("SECONDS", get_converter=int)

        def __init__(self) -> None:
            self.config = Config(tmp_path, {"FLAG": False, "SECONDS": "5"})

    holder = Holder()
    assert isinstance(Holder.__dict__["flag"], ConfigAttribute)
    assert Holder.flag.__name__ == "FLAG"
    assert holder.flag is False
    assert holder.seconds == 5
    holder.flag = True
    holder.seconds = "7"
    assert holder.config == {"FLAG": True, "SECONDS": "7"}
    assert holder.seconds == 7
