"""When a dated notice is due: its day moved off non-working days, its local time, its jitter.

Shared by the calendar-driven planners (pre-holiday, key periods, year guard).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from zoneinfo import ZoneInfo

from scheduler.calendar import WorkCalendar
from scheduler.outbox.planned import MAX_JITTER_S, MIN_JITTER_S, Window, jitter


def shift(calendar: WorkCalendar, day: dt.date, policy: str) -> dt.date:
    """``day`` itself when it is a working day (or the policy is "keep"); otherwise the working
    day before ("before") or after ("after")."""
    if policy == "keep" or calendar.is_working_day(day):
        return day
    if policy == "after":
        return calendar.working_day_on_or_after(day)
    return calendar.working_day_on_or_before(day)


def local(day: dt.date, at: dt.time, zone: ZoneInfo) -> dt.datetime:
    return dt.datetime.combine(day, at, tzinfo=zone)


def due_at(day: dt.date, at: dt.time, zone: ZoneInfo, key: str) -> dt.datetime:
    """The moment a keyed notice is due: the local time plus the key's jitter (5–95 s)."""
    return local(day, at, zone) + jitter(key)


def may_fall_in(window: Window, day: dt.date, at: dt.time, zone: ZoneInfo) -> bool:
    """Whether a notice set for ``day`` at ``at`` can, whatever its jitter, be due in ``window``;
    lets a planner skip resolving recipients on the service's many short ticks."""
    moment = local(day, at, zone)
    return (moment + dt.timedelta(seconds=MIN_JITTER_S) <= window.end
            and moment + dt.timedelta(seconds=MAX_JITTER_S) > window.start)


def surely_in(window: Window, moment: dt.datetime) -> bool:
    """Whether a notice set for ``moment`` falls due in ``window`` whatever its jitter: then a
    planner need not compare each recipient's due time with the window."""
    return (window.start < moment + dt.timedelta(seconds=MIN_JITTER_S)
            and moment + dt.timedelta(seconds=MAX_JITTER_S) <= window.end)


def window_days(window: Window, zone: ZoneInfo) -> tuple[dt.date, dt.date]:
    """The local days a window touches, widened by one day before: a notice set for late in the
    evening may, with its jitter, fall due just after midnight."""
    first = window.start.astimezone(zone).date() - dt.timedelta(days=1)
    return first, window.end.astimezone(zone).date()


def days(first: dt.date, last: dt.date) -> Iterator[dt.date]:
    day = first
    while day <= last:
        yield day
        day += dt.timedelta(days=1)
