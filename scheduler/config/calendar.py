"""``[calendar]``: corrections to the holiday calendar the `holidays` library provides."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


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


@dataclass(frozen=True)
class CalendarConfig:
    years: dict[str, YearArrangement] = field(default_factory=dict)
    days_off: tuple[dt.date, ...] = ()  # single-day corrections on top of any year
    workdays: tuple[dt.date, ...] = ()

    def __post_init__(self) -> None:
        for year in self.years:
            if not (year.isdigit() and len(year) == 4):
                raise ValueError(f'calendar.years: "{year}" is not a year')
