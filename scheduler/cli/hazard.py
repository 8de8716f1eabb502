"""`safeduty hazard …`: the hazard register (隐患台账) from the command line."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import click
from sqlalchemy import select
from sqlalchemy.orm import Session

from scheduler.cli.common import (
    BY,
    DATE,
    Context,
    Fatal,
    pass_context,
    print_json,
    print_table,
)
from scheduler.hazards import export, queries, register
from scheduler.hazards.completeness import missing_items
from scheduler.hazards.fields import AMOUNT_FORMS, columns, labels
from scheduler.hazards.imports import import_hazards, read_ledger
from scheduler.hazards.models import Hazard
from scheduler.hazards.register import HazardError
from scheduler.hazards.vocab import HazardLevel, HazardStatus
from scheduler.people.models import Enterprise

# (option, field) for every value a person types; parsed by the import file's column parsers.
FIELD_OPTIONS = (
    ("--title", "title"),
    ("--description", "description"),
    ("--location", "location"),
    ("--category", "category"),
    ("--level", "level"),
    ("--source", "source"),
    ("--found", "found_on"),
    ("--measures", "measures"),
    ("--funds", "funds_yuan"),
    ("--funds-source", "funds_source"),
    ("--deadline", "deadline"),
    ("--responsible", "responsible_name"),
    ("--responsible-mobile", "responsible_mobile"),
    ("--responsible-email", "responsible_email"),
    ("--contingency-plan", "contingency_plan"),
    ("--reported-to-regulator", "reported_to_regulator_at"),
    ("--reported-to-congress", "reported_to_congress_at"),
    ("--listed-by", "listed_by"),
    ("--listing-notice", "listing_notice"),
    ("--listed-on", "listed_on"),
    ("--delisted-on", "delisted_on"),
)
_HELP = {
    "category": "物, 人 or 管理",
    "level": "一般 or 重大",
    "found_on": "date found, e.g. 2026-01-05",
    "funds_yuan": f"amount in 元: {AMOUNT_FORMS}",
    "deadline": "e.g. 2026-03-01 (`hazard extend` changes it later)",
    "source": "企业自查, 监督检查, 双随机抽查, 举报, 上级交办 or 其他",
    "reported_to_regulator_at": "when it was reported to the regulator (双报告), e.g. '2026-01-05 10:30'",
    "reported_to_congress_at": "when it was reported to the workers' congress (双报告)",
}
_LABELS = labels(ZoneInfo("UTC"))  # headers do not depend on the zone
REASON = click.option("--reason", default="", help="Why (kept in the history).")
# Dates typed on the command line go through the one date parser every command shares.
DATE_FIELDS = ("found_on", "deadline", "listed_on", "delisted_on")


def field_options(*, deadline: bool) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    def decorate(command: Callable[..., Any]) -> Callable[..., Any]:
        for option, name in reversed(FIELD_OPTIONS):
            if name == "deadline" and not deadline:
                continue
            text = f"{_LABELS[name]}: {_HELP[name]}" if name in _HELP else _LABELS[name]
            kind = DATE if name in DATE_FIELDS else None
            command = click.option(option, name, default=None, type=kind, help=text)(command)
        return command

    return decorate


def _parse(ctx: Context, given: dict[str, Any]) -> dict[str, Any]:
    """Typed values of the options given; a bad one is an error naming the option."""
    specs = {c.field: c for c in columns(ctx.loaded.config.service.zone)}
    options = {name: option for option, name in FIELD_OPTIONS}
    values = {}
    for name, text in given.items():
        if text is None or name not in specs:
            continue
        if isinstance(text, dt.date):  # already parsed by DATE
            values[name] = text
            continue
        try:
            values[name] = specs[name].convert(text.strip())
        except ValueError as exc:
            raise Fatal(f"{options[name]}: {exc}") from None
    return values


def _hazard(session: Session, code: str) -> Hazard:
    hazard = queries.by_code(session, code)
    if hazard is None:
        raise Fatal(f"no hazard {code!r} in the register (see `safeduty hazard list`)")
    return hazard


def _now(ctx: Context) -> dt.datetime:
    return ctx.app.clock.now()


@click.group("hazard")
def group() -> None:
    """The hazard register (隐患台账): record, extend, rectify, close; list and show."""


@group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@BY
@pass_context
def import_(ctx: Context, file: Path, actor: str) -> None:
    """Import a hazard ledger (CSV/XLSX; 隐患编号, 企业, 隐患名称, 隐患类别, 隐患等级, 发现日期, …).

    New codes are registered, known ones updated; any bad row fails the whole file.
    """
    config = ctx.loaded.config
    # Read and parsed before the write transaction, which then only checks and writes.
    ledger = read_ledger(file, config.service.zone, config.security.imports)
    with ctx.synced_app.sessions.begin() as session:
        result = import_hazards(
            session,
            ledger,
            zone=config.service.zone,
            now=_now(ctx),
            actor=actor,
            general_deadline_days=config.hazards.general_deadline_days,
        )
    click.echo(f"{file}: hazards imported ({result})")


@group.command()
@click.option("--enterprise", required=True, help="The enterprise's 编码 or exact 名称.")
@click.option("--code", default="", help="隐患编号 (default: the next HZ-YEAR-NNNN).")
@field_options(deadline=True)
@BY
@pass_context
def add(ctx: Context, enterprise: str, code: str, actor: str, **given: str | None) -> None:
    """Register a hazard. Required: --enterprise --title --category --level --found;
    a major hazard also needs --deadline."""
    missing = [
        o
        for o, n in FIELD_OPTIONS
        if n in ("title", "category", "level", "found_on") and not given[n]
    ]
    if missing:
        raise Fatal(f"missing {', '.join(missing)}")
    config = ctx.loaded.config
    values = {**_parse(ctx, given), "code": code.strip()}
    with ctx.synced_app.sessions.begin() as session:
        owner = session.scalars(
            select(Enterprise).where(
                (Enterprise.code == enterprise) | (Enterprise.name == enterprise), Enterprise.active
            )
        ).first()
        if owner is None:
            raise Fatal(
                f"--enterprise: unknown enterprise {enterprise!r} (give its 编码 or exact 名称)"
            )
        try:
            hazard = register.register(
                session,
                values,
                owner,
                actor=actor,
                now=_now(ctx),
                zone=config.service.zone,
                general_deadline_days=config.hazards.general_deadline_days,
            )
        except HazardError as exc:
            raise Fatal(str(exc)) from None
        missing_now = missing_items(hazard) if hazard.level == HazardLevel.MAJOR.value else []
        click.echo(
            f"registered {hazard.code}: {hazard.title} ({hazard.level_enum.label}, "
            f"整改期限 {hazard.deadline})"
        )
        registered = hazard.code
    if missing_now:
        with ctx.app.sessions() as session:
            told = _completeness_audience(ctx, session, _hazard(session, registered))
            click.echo(
                f"still missing: {'、'.join(missing_now)} "
                + (f"(told until it is complete: {'、'.join(told)})" if told else "")
            )
            if not told:
                click.echo(
                    "warning: hazards.completeness.audience reaches nobody for this enterprise, "
                    "so nobody is told what is missing",
                    err=True,
                )


def _completeness_audience(ctx: Context, session: Session, hazard: Hazard) -> list[str]:
    """Who the completeness notices of ``hazard`` go to, by name."""
    from scheduler.hazards.audience import Audiences
    from scheduler.people.directory import Directory

    audience = ctx.loaded.config.hazards.completeness.audience
    enterprise = hazard.enterprise
    directory = Directory.load(session, ctx.loaded.config)  # detaches what the session holds
    return [r.name for r in Audiences(directory).recipients(audience, enterprise, hazard)]


@group.command()
@click.argument("code")
@field_options(deadline=False)
@REASON
@BY
@pass_context
def update(ctx: Context, code: str, reason: str, actor: str, **given: str | None) -> None:
    """Change a hazard's fields (not its deadline: `extend`; not its status: `status`)."""
    values = _parse(ctx, given)
    if not values:
        raise Fatal("nothing to change: give at least one field option (see --help)")
    with ctx.synced_app.sessions.begin() as session:
        hazard = _hazard(session, code)
        try:
            changed = register.update(
                session,
                hazard,
                values,
                actor=actor,
                now=_now(ctx),
                labels=labels(ctx.loaded.config.service.zone),
                reason=reason,
                zone=ctx.loaded.config.service.zone,
            )
        except HazardError as exc:
            raise Fatal(str(exc)) from None
    names = labels(ctx.loaded.config.service.zone)
    click.echo(
        f"{code}: "
        + ("updated " + "、".join(names[n] for n in changed) if changed else "nothing changed")
    )


