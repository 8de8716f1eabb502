"""``[calendar]``: corrections to the holiday calendar the `holidays` library provides, and the
year guard that asks for next year's arrangement in December."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from scheduler.config.typed import Ref


class MonthDay(NamedTuple):
    """A day of every year, written "MM-DD" (e.g. "12-01").

    A NamedTuple, not a dataclass: the config converter reads dataclasses as TOML tables.
    """

    month: int
    day: int

    @classmethod
    def parse(cls, value: Any) -> MonthDay:
        match = re.fullmatch(r"(\d{1,2})-(\d{1,2})", value) if isinstance(value, str) else None
        if match:
            try:
                dt.date(2024, int(match[1]), int(match[2]))  # a leap year, so "02-29" is allowed
                return cls(int(match[1]), int(match[2]))
            except ValueError:
                pass
        raise ValueError(f'expected a day of the year such as "06-01", got {value!r}')

    def in_year(self, year: int) -> dt.date:
        """The day in ``year`` (02-29 falls back to 02-28 in common years)."""
        try:
            return dt.date(year, self.month, self.day)
        except ValueError:
            return dt.date(year, self.month, self.day - 1)

    def __str__(self) -> str:
        return f"{self.month:02d}-{self.day:02d}"


DECEMBER_1 = MonthDay(12, 1)


@dataclass(frozen=True)
class HolidayEntry:
    """One holiday of an arrangement: every day from ``start`` to ``end`` is a day off."""

    name: str
    start: dt.date
    end: dt.date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError(f"{self.name}: end {self.end} is before start {self.start}")


@dataclass(frozen=True)
class YearArrangement:
    """A year's arrangement as the State Council published it (国务院办公厅关于YYYY年部分节假日安排的通知).

    Entering a year replaces what the library says about it: the listed holidays are the days
    off, the listed workdays are the adjusted working weekends (调休上班), and the year counts
    as official.
    """

    holidays: tuple[HolidayEntry, ...]
    workdays: tuple[dt.date, ...] = ()
    source: str = ""

    def days_off(self) -> Iterator[tuple[dt.date, str]]:
        for entry in self.holidays:
            day = entry.start
            while day <= entry.end:
                yield day, entry.name
                day += dt.timedelta(days=1)


@dataclass(frozen=True)
class YearGuardConfig:
    """From ``warn_from`` each year, warn (in `check`) and tell ``group`` (a notice repeated every
    ``every``) while next year's arrangement is neither in the library nor entered above."""

    enabled: bool = True
    warn_from: MonthDay = DECEMBER_1  # the State Council usually publishes in November
    at: dt.time = dt.time(9, 30)
    every: dt.timedelta = dt.timedelta(days=7)
    group: str = ""  # "" = delivery.admins

    def __post_init__(self) -> None:
        if self.every < dt.timedelta(days=1) or self.every % dt.timedelta(days=1):
            raise ValueError(f'guard.every: a whole number of days such as "7d", not {self.every}')


@dataclass(frozen=True)
class CalendarConfig:
    years: dict[str, YearArrangement] = field(default_factory=dict)
    days_off: tuple[dt.date, ...] = ()  # single-day corrections on top of any year
    workdays: tuple[dt.date, ...] = ()
    guard: YearGuardConfig = field(default_factory=YearGuardConfig)

    def __post_init__(self) -> None:
        for year, arrangement in self.years.items():
            if not (year.isdigit() and len(year) == 4):
                raise ValueError(f'years: "{year}" is not a year')
            if arrangement is not None:  # None: its own problem is already reported
                _check_arrangement(int(year), arrangement)
        both = set(self.days_off) & set(self.workdays)
        if both:
            listed = ", ".join(str(d) for d in sorted(both))
            raise ValueError(f"{listed} listed both in days_off and in workdays")

    def references(self, key: str) -> Iterator[Ref]:

        if self.guard.group:
            yield Ref(f"{key}.guard.group", "group", self.guard.group)


def _check_arrangement(year: int, arrangement: YearArrangement) -> None:
    """An arrangement may reach back into the previous December (元旦 of 2024 began 2023-12-30)."""
    first, last = dt.date(year - 1, 12, 1), dt.date(year, 12, 31)
    where = f"years.{year}"
    if None in arrangement.holidays:
        return  # an entry's own problem is already reported
    for entry in arrangement.holidays:
        if entry.start < first or entry.end > last:
            raise ValueError(f"{where}: {entry.name} ({entry.start} to {entry.end}) is not in {year}")
    off = dict(arrangement.days_off())
    for day in arrangement.workdays:
        if not first <= day <= last:
            raise ValueError(f"{where}: workday {day} is not in {year}")
        if day in off:
            raise ValueError(f"{where}: {day} is both a workday and a day off ({off[day]})")
