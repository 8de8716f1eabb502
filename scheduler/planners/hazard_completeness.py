"""Completeness notices: a major hazard lacking one of its five items (五到位) or either report
(双报告, 安全生产法 Art. 41) → the enterprise and its supervisor hear of it shortly after it is
registered, then every week (``[hazards.completeness].every``) on the registration weekday until
it is complete, rectified or closed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from scheduler.hazards import queries
from scheduler.hazards.audience import Audiences, to_enterprise
from scheduler.hazards.completeness import missing_items
from scheduler.hazards.context import hazard_context
from scheduler.hazards.policy import ranges
from scheduler.hazards.register import incomplete_topic
from scheduler.hazards.timing import at, send_days
from scheduler.outbox.planned import MAX_JITTER_S, MIN_JITTER_S, PlannedMessage, Window
from scheduler.planners.base import PlanContext

# The first notice is due a minute after registration, not at it: a planning tick that ran
# while the registering transaction was still open must not have covered the notice's time.
NOTICE_DELAY = dt.timedelta(minutes=1)


def plan(ctx: PlanContext, window: Window) -> Iterator[PlannedMessage]:
    settings = ctx.config.hazards.completeness
    if not settings.enabled:
        return
    zone, every = ctx.config.service.zone, settings.every.days
    days = send_days(window, zone, ctx.config.hazards.send_at)
    anniversaries = _registration_days(ctx, days, every)
    audiences = Audiences(ctx.directory)
    lead = NOTICE_DELAY + dt.timedelta(seconds=MIN_JITTER_S)
    after = window.start - NOTICE_DELAY - dt.timedelta(seconds=MAX_JITTER_S)
    for hazard in queries.incomplete_major(
        ctx.session, after, window.end - lead, ranges(anniversaries)
    ):
        notices = [(0, hazard.registered_at + NOTICE_DELAY)]
        for day in days:
            weeks, rest = divmod((day - hazard.registered_on).days, every)
            if weeks > 0 and rest == 0:
                notices.append((weeks, at(day, ctx.config.hazards.send_at, zone)))
        context = {**hazard_context(hazard), "missing": missing_items(hazard)}
        for number, base in notices:
            for recipient, audience in audiences.addressed(settings.audience, hazard.enterprise, hazard):
                key = f"{hazard.topic}:incomplete:r{number}:{recipient.key}"
                said = {**context, "notice": number, "audience": str(audience),
                        "to_enterprise": to_enterprise(audience)}
                message = PlannedMessage.at(key, settings.template, recipient, base, base + settings.every,
                                            said, incomplete_topic(hazard))
                if message.due_at in window:
                    yield message


def _registration_days(ctx: PlanContext, days: list[dt.date], every: int) -> set[dt.date]:
    """Registration days whose weekly notice falls on one of ``days``."""
    if not days:
        return set()
    earliest = queries.earliest_incomplete_registration(ctx.session)
    found: set[dt.date] = set()
    if earliest is None:
        return found
    for day in days:
        back = day - dt.timedelta(days=every)
        while back >= earliest:
            found.add(back)
            back -= dt.timedelta(days=every)
    return found
