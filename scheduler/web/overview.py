"""What the duty office sees at a glance, composed from the domain code (no SQL here):
the duty day in force, the days ahead with their published state, periods in force."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from rosters.book import RosterBook, slot_of
from rosters.exports.rows import RosterRow, roster_rows
from scheduler.app import App
from scheduler.hazards.queries import overdue_major_count
from scheduler.planners.key_periods import occurrences

ONE_DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class DayView:
    row: RosterRow
    published: bool
    generated: bool  # any seat filled at all

    @property
    def date(self) -> dt.date:
        return self.row.day.date


@dataclass(frozen=True)
class PeriodInForce:
    name: str
    start: dt.date
    end: dt.date
    kind: str  # "holiday" (假期) or "key" (重点时段)


@dataclass(frozen=True)
class Board:
    now: dt.datetime
    today: DayView
    following: DayView
    week: list[DayView]
    periods: list[PeriodInForce]
    overdue_major: int
    handover: dt.time
    phone: str


def duty_date(now: dt.datetime, handover: dt.time, zone: ZoneInfo) -> dt.date:
    """The duty day in force at ``now``: before the handover, yesterday's team is still on."""
    local = now.astimezone(zone)
    return local.date() - ONE_DAY if local.time() < handover else local.date()


def book(app: App, session: Session) -> RosterBook:
    return RosterBook(session, app.config.roster, app.calendar, app.config.service.zone)


def days(roster: RosterBook, start: dt.date, end: dt.date) -> list[DayView]:
    """Every day from ``start`` to ``end`` with its seats (read once) and published state."""
    assignments = roster.rows(start, end)
    published = {a.day for a in assignments if a.published}
    filled = {a.day for a in assignments}
    seats = {slot_of(a): a.staff_code for a in assignments}
    rows = roster_rows(roster.classifier.days(start, end), seats, roster.staff(), published)
    return [DayView(row, row.day.date in published, row.day.date in filled) for row in rows]


def feed_rows(roster: RosterBook, start: dt.date, end: dt.date, person: str | None
              ) -> tuple[list[RosterRow], dict[dt.date, dt.datetime]]:
    """What a calendar feed shows: the rows (only the days ``person`` serves, when given) and when
    each day's seats last changed. The seats are read once for both."""
    assignments = roster.rows(start, end)
    seats = {slot_of(a): a.staff_code for a in assignments}
    stamps: dict[dt.date, dt.datetime] = {}
    for a in assignments:
        stamps[a.day] = max(stamps.get(a.day, a.assigned_at), a.assigned_at)
    published = {a.day for a in assignments if a.published}
    dates = sorted({a.day for a in assignments if person is None or a.staff_code == person})
    return roster_rows([roster.day(d) for d in dates], seats, roster.staff(), published), stamps


def periods_between(app: App, first: dt.date, last: dt.date) -> list[PeriodInForce]:
    """Holiday periods and key periods overlapping [first, last]."""
    found = [PeriodInForce(h.name, h.start, h.end, "holiday") for h in app.calendar.periods_between(first, last)]
    for period in app.config.key_periods.periods.values():
        if period.enabled:
            found += [PeriodInForce(period.name, o.start, o.end, "key")
                      for o in occurrences(app.calendar, period, first, last)]
    return found


def periods_on(app: App, day: dt.date) -> list[PeriodInForce]:
    return [p for p in periods_between(app, day, day) if p.start <= day <= p.end]


def board(app: App, session: Session, now: dt.datetime) -> Board:
    zone = app.config.service.zone
    roster_config = app.config.roster
    date = duty_date(now, roster_config.handover, zone)
    ahead = days(book(app, session), date, date + 7 * ONE_DAY)
    return Board(
        now=now,
        today=ahead[0],
        following=ahead[1],
        week=ahead[1:],
        periods=periods_on(app, date),
        overdue_major=overdue_major_count(session, now.astimezone(zone).date()),
        handover=roster_config.handover,
        phone=roster_config.duty_phone,
    )
