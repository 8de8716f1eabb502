"""Enqueue, claim and settle outbox rows. Every function takes ``now``; none reads the clock.

Enqueue is ``INSERT … ON CONFLICT (key) DO NOTHING``: planning twice, from two replicas or after
a restart, adds nothing. Claims take a lease (``FOR UPDATE SKIP LOCKED`` on PostgreSQL; on SQLite
one dispatcher holds the instance lock) and every later write is fenced on the claim, so a worker
whose lease ran out cannot overwrite the outcome of the worker that took over.
"""

from __future__ import annotations

import datetime as dt
import gc
from collections.abc import Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Dialect, String, any_, bindparam, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from scheduler.db import DriverStatement, rowcount, table_of
from scheduler.outbox import rows
from scheduler.outbox.models import WAITING, DeliveryAttempt, OutboxMessage, Status
from scheduler.outbox.notices import Notices, shared_parts
from scheduler.outbox.planned import URGENT, PlannedMessage

ENQUEUE_CHUNK = 1000


def enqueue(session: Session, messages: Iterable[PlannedMessage], now: dt.datetime) -> int:
    """Insert messages whose key is new; returns how many were new.

    Keys already in the outbox are looked up per chunk first and their messages dropped before
    any row is built, so re-planning a window costs a key look-up per message, not an insert.
    ``ON CONFLICT DO NOTHING`` still guards against a replica planning the same keys meanwhile.
    A message already past ``expires_at`` (planned during catch-up after downtime) is recorded
    as expired, so the admins hear of it instead of it vanishing.
    """
    dialect = session.get_bind().dialect
    make_insert = postgresql.insert if dialect.name == "postgresql" else sqlite.insert
    # preserve_rowcount: the drivers sum an executemany's rowcount (rows actually inserted).
    statement = (make_insert(rows.TABLE).on_conflict_do_nothing(index_elements=["key"])
                 .execution_options(preserve_rowcount=True))
    make_row = rows.RowMaker(dialect, now)
    known_query = _KNOWN_PG if dialect.name == "postgresql" else _KNOWN
    connection = session.connection()
    notices = Notices(connection)
    added = 0
    with _collector_paused():
        for chunk in _chunks(messages, ENQUEUE_CHUNK):
            # Core, not the ORM session: plain strings come back, fetched all at once.
            known = set(connection.scalars(known_query, {"keys": [m.key for m in chunk]}).all())
            new = [m for m in chunk if m.key not in known]
            if not new:
                continue
            # What the chunk's messages share is stored once per notice (scheduler/outbox/notices.py).
            wanted, parts = shared_parts([m.kind for m in new], [m.context for m in new])
            notices.resolve(wanted)
            batch = [make_row(m, notices.ids[d] if d is not None else None, own)
                     for m, (d, own) in zip(new, parts, strict=True)]
            added += connection.execute(statement, batch).rowcount
    return added


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Planning allocates millions of short-lived objects without reference cycles (messages,
    contexts, rows), which reference counting frees; the cyclic collector would re-scan the
    whole heap every few hundred allocations, about 40% of re-planning a year. It is paused
    while the planners run into the outbox (process-wide; its previous state is restored)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


_KEY = table_of(OutboxMessage).c.key
_KNOWN = select(_KEY).where(_KEY.in_(bindparam("keys", expanding=True)))
# One array parameter: PostgreSQL plans it once instead of parsing a thousand placeholders.
_KNOWN_PG = select(_KEY).where(_KEY == any_(bindparam("keys", type_=postgresql.ARRAY(String))))


def _chunks(messages: Iterable[PlannedMessage], size: int) -> Iterator[list[PlannedMessage]]:
    chunk: list[PlannedMessage] = []
    for message in messages:
        chunk.append(message)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def release_stale_claims(session: Session, now: dt.datetime) -> int:
    """Rows whose lease ran out (the worker crashed mid-send) become due again."""
    result = session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.status == Status.SENDING, OutboxMessage.claimed_until < now)
        .values(status=Status.FAILED, claimed_by="", last_error="lease expired: the worker stopped mid-send")
    )
    return rowcount(result)


