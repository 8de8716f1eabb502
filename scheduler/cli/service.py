"""`safeduty run` and `safeduty check`."""

from __future__ import annotations

import click

from scheduler.checks import START_CHECKS, run_checks
from scheduler.cli.common import Context, Fatal, pass_context


@click.command()
@click.option("--once", is_flag=True, help="One sync, planning and dispatch pass, then exit (for cron and tests).")
@pass_context
def run(ctx: Context, once: bool) -> None:
    """Run the service: plan reminders and deliver them until stopped (Ctrl-C / SIGTERM)."""
    report = run_checks(ctx.loaded, checks=START_CHECKS)
    if report.problems:
        lines = "\n".join(f"  {p}" for p in report.problems)
        raise Fatal(f"{len(report.problems)} problem(s) with the templates; not starting:\n{lines}")
    from scheduler import runner  # the service's whole import graph: only `run` pays for it
    from scheduler.keys import MissingSecret
    from scheduler.web.serving import ListenError

    try:
        runner.run(ctx.app, once=once)
    except (ListenError, MissingSecret) as exc:
        raise Fatal(f"{exc}; not starting") from None


@click.command()
@pass_context
def check(ctx: Context) -> None:
    """Check the config, the data files and every template; exit 2 listing every problem."""
    # The real clock, not ctx.app's: building the App imports the database layer, which check
    # never touches (it reads config, data files and templates only).
    from scheduler.clock import SystemClock

    today = SystemClock().now().astimezone(ctx.loaded.config.service.zone).date()
    report = run_checks(ctx.loaded, today)
    for warning in report.warnings:
        click.echo(f"warning: {warning}", err=True)
    if report.problems:
        lines = "\n".join(f"  {p}" for p in report.problems)
        raise Fatal(f"{len(report.problems)} problem(s) found:\n{lines}")
    click.echo(f"{ctx.loaded.path}: config, data files and templates are all right"
               + (f" ({len(report.warnings)} warning(s))" if report.warnings else ""))


COMMANDS = (run, check)
