"""Importing this module fails on a missing dependency, not on itself."""

import cli_apps_dependency_that_does_not_exist  # noqa: F401
