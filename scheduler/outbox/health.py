"""Read-only questions about the outbox and the delivery targets, for `safeduty status` and the
metrics: how much is waiting, how long the oldest due message has waited, what died or expired
lately, which targets are paused or unhealthy. Every function takes ``now``; none writes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from scheduler.outbox.models import WAITING, DeliveryAttempt, OutboxMessage, Status
from scheduler.outbox.targets import DeliveryTarget


def counts_by_status(session: Session) -> dict[tuple[str, str], int]:
    """How many messages there are, by (status, channel)."""
    query = select(OutboxMessage.status, OutboxMessage.channel, func.count()).group_by(
        OutboxMessage.status, OutboxMessage.channel)
    return {(status, channel): count for status, channel, count in session.execute(query)}


@dataclass(frozen=True)
class Backlog:
    """The messages that may go now and have not gone yet."""

    due: int  # waiting (pending or failed) with their next attempt due
    oldest_due_at: dt.datetime | None  # the earliest of those next attempts
    sending: int  # claimed right now

    def oldest_age(self, now: dt.datetime) -> dt.timedelta:
        return max(dt.timedelta(0), now - self.oldest_due_at) if self.oldest_due_at else dt.timedelta(0)


def backlog(session: Session, now: dt.datetime) -> Backlog:
    """What is due now. A message waiting out a retry backoff is not due until its next attempt;
    one whose target is paused or unhealthy is, so a stuck target shows here as a growing age."""
    due, oldest = session.execute(
        select(func.count(), func.min(OutboxMessage.next_attempt_at))
        .where(OutboxMessage.status.in_(WAITING), OutboxMessage.next_attempt_at <= now)
    ).one()
    sending = session.scalar(select(func.count()).where(OutboxMessage.status == Status.SENDING)) or 0
    return Backlog(int(due or 0), oldest, int(sending))


def ended_since(session: Session, since: dt.datetime) -> dict[str, int]:
    """How many messages became ``dead`` (by their last attempt) or ``expired`` (by their
    ``expires_at``) at ``since`` or later."""
    last_attempt = (select(func.max(DeliveryAttempt.finished_at))
                    .where(DeliveryAttempt.message_id == OutboxMessage.id).scalar_subquery())
    dead = session.scalar(select(func.count()).where(
        OutboxMessage.status == Status.DEAD, func.coalesce(last_attempt, OutboxMessage.due_at) >= since)) or 0
    expired = session.scalar(select(func.count()).where(
        OutboxMessage.status == Status.EXPIRED, OutboxMessage.expires_at >= since)) or 0
    return {Status.DEAD.value: int(dead), Status.EXPIRED.value: int(expired)}


@dataclass(frozen=True)
class TargetHealth:
    name: str
    paused_until: dt.datetime | None  # only while the pause lasts
    unhealthy_since: dt.datetime | None
    reason: str


def troubled_targets(session: Session, now: dt.datetime) -> list[TargetHealth]:
    """The targets paused now or marked unhealthy, by name."""
    rows = session.scalars(select(DeliveryTarget).order_by(DeliveryTarget.name))
    found = []
    for target in rows:
        paused = target.paused(now)
        if paused or target.unhealthy_since is not None:
            found.append(TargetHealth(target.name, target.paused_until if paused else None,
                                      target.unhealthy_since, target.pause_reason or target.last_error))
    return found
