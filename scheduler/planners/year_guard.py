"""The year guard: from 1 December, ask the admins for next year's holiday arrangement.

The `holidays` library silently estimates years the State Council has not announced (no 调休
weekends, sometimes shorter holidays), and every pre-holiday reminder would follow the guess.
So while next year's arrangement is neither published in the library nor entered in config
(``[calendar.years.YYYY]``), `safeduty check` warns and the admins get a notice, repeated (by
default weekly) until it is resolved. Notices are keyed per year and day, so each goes out once.
"""

from __future__ import annotations

from collections.abc import Iterator

from scheduler.calendar import missing_years
from scheduler.outbox.planned import PlannedMessage, Window
from scheduler.planners.base import PlanContext
from scheduler.planners.schedule import days, due_at, may_fall_in, window_days

KIND = "calendar/year_guard"

__all__ = ["KIND", "missing_years", "plan"]


def plan(ctx: PlanContext, window: Window) -> Iterator[PlannedMessage]:
    guard = ctx.config.calendar.guard
    if not guard.enabled:
        return
    zone = ctx.config.service.zone
    group = guard.group or ctx.config.delivery.admins
    first, last = window_days(window, zone)
    for day in days(first, last):
        for year in missing_years(ctx.calendar, day, guard):
            since = guard.warn_from.in_year(year - 1)
            if (day - since).days % guard.every.days or not may_fall_in(window, day, guard.at, zone):
                continue
            context = {
                "year": year,
                "since": since.isoformat(),
                "estimated_periods": [
                    {"name": p.name, "start": p.start.isoformat(), "end": p.end.isoformat(), "days": p.days}
                    for p in ctx.calendar.holiday_periods(year)
                ],
            }
            for recipient in ctx.directory.group(group):
                key = f"year_guard:{year}:{day}:{recipient.key}"
                due = due_at(day, guard.at, zone, key)
                if due in window:
                    yield PlannedMessage(key, KIND, recipient, due, due + guard.every, context,
                                         topic=f"year_guard:{year}")
