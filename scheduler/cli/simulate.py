"""`safeduty simulate --from DATE --to DATE`: what the planners would send, sending nothing.

It calls the very planners the service calls (``PLANNERS``), with the current config and data,
over the window day by day, and renders each subject with the real templates. Nothing is
written: the data files named in config are read as the service would import them, and the
database is only read (an in-memory one stands in when the SQLite file does not exist yet).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from dataclasses import asdict, dataclass
from typing import Any

import click
from sqlalchemy.orm import Session, sessionmaker

from scheduler import migrate
from scheduler.calendar import WorkCalendar
from scheduler.channels.base import DeliveryError, Rendered
from scheduler.cli.common import DAY_START, Context, Fatal, display_width, pass_context
from scheduler.config import LoadedConfig
from scheduler.db import make_engine, make_sessions, sqlite_path
from scheduler.dispatch import Dispatcher
from scheduler.outbox.planned import PlannedMessage, Window
from scheduler.people.directory import Directory
from scheduler.people.imports import read_enterprises, read_staff
from scheduler.people.models import Enterprise, Staff
from scheduler.planners import PLANNERS, PlanContext, Planner
from scheduler.rendering import RenderedParts, Renderer

ONE_DAY = dt.timedelta(days=1)
PROGRESS_AFTER_DAYS = 31  # longer windows report each finished month on stderr


def plan_slices(
    planners: Mapping[str, Planner],
    context: Callable[[], AbstractContextManager[PlanContext]],
    window: Window,
    step: dt.timedelta = ONE_DAY,
    progress: Callable[[dt.datetime, int], None] | None = None,
) -> Iterator[list[PlannedMessage]]:
    """The messages the planners produce over ``window``, one ``step``-long slice at a time (as
    the service plans tick by tick), each slice sorted by due time. A planner yields only what
    is due in the window it is given, so the slices in order are the whole window in order, and
    a caller that writes each slice out holds one slice, not the window (a year for a thousand
    enterprises is about a million messages). ``context`` opens a PlanContext for one slice (a
    short read-only session, so a running service is not kept waiting)."""
    start, count = window.start, 0
    while start < window.end:
        end = min(start + step, window.end)
        with context() as ctx:
            found = [m for planner in planners.values() for m in planner(ctx, Window(start, end))]
        found.sort(key=lambda m: (m.due_at, m.key))
        count += len(found)
        yield found
        if progress is not None:
            progress(end, count)
        start = end


def plan_days(
    planners: Mapping[str, Planner],
    context: Callable[[], AbstractContextManager[PlanContext]],
    window: Window,
    step: dt.timedelta = ONE_DAY,
    progress: Callable[[dt.datetime, int], None] | None = None,
) -> list[PlannedMessage]:
    """Every message of ``plan_slices`` in one list, sorted by due time (for tests and small windows)."""
    return [m for found in plan_slices(planners, context, window, step, progress) for m in found]


def load_directory(loaded: LoadedConfig, session: Session) -> Directory:
    """The people the service would plan for: the data files named in config (as its next sync
    would import them), otherwise what the database holds."""
    config = loaded.config
    stored = Directory.load(session, config)
    enterprises, staff = stored.all_enterprises, stored.staff
    if config.data.enterprises:
        rows = read_enterprises(loaded.resolve(config.data.enterprises), config.channels)
        enterprises = [Enterprise(**_columns(r), active=True) for r in rows]
    if config.data.staff:
        staff = [Staff(**_columns(r), active=True) for r in read_staff(loaded.resolve(config.data.staff))]
    return Directory(config, enterprises, staff)


def _columns(row: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in row.items() if not k.startswith("_")}


def read_only_sessions(ctx: Context) -> sessionmaker[Session]:
    """The service's database, or an empty in-memory one when the SQLite file does not exist yet
    (so `simulate` before the first `run` creates no file)."""
    path = sqlite_path(ctx.loaded.database_url)
    if path is None or path.exists():
        return ctx.app.sessions
    engine = make_engine("sqlite://")
    migrate.upgrade(engine)
    return make_sessions(engine)


def render_planned(dispatcher: Dispatcher, message: PlannedMessage) -> Rendered:
    """Render a planned message exactly as the dispatcher would (same templates, same context).
    Raises DeliveryError when a template fails."""
    row = _Draft(message.key, message.kind, dict(message.context), message.due_at, message.recipient.name,
                 message.recipient.address, [asdict(m) for m in message.recipient.mentions])
    return dispatcher.render(row, late=False)  # type: ignore[arg-type]


@dataclass
class _Draft:
    """The attributes of an outbox row the dispatcher renders from: a planned message not in the
    outbox (``id`` None: no receipt link). A mapped OutboxMessage cost 70 µs a message to build."""

    key: str
    kind: str
    context: dict[str, Any]
    due_at: dt.datetime
    recipient_name: str
    address: str
    mentions: list[dict[str, str]]
    id: None = None
    subject: str = ""
    body_text: str = ""
    body_html: str = ""
    body_markdown: str = ""


def subject_of(dispatcher: Dispatcher, message: PlannedMessage) -> str:
    try:
        return render_planned(dispatcher, message).subject
    except DeliveryError as exc:
        return f"!! {exc.reason}"


class SubjectRenderer(Renderer):
    """The real templates and filters, rendering subjects only: `simulate` shows no bodies, and
    bodies cost most of a long simulation's time. Templates are not re-read during a run."""

    def render(self, kind: str, context: Mapping[str, Any]) -> RenderedParts:
        return RenderedParts(" ".join(self._render(f"{kind}.subject.j2", context).split()), "", "", "")


