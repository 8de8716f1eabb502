"""Migration 0014 moves an outbox written in the previous layout (whole context per row) to
notices without losing a key of any context, and its downgrade writes every context back."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import Engine, create_engine, select, text
from sqlalchemy.orm import Session

from scheduler import migrate
from scheduler.outbox.models import OutboxMessage

PERIOD = {"name": "春节", "start": "2026-02-15", "end": "2026-02-23", "days": 9}
MEASURES = ["关注预警", "落实值班"]


def old_contexts() -> dict[str, tuple[str, dict[str, object]]]:
    """key → (kind, context) as the previous release stored them."""
    rows: dict[str, tuple[str, dict[str, object]]] = {}
    for i in range(2500):  # three batches of the migration: a notice spans them
        enterprise = {"code": f"E{i // 3:04d}", "name": f"企业{i // 3}"}
        rows[f"kp:reminder:{i}"] = ("key_period/reminder", {"period": PERIOD, "measures": MEASURES,
                                                            "enterprise": enterprise, "step": "T-1"})
    rows["hazard:alone"] = ("hazard/overdue", {"hazard": {"code": "HZ-1"}, "days": 3})
    rows["empty:1"] = ("admin/digest", {})
    rows["empty:2"] = ("admin/digest", {"reports": [1, 2]})
    rows["mixed:1"] = ("preholiday/final", {"period": PERIOD, "deadline": None, "extra": 1})
    rows["mixed:2"] = ("preholiday/final", {"period": PERIOD, "deadline": None})
    return rows


def at_revision(engine: Engine, revision: str, *, down: bool = False) -> None:
    with engine.begin() as connection:
        cfg = migrate._alembic_config()
        cfg.attributes["connection"] = connection
        (command.downgrade if down else command.upgrade)(cfg, revision)


def write_old_layout(engine: Engine, contexts: dict[str, tuple[str, dict[str, object]]]) -> None:
    moment = "2026-01-01 01:00:00.000000"
    with engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO outbox (key, kind, topic, channel, recipient_key, recipient_name, address, mentions, "
            "context, due_at, expires_at, status, attempts, next_attempt_at, claimed_by, last_error, created_at, "
            "late, reported, priority, subject, body_text, body_html, body_markdown) VALUES (:key, :kind, '', "
            "'console', :key, '张三', '', '[]', :context, :t, :t, 'pending', 0, :t, '', '', :t, false, false, 0, "
            "'', '', '', '')"),
            [{"key": key, "kind": kind, "context": json.dumps(context, ensure_ascii=False), "t": moment}
             for key, (kind, context) in contexts.items()])


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    if request.param == "sqlite":
        made = create_engine(f"sqlite:///{tmp_path / 'old.db'}")
        yield made
        made.dispose()
        return
    url = request.getfixturevalue("pg_url")
    made = create_engine(url)
    yield made
    made.dispose()


def test_0014_moves_every_context_to_notices_without_loss_and_back(engine: Engine) -> None:
    contexts = old_contexts()
    at_revision(engine, "0013")
    write_old_layout(engine, contexts)

    at_revision(engine, "0014")
    with Session(engine) as session:
        rows = {m.key: m for m in session.scalars(select(OutboxMessage))}
        assert {key: m.context for key, m in rows.items()} == {key: c for key, (_, c) in contexts.items()}
        notices = session.execute(text("SELECT count(*) FROM notice")).scalar_one()
        # The reminders share one notice (their batches meet it again by its digest); what was
        # alone or had nothing in common stays whole in its row.
        assert notices == 2
        reminder = rows["kp:reminder:7"]
        assert reminder.notice is not None and set(reminder.own_context) == {"enterprise"}
        assert reminder.notice.context == {"period": PERIOD, "measures": MEASURES, "step": "T-1"}
        assert rows["hazard:alone"].notice is None and rows["hazard:alone"].own_context == contexts["hazard:alone"][1]
        assert rows["mixed:1"].own_context == {"extra": 1} and rows["mixed:2"].own_context == {}

    at_revision(engine, "0013", down=True)
    with engine.connect() as connection:
        back = {key: json.loads(value) if isinstance(value, str) else value
                for key, value in connection.execute(text("SELECT key, context FROM outbox"))}
    assert back == {key: c for key, (_, c) in contexts.items()}


def test_a_planned_notice_is_stored_once_and_read_back_whole(tmp_path: Path) -> None:
    from scheduler.db import make_engine, make_sessions
    from scheduler.outbox import store
    from scheduler.outbox.planned import PlannedMessage, Recipient

    engine = make_engine(f"sqlite:///{tmp_path / 'new.db'}")
    migrate.upgrade(engine)
    sessions = make_sessions(engine)
    now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    planned = [PlannedMessage(f"k:{i}", "key_period/reminder", Recipient(f"r:{i}", f"联系人{i}", "console"),
                              now + dt.timedelta(hours=1), now + dt.timedelta(days=1),
                              {"period": PERIOD, "measures": MEASURES, "enterprise": {"code": f"E{i}"}})
               for i in range(2500)]
    with sessions.begin() as session:
        assert store.enqueue(session, planned, now) == 2500
    with sessions.begin() as session:  # re-planning adds neither rows nor notices
        assert store.enqueue(session, planned, now) == 0
    with sessions() as session:
        assert session.execute(text("SELECT count(*) FROM notice")).scalar_one() == 1
        assert session.execute(text("SELECT max(length(context)) FROM outbox")).scalar_one() < 40
        claimed = store.claim(session, now + dt.timedelta(hours=2), "w", dt.timedelta(minutes=1), 3000)
        assert {m.key: m.context for m in claimed} == {m.key: m.context for m in planned}
    engine.dispose()
