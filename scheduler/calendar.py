"""WorkCalendar: which days are working days in China, with 调休 (adjusted working weekends)."""

from __future__ import annotations

import datetime as dt

import holidays


class WorkCalendar:
    def __init__(self) -> None:
        self._china = holidays.China(language="zh_CN")

    def is_working_day(self, day: dt.date) -> bool:
        self._china.get(day)  # populates the year on demand
        if day in self._china.weekend_workdays:
            return True
        return day.weekday() < 5 and day not in self._china
