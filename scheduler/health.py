"""Is the service able to do its work? The questions /readyz asks the database.

Ready means: the database answers; the last planning tick is recent (someone — this process or
a replica — is planning); and no message has been waiting past its time for long (someone is
delivering). Each failed condition is given as a reason a person can act on.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from scheduler.outbox.models import WAITING, OutboxMessage
from scheduler.state import PlannerTick


@dataclass(frozen=True)
class Readiness:
    reasons: list[str] = field(default_factory=list)
    figures: dict[str, Any] = field(default_factory=dict)

    @property
    def ready(self) -> bool:
        return not self.reasons


def last_tick(session: Session) -> dt.datetime | None:
    """The end of the most recent planning window any planner completed."""
    return session.scalar(select(func.max(PlannerTick.last_end)))


def oldest_due(session: Session, now: dt.datetime) -> dt.datetime | None:
    """When the longest-waiting message that is due now fell due (None: nothing is waiting)."""
    return session.scalar(select(func.min(OutboxMessage.next_attempt_at))
                          .where(OutboxMessage.status.in_(WAITING), OutboxMessage.next_attempt_at <= now))


def readiness(sessions: sessionmaker[Session], now: dt.datetime, *, tick_age: dt.timedelta,
              due_age: dt.timedelta) -> Readiness:
    reasons: list[str] = []
    figures: dict[str, Any] = {}
    try:
        with sessions() as session:
            session.execute(text("SELECT 1"))
            tick = last_tick(session)
            due = oldest_due(session, now)
    except SQLAlchemyError as exc:
        # The class only: the message may hold the database URL.
        return Readiness([f"database unreachable ({type(exc).__name__})"])
    if tick is None:
        reasons.append("no planning tick recorded yet (is `safeduty run` running?)")
    else:
        age = now - tick
        figures["last_tick_age_s"] = round(age.total_seconds())
        if age > tick_age:
            reasons.append(f"last planning tick {_ago(age)} ago (limit {_ago(tick_age)})")
    if due is not None:
        age = now - due
        figures["oldest_due_age_s"] = round(age.total_seconds())
        if age > due_age:
            reasons.append(f"a due message has waited {_ago(age)} (limit {_ago(due_age)})")
    return Readiness(reasons, figures)


def _ago(delta: dt.timedelta) -> str:
    seconds = int(delta.total_seconds())
    if seconds < 120:
        return f"{seconds}s"
    if seconds < 7200:
        return f"{seconds // 60}m"
    return f"{seconds // 3600}h"
