"""Key-period warnings (重点时段): a start notice, a repeating reminder, an end notice.

Each configured period recurs every year ("06-01"…"09-30"), or happens once (dates), and may
end with a holiday (岁末年初 ends with the Spring Festival holiday, computed from the calendar).
An occurrence is named by its first day in keys: ``key_period:flood_season:2026-06-01:start:…``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from scheduler.calendar import WorkCalendar
from scheduler.config.reminders import WEEKDAYS, DateRule, KeyPeriod
from scheduler.outbox.planned import PlannedMessage, Window, jitter
from scheduler.planners.audience import resolve
from scheduler.planners.base import PlanContext
from scheduler.planners.schedule import days, local, may_fall_in, shift, surely_in, window_days

ONE_DAY = dt.timedelta(days=1)
# A notice is at most this far outside its occurrence (lead, and moves off holidays).
_SLACK = dt.timedelta(days=15)
# end_of:/start_of: look for the holiday this far ahead of the start.
_HOLIDAY_SEARCH = dt.timedelta(days=400)


@dataclass(frozen=True)
class Occurrence:
    start: dt.date
    end: dt.date


@dataclass(frozen=True)
class Notice:
    """One dated notice of an occurrence: ``name`` is "start", "end" or "reminder:<nominal day>"."""

    name: str
    kind: str
    day: dt.date


def plan(ctx: PlanContext, window: Window) -> Iterator[PlannedMessage]:
    zone = ctx.config.service.zone
    first, last = window_days(window, zone)
    policy = ctx.config.key_periods.on_non_working_day
    for ident, period in ctx.config.key_periods.periods.items():
        if not period.enabled:
            continue
        for occurrence in occurrences(ctx.calendar, period, first - _SLACK, last + _SLACK + period.lead * ONE_DAY):
            notices = [n for n in notices_of(ctx.calendar, period, occurrence, policy)
                       if may_fall_in(window, n.day, period.at, zone)]
            if not notices:
                continue
            recipients = resolve(ctx.directory, period.audience)
            base = _context(ctx.calendar, period, ident, occurrence)
            topic = f"key_period:{ident}:{occurrence.start}"
            for notice in notices:
                moment = local(notice.day, period.at, zone)
                certain = surely_in(window, moment)
                prefix = f"{topic}:{notice.name}:"
                facts = {"notice_day": notice.day.isoformat(), "days_left": (occurrence.end - notice.day).days}
                expires = _expiry(notice, occurrence, zone)
                for addressee in recipients:
                    key = prefix + addressee.recipient.key
                    due = moment + jitter(key)
                    if not certain and due not in window:
                        continue
                    yield PlannedMessage(
                        key=key,
                        kind=notice.kind,
                        recipient=addressee.recipient,
                        due_at=due,
                        expires_at=expires or due + ONE_DAY,
                        context={**base, "audience": addressee.audience, "enterprise": addressee.enterprise or None,
                                 **facts},
                        topic=topic,
                    )


def occurrences(calendar: WorkCalendar, period: KeyPeriod, first: dt.date, last: dt.date) -> Iterator[Occurrence]:
    """Occurrences of ``period`` overlapping [first, last], in order."""
    if period.start.date is not None:
        starts = [period.start.date]
    else:
        starts = [s for year in range(first.year - 1, last.year + 1)
                  if (s := _resolve_start(calendar, period.start, year)) is not None]
    for start in starts:
        end = _resolve_end(calendar, period.end, start)
        if end is not None and start <= last and end >= first:
            yield Occurrence(start, end)


def notices_of(calendar: WorkCalendar, period: KeyPeriod, occurrence: Occurrence, policy: str) -> list[Notice]:
    prefix = period.templates
    start = Notice("start", f"{prefix}/start", shift(calendar, occurrence.start - period.lead * ONE_DAY, policy))
    # An end notice on a day off goes out on the next working day ("…已于2月23日结束"): a week
    # early, before a holiday, it would announce the end of a period that is at its busiest.
    end_day = shift(calendar, occurrence.end, "keep" if policy == "keep" else "after")
    end = Notice("end", f"{prefix}/end", end_day) if period.end_notice else None
    taken = {start.day} | ({end.day} if end else set())
    reminders = []
    for nominal, day in _repeats(calendar, period, occurrence, keep=policy == "keep"):
        if day not in taken:  # never two notices of one period on one day
            reminders.append(Notice(f"reminder:{nominal}", f"{prefix}/reminder", day))
            taken.add(day)
    return [start, *reminders, *([end] if end else [])]


def _repeats(calendar: WorkCalendar, period: KeyPeriod, occurrence: Occurrence,
             keep: bool) -> Iterator[tuple[dt.date, dt.date]]:
    """(nominal day, send day) of each reminder strictly inside the occurrence: every working
    day, or each week on ``repeat_on``, a weekly one on a day off moving to the next working day
    (unless that is a week later). With ``keep``, days off count like any other day."""
    if period.repeat == "none":
        return
    inner_first, inner_last = occurrence.start + ONE_DAY, occurrence.end - ONE_DAY
    for day in days(inner_first, inner_last):
        if period.repeat == "daily":
            if keep or calendar.is_working_day(day):
                yield day, day
        elif day.weekday() == WEEKDAYS.index(period.repeat_on):
            moved = day if keep else calendar.working_day_on_or_after(day)
            if moved <= inner_last and moved < day + 7 * ONE_DAY:
                yield day, moved


def _resolve_start(calendar: WorkCalendar, rule: DateRule, year: int) -> dt.date | None:
    if rule.month_day is not None:
        return rule.month_day.in_year(year)
    return _holiday_edge(calendar, rule, dt.date(year, 1, 1))


def _resolve_end(calendar: WorkCalendar, rule: DateRule, start: dt.date) -> dt.date | None:
    if rule.date is not None:
        return rule.date
    if rule.month_day is not None:
        end = rule.month_day.in_year(start.year)
        return end if end >= start else rule.month_day.in_year(start.year + 1)
    return _holiday_edge(calendar, rule, start)


def _holiday_edge(calendar: WorkCalendar, rule: DateRule, after: dt.date) -> dt.date | None:
    """The first or last day of the first holiday period named ``rule.holiday`` starting on or after ``after``."""
    for found in calendar.periods_between(after, after + _HOLIDAY_SEARCH):
        if found.start >= after and rule.holiday in found.name:
            return found.start if rule.edge == "start" else found.end
    return None


def _expiry(notice: Notice, occurrence: Occurrence, zone: Any) -> dt.datetime | None:
    """A late start notice is still worth sending while the period lasts (this moment); a
    reminder or end notice is stale a day after its time (None: its due time plus a day)."""
    if notice.name == "start":
        return dt.datetime.combine(occurrence.end + ONE_DAY, dt.time(0), tzinfo=zone)
    return None


def _context(calendar: WorkCalendar, period: KeyPeriod, ident: str, occurrence: Occurrence) -> dict[str, Any]:
    return {
        "period": {
            "id": ident,
            "name": period.name,
            "start": occurrence.start.isoformat(),
            "end": occurrence.end.isoformat(),
            "days": (occurrence.end - occurrence.start).days + 1,
            # An end computed from a holiday the State Council has not announced yet may move.
            "estimated": not calendar.is_official(occurrence.end.year) and period.end.holiday != "",
            # No published rule fixes these dates (config `confirmed = false`): messages say 暂定.
            "confirmed": period.confirmed,
        },
        "measures": list(period.measures),
    }
