"""The root command, its shared options, and how errors become exit code 2."""

from __future__ import annotations

import datetime as dt
import getpass
import importlib
import json
import re
import sys
from collections.abc import Mapping, Sequence
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

# Only what every command needs is imported here: `safeduty --help` imports no more than click,
# and each command imports what it uses when it runs (see scheduler/cli/__init__.py).
if TYPE_CHECKING:
    from scheduler.app import App
    from scheduler.config import LoadedConfig


class Fatal(click.ClickException):
    """A problem with what the user gave us: printed without a traceback, exit code 2."""

    exit_code = 2

    def show(self, file: Any = None) -> None:
        from scheduler.redaction import redact  # secrets a message might quote are masked

        click.echo(f"error: {redact(self.format_message())}", err=True)


class Context:
    """Lazily loads the config and builds the App, so `--help` needs neither."""

    def __init__(self, config_path: Path, log_format: str | None, *, verbose: bool = False,
                 interactive: bool = True) -> None:
        self.config_path = config_path
        self.log_format = log_format
        self.verbose = verbose
        # A person at a terminal wants the command's answer, not the service's routine INFO
        # lines (data synced, migrations checked); `run` and `-v` keep them.
        self.interactive = interactive

    @cached_property
    def loaded(self) -> LoadedConfig:
        from scheduler import logs
        from scheduler.config import load_config

        loaded = load_config(self.config_path)
        service = loaded.config.service
        level = service.log_level
        if self.interactive and not self.verbose and level in ("DEBUG", "INFO"):
            level = "WARNING"
        logs.setup(self.log_format or service.log_format, level, loaded.secrets, zone=service.zone)
        return loaded

    @cached_property
    def app(self) -> App:
        from scheduler.app import App

        return App(self.loaded)

    @cached_property
    def synced_app(self) -> App:
        """The App, after importing the data files named in config if they changed (as the
        running service would), so commands about people see the current files."""
        self.app.service.sync_data()
        return self.app


class _Group(click.Group):
    """The root command. Its subcommands are registered by name and location and imported only
    when one of them runs; ``safeduty --help`` lists them from their registered help lines."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy: dict[str, tuple[str, str]] = {}  # name -> ("module:attribute", help line)

    def register(self, commands: Mapping[str, tuple[str, str]]) -> None:
        self.lazy.update(commands)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.commands, *self.lazy})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in self.lazy:
            module, _, attribute = self.lazy[cmd_name][0].partition(":")
            self.add_command(getattr(importlib.import_module(module), attribute), cmd_name)
        return self.commands.get(cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        names = self.list_commands(ctx)
        if not names:
            return
        limit = formatter.width - 6 - max(len(name) for name in names)
        # A registered command not loaded yet is shown from its registered line, as click would show its help.
        shown = {name: self.commands.get(name) or click.Command(name, help=self.lazy[name][1]) for name in names}
        rows = [(name, command.get_short_help_str(limit)) for name, command in shown.items()]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def invoke(self, ctx: click.Context) -> Any:
        from scheduler.config import ConfigError
        from scheduler.lock import AlreadyRunning
        from scheduler.tabular import DataError

        try:
            return super().invoke(ctx)
        except ConfigError as exc:
            raise Fatal(f"the config has {_count(exc.problems, 'problem')}:\n" + _lines(str(exc))) from None
        except DataError as exc:
            raise Fatal(f"the data has {_count(exc.problems, 'problem')}; nothing was changed:\n"
                        + _lines("\n".join(exc.problems))) from None
        except AlreadyRunning as exc:
            raise Fatal(str(exc)) from None
        except Exception as exc:
            # DatabaseUnusable can only have been raised if scheduler.db was imported: looking it
            # up in sys.modules spares commands that never open the database (check, --help)
            # the ~0.2 s import of SQLAlchemy.
            db = sys.modules.get("scheduler.db")
            if db is not None and isinstance(exc, db.DatabaseUnusable):
                raise Fatal(str(exc)) from None
            raise


def _count(items: Sequence[object], noun: str) -> str:
    return f"{len(items)} {noun}{'s' if len(items) != 1 else ''}"


def _lines(text: str) -> str:
    return "\n".join(f"  {line}" for line in text.splitlines())


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--config", "config_path", type=click.Path(path_type=Path), envvar="SAFEDUTY_CONFIG",
              default="config.toml", show_default=True, help="Config file (or set SAFEDUTY_CONFIG).")
@click.option("--log-format", type=click.Choice(["text", "json"]), default=None,
              help="Log lines as text or JSON (default: service.log_format).")
@click.option("-v", "--verbose", is_flag=True,
              help="Show the routine INFO log lines on stderr (always shown by `run`).")
@click.pass_context
def main(ctx: click.Context, config_path: Path, log_format: str | None, verbose: bool) -> None:
    """safeduty: duty rosters, pre-holiday reminders, key-period warnings and hazard escalation."""
    ctx.obj = Context(config_path, log_format, verbose=verbose,
                      interactive=ctx.invoked_subcommand not in SERVICE_COMMANDS)
    ctx.call_on_close(lambda: ctx.obj.__dict__.get("app") and ctx.obj.app.close())


pass_context = click.make_pass_decorator(Context)

SERVICE_COMMANDS = ("run",)  # long-running: its INFO lines are the service's record

BY = click.option("--by", "actor", envvar="SAFEDUTY_USER", default=getpass.getuser,
                  show_default="$SAFEDUTY_USER, or your login name",
                  help="Who makes the change (kept in the history).")

FORMAT_OPTION = click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
                             show_default=True, help="Output format.")


# The one way a command reads a date: ISO first, and the forms people type in China. Every
# command takes dates through ``DATE`` (or ``DAY_START``), so a bad one reads the same everywhere.
_DAY = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
DATE_FORMS = "2026-03-05 (2026/3/5 and 2026年3月5日 work too)"


def parse_date(text: str) -> dt.date:
    """A calendar day written 2026-03-05, 2026/3/5, 2026.3.5 or 2026年3月5日; ValueError otherwise."""
    match = _DAY.match(str(text).strip())
    try:
        if match is None:
            raise ValueError
        return dt.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        raise ValueError(f"{str(text)!r} is not a date: write {DATE_FORMS}") from None


class DateType(click.ParamType):
    """A date option or argument. ``midnight``: the day's start as a naive datetime."""

    name = "DATE"

    def __init__(self, *, midnight: bool = False) -> None:
        self.midnight = midnight

    def convert(self, value: Any, param: Any, ctx: Any) -> Any:
        if isinstance(value, dt.datetime):
            day = value.date()
        elif isinstance(value, dt.date):
            day = value
        else:
            try:
                day = parse_date(value)
            except ValueError as exc:
                self.fail(str(exc), param, ctx)
        return dt.datetime.combine(day, dt.time()) if self.midnight else day


DATE = DateType()
DAY_START = DateType(midnight=True)


def print_table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    """A plain aligned table; CJK characters count as two columns, as a terminal shows them."""
    cells = [[str(h) for h in headers]] + [[str(c) for c in row] for row in rows]
    widths = [max(_width(r[i]) for r in cells) for i in range(len(headers))]
    for index, row in enumerate(cells):
        click.echo("  ".join(c + " " * (w - _width(c)) for c, w in zip(row, widths, strict=True)).rstrip())
        if index == 0:
            click.echo("  ".join("-" * w for w in widths))


def _width(text: str) -> int:
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def print_json(value: object) -> None:
    click.echo(json.dumps(value, ensure_ascii=False, indent=2, default=str))
