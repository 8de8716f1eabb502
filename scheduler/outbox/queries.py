"""Read-only questions about the outbox, for the web interface's delivery pages."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from scheduler.outbox.models import DeliveryAttempt, OutboxMessage, Status

RECENT = 50


def counts(session: Session) -> dict[str, dict[str, int]]:
    """channel → status → count."""
    found: dict[str, dict[str, int]] = defaultdict(dict)
    rows = session.execute(select(OutboxMessage.channel, OutboxMessage.status, func.count())
                           .group_by(OutboxMessage.channel, OutboxMessage.status))
    for channel, status, count in rows:
        found[channel][status] = count
    return dict(found)


def recent_failures(session: Session, limit: int = RECENT) -> list[DeliveryAttempt]:
    """The latest attempts that did not end in "sent", newest first."""
    return list(session.scalars(select(DeliveryAttempt).where(DeliveryAttempt.outcome != "sent")
                                .order_by(DeliveryAttempt.id.desc()).limit(limit)))


def by_ids(session: Session, ids: list[int]) -> dict[int, OutboxMessage]:
    if not ids:
        return {}
    return {m.id: m for m in session.scalars(select(OutboxMessage).where(OutboxMessage.id.in_(ids)))}


def in_status(session: Session, statuses: tuple[Status, ...], limit: int = RECENT) -> list[OutboxMessage]:
    """Messages in ``statuses`` (dead, expired…), latest due first."""
    return list(session.scalars(select(OutboxMessage).where(OutboxMessage.status.in_(statuses))
                                .order_by(OutboxMessage.due_at.desc(), OutboxMessage.id.desc()).limit(limit)))


def message(session: Session, message_id: int) -> OutboxMessage | None:
    return session.get(OutboxMessage, message_id)


def attempts(session: Session, message_id: int) -> list[DeliveryAttempt]:
    return list(session.scalars(select(DeliveryAttempt).where(DeliveryAttempt.message_id == message_id)
                                .order_by(DeliveryAttempt.number)))


def about(session: Session, topic: str, limit: int = 200) -> list[OutboxMessage]:
    """Messages about ``topic`` and its sub-topics (``hazard:HZ-1`` and ``hazard:HZ-1:incomplete``),
    latest due first."""
    return list(session.scalars(
        select(OutboxMessage).where(or_(OutboxMessage.topic == topic,
                                        OutboxMessage.topic.startswith(topic + ":", autoescape=True)))
        .order_by(OutboxMessage.due_at.desc(), OutboxMessage.id.desc()).limit(limit)))


def waiting_since(session: Session, now: dt.datetime) -> int:
    """How many messages are due now and not yet sent."""
    return session.scalar(select(func.count()).select_from(OutboxMessage).where(
        OutboxMessage.status.in_((Status.PENDING, Status.FAILED)), OutboxMessage.next_attempt_at <= now)) or 0
