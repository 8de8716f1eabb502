"""`safeduty import enterprises|staff FILE`."""

from __future__ import annotations

from pathlib import Path

import click

from scheduler.cli.common import Context, pass_context
from scheduler.people.imports import apply, parse_enterprises, parse_staff

FILE = click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
REPLACE = click.option("--replace", is_flag=True,
                       help="The file is the whole list: deactivate everyone missing from it.")


@click.group("import")
def group() -> None:
    """Import data files (CSV in UTF-8 or GBK, or XLSX; Chinese or English headers).

    A file is imported whole or not at all: any bad row fails the import, listing every bad row.
    """


@group.command()
@FILE
@REPLACE
@pass_context
def enterprises(ctx: Context, file: Path, replace: bool) -> None:
    """Import enterprises (编码, 名称, 类别, 行政区划, contacts…)."""
    config = ctx.loaded.config
    # Read and checked whole before the write transaction, which then only writes.
    with parse_enterprises(file, config.channels, config.security.imports) as parsed, \
            ctx.app.sessions.begin() as session:
        result = apply(session, "enterprises", parsed, replace)
    click.echo(f"{file}: enterprises imported ({result})")


@group.command()
@FILE
@REPLACE
@pass_context
def staff(ctx: Context, file: Path, replace: bool) -> None:
    """Import staff (姓名, 角色, 班组, 手机, 邮箱…)."""
    from sqlalchemy import select

    from scheduler.people.duplicates import probable_duplicates
    from scheduler.people.models import Staff

    with parse_staff(file, ctx.loaded.config.security.imports) as parsed, ctx.app.sessions.begin() as session:
        result = apply(session, "staff", parsed, replace)
        active = list(session.scalars(select(Staff).where(Staff.active).order_by(Staff.code)))
        warnings = probable_duplicates(active)
    click.echo(f"{file}: staff imported ({result})")
    for warning in warnings:
        click.echo(f"warning: {warning}", err=True)
