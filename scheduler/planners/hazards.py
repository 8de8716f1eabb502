"""Escalation of hazards near and past their deadline (重大事故隐患 逾期督办).

For each level, ``[hazards.<level>]`` gives a chain of steps at offsets from the deadline; the
last one repeats until the hazard is rectified or closed. Keys carry the deadline
(``hazard:HZ-17:2027-03-01:step2:r0:<recipient>``), so an extension starts a new chain, and
only open hazards (registered, rectifying) are read, so a rectification stops it.

The database does the selecting: the policy is turned around into the few deadline ranges that
have a step on the window's days, and only hazards with such a deadline are loaded.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from scheduler.calendar import WorkCalendar
from scheduler.config.hazards import EscalationPolicy
from scheduler.hazards import queries
from scheduler.hazards.audience import Audiences, to_enterprise
from scheduler.hazards.context import hazard_context
from scheduler.hazards.models import Hazard
from scheduler.hazards.policy import ScheduledStep, deadlines_due, ranges, schedule
from scheduler.hazards.timing import at, send_days
from scheduler.hazards.vocab import HazardLevel
from scheduler.outbox.planned import PlannedMessage, Window
from scheduler.planners.base import PlanContext


def plan(ctx: PlanContext, window: Window) -> Iterator[PlannedMessage]:
    settings = ctx.config.hazards
    days = send_days(window, ctx.config.service.zone, settings.send_at)
    if not days:
        return
    audiences = Audiences(ctx.directory)
    for level, policy in (
        (HazardLevel.MAJOR, settings.major),
        (HazardLevel.GENERAL, settings.general),
    ):
        if not policy.steps:
            continue
        earliest = queries.earliest_open_deadline(ctx.session, level)
        if earliest is None:
            continue
        spans = ranges(deadlines_due(policy, ctx.calendar, days, earliest))
        for hazard in queries.with_deadline_in(ctx.session, level, spans):
            yield from _chain(ctx, window, set(days), policy, hazard, audiences)


def _chain(
    ctx: PlanContext,
    window: Window,
    days: set[dt.date],
    policy: EscalationPolicy,
    hazard: Hazard,
    audiences: Audiences,
) -> Iterator[PlannedMessage]:
    zone, send_at = ctx.config.service.zone, ctx.config.hazards.send_at
    assert hazard.deadline is not None  # open hazards always have one (general ones get a default)
    chain = schedule(policy, hazard.deadline, ctx.calendar, max(days), since=min(days))
    for position, item in enumerate(chain):
        if item.day not in days:
            continue
        base = at(item.day, send_at, zone)
        # Stale once the chain's next message is due (a T-1 reminder after the deadline is noise).
        following = next((c.day for c in chain[position + 1 :] if c.day > item.day), None)
        expires = base + policy.expire_after
        if following is not None:
            expires = min(expires, at(following, send_at, zone))
        context = {**hazard_context(hazard), **_step_context(hazard, item, policy, ctx.calendar)}
        for recipient, audience in audiences.addressed(item.step.audience, hazard.enterprise, hazard):
            step = f"step{item.index}:r{item.repeat}"
            key = f"{hazard.topic}:{hazard.deadline.isoformat()}:{step}:{recipient.key}"
            said = {**context, "audience": str(audience), "to_enterprise": to_enterprise(audience)}
            message = PlannedMessage.at(key, item.step.template, recipient, base, expires, said, hazard.topic)
            if message.due_at in window:
                yield message


def _step_context(
    hazard: Hazard, item: ScheduledStep, policy: EscalationPolicy, calendar: WorkCalendar
) -> dict[str, object]:
    """Counts a reader cannot misread: calendar days, and of them the working days; which
    message of a repeating step this is (``sends``: 1 for the first) and how often it repeats."""
    assert hazard.deadline is not None
    offset = (hazard.deadline - item.day).days
    return {
        "step": {
            "index": item.index,
            "repeat": item.repeat,
            "sends": item.repeat + 1,
            "label": item.label,
            "title": item.step.title,
            "offset": item.step.offset,
            "unit": item.step.unit,
            "repeats": item.index == len(policy.steps) and policy.repeat_days > 0,
            "repeat_every": policy.repeat_days,
        },
        "day": item.day.isoformat(),
        "days_left": max(offset, 0),
        "days_overdue": max(-offset, 0),
        "working_days_overdue": _working_days(calendar, hazard.deadline, item.day),
    }


def _working_days(calendar: WorkCalendar, deadline: dt.date, day: dt.date) -> int:
    """Working days after ``deadline`` up to and including ``day`` (调休 counted)."""
    count, current = 0, deadline
    while current < day:
        current += dt.timedelta(days=1)
        count += calendar.is_working_day(current)
    return count
