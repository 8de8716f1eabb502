"""`run` logs the next messages still to go (issue 15 §10): never one already sent."""

from __future__ import annotations

import datetime as dt

from rosters.notices import PUBLISHED
from scheduler.app import App
from scheduler.outbox.models import OutboxMessage, Status
from tests.rosters.conftest import generate


def test_upcoming_lists_only_what_is_still_to_go(roster_app: App) -> None:
    generate(roster_app, dt.date(2026, 1, 1), dt.date(2026, 1, 31), publish=True)
    roster_app.clock.advance(dt.timedelta(minutes=2))  # past the publication notices' jitter
    roster_app.service.plan_due()
    roster_app.dispatcher.dispatch_due()
    with roster_app.sessions() as session:
        sent = {m.key for m in session.query(OutboxMessage).filter(OutboxMessage.kind == PUBLISHED)
                if m.status == Status.SENT}
    assert sent  # the supervisors have their roster
    upcoming = roster_app.service.upcoming(dt.timedelta(days=7), 50)
    assert upcoming and not {m.key for m in upcoming} & sent
    assert all(m.kind != PUBLISHED for m in upcoming)