def expire_overdue(session: Session, now: dt.datetime) -> int:
    result = session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.status.in_(WAITING), OutboxMessage.expires_at <= now)
        .values(status=Status.EXPIRED, last_error="not sent before it expired")
    )
    return rowcount(result)


def due_counts(session: Session, now: dt.datetime, *, urgent: bool = False, channel: str | None = None) -> dict[str, int]:
    """How many messages are due now, per channel (only the urgent ones when ``urgent``)."""
    query = (
        select(OutboxMessage.channel, func.count())
        .where(OutboxMessage.status.in_(WAITING), OutboxMessage.next_attempt_at <= now)
        .group_by(OutboxMessage.channel)
    )
    if urgent:
        query = query.where(OutboxMessage.priority >= URGENT)
    if channel is not None:
        query = query.where(OutboxMessage.channel == channel)
    return {channel: count for channel, count in session.execute(query)}


def claim(
    session: Session,
    now: dt.datetime,
    worker: str,
    lease: dt.timedelta,
    limit: int,
    channels: Collection[str] | None = None,
    exclude: Collection[str] = (),
    urgent: bool = False,
) -> list[OutboxMessage]:
    """Claim up to ``limit`` due rows for ``worker``: only on ``channels`` when given, never on
    ``exclude``, only urgent ones when ``urgent``. Higher priority first, then the longest due.
    Each claim counts as an attempt; ``release`` gives back one not made."""
    if limit <= 0:
        return []
    due = (
        select(OutboxMessage.id)
        .where(OutboxMessage.status.in_(WAITING), OutboxMessage.next_attempt_at <= now)
        .order_by(OutboxMessage.priority.desc(), OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    if urgent:
        due = due.where(OutboxMessage.priority >= URGENT)
    if channels is not None:
        due = due.where(OutboxMessage.channel.in_(sorted(channels)))
    if exclude:
        due = due.where(OutboxMessage.channel.not_in(sorted(exclude)))
    ids = list(session.scalars(due))
    if not ids:
        return []
    session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(ids))
        .values(
            status=Status.SENDING,
            claimed_by=worker,
            claimed_until=now + lease,
            attempts=OutboxMessage.attempts + 1,
        )
        .execution_options(synchronize_session=False)
    )
    rows = session.scalars(
        select(OutboxMessage).where(OutboxMessage.id.in_(ids))
        .order_by(OutboxMessage.priority.desc(), OutboxMessage.next_attempt_at, OutboxMessage.id)
    ).all()
    return list(rows)


@dataclass(frozen=True)
class Settlement:
    """What became of one claimed message: an attempt's outcome, or a release (no attempt made)."""

    message: OutboxMessage
    status: Status
    started_at: dt.datetime | None = None  # None: released without an attempt
    outcome: str = ""
    detail: str = ""
    next_attempt_at: dt.datetime | None = None
    late: bool = False


_SETTLE = (
    update(table_of(OutboxMessage))
    .where(table_of(OutboxMessage).c.id == bindparam("_id"))
    .values(
        status=bindparam("_status"),
        attempts=bindparam("_attempts"),
        claimed_by="",
        claimed_until=None,
        next_attempt_at=bindparam("_next"),
        last_error=bindparam("_error"),
        sent_at=bindparam("_sent_at"),
        late=bindparam("_late"),
        subject=bindparam("_subject"),
        body_text=bindparam("_text"),
        body_html=bindparam("_html"),
        body_markdown=bindparam("_markdown"),
    )
)


_OUTBOX = table_of(OutboxMessage)
_HELD = (
    select(_OUTBOX.c.id, _OUTBOX.c.attempts)
    .where(_OUTBOX.c.id.in_(bindparam("ids", expanding=True)), _OUTBOX.c.claimed_by == bindparam("worker"),
           _OUTBOX.c.status == Status.SENDING)
    .with_for_update()
)
_ATTEMPT = insert(table_of(DeliveryAttempt))