@click.command("simulate")
@click.option("--from", "first", type=DAY_START, required=True, help="First day (YYYY-MM-DD).")
@click.option("--to", "last", type=DAY_START, required=True, help="Last day, included.")
@click.option("--format", "fmt", type=click.Choice(["table", "jsonl"]), default="table", show_default=True,
              help="A table, or one JSON object per line.")
@click.option("--planner", "only", multiple=True, type=click.Choice(sorted(PLANNERS)),
              help="Run only this planner (repeatable; default: all).")
@click.option("--body", is_flag=True, help="Also show each message's text as its recipient will read it.")
@pass_context
def command(ctx: Context, first: dt.datetime, last: dt.datetime, fmt: str, only: tuple[str, ...],
            body: bool) -> None:
    """Show every message the planners would send from --from to --to; nothing is sent or written.

    Days are in service.zone. Progress goes to stderr for windows longer than a month.
    """
    config = ctx.loaded.config
    zone = config.service.zone
    if last < first:
        raise Fatal(f"--to {last:%Y-%m-%d} is before --from {first:%Y-%m-%d}")
    window = Window(first.replace(tzinfo=zone), (last + ONE_DAY).replace(tzinfo=zone))
    sessions = read_only_sessions(ctx)
    calendar = WorkCalendar(config.calendar)
    with sessions() as session:
        directory = load_directory(ctx.loaded, session)

    @contextmanager
    def context() -> Iterator[PlanContext]:
        with sessions() as session:  # never committed: closing rolls back
            yield PlanContext(config, calendar, directory, session)

    long = (last - first).days >= PROGRESS_AFTER_DAYS

    def progress(end: dt.datetime, count: int) -> None:
        day = end.astimezone(zone).date() - ONE_DAY
        if long and ((day + ONE_DAY).day == 1 or end == window.end):
            click.echo(f"simulate: planned through {day} ({count} message(s))", err=True)

    planners = {name: PLANNERS[name] for name in (only or PLANNERS)}
    override = ctx.loaded.resolve(config.service.templates) if config.service.templates else None
    renderer = Renderer(zone, override) if body else SubjectRenderer(zone, override)
    dispatcher = Dispatcher(sessions, {}, renderer, config, ctx.app.clock, worker="simulate")
    out = _JsonLines() if fmt == "jsonl" else _Table(renderer.kinds(), config.channels, body=body)
    total = broken = 0
    # Streamed: each day's messages are rendered, written and dropped before the next day is
    # planned, so memory is bounded by a day's messages, not by the window's.
    for found in plan_slices(planners, context, window, progress=progress):
        for message in found:
            row = _row(message, zone, _parts(dispatcher, message, body))
            broken += row["subject"].startswith("!! ")
            out.write(row)
        total += len(found)
    click.echo(f"simulate: {total} message(s) from {first:%Y-%m-%d} to {last:%Y-%m-%d}; nothing was sent",
               err=True)
    if broken:
        raise Fatal(f"{broken} message(s) could not be rendered (subjects starting with !!)")


def _parts(dispatcher: Dispatcher, message: PlannedMessage, body: bool) -> tuple[str, str | None]:
    """(subject, body text or None when not asked for); a template that fails gives "!! why"."""
    try:
        rendered = render_planned(dispatcher, message)
    except DeliveryError as exc:
        return f"!! {exc.reason}", ("" if body else None)
    return rendered.subject, (rendered.text if body else None)


class _JsonLines:
    def write(self, row: dict[str, Any]) -> None:
        click.echo(json.dumps(row, ensure_ascii=False))


class _Table:
    """A table written row by row: the widths come from what can appear (every message kind the
    templates have, every channel in config) and a cap on names, not from the rows, so nothing
    has to be held to align them."""

    RECIPIENT = 24  # display columns; longer names are cut with …

    def __init__(self, kinds: Iterable[str], channels: Iterable[str], *, body: bool) -> None:
        self.widths = [16, max((len(k) for k in kinds), default=4), self.RECIPIENT,
                       max((len(c) for c in channels), default=7)]
        self.body = body
        self._line(["due", "kind", "recipient", "channel", "subject"])
        self._line(["-" * w for w in self.widths] + ["-" * 7])

    def _line(self, cells: list[str]) -> None:
        padded = [_fit(c, w) for c, w in zip(cells, self.widths, strict=False)]
        click.echo("  ".join(padded + cells[len(self.widths):]).rstrip())

    def write(self, row: dict[str, Any]) -> None:
        self._line([row["due_at"][:16].replace("T", " "), row["kind"], row["recipient"], row["channel"],
                    row["subject"]])
        if self.body:
            for line in (row["body"] or "").rstrip("\n").splitlines():
                click.echo(f"    │ {line}".rstrip())
            click.echo("")


def _fit(text: str, width: int) -> str:
    shown = display_width(text)
    if shown > width:
        while display_width(text) > width - 1:
            text = text[:-1]
        text += "…"
        shown = display_width(text)
    return text + " " * (width - shown)


def _row(message: PlannedMessage, zone: Any, parts: tuple[str, str | None]) -> dict[str, Any]:
    subject, body = parts
    row = {
        "key": message.key,
        "kind": message.kind,
        "due_at": message.due_at.astimezone(zone).isoformat(),
        "expires_at": message.expires_at.astimezone(zone).isoformat(),
        "recipient": message.recipient.name,
        "recipient_key": message.recipient.key,
        "channel": message.recipient.channel,
        "address": message.recipient.address,
        "topic": message.topic,
        "subject": subject,
    }
    if body is not None:
        row["body"] = body
    return row
