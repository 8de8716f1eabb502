"""The dispatcher records each send straight through the driver (store.SettleOne on
db.driver_transaction): what it stores must be exactly what the ORM/Core path (store.settle)
stores for the same outcome, on SQLite and on PostgreSQL, and its fence must hold."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import select, text

from scheduler.app import App
from scheduler.channels.base import Outcome
from scheduler.db import driver_transaction
from scheduler.outbox import store
from scheduler.outbox.models import OutboxMessage, Status
from scheduler.outbox.store import Settlement
from tests.support.clock import ManualClock
from tests.support.delivery import delivery_app, enqueue, note

WORKER = "w1"
LEASE = dt.timedelta(minutes=2)
COLUMNS = ("status", "attempts", "claimed_by", "claimed_until", "next_attempt_at", "last_error", "sent_at", "late",
           "subject", "body_text", "body_html", "body_markdown")


def _claimed(app: App, clock: ManualClock) -> dict[str, object]:
    enqueue(app, [note(k, "hook", clock.now()) for k in ("core", "driver", "sent", "failed")])
    with app.sessions.begin() as session:
        rows = store.claim(session, clock.now(), WORKER, LEASE, 10)
        session.expunge_all()
    for m in rows:  # as rendering leaves them
        m.subject, m.body_text, m.body_html, m.body_markdown = "【提醒】主题", "正文\n", "<p>正文</p>\n", "正文\n"
    return {m.key: m for m in rows}


def _stored(app: App, key: str) -> tuple[tuple[object, ...], list[tuple[object, ...]]]:
    with app.engine.connect() as c:
        row = c.execute(text(f"SELECT {', '.join(COLUMNS)}, id FROM outbox WHERE key = :k"), {"k": key}).one()
        tries = c.execute(text("SELECT number, worker, started_at, finished_at, outcome, detail FROM delivery_attempt"
                               " WHERE message_id = :i ORDER BY number"), {"i": row[-1]}).all()
    return tuple(row[:-1]), [tuple(t) for t in tries]


def _compare(app: App, clock: ManualClock) -> None:
    rows = _claimed(app, clock)
    now = clock.now() + dt.timedelta(seconds=3)
    started = clock.now() + dt.timedelta(seconds=1)

    def outcome(key: str) -> Settlement:
        return Settlement(rows[key], Status.SENT, started, Outcome.SENT, "HTTP 200", late=True)

    with app.sessions.begin() as session:
        assert store.settle(session, WORKER, now, [outcome("core")])
    settle_one = store.SettleOne(app.engine.dialect)
    with app.engine.connect() as connection, driver_transaction(connection) as cursor:
        assert settle_one(cursor, WORKER, now, outcome("driver"))
        # The fence: settled already (no longer sending), a second write records nothing.
        assert not settle_one(cursor, WORKER, now, outcome("driver"))
        # Another worker's claim, or a later attempt's, is not this one's to settle.
        assert not settle_one(cursor, "w2", now, outcome("sent"))
        retry = Settlement(rows["failed"], Status.FAILED, started, Outcome.TRANSIENT, "HTTP 503",
                           next_attempt_at=now + dt.timedelta(minutes=5))
        assert settle_one(cursor, WORKER, now, retry)

    assert _stored(app, "driver") == _stored(app, "core")
    stored, tries = _stored(app, "driver")
    assert stored[0] == Status.SENT and stored[2] == "" and stored[3] is None and stored[7] in (True, 1)
    assert [t[4] for t in tries] == ["sent"] and tries[0][1] == WORKER
    assert _stored(app, "sent")[0][0] == Status.SENDING
    failed, _ = _stored(app, "failed")
    assert failed[0] == Status.FAILED and failed[5] == "HTTP 503"
    with app.sessions() as session:  # read back through the ORM: aware UTC datetimes, as written
        message = session.scalars(select(OutboxMessage).where(OutboxMessage.key == "failed")).one()
        assert message.next_attempt_at == now + dt.timedelta(minutes=5)
        assert message.attempts == 1 and message.claimed_until is None


def test_the_driver_path_stores_what_core_stores_on_sqlite(tmp_path: Path, clock: ManualClock) -> None:
    app = delivery_app(tmp_path / "p", clock, '\n[channels.hook]\ntype = "console"\n')
    try:
        _compare(app, clock)
    finally:
        app.close()


@pytest.mark.postgres
def test_the_driver_path_stores_what_core_stores_on_postgresql(tmp_path: Path, clock: ManualClock,
                                                              pg_url: str) -> None:
    app = delivery_app(tmp_path / "p", clock, '\n[channels.hook]\ntype = "console"\n', database=pg_url)
    try:
        _compare(app, clock)
    finally:
        app.close()