@group.command()
@click.argument("code")
@click.option("--deadline", type=DATE, required=True, help="The new 整改期限, e.g. 2026-04-30.")
@click.option("--reason", required=True, help="Why the deadline moves (kept in the history).")
@BY
@pass_context
def extend(ctx: Context, code: str, deadline: dt.date, reason: str, actor: str) -> None:
    """Extend a hazard's deadline (延期): its escalation starts again from the new deadline."""
    new = deadline
    with ctx.synced_app.sessions.begin() as session:
        hazard = _hazard(session, code)
        old = hazard.deadline
        try:
            register.extend(session, hazard, new, reason=reason, actor=actor, now=_now(ctx))
        except HazardError as exc:
            raise Fatal(str(exc)) from None
    click.echo(f"{code}: deadline extended from {old} to {new}")


@group.command()
@click.argument("code")
@click.argument("status")
@REASON
@BY
@pass_context
def status(ctx: Context, code: str, status: str, reason: str, actor: str) -> None:
    """Move a hazard along registered → rectifying → rectified → verified → closed
    (已登记 → 整改中 → 已整改 → 已验收 → 已销号)."""
    try:
        target = HazardStatus.parse(status)
    except ValueError as exc:
        raise Fatal(str(exc)) from None
    with ctx.synced_app.sessions.begin() as session:
        hazard = _hazard(session, code)
        old = hazard.status_enum
        try:
            register.set_status(session, hazard, target, actor=actor, now=_now(ctx), reason=reason)
        except HazardError as exc:
            raise Fatal(str(exc)) from None
    click.echo(f"{code}: {old.label} → {target.label}")


