"""The root command, its shared options, and how errors become exit code 2."""

from __future__ import annotations

import getpass
import json
from collections.abc import Sequence
from functools import cached_property
from pathlib import Path
from typing import Any

import click

from scheduler import logs
from scheduler.app import App
from scheduler.config import ConfigError, LoadedConfig, load_config
from scheduler.lock import AlreadyRunning
from scheduler.redaction import redact
from scheduler.tabular import DataError


class Fatal(click.ClickException):
    """A problem with what the user gave us: printed without a traceback, exit code 2."""

    exit_code = 2

    def show(self, file: Any = None) -> None:
        click.echo(f"error: {redact(self.format_message())}", err=True)


class Context:
    """Lazily loads the config and builds the App, so `--help` needs neither."""

    def __init__(self, config_path: Path, log_format: str | None) -> None:
        self.config_path = config_path
        self.log_format = log_format

    @cached_property
    def loaded(self) -> LoadedConfig:
        loaded = load_config(self.config_path)
        service = loaded.config.service
        logs.setup(self.log_format or service.log_format, service.log_level, loaded.secrets)
        return loaded

    @cached_property
    def app(self) -> App:
        return App(self.loaded)

    @cached_property
    def synced_app(self) -> App:
        """The App, after importing the data files named in config if they changed (as the
        running service would), so commands about people see the current files."""
        self.app.service.sync_data()
        return self.app


class _Group(click.Group):
    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ConfigError as exc:
            raise Fatal(f"the config has {_count(exc.problems, 'problem')}:\n" + _lines(str(exc))) from None
        except DataError as exc:
            raise Fatal(f"the data has {_count(exc.problems, 'problem')}; nothing was changed:\n"
                        + _lines("\n".join(exc.problems))) from None
        except AlreadyRunning as exc:
            raise Fatal(str(exc)) from None


def _count(items: Sequence[object], noun: str) -> str:
    return f"{len(items)} {noun}{'s' if len(items) != 1 else ''}"


def _lines(text: str) -> str:
    return "\n".join(f"  {line}" for line in text.splitlines())


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--config", "config_path", type=click.Path(path_type=Path), envvar="SAFEDUTY_CONFIG",
              default="config.toml", show_default=True, help="Config file (or set SAFEDUTY_CONFIG).")
@click.option("--log-format", type=click.Choice(["text", "json"]), default=None,
              help="Log lines as text or JSON (default: service.log_format).")
@click.pass_context
def main(ctx: click.Context, config_path: Path, log_format: str | None) -> None:
    """safeduty: duty rosters, pre-holiday reminders, key-period warnings and hazard escalation."""
    ctx.obj = Context(config_path, log_format)
    ctx.call_on_close(lambda: ctx.obj.__dict__.get("app") and ctx.obj.app.close())


pass_context = click.make_pass_decorator(Context)

BY = click.option("--by", "actor", envvar="SAFEDUTY_USER", default=getpass.getuser,
                  show_default="$SAFEDUTY_USER, or your login name",
                  help="Who makes the change (kept in the history).")

FORMAT_OPTION = click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
                             show_default=True, help="Output format.")


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
