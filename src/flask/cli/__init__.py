"""The ``flask`` command line, on Click.

:data:`cli` is the ``flask`` command (console script and ``python -m
flask``): a :class:`FlaskGroup` that finds the application, reads the dotenv
files and offers ``run``, ``shell``, ``routes``, the plugin commands and the
application's own. The parts:

- ``_discovery``: from ``--app`` / ``FLASK_APP`` to an application object;
- ``_dotenv``: ``.flaskenv``, ``.env`` and ``--env-file``;
- ``_context``: :class:`ScriptInfo`, :func:`with_appcontext`, :class:`AppGroup`;
- ``_group``: :class:`FlaskGroup` and its options;
- ``_serve``: the ``run`` command; ``_inspect``: ``shell`` and ``routes``.

Nothing here imports :mod:`flask.app`: :mod:`flask.app` imports from here.
"""

from __future__ import annotations

from ._context import AppGroup as AppGroup
from ._context import pass_script_info as pass_script_info
from ._context import ScriptInfo as ScriptInfo
from ._context import with_appcontext as with_appcontext
from ._discovery import find_app_by_string as find_app_by_string
from ._discovery import find_best_app as find_best_app
from ._discovery import locate_app as locate_app
from ._discovery import NoAppException as NoAppException
from ._discovery import prepare_import as prepare_import
from ._dotenv import load_dotenv as load_dotenv
from ._group import FlaskGroup as FlaskGroup
from ._group import get_version as get_version
from ._group import version_option as version_option
from ._inspect import routes_command as routes_command
from ._inspect import shell_command as shell_command
from ._serve import CertParamType as CertParamType
from ._serve import run_command as run_command
from ._serve import SeparatedPathType as SeparatedPathType
from ._serve import show_server_banner as show_server_banner

cli = FlaskGroup(
    name="flask",
    help=(
        "Commands for a Flask application.\n\n"
        "Name the application with '--app' or the 'FLASK_APP' environment"
        " variable, or keep a 'wsgi.py' or 'app.py' file in the current"
        " directory."
    ),
)


def main() -> None:
    """Run the ``flask`` command (the console script's entry point)."""
    cli.main()
