"""The wake-up seam: intake calls ``relay_now(service)`` right after it commits new warning
versions, so the first message is planned and handed to a channel at once instead of at the
next tick. It plans the ``warnings`` planner up to now (its ordinary tick then carries on from
there) and runs one dispatch pass; the dispatcher's urgent lane claims URGENT rows first.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from scheduler import state
from scheduler.outbox.planned import Window
from scheduler.people.directory import Directory
from scheduler.planners.base import PlanContext
from scheduler.planning import plan_window

if TYPE_CHECKING:
    from scheduler.service import Service

PLANNER = "warnings"


def relay_now(service: Service, *, dispatch: bool = True) -> tuple[int, int]:
    """(messages planned, messages handed to channels)."""
    planner = service.planners.get(PLANNER)
    if planner is None:
        return 0, 0
    now = service.clock.now()
    with service.sessions.begin() as session:
        start = state.last_tick(session, PLANNER) or now - service.config.service.first_run_lookback
        if start >= now:
            return 0, 0
        ctx = PlanContext(service.config, service.calendar, Directory.load(session, service.config), session)
        planned = plan_window(session, PLANNER, planner, ctx, Window(start, now), now)
        if planned.complete:
            state.record_tick(session, PLANNER, now)
    sent = service.dispatcher.dispatch_due() if dispatch else 0
    return planned.created, sent