@group.command("list")
@click.option("--overdue", is_flag=True, help="Only open hazards past their deadline today.")
@click.option("--level", default=None, help="一般 or 重大 (general / major).")
@click.option("--enterprise", default="", help="An enterprise's 编码 or exact 名称.")
@click.option("--status", "status_", default=None, help="Only hazards in this status.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "csv"]),
    default="table",
    show_default=True,
    help="Output format (csv has the import file's columns).",
)
@pass_context
def list_(
    ctx: Context, overdue: bool, level: str | None, enterprise: str, status_: str | None, fmt: str
) -> None:
    """List hazards, soonest deadline first."""
    zone = ctx.loaded.config.service.zone
    today = _now(ctx).astimezone(zone).date()
    try:
        filters = queries.Filters(
            overdue_on=today if overdue else None,
            level=HazardLevel.parse(level) if level else None,
            enterprise=enterprise,
            status=HazardStatus.parse(status_).value if status_ else "",
        )
    except ValueError as exc:
        raise Fatal(str(exc)) from None
    with ctx.synced_app.sessions() as session:
        hazards = queries.listing(session, filters)
        if fmt == "json":
            print_json([export.as_json(h, zone) for h in hazards])
        elif fmt == "csv":
            click.echo(export.to_csv(hazards, zone), nl=False)
        else:
            print_table(export.LIST_HEADERS, [export.list_row(h, today) for h in hazards])


@group.command()
@click.argument("code")
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
)
@pass_context
def show(ctx: Context, code: str, fmt: str) -> None:
    """Show one hazard: every field, what is missing, and its history."""
    zone = ctx.loaded.config.service.zone
    with ctx.synced_app.sessions() as session:
        hazard = _hazard(session, code)
        if fmt == "json":
            print_json(export.as_json(hazard, zone, history=True))
            return
        for line in export.details(hazard, zone):
            click.echo(line)
        click.echo("")
        print_table(export.HISTORY_HEADERS, export.history(hazard, zone))
