"""``app.config``: a plain dict plus loaders that fill it from elsewhere.

Every loader that reads a source of mixed names (objects, Python files, data
files, mappings) keeps only the UPPERCASE ones, so helpers and imports in a
settings file never leak into the configuration. They all funnel through
:meth:`Config._store`, which assigns key by key so a subclass overriding
``__setitem__`` sees every value. Environment variables are the exception:
their names are the keys, whatever their case.
"""

from __future__ import annotations

import errno
import json
import os
import types
import typing as t

from werkzeug.utils import import_string

if t.TYPE_CHECKING:  # pragma: no cover
    from .sansio.app import App

_V = t.TypeVar("_V")
_Path = str | os.PathLike[str]
_Converter = t.Callable[[t.Any], _V]
_Parser = t.Callable[[t.IO[t.Any]], t.Mapping[str, t.Any]]

#: ``errno`` values that ``silent=True`` turns into "nothing loaded". A Python
#: file below a regular file (ENOTDIR) is skipped too; a data file is not.
_PYFILE_ABSENT = frozenset({errno.ENOENT, errno.EISDIR, errno.ENOTDIR})
_DATAFILE_ABSENT = frozenset({errno.ENOENT, errno.EISDIR})


class ConfigAttribute(t.Generic[_V]):
    """An attribute of the app that reads and writes ``app.config[key]``.

    :param name: the configuration key.
    :param get_converter: applied to the stored value on every read.
    """

    def __init__(self, name: str, get_converter: _Converter[_V] | None = None) -> None:
        self.__name__ = name
        self.get_converter = get_converter

    def __get__(self, app: App | None, owner: type[App] | None = None) -> t.Any:
        if app is None:  # looked up on the class: the descriptor itself
            return self
        value = app.config[self.__name__]
        convert = self.get_converter
        return value if convert is None else convert(value)

    def __set__(self, app: App, value: t.Any) -> None:
        app.config[self.__name__] = value


def _uppercase(pairs: t.Iterable[tuple[str, t.Any]]) -> t.Iterator[tuple[str, t.Any]]:
    return ((key, value) for key, value in pairs if key.isupper())


def _attributes(obj: object) -> t.Iterator[tuple[str, t.Any]]:
    return ((name, getattr(obj, name)) for name in dir(obj))


def _parsed(raw: str, loads: t.Callable[[str], t.Any]) -> t.Any:
    """``loads(raw)``, or ``raw`` itself when it does not parse."""
    try:
        return loads(raw)
    except Exception:
        return raw


