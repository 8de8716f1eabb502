"""Pre-holiday reminders (每逢重大节假日及时组织研判): the configured steps before each holiday period.

A step is due ``lead`` calendar or working days before the period's first day, moved off a
non-working day, at its time of day. Its key names the period, the step and the recipient
(``preholiday:2026-02-15:T-14:enterprise:<code>:principal``), so planning the same window twice
adds nothing. A reminder still unsent when the holiday begins is recorded as expired.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from scheduler.calendar import HolidayPeriod, WorkCalendar
from scheduler.config.reminders import PreholidayConfig, PreholidayStep
from scheduler.outbox.planned import PlannedMessage, Window
from scheduler.planners.audience import Addressee, counts_shown, enterprise_counts, resolve
from scheduler.planners.base import PlanContext
from scheduler.planners.schedule import local, may_fall_in, shift, surely_in, window_days


def plan(ctx: PlanContext, window: Window) -> Iterator[PlannedMessage]:
    config = ctx.config.preholiday
    if not config.steps:
        return
    zone = ctx.config.service.zone
    first, last = window_days(window, zone)
    # Every send day lies before its period; a period starting this far after the window is
    # out of reach of every step (working-day leads span weekends and holidays too).
    reach = dt.timedelta(days=3 * max(step.lead for step in config.steps.values()) + 31)
    counts: list[dict[str, Any]] | None = None
    own_counts: dict[str, list[dict[str, Any]]] = {}  # a supervisor's: only what they supervise
    audiences: dict[str, list[Addressee]] = {}  # each step's recipients, resolved once per call
    for period in ctx.calendar.periods_between(first, last + reach):
        if period.start <= first:
            continue
        for name, step in config.steps.items():
            if not counts_for(period, step, config):
                continue
            day = send_day(ctx.calendar, period, step, config)
            if not may_fall_in(window, day, step.at, zone):
                continue
            if counts is None:
                counts = enterprise_counts(ctx.directory)
            base = _context(ctx.calendar, period, name, step, day)
            if name not in audiences:
                audiences[name] = resolve(ctx.directory, step.audience)
            moment = local(day, step.at, zone)
            certain = surely_in(window, moment)
            expires = local(period.start, dt.time(0), zone)
            topic = f"preholiday:{period.key}"
            prefix = f"{topic}:{name}:"
            for addressee in audiences[name]:
                key = prefix + addressee.recipient.key
                message = PlannedMessage.at(
                    key, step.template, addressee.recipient, moment, expires,
                    {**base, "audience": addressee.audience, "enterprise": addressee.enterprise or None,
                     "enterprise_counts": [] if addressee.enterprise is not None else
                     counts_shown(ctx.directory, addressee.recipient, counts, own_counts)},
                    topic,
                )
                if certain or message.due_at in window:
                    yield message


def counts_for(period: HolidayPeriod, step: PreholidayStep, config: PreholidayConfig) -> bool:
    """Whether ``step`` applies to ``period`` (long enough, and one of the chosen holidays)."""
    min_days = step.min_days if step.min_days is not None else config.min_days
    wanted = not config.holidays or any(name in period.name for name in config.holidays)
    return period.days >= min_days and wanted


def send_day(calendar: WorkCalendar, period: HolidayPeriod, step: PreholidayStep,
             config: PreholidayConfig) -> dt.date:
    if step.count == "working":
        day = calendar.working_days_before(period.start, step.lead)
    else:
        day = period.start - dt.timedelta(days=step.lead)
    # Even "after" stays before the period: the day before a holiday period is a working day.
    return shift(calendar, day, step.on_non_working_day or config.on_non_working_day)


def _context(calendar: WorkCalendar, period: HolidayPeriod, name: str, step: PreholidayStep,
             day: dt.date) -> dict[str, Any]:
    deadline = calendar.working_days_before(period.start, step.complete_by) if step.complete_by else None
    return {
        "period": period_context(calendar, period),
        "step": name,
        "send_day": day.isoformat(),
        "deadline": deadline.isoformat() if deadline else None,
    }


def period_context(calendar: WorkCalendar, period: HolidayPeriod) -> dict[str, Any]:
    return {
        "name": period.name,
        "start": period.start.isoformat(),
        "end": period.end.isoformat(),
        "days": period.days,
        # The library only estimates years the State Council has not announced yet.
        "estimated": not (calendar.is_official(period.start.year) and calendar.is_official(period.end.year)),
    }
