"""Fixtures for the deployment tests: Flaskr sites and real WSGI servers,
stopped (and their workers with them) when the module's tests are done."""

from __future__ import annotations

import typing as t

import pytest
from serverkit import FLASKR_PROJECT
from serverkit import FlaskrSite
from serverkit import make_flaskr_site
from serverkit import Server


@pytest.fixture(scope="module")
def launch(
    tmp_path_factory: pytest.TempPathFactory,
) -> t.Iterator[t.Callable[..., Server]]:
    """``launch(name, argv, site)`` starts a server for ``site`` from
    examples/flaskr and returns it once it answers; every server launched
    is stopped at the end of the module, even if a test failed."""
    servers: list[Server] = []

    def launch(
        name: str, argv: t.Callable[[int], list[str]], site: FlaskrSite
    ) -> Server:
        log = tmp_path_factory.mktemp(name) / "server.log"
        server = Server(name, argv, cwd=FLASKR_PROJECT, env=site.env, log_path=log)
        servers.append(server)
        return server.start()

    yield launch
    for server in reversed(servers):
        server.stop()


@pytest.fixture(scope="module")
def flaskr_site(tmp_path_factory: pytest.TempPathFactory) -> FlaskrSite:
    """One deployment's shared state: settings (SECRET_KEY) and database."""
    return make_flaskr_site(tmp_path_factory.mktemp("flaskr-site"))
