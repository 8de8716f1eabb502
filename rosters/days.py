"""What kind of duty day a date is, how many people it needs, and what it weighs.

- workday: a working day, including a weekend made a working day (调休上班);
- weekend (休息日): a non-working day outside any holiday period;
- holiday (节假日): any day of a holiday period — the public holidays and the rest days joined
  to them (春节 2026: 02-15 … 02-23), since the office is just as empty on all of them;
- special: the heaviest days named in ``roster.special_days`` (除夕, 春节初一, "10-01"…), whatever
  their kind; their holder rotates year over year.

Key periods (``roster.key_periods``, e.g. 主汛期) only raise the head count.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from zoneinfo import ZoneInfo

from rosters.model import DayKind, DutyDay, days_between, duty_bounds
from scheduler.calendar import WorkCalendar
from scheduler.config.roster import RosterConfig
from scheduler.vocab import Role

ONE_DAY = dt.timedelta(days=1)


class DayClassifier:
    def __init__(self, calendar: WorkCalendar, config: RosterConfig, zone: ZoneInfo) -> None:
        self.calendar = calendar
        self.config = config
        self.zone = zone

    def days(self, start: dt.date, end: dt.date) -> list[DutyDay]:
        return [self.day(d) for d in days_between(start, end)]

    @lru_cache(maxsize=4096)  # noqa: B019 - one classifier per config; days repeat across calls
    def day(self, date: dt.date) -> DutyDay:
        period = None if self.calendar.is_working_day(date) else self.calendar.period_of(date)
        if self.calendar.is_working_day(date):
            kind = DayKind.WORKDAY
        else:
            kind = DayKind.HOLIDAY if period is not None else DayKind.WEEKEND
        heads = getattr(self.config.staffing, kind.value)
        need = {Role.LEADER: heads.leader, Role.OFFICER: heads.officer}
        key_periods = []
        for key_period in self.config.key_periods:
            if key_period.covers(date):
                key_periods.append(key_period.name)
                need[Role.LEADER] = max(need[Role.LEADER], key_period.leader)
                need[Role.OFFICER] = max(need[Role.OFFICER], key_period.officer)
        special = self.special_name(date)
        weights = self.config.weights
        weight = weights.special if special else getattr(weights, kind.value)
        start, end = duty_bounds(date, self.config.handover, self.zone)
        return DutyDay(
            date=date,
            kind=kind,
            weight=weight,
            need=need,
            start=start,
            end=end,
            holiday=(self.calendar.holiday_name(date) or (period.name if period else "")),
            special=special,
            key_periods=tuple(key_periods),
            period=period.key if period is not None else "",
        )

    def special_name(self, date: dt.date) -> str:
        """The name of the heaviest day falling on ``date`` ("" for an ordinary day)."""
        for name in self.config.special_days:
            if self.special_date(name, date.year) == date:
                return self._label(name, date)
        return ""

    def special_dates(self, year: int) -> dict[dt.date, str]:
        """Every heaviest day of ``year`` with its name (for the year-over-year rotation)."""
        found = {}
        for name in self.config.special_days:
            date = self.special_date(name, year)
            if date is not None:
                found[date] = self._label(name, date)
        return found

    def special_date(self, name: str, year: int) -> dt.date | None:
        if name == "春节初一":
            return self.calendar.spring_festival(year)
        if name == "除夕":
            # 除夕 of the Spring Festival that falls in ``year`` may itself be in the year before
            # (never in practice: 春节 is late January at the earliest); keep it in ``year``.
            eve = self.calendar.spring_festival(year) - ONE_DAY
            return eve if eve.year == year else None
        month, day = (int(part) for part in name.split("-"))
        try:
            return dt.date(year, month, day)
        except ValueError:  # 02-29 in a common year
            return None

    def _label(self, name: str, date: dt.date) -> str:
        if name in ("除夕", "春节初一"):
            return name
        holiday = self.calendar.holiday_name(date)
        return f"{holiday}首日" if holiday and self.calendar.holiday_name(date - ONE_DAY) != holiday else (
            holiday or name)
