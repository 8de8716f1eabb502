"""`safeduty status`: the service's health on one screen, with the exit code of a monitoring
check (0 ok, 1 warning, 2 critical; thresholds in ``[status]``). It only reads the database."""

from __future__ import annotations

import datetime as dt
from typing import Any

import click
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from scheduler.calendar import WorkCalendar
from scheduler.cli.common import (
    FORMAT_OPTION,
    Context,
    Fatal,
    pass_context,
    print_json,
    print_table,
)
from scheduler.dbcheck import DatabaseUnusable, explain, open_existing, shown
from scheduler.planners import PLANNERS
from scheduler.status import Health, Level, ago, gather


@click.command("status")
@FORMAT_OPTION
@pass_context
def command(ctx: Context, fmt: str) -> None:
    """The service's health: planning, backlog, failures, targets, calendar, next messages.

    Exit code 0 when all is well, 1 on a warning, 2 when something is critical (or the
    database cannot be read): fit for cron or a Nagios-style check. Nothing is written.
    """
    loaded = ctx.loaded
    config = loaded.config
    url = loaded.database_url
    try:
        engine = open_existing(url, lock_wait=config.status.lock_wait)
        try:
            with Session(engine) as session:
                health = gather(session, config, WorkCalendar(config.calendar), PLANNERS, ctx.app.clock.now())
        finally:
            engine.dispose()
    except DBAPIError as exc:
        _unusable(fmt, f"database {shown(url)}: {explain(exc)}")
    except DatabaseUnusable as exc:
        _unusable(fmt, str(exc))
    if fmt == "json":
        print_json(as_json(health, config.service.zone, shown(url)))
    else:
        show(health, config.service.zone, shown(url))
    click.get_current_context().exit(int(health.level))


def _unusable(fmt: str, message: str) -> None:
    if fmt == "json":  # a monitor that parses the output still gets a verdict
        print_json({"level": Level.CRITICAL.label, "exit_code": int(Level.CRITICAL), "error": message})
    raise Fatal(message)


def show(health: Health, zone: Any, database: str) -> None:
    local = _local(zone)
    click.echo(f"safeduty status: {health.level.label.upper()} at {local(health.now)} ({zone.key}), {database}")
    click.echo("")
    print_table(["level", "check", "finding"], [[f.level.label, f.check, f.summary] for f in health.findings])
    click.echo("")
    by_age: dict[str, list[str]] = {}
    for name, tick in health.ticks.items():
        by_age.setdefault(f"{ago(health.now - tick)} ago" if tick else "never", []).append(name)
    click.echo("last planning ticks: " + "; ".join(
        f"{when}: {'all ' + str(len(names)) + ' planners' if len(names) == len(health.ticks) else ', '.join(names)}"
        for when, names in by_age.items()))
    totals: dict[str, int] = {}
    for (status, _), count in health.counts.items():
        totals[status] = totals.get(status, 0) + count
    click.echo("outbox: " + (", ".join(f"{status} {count}" for status, count in sorted(totals.items())) or "empty")
               + f"; since {local(health.since)[:10]}: dead {health.ended['dead']}, "
                 f"expired {health.ended['expired']}")
    for target in health.targets:
        state = (f"unhealthy since {local(target.unhealthy_since)}" if target.unhealthy_since
                 else f"paused until {local(target.paused_until)}")
        click.echo(f"target {target.name}: {state}: {_short(target.reason)}")
    click.echo("")
    if not health.upcoming:
        click.echo("next messages: none planned")
        return
    click.echo(f"next {len(health.upcoming)} message(s):")
    print_table(["due", "kind", "recipient", "channel"],
                [[local(m.due_at)[:16], m.kind, m.recipient.name, m.recipient.channel] for m in health.upcoming])


def as_json(health: Health, zone: Any, database: str) -> dict[str, Any]:
    local = _local(zone, iso=True)
    return {
        "level": health.level.label,
        "exit_code": int(health.level),
        "at": local(health.now),
        "database": database,
        "checks": [{"check": f.check, "level": f.level.label, "summary": f.summary} for f in health.findings],
        "planner_ticks": {name: local(tick) or None for name, tick in health.ticks.items()},
        "outbox": [{"status": status, "channel": channel, "count": count}
                   for (status, channel), count in sorted(health.counts.items())],
        "due_now": health.backlog.due,
        "sending": health.backlog.sending,
        "oldest_due_seconds": int(health.backlog.oldest_age(health.now).total_seconds()),
        "since": local(health.since),
        "dead_since": health.ended["dead"],
        "expired_since": health.ended["expired"],
        "targets": [{"name": t.name, "paused_until": local(t.paused_until) or None,
                     "unhealthy_since": local(t.unhealthy_since) or None, "reason": t.reason} for t in health.targets],
        "calendar_missing_years": health.missing_years,
        "upcoming": [{"due_at": local(m.due_at), "kind": m.kind, "recipient": m.recipient.name,
                      "channel": m.recipient.channel, "key": m.key} for m in health.upcoming],
    }


def _local(zone: Any, *, iso: bool = False):  # type: ignore[no-untyped-def]
    def local(moment: dt.datetime | None) -> str:
        if moment is None:
            return ""
        moment = moment.astimezone(zone)
        return moment.isoformat(timespec="seconds") if iso else moment.strftime("%Y-%m-%d %H:%M:%S")

    return local


def _short(text: str, width: int = 70) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"
