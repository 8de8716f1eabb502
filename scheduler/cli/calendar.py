"""`safeduty calendar --year Y`: a year's holiday periods and adjusted working days."""

from __future__ import annotations

import datetime as dt
from typing import Any

import click

from scheduler.calendar import WorkCalendar
from scheduler.cli.common import FORMAT_OPTION, Context, pass_context, print_json, print_table

_WEEKDAYS = "一二三四五六日"


@click.command("calendar")
@click.option("--year", type=click.IntRange(1950, 2099), default=None,
              help="The year to show (default: this year).")
@FORMAT_OPTION
@pass_context
def command(ctx: Context, year: int | None, fmt: str) -> None:
    """Show a year's holiday periods and adjusted working days (调休上班), as the reminders use them.

    "official" is false when the year is only the holidays library's estimate: enter the State
    Council's arrangement under [calendar.years.YYYY] in config (see docs/calendar.md).
    """
    config = ctx.loaded.config
    if year is None:
        year = ctx.app.clock.now().astimezone(config.service.zone).year
    calendar = WorkCalendar(config.calendar)
    summary = year_summary(calendar, year)
    if fmt == "json":
        print_json(summary)
        return
    source = ("entered in config" if str(year) in config.calendar.years
              else "published, from the holidays library" if summary["official"]
              else "ESTIMATED by the holidays library: enter the official arrangement in config")
    click.echo(f"{year}: {source}")
    print_table(
        ("holiday", "from", "to", "days"),
        [(p["name"], _day(p["start"]), _day(p["end"]), p["days"]) for p in summary["holiday_periods"]],
    )
    workdays = "、".join(_day(d) for d in summary["adjusted_workdays"]) or "none"
    click.echo(f"adjusted working days (调休上班): {workdays}")


def year_summary(calendar: WorkCalendar, year: int) -> dict[str, Any]:
    return {
        "year": year,
        "holiday_periods": [
            {"name": p.name, "start": p.start.isoformat(), "end": p.end.isoformat(), "days": p.days}
            for p in calendar.holiday_periods(year)
        ],
        "adjusted_workdays": [d.isoformat() for d in calendar.adjusted_workdays(year)],
        "official": calendar.is_official(year),
    }


def _day(iso: str) -> str:
    return f"{iso} 周{_WEEKDAYS[dt.date.fromisoformat(iso).weekday()]}"
