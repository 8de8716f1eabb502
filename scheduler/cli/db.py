"""`safeduty db upgrade|backup|restore|copy`."""

from __future__ import annotations

from pathlib import Path

import click
from sqlalchemy.exc import DBAPIError

from scheduler import migrate
from scheduler.cli.common import Context, Fatal, pass_context
from scheduler.db import DatabaseUnusable, sqlite_path
from scheduler.dbcheck import explain, shown


@click.group("db")
def group() -> None:
    """Database schema, backups, and moving to PostgreSQL."""


@group.command()
@pass_context
def upgrade(ctx: Context) -> None:
    """Apply the schema migrations (the service also does this on start)."""
    url = ctx.loaded.database_url
    try:
        migrate.upgrade(ctx.app.engine)
    except DBAPIError as exc:
        raise Fatal(f"database {shown(url)}: {explain(exc)}") from None
    click.echo(f"database {shown(url)} is up to date")


def _sqlite_file(ctx: Context, what: str) -> Path:
    url = ctx.loaded.database_url
    path = sqlite_path(url)
    if path is None:
        if url.startswith("postgresql"):
            raise Fatal(f"service.database is PostgreSQL ({shown(url)}): {what} it with pg_dump / pg_restore "
                        "(docs/deployment.md, \"Backups\")")
        raise Fatal("service.database is an in-memory SQLite database: there is nothing to " + what.split()[0])
    return path


@group.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--replace", is_flag=True, help="Overwrite FILE if it exists.")
@pass_context
def backup(ctx: Context, file: Path, replace: bool) -> None:
    """Copy the SQLite database to FILE, while the service runs (SQLite's online backup).

    FILE is one self-contained database file, checked before it is put in place. For
    PostgreSQL use pg_dump (docs/deployment.md).
    """
    from scheduler.backup import backup as make_backup

    database = _sqlite_file(ctx, "back up")
    try:
        copied = make_backup(database, file, replace=replace, lock_wait=ctx.loaded.config.status.lock_wait)
    except DatabaseUnusable as exc:
        raise Fatal(str(exc)) from None
    click.echo(f"backed up {database} to {copied.path} ({_size(copied.size)}, schema {copied.revision})")


@group.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@pass_context
def restore(ctx: Context, file: Path) -> None:
    """Replace the SQLite database by the backup FILE. The service must be stopped.

    The database replaced is kept beside it (<name>.replaced-<time>). Messages the backup
    does not record as sent go out again when the service starts (each with its key).
    """
    from scheduler.backup import restore as restore_backup

    database = _sqlite_file(ctx, "restore")
    try:
        copied, kept = restore_backup(file, database, now=ctx.app.clock.now())
    except DatabaseUnusable as exc:
        raise Fatal(str(exc)) from None
    click.echo(f"restored {database} from {file} ({_size(copied.size)}, schema {copied.revision})")
    if kept is not None:
        click.echo(f"the database it replaced is kept as {kept}")
    click.echo("start the service to carry on; it upgrades the schema first if the backup is older")


@group.command()
@click.option("--to", "target", required=True, metavar="postgresql://…",
              help="An empty PostgreSQL database (created with createdb, or holding only `db upgrade`'s schema).")
@pass_context
def copy(ctx: Context, target: str) -> None:
    """Copy every table of the SQLite database into an empty PostgreSQL database.

    Stop the service first; afterwards set service.database to the new URL and start it.
    """
    from scheduler.dbcopy import copy_to_postgresql

    database = _sqlite_file(ctx, "copy")
    if not target.startswith(("postgresql://", "postgresql+psycopg://")):
        raise Fatal(f'--to: "{target.split(":", 1)[0]}:" is not a PostgreSQL URL; give postgresql://user@host:5432/name')
    shown_target = shown(target)

    def progress(table: str, done: int, total: int) -> None:
        if done == total or (done and done % 50_000 == 0):
            click.echo(f"  {table}: {done:,} of {total:,} row(s)", err=True)

    click.echo(f"copying {database} to {shown_target}", err=True)
    try:
        copied = copy_to_postgresql(database, ctx.loaded.database_url, target, progress=progress,
                                    lock_wait=ctx.loaded.config.status.lock_wait)
    except DatabaseUnusable as exc:
        raise Fatal(str(exc)) from None
    rows = sum(t.rows for t in copied)
    click.echo(f"copied {len(copied)} table(s), {rows:,} row(s), to {shown_target}; every count checked.\n"
               "Now set service.database to that URL (a password as ${NAME} from the environment) and start "
               "the service.")


def _size(size: int) -> str:
    return f"{size / 1e6:.1f} MB" if size >= 100_000 else f"{size / 1e3:.0f} kB"
