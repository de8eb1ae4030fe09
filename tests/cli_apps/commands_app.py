"""An application carrying custom commands on ``app.cli``."""

import click

from flask import current_app
from flask import Flask

application = Flask("commands_app")


@application.cli.command("whoami")
def whoami() -> None:
    """Print the current application's name."""
    click.echo(f"app={current_app.name}")


@application.cli.command("no-context", with_appcontext=False)
def no_context() -> None:
    """Report whether an application context is active."""
    click.echo(f"context={bool(current_app)}")


@application.cli.command("debug-state")
def debug_state() -> None:
    """Print the application's debug flag."""
    click.echo(f"debug={current_app.debug}")