class Config(dict[str, t.Any]):
    """The configuration of an application: a dict with loaders.

    :param root_path: relative file names given to the loaders are joined
        to it (an absolute name stays as it is).
    :param defaults: initial values, copied.
    """

    def __init__(
        self, root_path: _Path, defaults: t.Mapping[str, t.Any] | None = None
    ) -> None:
        super().__init__(defaults or ())
        self.root_path = root_path

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {dict.__repr__(self)}>"

    def get_namespace(
        self, namespace: str, lowercase: bool = True, trim_namespace: bool = True
    ) -> dict[str, t.Any]:
        """A new dict of the keys that start with ``namespace``, e.g. the
        ``IMAGE_STORE_`` options passed on to a storage backend.

        :param lowercase: lowercase the resulting keys.
        :param trim_namespace: drop the namespace from the resulting keys.
        """
        cut = len(namespace) if trim_namespace else 0
        selected: dict[str, t.Any] = {}
        for key, value in self.items():
            if key.startswith(namespace):
                name = key[cut:]
                selected[name.lower() if lowercase else name] = value
        return selected

    def _store(self, pairs: t.Iterable[tuple[str, t.Any]]) -> None:
        for key, value in _uppercase(pairs):
            self[key] = value

    def _open_source(
        self,
        filename: _Path,
        silent: bool,
        absent: frozenset[int],
        read: t.Callable[[str], _V],
    ) -> tuple[bool, _V | None]:
        """``(True, read(path))``, or ``(False, None)`` when ``silent`` and
        the file is absent. Other I/O errors get a message that says a
        configuration file was being loaded."""
        path = os.path.join(self.root_path, filename)
        try:
            return True, read(path)
        except OSError as error:
            if silent and error.errno in absent:
                return False, None
            error.strerror = f"Unable to load configuration file ({error.strerror})"
            raise

    # -- loaders -------------------------------------------------------------

    def from_object(self, obj: object | str) -> None:
        """Take the uppercase attributes of ``obj`` (a module, class or
        instance; inherited ones included), or of the object an import
        string such as ``"pkg.settings.Production"`` names. Dict items are
        not read: use :meth:`from_mapping` for a dict."""
        source = import_string(obj) if isinstance(obj, str) else obj
        self._store(_attributes(source))

    def from_pyfile(self, filename: _Path, silent: bool = False) -> bool:
        """Run a Python file as a fresh module named ``config`` and take its
        uppercase names. Returns ``False`` if ``silent`` and the file is
        missing; errors inside the file always propagate."""
        loaded, module = self._open_source(
            filename, silent, _PYFILE_ABSENT, _run_settings_file
        )
        if loaded:
            self.from_object(module)
        return loaded

    def from_envvar(self, variable_name: str, silent: bool = False) -> bool:
        """:meth:`from_pyfile` with the path held by an environment variable.
        An unset or empty variable is an error unless ``silent``."""
        path = os.environ.get(variable_name)
        if path:
            return self.from_pyfile(path, silent=silent)
        if silent:
            return False
        raise RuntimeError(
            f"The environment variable {variable_name!r} is not set, so there is"
            " no configuration file to load. Give it the path of one."
        )

    def from_file(
        self, filename: _Path, load: _Parser, silent: bool = False, text: bool = True
    ) -> bool:
        """Parse a data file with ``load`` (``json.load``, or ``tomllib.load``
        with ``text=False``) and take the uppercase top-level keys of the
        mapping it returns. Returns ``False`` if ``silent`` and the file is
        missing; parse errors always propagate."""

        def parse(path: str) -> t.Mapping[str, t.Any]:
            with open(path, "r" if text else "rb") as stream:
                return load(stream)

        loaded, data = self._open_source(filename, silent, _DATAFILE_ABSENT, parse)
        return self.from_mapping(data) if loaded else False

    def from_mapping(
        self, mapping: t.Mapping[str, t.Any] | None = None, **kwargs: t.Any
    ) -> bool:
        """Take the uppercase keys of ``mapping`` (or of an iterable of
        pairs) and of the keyword arguments, which win. Always ``True``."""
        merged = dict(mapping if mapping is not None else (), **kwargs)
        self._store(merged.items())
        return True

    def from_prefixed_env(
        self, prefix: str = "FLASK", *, loads: t.Callable[[str], t.Any] = json.loads
    ) -> bool:
        """Take every ``{prefix}_NAME`` environment variable as key ``NAME``,
        in sorted order. Values go through ``loads`` (JSON by default) and
        stay strings when it fails. ``A__B`` sets key ``B`` of the dict at
        ``A``, creating dicts on the way. Always ``True``."""
        start = f"{prefix}_"
        for name in sorted(os.environ):
            if name.startswith(start):
                value = _parsed(os.environ[name], loads)
                _place(self, name[len(start) :].split("__"), value)
        return True


def _place(target: t.MutableMapping[str, t.Any], path: list[str], value: t.Any) -> None:
    """Set ``target[a][b]...[z] = value`` for ``path == [a, b, ..., z]``,
    adding an empty dict for each missing step."""
    key, *below = path
    if not below:
        target[key] = value
        return
    if key not in target:
        target[key] = {}
    _place(target[key], below, value)


def _run_settings_file(path: str) -> types.ModuleType:
    # Compiling the bytes lets a ``# coding:`` line choose the encoding.
    with open(path, "rb") as source:
        code = compile(source.read(), path, "exec")
    module = types.ModuleType("config")
    module.__file__ = path
    exec(code, module.__dict__)
    return module
