"""`safeduty db upgrade`."""

from __future__ import annotations

import click
from sqlalchemy.engine import make_url

from scheduler import migrate
from scheduler.cli.common import Context, pass_context


@click.group("db")
def group() -> None:
    """Database schema."""


@group.command()
@pass_context
def upgrade(ctx: Context) -> None:
    """Apply the schema migrations (the service also does this on start)."""
    migrate.upgrade(ctx.app.engine)
    url = make_url(ctx.app.loaded.database_url).render_as_string(hide_password=True)
    click.echo(f"database {url} is up to date")
