"""WorkCalendar: working days, 调休 and holiday periods in mainland China.

Built over ``holidays.China`` (public holidays, substituted days off, adjusted working weekends),
corrected by ``[calendar]`` in config: the State Council publishes each year's arrangement in
November, and until the library has it, it silently estimates the year (no 调休 weekends).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache

from holidays.countries.china import China

from scheduler.config.calendar import CalendarConfig, YearGuardConfig

ONE_DAY = dt.timedelta(days=1)
# Days the library lists that are only moved rest days, not holidays of their own.
_REST_DAY = re.compile(r"^休息日")
_SUFFIX = re.compile(r"（.*?）$")


@dataclass(frozen=True)
class HolidayPeriod:
    """A maximal run of non-working days containing a public holiday, named after it."""

    name: str
    start: dt.date
    end: dt.date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def __contains__(self, day: dt.date) -> bool:
        return self.start <= day <= self.end

    @property
    def key(self) -> str:
        """Stable identifier used in message keys, e.g. ``2026-02-15``."""
        return self.start.isoformat()


class WorkCalendar:
    def __init__(self, config: CalendarConfig | None = None) -> None:
        self.config = config or CalendarConfig()
        self._days_off = frozenset(self.config.days_off)
        self._workdays = frozenset(self.config.workdays)
        # Per-instance caches (a calendar lives as long as the app; years are few).
        self._libraries: dict[int, China] = {}
        self._years: dict[int, tuple[dict[dt.date, str], frozenset[dt.date]]] = {}
        self._periods: dict[int, tuple[HolidayPeriod, ...]] = {}

    # Sources

    def _library(self, year: int) -> China:
        if year not in self._libraries:
            self._libraries[year] = China(years=year, language="zh_CN")
        return self._libraries[year]

    @staticmethod
    @lru_cache(maxsize=1)
    def _last_official_year() -> int:
        return max(China().special_public_holidays)  # years with published 调休 arrangements

    def is_official(self, year: int) -> bool:
        """Whether the year's arrangement is known (in config, or published in the library)."""
        return str(year) in self.config.years or year <= self._last_official_year()

    def _year(self, year: int) -> tuple[dict[dt.date, str], frozenset[dt.date]]:
        if year not in self._years:
            self._years[year] = self._arrangement(year)
        return self._years[year]

    def _arrangement(self, year: int) -> tuple[dict[dt.date, str], frozenset[dt.date]]:
        """(holiday name by day off, adjusted working days) for the days of one year.

        An entered arrangement replaces the library's year; its neighbours' arrangements may
        reach into it too (the 2024 元旦 holiday began on 2023-12-30).
        """
        arrangement = self.config.years.get(str(year))
        if arrangement is not None:
            off = dict(arrangement.days_off())
            workdays = set(arrangement.workdays)
        else:
            library = self._library(year)
            off = {day: name for day, name in library.items() if day.year == year}
            workdays = {d for d in library.weekend_workdays if d.year == year}
        for other in (year - 1, year + 1):
            neighbour = self.config.years.get(str(other))
            if neighbour is not None:
                off.update((d, n) for d, n in neighbour.days_off() if d.year == year)
                workdays.update(d for d in neighbour.workdays if d.year == year)
        own = {d: n for d, n in off.items() if d.year == year and d not in workdays}
        return own, frozenset(d for d in workdays if d.year == year)

    # Days

    def holiday_name(self, day: dt.date) -> str | None:
        """The public holiday on ``day`` (e.g. "春节", "国庆节"); None for other days, including
        ordinary weekends and moved rest days (休息日)."""
        name = self._year(day.year)[0].get(day)
        if name is None or _REST_DAY.match(name):
            return None
        name = _SUFFIX.sub("", name)
        return "春节" if name == "农历除夕" else name

    def is_working_day(self, day: dt.date) -> bool:
        if day in self._workdays:
            return True
        if day in self._days_off:
            return False
        off, workdays = self._year(day.year)
        if day in workdays:
            return True
        return day.weekday() < 5 and day not in off

    def adjusted_workdays(self, year: int) -> list[dt.date]:
        """Weekend days that are working days (调休上班)."""
        day, end, found = dt.date(year, 1, 1), dt.date(year, 12, 31), []
        while day <= end:
            if day.weekday() >= 5 and self.is_working_day(day):
                found.append(day)
            day += ONE_DAY
        return found

    def working_days_before(self, day: dt.date, count: int) -> dt.date:
        """The date ``count`` working days before ``day`` (count 0: ``day`` itself)."""
        while count > 0:
            day -= ONE_DAY
            count -= self.is_working_day(day)
        return day

    def working_days_after(self, day: dt.date, count: int) -> dt.date:
        while count > 0:
            day += ONE_DAY
            count -= self.is_working_day(day)
        return day

    def working_day_on_or_before(self, day: dt.date) -> dt.date:
        while not self.is_working_day(day):
            day -= ONE_DAY
        return day

    def working_day_on_or_after(self, day: dt.date) -> dt.date:
        while not self.is_working_day(day):
            day += ONE_DAY
        return day

    def spring_festival(self, year: int) -> dt.date:
        """春节 (初一) of ``year``; the lunar date does not depend on the arrangement."""
        return min(d for d, n in self._library(year).items() if n == "春节")

    # Periods

    def holiday_periods(self, year: int) -> list[HolidayPeriod]:
        """Holiday periods containing a public holiday of ``year``, in date order."""
        return [p for p in self._periods_around(year) if any(
            self.holiday_name(d) and d.year == year for d in _days(p.start, p.end))]

    def period_of(self, day: dt.date) -> HolidayPeriod | None:
        """The holiday period ``day`` belongs to (late December may belong to next year's 元旦)."""
        for year in (day.year, day.year + 1):
            for period in self._periods_around(year):
                if day in period:
                    return period
        return None

    def periods_between(self, start: dt.date, end: dt.date) -> list[HolidayPeriod]:
        """Holiday periods overlapping [start, end]."""
        seen: dict[dt.date, HolidayPeriod] = {}
        for year in range(start.year - 1, end.year + 2):
            for period in self._periods_around(year):
                if period.end >= start and period.start <= end:
                    seen[period.start] = period
        return [seen[k] for k in sorted(seen)]

    def _periods_around(self, year: int) -> tuple[HolidayPeriod, ...]:
        """Every period with a public holiday in ``year`` (runs may cross into the next/previous year)."""
        if year not in self._periods:
            self._periods[year] = self._find_periods(year)
        return self._periods[year]

    def _find_periods(self, year: int) -> tuple[HolidayPeriod, ...]:
        periods = []
        day, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
        while day <= end:
            if self.is_working_day(day) or not self.holiday_name(day):
                day += ONE_DAY
                continue
            start = day
            while not self.is_working_day(start - ONE_DAY):
                start -= ONE_DAY
            stop = day
            while not self.is_working_day(stop + ONE_DAY):
                stop += ONE_DAY
            periods.append(HolidayPeriod(self._name(start, stop), start, stop))
            day = stop + ONE_DAY
        return tuple(periods)

    def _name(self, start: dt.date, end: dt.date) -> str:
        names: list[str] = []
        for day in _days(start, end):
            name = self.holiday_name(day)
            if name and name not in names:
                names.append(name)
        return "、".join(names)


def _days(start: dt.date, end: dt.date) -> list[dt.date]:
    return [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]


def missing_years(calendar: WorkCalendar, today: dt.date, guard: YearGuardConfig) -> list[int]:
    """Years whose arrangement is wanted by ``today`` and not known: next year from the warning
    day on, and the current year too if it began unannounced. (Here, not in the year-guard
    planner, so `safeduty check` and the web page need not import every planner.)"""
    if not guard.enabled:
        return []
    wanted = [y for y in (today.year, today.year + 1) if today >= guard.warn_from.in_year(y - 1)]
    return [y for y in wanted if not calendar.is_official(y)]
