"""The shipped receipts section, and the steps of a receipts test: plan, send, answer."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import select, update

from scheduler.app import App
from scheduler.outbox.models import OutboxMessage, Status
from scheduler.receipts.links import ask_of_row
from scheduler.receipts.models import Entry
from scheduler.receipts.store import Answer, Recorded, record
from tests.support.project import ROOT
from tests.support.reminders import shipped_project

SECTION_START = "# --- receipts (回执), 零报告 and 交接班 (issue 13) ---"
KEY = "k" * 32


def receipts_section() -> str:
    """[receipts] exactly as config.toml ships it, with a signing key set."""
    text = (ROOT / "config.toml").read_text(encoding="utf-8")
    section = text[text.index(SECTION_START):]
    end = section.find("\n# --- ", len(SECTION_START))
    section = section if end < 0 else section[:end]
    return section.replace('key = ""\n', f'key = "{KEY}"\n', 1)


def receipts_project(folder: Path, extra: str = "") -> Path:
    return shipped_project(folder, "\n" + receipts_section() + "\n" + extra)


def plan_until(app: App, moment: dt.datetime) -> int:
    """Run the planners up to ``moment`` (the clock is set there); returns new messages."""
    app.clock.set(moment)  # type: ignore[attr-defined]
    app.service.sync_data()  # (only the first call imports anything)
    return app.service.plan_due()


def mark_sent(app: App, kinds: tuple[str, ...] | None = None) -> int:
    """Mark the due messages (of ``kinds``) as sent now, as the dispatcher would."""
    now = app.clock.now()
    with app.sessions.begin() as session:
        query = update(OutboxMessage).where(OutboxMessage.status == Status.PENDING, OutboxMessage.due_at <= now)
        if kinds is not None:
            query = query.where(OutboxMessage.kind.in_(kinds))
        return session.execute(query.values(status=Status.SENT, sent_at=now)).rowcount  # type: ignore[attr-defined]


def answer(app: App, key: str, by: str = "王建国", **payload: object) -> Recorded:
    with app.sessions.begin() as session:
        row = session.scalar(select(OutboxMessage).where(OutboxMessage.key == key))
        assert row is not None, key
        ask = ask_of_row(app.config, row)
        assert ask is not None, key
        return record(session, ask, row.key, row.recipient_key,
                      Answer(confirmed_by=by, entry=Entry.HAND, payload=dict(payload)), app.clock.now())


def rows(app: App, kind: str | None = None, prefix: str = "") -> list[OutboxMessage]:
    with app.sessions() as session:
        query = select(OutboxMessage).order_by(OutboxMessage.due_at, OutboxMessage.key)
        if kind is not None:
            query = query.where(OutboxMessage.kind == kind)
        if prefix:
            query = query.where(OutboxMessage.key.startswith(prefix))
        return list(session.scalars(query))

WEB = """
[web]
enabled = true
listen = "127.0.0.1:0"
base_url = "{base_url}"
"""
BASE_URL = "http://duty.example.test"


def web_project(folder: Path, extra: str = "", *, base_url: str = BASE_URL) -> Path:
    return receipts_project(folder, WEB.format(base_url=base_url) + extra)
