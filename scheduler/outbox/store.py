"""Enqueue, claim and settle outbox rows. Every function takes ``now``; none reads the clock.

Enqueue is ``INSERT … ON CONFLICT (key) DO NOTHING``: planning twice, from two replicas or after
a restart, adds nothing. Claims take a lease (``FOR UPDATE SKIP LOCKED`` on PostgreSQL; on SQLite
one dispatcher holds the instance lock) and every later write is fenced on the claim, so a worker
whose lease ran out cannot overwrite the outcome of the worker that took over.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import asdict

from sqlalchemy import and_, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from scheduler.outbox.models import WAITING, DeliveryAttempt, OutboxMessage, Status
from scheduler.outbox.planned import PlannedMessage

ENQUEUE_CHUNK = 1000


def enqueue(session: Session, messages: Iterable[PlannedMessage], now: dt.datetime) -> int:
    """Insert messages whose key is new; returns how many were new.

    A message already past ``expires_at`` (planned during catch-up after downtime) is recorded as
    expired, so the admins hear of it instead of it vanishing.
    """
    table = OutboxMessage.__table__
    dialect = session.get_bind().dialect.name
    make_insert = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}.get(dialect, insert)
    statement = make_insert(table).on_conflict_do_nothing(index_elements=["key"])
    before = _count(session)
    batch: list[dict[str, object]] = []
    for message in messages:
        batch.append(_row(message, now))
        if len(batch) >= ENQUEUE_CHUNK:
            session.execute(statement, batch)
            batch = []
    if batch:
        session.execute(statement, batch)
    return _count(session) - before


def _count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(OutboxMessage)) or 0


def _row(message: PlannedMessage, now: dt.datetime) -> dict[str, object]:
    recipient = message.recipient
    expired = message.expires_at <= now
    return {
        "key": message.key,
        "kind": message.kind,
        "topic": message.topic,
        "channel": recipient.channel,
        "recipient_key": recipient.key,
        "recipient_name": recipient.name,
        "address": recipient.address,
        "mentions": [asdict(m) for m in recipient.mentions],
        "context": dict(message.context),
        "due_at": message.due_at,
        "expires_at": message.expires_at,
        "status": Status.EXPIRED if expired else Status.PENDING,
        "attempts": 0,
        "next_attempt_at": message.due_at,
        "claimed_by": "",
        "last_error": "not sent before it expired (the service was not running)" if expired else "",
        "created_at": now,
        "late": False,
        "reported": False,
        "subject": "",
        "body_text": "",
        "body_html": "",
        "body_markdown": "",
    }


def release_stale_claims(session: Session, now: dt.datetime) -> int:
    """Rows whose lease ran out (the worker crashed mid-send) become due again."""
    result = session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.status == Status.SENDING, OutboxMessage.claimed_until < now)
        .values(status=Status.FAILED, claimed_by="", last_error="lease expired: the worker stopped mid-send")
    )
    return result.rowcount or 0


def expire_overdue(session: Session, now: dt.datetime) -> int:
    result = session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.status.in_(WAITING), OutboxMessage.expires_at <= now)
        .values(status=Status.EXPIRED, last_error="not sent before it expired")
    )
    return result.rowcount or 0


def claim(
    session: Session,
    now: dt.datetime,
    worker: str,
    lease: dt.timedelta,
    limit: int,
    channels: Sequence[str] | None = None,
) -> list[OutboxMessage]:
    """Claim up to ``limit`` due rows (optionally only on ``channels``) for ``worker``."""
    due = (
        select(OutboxMessage.id)
        .where(OutboxMessage.status.in_(WAITING), OutboxMessage.next_attempt_at <= now)
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    if channels is not None:
        due = due.where(OutboxMessage.channel.in_(channels))
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
        select(OutboxMessage).where(OutboxMessage.id.in_(ids)).order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
    ).all()
    return list(rows)


def settle(
    session: Session,
    message: OutboxMessage,
    *,
    worker: str,
    started_at: dt.datetime,
    now: dt.datetime,
    status: Status,
    outcome: str,
    detail: str = "",
    next_attempt_at: dt.datetime | None = None,
    late: bool = False,
) -> bool:
    """Record an attempt's outcome; False when the claim was lost (another worker took over)."""
    values: dict[str, object] = {"status": status, "claimed_by": "", "claimed_until": None}
    if status == Status.SENT:
        values.update(sent_at=now, late=late, last_error="")
    else:
        values["last_error"] = detail
    if next_attempt_at is not None:
        values["next_attempt_at"] = next_attempt_at
    values.update(
        subject=message.subject,
        body_text=message.body_text,
        body_html=message.body_html,
        body_markdown=message.body_markdown,
    )
    result = session.execute(
        update(OutboxMessage)
        .where(
            and_(
                OutboxMessage.id == message.id,
                OutboxMessage.claimed_by == worker,
                OutboxMessage.attempts == message.attempts,
                OutboxMessage.status == Status.SENDING,
            )
        )
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if not result.rowcount:
        return False
    session.execute(
        insert(DeliveryAttempt).values(
            message_id=message.id,
            number=message.attempts,
            worker=worker,
            started_at=started_at,
            finished_at=now,
            outcome=outcome,
            detail=detail[:2000],
        )
    )
    return True


def cancel_topic(session: Session, topic: str, reason: str) -> int:
    """Cancel every unsent message about ``topic`` (e.g. the steps of a hazard just closed)."""
    result = session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.topic == topic, OutboxMessage.status.in_(WAITING))
        .values(status=Status.CANCELLED, last_error=reason)
    )
    return result.rowcount or 0
