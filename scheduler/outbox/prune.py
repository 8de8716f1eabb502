"""Retention: what a finished message keeps after ``[outbox] keep`` (400 days).

A year of 送达记录 stays word for word. Older finished messages lose what is large and no longer
needed: the rendered bodies (text, HTML, Markdown) and every delivery attempt, and — for messages
that went out or were withdrawn (sent, cancelled, merged) — the template context. The row itself
stays: its key is what stops a planner from planning the message again (the outbox's unique
key, ``INSERT … ON CONFLICT DO NOTHING``), and key, kind, topic, recipient, status, due and sent
times and the subject still say who was told what, when. Dead and expired messages keep their
context, so `outbox retry` can still send them; one not yet reported to the admins is not pruned.
Pending, failed and sending messages are never touched.

The walk takes the next ``batch`` messages that have something to clear, in id order, one short
transaction each (about 0.1 s of SQLite's write lock for 500 on a busy machine, so the
dispatcher and planners are never held up for long); stretches already pruned are skipped by
the look-up, not walked slice by slice. A batch's bodies and attempts go in one transaction: a
prune killed at any moment leaves each message either pruned or intact, and running it again
finishes the job.

The service runs it once a day (``daily``: ten minutes after it starts, then every 24 hours),
so a service restarted every night still prunes.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Text, and_, cast, delete, func, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from scheduler.clock import Clock
from scheduler.config.outbox import OutboxConfig
from scheduler.db import rowcount
from scheduler.outbox.models import DeliveryAttempt, OutboxMessage, Status

log = logging.getLogger("safeduty.outbox")

# Finished and old enough: what prune may clear.
PRUNABLE = (Status.SENT, Status.CANCELLED, Status.MERGED, Status.DEAD, Status.EXPIRED)
# These lose their context too; dead and expired keep it (they can be sent again by hand).
CONTEXT_GOES = (Status.SENT, Status.CANCELLED, Status.MERGED)
_EMPTY_CONTEXT = "{}"


@dataclass
class Pruned:
    cutoff: dt.datetime
    messages: int = 0  # messages that lost their bodies, context or attempts
    attempts: int = 0  # delivery attempts deleted
    batches: int = 0  # transactions it took


def cutoff_of(now: dt.datetime, keep: dt.timedelta) -> dt.datetime:
    return now - keep


def _old_and_finished(cutoff: dt.datetime) -> ColumnElement[bool]:
    m = OutboxMessage
    return and_(
        m.status.in_(PRUNABLE),
        m.due_at < cutoff,
        or_(m.sent_at.is_(None), m.sent_at < cutoff),
        # A dead or expired message the admins have not been told about stays until they are.
        or_(m.status.not_in((Status.DEAD, Status.EXPIRED)), m.reported.is_(True)),
    )


def _has_something(cutoff: dt.datetime) -> ColumnElement[bool]:
    m = OutboxMessage
    return and_(_old_and_finished(cutoff), or_(
        m.body_text != "", m.body_html != "", m.body_markdown != "",
        and_(m.status.in_(CONTEXT_GOES), or_(m.notice_id.is_not(None), cast(m.own_context, Text) != _EMPTY_CONTEXT)),
        select(DeliveryAttempt.id).where(DeliveryAttempt.message_id == m.id).exists(),
    ))


def prunable(session: Session, now: dt.datetime, keep: dt.timedelta) -> Pruned:
    """What ``prune`` would clear now (``--dry-run``): nothing is changed."""
    cutoff = cutoff_of(now, keep)
    messages = session.scalar(select(func.count()).select_from(OutboxMessage).where(_has_something(cutoff))) or 0
    attempts = session.scalar(
        select(func.count()).select_from(DeliveryAttempt)
        .join(OutboxMessage, OutboxMessage.id == DeliveryAttempt.message_id)
        .where(_old_and_finished(cutoff))
    ) or 0
    return Pruned(cutoff, messages, attempts)


def prune(sessions: sessionmaker[Session], now: dt.datetime, keep: dt.timedelta, batch: int = 500) -> Pruned:
    """Clear the bodies, attempts and (where it may go) the context of finished messages older than
    ``keep``, ``batch`` messages per transaction."""
    result = Pruned(cutoff_of(now, keep))
    low = 0
    while True:
        with sessions.begin() as session:
            low, cleared, attempts = prune_batch(session, result.cutoff, low, batch)
        if not cleared:
            return result
        result.messages += cleared
        result.attempts += attempts
        result.batches += 1


def prune_batch(session: Session, cutoff: dt.datetime, low: int, batch: int) -> tuple[int, int, int]:
    """Prune the next ``batch`` prunable messages with ``id > low`` in the caller's transaction;
    (the last id pruned, messages, attempts)."""
    m = OutboxMessage
    ids = list(session.scalars(select(m.id).where(m.id > low, _has_something(cutoff)).order_by(m.id).limit(batch)))
    if not ids:
        return low, 0, 0
    attempts = rowcount(session.execute(delete(DeliveryAttempt).where(DeliveryAttempt.message_id.in_(ids))))
    quiet = {"synchronize_session": False}  # no loaded objects to keep in step
    session.execute(update(m).where(m.id.in_(ids)).values(body_text="", body_html="", body_markdown="")
                    .execution_options(**quiet))
    # The message lets go of its notice too (the notice's row, shared and small, stays).
    session.execute(update(m).where(m.id.in_(ids), m.status.in_(CONTEXT_GOES)).values(own_context={}, notice_id=None)
                    .execution_options(**quiet))
    return ids[-1], len(ids), attempts


FIRST_DAILY_PASS = dt.timedelta(minutes=10)  # after the service starts: its start-up pass goes first
DAILY = dt.timedelta(days=1)


def daily(sessions: sessionmaker[Session], clock: Clock, settings: OutboxConfig) -> Callable[[], Pruned]:
    """The service's daily retention pass (scheduler/runner.py wakes it)."""

    def prune_outbox() -> Pruned:
        done = prune(sessions, clock.now(), settings.keep, settings.prune_batch)
        if done.messages:
            log.info("outbox: pruned %d message(s) and %d delivery attempt(s) finished before %s, in %d "
                     "transaction(s)", done.messages, done.attempts, done.cutoff.date(), done.batches)
        return done

    return prune_outbox
