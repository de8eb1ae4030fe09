"""Private helpers shared by several layers."""

from __future__ import annotations

import pytest

from flask.helpers import _blueprint_chain


@pytest.mark.parametrize(
    ("endpoint", "expected"),
    [
        (None, ()),
        ("index", ()),
        ("admin.index", ("admin",)),
        ("a.b.view", ("a.b", "a")),
        ("a.b.c.view", ("a.b.c", "a.b", "a")),
    ],
)
def test_blueprint_chain_is_innermost_first(
    endpoint: str | None, expected: tuple[str, ...]
) -> None:
    assert _blueprint_chain(endpoint) == expected
