"""A command exposed through the ``flask.commands`` entry-point group."""

import click


@click.command()
def plugin() -> None:
    """A plugin command."""
    click.echo("plugin ran")
