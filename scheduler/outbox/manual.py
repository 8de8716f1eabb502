"""Sending a message again by hand (`safeduty outbox retry`, the web's 重发 button).

The retry window starts afresh (``retry_from``), and an expired message gets ``max_age`` more;
the dispatcher sends it on its next pass. Only dead, expired or failed messages qualify.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import update
from sqlalchemy.orm import Session

from scheduler.outbox.models import OutboxMessage, Status

RETRYABLE_BY_HAND = (Status.DEAD, Status.EXPIRED, Status.FAILED)
CHUNK = 500


def retry(session: Session, ids: Sequence[int], *, now: dt.datetime, max_age: dt.timedelta) -> None:
    for chunk in (ids[i:i + CHUNK] for i in range(0, len(ids), CHUNK)):
        session.execute(
            update(OutboxMessage).where(OutboxMessage.id.in_(chunk))
            .values(status=Status.PENDING, next_attempt_at=now, retry_from=now, reported=False, claimed_by="",
                    claimed_until=None)
        )
        session.execute(
            update(OutboxMessage).where(OutboxMessage.id.in_(chunk), OutboxMessage.expires_at <= now)
            .values(expires_at=now + max_age)
        )
