"""A throw-away project for benchmarks: the shipped config.toml on a given database, filled
with generated enterprises and staff (no data files, so nothing is synced over them)."""

from __future__ import annotations

import datetime as dt
import itertools
import re
import shutil
import tempfile
import uuid
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

from sqlalchemy import delete, insert, select

from bench import datagen
from bench.common import Report
from scheduler.app import App
from scheduler.clock import Clock
from scheduler.config import load_config
from scheduler.outbox.models import OutboxMessage
from scheduler.outbox.planned import PlannedMessage, Window
from scheduler.people.models import Enterprise, Staff

ROOT = Path(__file__).resolve().parents[1]


def make_config(database: str, folder: Path, extra: str = "", console: str = "") -> Path:
    text = (ROOT / "config.toml").read_text(encoding="utf-8")
    text = re.sub(r'(?m)^database = ".*"$', f'database = "{database}"', text, count=1)
    text = re.sub(r'(?m)^(enterprises|staff) = ".*"$', r'\1 = ""', text)
    text = text.replace('path = "var/console-outbox.jsonl"', f'path = "{folder}/console.jsonl"\n{console}')
    text = re.sub(r'(?m)^listen = ".*"', 'listen = "127.0.0.1:0"', text, count=1)  # never a fixed port
    config = folder / "config.toml"
    config.write_text(text + extra, encoding="utf-8")
    return config


def make_app(database: str, clock: Clock, *, enterprises: int = 0, staff: int = 0, extra: str = "",
             console: str = "") -> App:
    """An App on ``database`` (migrated), holding ``enterprises`` and ``staff`` generated rows;
    ``extra`` is TOML appended to the shipped config (new tables only: [channels.x], …),
    ``console`` more settings of the console channel (``rate_per_minute = 100``)."""
    folder = Path(tempfile.mkdtemp(prefix="safeduty-bench-"))
    app = App(load_config(make_config(database, folder, extra, console), environ={}), clock=clock, worker="bench")
    weakref.finalize(app, shutil.rmtree, folder, True)
    with app.sessions.begin() as session:
        session.execute(delete(Enterprise))
        session.execute(delete(Staff))
        if enterprises:
            session.execute(insert(Enterprise), list(datagen.enterprises(enterprises)))
        if staff:
            session.execute(insert(Staff), list(datagen.staff(staff)))
    return app


@contextmanager
def postgres_database(admin_url: str, report: Report) -> Iterator[Callable[[], str] | None]:
    """A factory of fresh, empty databases on the PostgreSQL server at ``admin_url`` (all dropped
    at the end), or None — noted in the report — when the server is not reachable."""
    if admin_url == "none":
        report.notes["postgresql"] = "skipped (--postgres none)"
        yield None
        return
    try:
        import psycopg

        admin = psycopg.connect(admin_url.replace("+psycopg", ""), autocommit=True, connect_timeout=3)
    except Exception as exc:  # noqa: BLE001 - not installed, refused, bad login: say so and go on
        report.notes["postgresql"] = f"skipped: not reachable at {admin_url} ({str(exc).strip()[:120]})"
        yield None
        return
    made: list[str] = []
    base = admin_url.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://")

    def fresh() -> str:
        name = f"safeduty_bench_{uuid.uuid4().hex[:10]}"
        admin.execute(f'CREATE DATABASE "{name}"')
        made.append(name)
        return f"{base}/{name}"

    try:
        yield fresh
    finally:
        for name in made:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def due_messages(app: App, count: int, channel: str, now: dt.datetime) -> list[PlannedMessage]:
    """``count`` real reminders (pre-holiday and key-period kinds, with their planned contexts,
    half of each), re-addressed to ``channel`` and due a minute before ``now``."""
    window = Window(dt.datetime(2026, 1, 1, tzinfo=dt.UTC), dt.datetime(2027, 1, 1, tzinfo=dt.UTC))
    with app.sessions() as session:
        ctx = app.service.context(session)
        found = [m for name in ("preholiday", "key_periods")
                 for m in itertools.islice(app.service.planners[name](ctx, window), count - count // 2)]
    picked = found[: count // 2] + found[len(found) - (count - count // 2):]
    due = now - dt.timedelta(minutes=1)
    return [replace(m, recipient=replace(m.recipient, channel=channel), due_at=due,
                    expires_at=now + dt.timedelta(days=1)) for m in picked]


def outbox_rows(app: App) -> list[OutboxMessage]:
    """Every outbox row, detached, in insertion order."""
    with app.sessions() as session:
        rows = list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))
        session.expunge_all()
    return rows
