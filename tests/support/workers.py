"""A dispatcher in a process of its own, for tests that run several at once."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from sqlalchemy import func, select

from scheduler.outbox.models import WAITING, OutboxMessage, Status
from tests.support.clock import ManualClock
from tests.support.project import make_app


def dispatch_until_empty(config: str, worker: str, now: dt.datetime, start: Any, deadline_s: float = 120) -> int:
    """Wait at ``start`` (a Barrier), then dispatch until nothing is waiting or being sent;
    returns how many messages this worker sent."""
    app = make_app(config, ManualClock(now), worker=worker)  # type: ignore[arg-type]
    try:
        _ = app.sessions  # migrate before the race starts
        start.wait()
        sent, deadline = 0, time.monotonic() + deadline_s
        while time.monotonic() < deadline:
            sent += app.dispatcher.dispatch_due()
            with app.sessions() as session:
                left = session.scalar(select(func.count()).select_from(OutboxMessage)
                                      .where(OutboxMessage.status.in_((*WAITING, Status.SENDING))))
            if not left:
                break
        return sent
    finally:
        app.close()


def report_dispatch(config: str, worker: str, now: dt.datetime, start: Any, results: Any) -> None:
    """``dispatch_until_empty`` as a process target: puts (worker, sent) on ``results``."""
    results.put((worker, dispatch_until_empty(config, worker, now, start)))
