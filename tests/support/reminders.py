"""Helpers for the calendar-driven planners: the shipped config section, and planning a window."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path

from scheduler.app import App
from scheduler.channels.base import Rendered
from scheduler.cli.simulate import render_planned
from scheduler.outbox.planned import PlannedMessage, Window
from tests.support.project import ROOT, make_project

SECTION_START = "# --- pre-holiday reminders and key periods (issue 4) ---"
SECTION_END = "# --- duty roster (issue 5) ---"


def shipped_section() -> str:
    """The [preholiday] and [key_periods] defaults exactly as config.toml ships them."""
    text = (ROOT / "config.toml").read_text(encoding="utf-8")
    return text[text.index(SECTION_START):text.index(SECTION_END)]


def shipped_project(folder: Path, extra: str = "", *, database: str | None = None) -> Path:
    return make_project(folder, "\n" + shipped_section() + "\n" + extra, database=database)


def planned(app: App, start: dt.datetime, end: dt.datetime, planners: Iterable[str] | None = None) -> list[PlannedMessage]:
    """What the named planners (default: all) plan for (start, end], with the example data."""
    app.service.sync_data()
    names = list(planners) if planners is not None else list(app.service.planners)
    with app.sessions() as session:
        ctx = app.service.context(session)
        found = [m for name in names for m in app.service.planners[name](ctx, Window(start, end))]
    return sorted(found, key=lambda m: (m.due_at, m.key))


def rendered(app: App, message: PlannedMessage) -> Rendered:
    """The message as the dispatcher would render it now."""
    return render_planned(app.dispatcher, message)