def settle(session: Session, worker: str, now: dt.datetime, settlements: Sequence[Settlement]) -> list[Settlement]:
    """Record a batch of outcomes in three statements; returns those recorded.

    Fenced: a row is written only while this worker's claim on it still stands (same worker,
    same attempt number, still sending). A worker whose lease ran out, and whose rows another
    worker took over, cannot overwrite what that worker records.
    """
    if not settlements:
        return []
    connection = session.connection()  # Core, statements built once: this runs for every message sent
    ids = [s.message.id for s in settlements]
    held = {(row.id, row.attempts) for row in connection.execute(_HELD, {"ids": ids, "worker": worker})}
    mine = [s for s in settlements if (s.message.id, s.message.attempts) in held]
    if not mine:
        return []
    connection.execute(_SETTLE, [_values(s, now) for s in mine])
    attempts = [
        {"message_id": s.message.id, "number": s.message.attempts, "worker": worker, "started_at": s.started_at,
         "finished_at": now, "outcome": s.outcome, "detail": s.detail[:2000]}
        for s in mine if s.started_at is not None
    ]
    if attempts:
        connection.execute(_ATTEMPT, attempts)
    return mine


# settle() for one row in one statement: the fence is the UPDATE's own condition.
_SETTLE_ONE = _SETTLE.where(_OUTBOX.c.claimed_by == bindparam("_worker"), _OUTBOX.c.attempts == bindparam("_claimed"),
                            _OUTBOX.c.status == Status.SENDING)


class SettleOne:
    """``settle`` for one message at a time, on the cursor of a ``db.driver_transaction``: one
    fenced UPDATE and one INSERT of the attempt. The dispatcher records each send as it returns,
    so this is its cost per message: the statements are compiled once, for the engine's dialect."""

    def __init__(self, dialect: Dialect) -> None:
        self._update = DriverStatement(_SETTLE_ONE, dialect)
        self._attempt = DriverStatement(_ATTEMPT.inline(), dialect, _ATTEMPT_KEYS)

    def __call__(self, cursor: Any, worker: str, now: dt.datetime, s: Settlement) -> bool:
        """Returns whether it was recorded (the claim still stood)."""
        values = {**_values(s, now), "_worker": worker, "_claimed": s.message.attempts}
        if self._update.run(cursor, values) != 1:
            return False
        if s.started_at is not None:
            self._attempt.run(cursor, {"message_id": s.message.id, "number": s.message.attempts, "worker": worker,
                                       "started_at": s.started_at, "finished_at": now, "outcome": s.outcome,
                                       "detail": s.detail[:2000]})
        return True


_ATTEMPT_KEYS = ("message_id", "number", "worker", "started_at", "finished_at", "outcome", "detail")


def _values(s: Settlement, now: dt.datetime) -> dict[str, object]:
    m = s.message
    released = s.started_at is None
    return {
        "_id": m.id,
        "_status": s.status,
        "_attempts": m.attempts - 1 if released else m.attempts,
        "_next": s.next_attempt_at or m.next_attempt_at,
        "_error": m.last_error if released else ("" if s.status == Status.SENT else s.detail),
        "_sent_at": now if s.status == Status.SENT else None,
        "_late": s.late,
        "_subject": m.subject,
        "_text": m.body_text,
        "_html": m.body_html,
        "_markdown": m.body_markdown,
    }


def mark_reported(session: Session, ids: Collection[int]) -> None:
    if ids:
        session.execute(update(OutboxMessage).where(OutboxMessage.id.in_(sorted(ids))).values(reported=True))


def cancel_topic(session: Session, topic: str, reason: str) -> int:
    """Cancel every unsent message about ``topic`` (e.g. the steps of a hazard just closed)."""
    result = session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.topic == topic, OutboxMessage.status.in_(WAITING))
        .values(status=Status.CANCELLED, last_error=reason)
    )
    return rowcount(result)
