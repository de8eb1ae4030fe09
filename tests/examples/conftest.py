"""Make the examples importable without installing them: ``flaskr`` from
``examples/flaskr`` and the manual's patterns as ``patterns.<name>`` from
``examples/``."""

from __future__ import annotations

import os
import sys

EXAMPLES = os.path.abspath(
    os.path.join(os.path.dirname(__file__), "..", "..", "examples")
)
FLASKR_PROJECT = os.path.join(EXAMPLES, "flaskr")

for path in (EXAMPLES, FLASKR_PROJECT):
    if path not in sys.path:
        sys.path.insert(0, path)


def pytest_terminal_summary(terminalreporter):
    """Say why an example test was skipped even without ``-rs`` (the browser
    test skips when Chromium is missing, and that must not go unnoticed)."""
    reports = [
        rep
        for rep in terminalreporter.stats.get("skipped", [])
        if "tests/examples/" in rep.nodeid.replace("\\", "/")
    ]
    if reports:
        terminalreporter.section("skipped example tests")
        for rep in reports:
            reason = (
                rep.longrepr[2]
                if isinstance(rep.longrepr, tuple)
                else str(rep.longrepr)
            )
            terminalreporter.line(f"SKIPPED {rep.nodeid}: {reason}")
