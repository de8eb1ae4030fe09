"""The blueprint's file-system side: static files and resources."""

from __future__ import annotations

import typing as t

from .cli import AppGroup
from .globals import current_app
from .helpers import _max_age_seconds
from .helpers import _open_resource
from .helpers import _send_static_file
from .sansio.blueprints import Blueprint as SansioBlueprint
from .sansio.blueprints import BlueprintSetupState as BlueprintSetupState  # noqa

if t.TYPE_CHECKING:  # pragma: no cover
    from .wrappers import Response


class Blueprint(SansioBlueprint):
    """A blueprint that can serve its own static files and resources."""

    #: ``bp.cli`` is an :class:`~flask.cli.AppGroup`, whose commands run
    #: inside the application context.
    _cli_group_class = AppGroup

    def get_send_file_max_age(self, filename: str | None) -> int | None:
        """The ``max_age`` for files sent from this blueprint:
        ``SEND_FILE_MAX_AGE_DEFAULT`` of the current app."""
        return _max_age_seconds(current_app.config["SEND_FILE_MAX_AGE_DEFAULT"])

    def send_static_file(self, filename: str) -> Response:
        """The view of the blueprint's static route."""
        return _send_static_file(self, filename)

    def open_resource(
        self, resource: str, mode: str = "rb", encoding: str | None = "utf-8"
    ) -> t.IO[t.AnyStr]:
        """Open a file relative to the blueprint's root path, for reading."""
        return _open_resource(self.root_path, resource, mode, encoding)
