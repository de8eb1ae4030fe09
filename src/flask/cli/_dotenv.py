"""Loading ``.flaskenv``, ``.env`` and ``--env-file`` into the environment.

Precedence, strongest first: what the process environment already holds, the
file given explicitly, ``.env``, ``.flaskenv``. A variable is only ever added,
never replaced, so reloading the files (the reloader's child process does) is
harmless.
"""

from __future__ import annotations

import os
from pathlib import Path

import click

#: The files looked for by default, weakest first.
DEFAULT_FILES = (".flaskenv", ".env")


def _nearest(filename: str) -> Path | None:
    """The file named ``filename`` in the working folder or the closest of
    its parents, if there is one.
    """
    here = Path.cwd()
    for folder in (here, *here.parents):
        candidate = folder / filename
        if candidate.is_file():
            return candidate
    return None


def _files_to_read(
    path: str | os.PathLike[str] | None, load_defaults: bool
) -> list[Path]:
    """The files to read, weakest first."""
    found = [_nearest(name) for name in DEFAULT_FILES] if load_defaults else []
    if path is not None and os.path.isfile(path):
        found.append(Path(path))
    return [file for file in found if file is not None]


def _tip_without_dotenv(path: str | os.PathLike[str] | None) -> None:
    names = [*DEFAULT_FILES, *([] if path is None else [path])]
    if any(os.path.isfile(name) for name in names):
        click.secho(
            " * Tip: There are .env files present. Install python-dotenv to use them.",
            fg="yellow",
            err=True,
        )


def load_dotenv(
    path: str | os.PathLike[str] | None = None, load_defaults: bool = True
) -> bool:
    """Add the variables of dotenv files to :data:`os.environ`.

    :param path: a file read on top of the defaults; ignored if missing.
    :param load_defaults: also read the ``.flaskenv`` and ``.env`` files
        nearest to the working folder (searched upwards).
    :return: whether any file provided a variable. Without python-dotenv
        nothing is read, and a tip is printed if there were files to read.

    Files are decoded as UTF-8, and the working folder stays where it is.
    """
    try:
        import dotenv
    except ImportError:
        _tip_without_dotenv(path)
        return False

    merged: dict[str, str | None] = {}
    for file in _files_to_read(path, load_defaults):
        merged.update(dotenv.dotenv_values(file, encoding="utf-8"))

    for name, value in merged.items():
        if value is not None:
            os.environ.setdefault(name, value)
    return bool(merged)


def dotenv_available() -> bool:
    """Whether python-dotenv can be imported."""
    try:
        import dotenv  # noqa: F401
    except ImportError:
        return False
    return True
