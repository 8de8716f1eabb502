"""`safeduty report …`: the day's 零报告 and the month's 交接班 log as files for reporting upward;
marking an incident as reported upward."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import click

from scheduler.cli.common import BY, Context, Fatal, pass_context


def _day(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise Fatal(f"--day {value!r}: expected a date such as 2026-02-16") from None


def _write(data: bytes, output: Path | None, default: str) -> None:
    path = output or Path(default)
    try:
        path.write_bytes(data)
    except OSError as exc:
        raise Fatal(f"--output {path}: cannot write ({exc.strerror})") from None
    click.echo(f"wrote {path} ({len(data):,} bytes)")


@click.group("report")
def group() -> None:
    """零报告 and 交接班 reports (XLSX/CSV) for reporting upward; incidents reported upward."""


@group.command()
@click.option("--day", "day_text", required=True, help="The day, e.g. 2026-02-16.")
@click.option("--format", "fmt", type=click.Choice(["xlsx", "csv"]), default="xlsx", show_default=True)
@click.option("--output", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="File to write (default: 零报告-DAY.xlsx in the current folder).")
@pass_context
def zero(ctx: Context, day_text: str, fmt: str, output: Path | None) -> None:
    """The day's 零报告: every party in scope, reported or not, with any incident's facts."""
    from rosters.book import RosterBook
    from scheduler.receipts import sheets, zero_reports

    day = _day(day_text)
    app = ctx.synced_app
    config = app.config
    with app.sessions() as session:
        reason = zero_reports.scope(config, app.calendar, day)
        book = RosterBook(session, config.roster, app.calendar, config.service.zone)
        directory = app.service.context(session).directory
        expected = zero_reports.parties(config, directory, book, day) if reason else []
        reports = zero_reports.of_day(session, day)
        rows = zero_reports.day_rows(expected, reports, config)
    if not reason and not reports:
        raise Fatal(f"{day}: not a 零报告 day (no holiday period or key period in [receipts.zero_report]) "
                    "and no reports were received")
    title = f"{config.service.bureau}零报告（{day.year}年{day.month}月{day.day}日{('，' + reason) if reason else ''}）"
    if fmt == "csv":
        data = sheets.to_csv(zero_reports.HEADINGS, rows)
    else:
        data = sheets.to_xlsx(title, zero_reports.HEADINGS, rows, zero_reports.WIDTHS, "零报告")
    _write(data, output, f"零报告-{day}.{fmt}")


@group.command()
@click.argument("report_id", type=int)
@BY
@pass_context
def upward(ctx: Context, report_id: int, actor: str) -> None:
    """Mark incident REPORT_ID as reported to the upper level (its clock reminder stops)."""
    from scheduler.receipts.store import ReceiptError
    from scheduler.receipts.zero_reports import mark_reported_up

    with ctx.app.sessions.begin() as session:
        try:
            report = mark_reported_up(session, report_id, actor, ctx.app.clock.now())
        except ReceiptError as exc:
            raise Fatal(str(exc)) from None
        assert report.reported_up_at is not None
        when = report.reported_up_at.astimezone(ctx.app.config.service.zone).strftime("%Y-%m-%d %H:%M")
        click.echo(f"incident {report_id} ({report.party_name}) reported upward at {when} by {report.reported_up_by}")


@group.command()
@click.option("--month", "month_text", required=True, help="The month, e.g. 2026-02.")
@click.option("--format", "fmt", type=click.Choice(["xlsx", "csv"]), default="xlsx", show_default=True)
@click.option("--output", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="File to write (default: 交接班-MONTH.xlsx in the current folder).")
@pass_context
def handover(ctx: Context, month_text: str, fmt: str, output: Path | None) -> None:
    """The month's 交接班 log (值班日志): who handed over what to whom, and when."""
    from scheduler.receipts import handovers, sheets

    match = re.fullmatch(r"(\d{4})-(\d{2})", month_text.strip())
    if match is None or not 1 <= int(match[2]) <= 12:
        raise Fatal(f"--month {month_text!r}: expected a month such as 2026-02")
    year, number = int(match[1]), int(match[2])
    config = ctx.app.config
    with ctx.app.sessions() as session:
        table = handovers.rows(handovers.month(session, year, number), config.service.zone)
    if fmt == "csv":
        data = sheets.to_csv(handovers.HEADINGS, table)
    else:
        title = f"{config.service.bureau}交接班记录（{year}年{number}月）"
        data = sheets.to_xlsx(title, handovers.HEADINGS, table, handovers.WIDTHS, "交接班")
    _write(data, output, f"交接班-{year}-{number:02d}.{fmt}")
