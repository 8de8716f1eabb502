"""`holidays` (what the service uses) against `chinesecalendar`, an independent transcription of
the State Council's notices, over every year both packages cover."""

from __future__ import annotations

import datetime as dt

import chinese_calendar
from chinese_calendar import constants

from scheduler.calendar import WorkCalendar

ONE_DAY = dt.timedelta(days=1)

# Days the two packages disagree on, with the reason. A difference not listed fails the test;
# so does a listed one that has gone away (remove it then).
KNOWN_WORKDAY_DIFFERENCES = {
    # The 2006 notice moved the Saturday rest day of 2005-12-31 to Tuesday 2006-01-03 (元旦),
    # so 2005-12-31 was worked. holidays lists that swap (citing the notice on wikisource);
    # chinesecalendar lists 2006-01-03 as a holiday but not the make-up working Saturday.
    dt.date(2005, 12, 31): "2006 元旦 make-up working Saturday missing from chinesecalendar",
}
# The same difference seen as periods: chinesecalendar runs the 2006 元旦 period from the Saturday.
KNOWN_PERIOD_DIFFERENCES = {
    "chinesecalendar": {(dt.date(2005, 12, 31), dt.date(2006, 1, 3))},
    "holidays": {(dt.date(2006, 1, 1), dt.date(2006, 1, 3))},
}


def covered_years() -> range:
    cc_years = {d.year for d in constants.holidays} | {d.year for d in constants.workdays}
    first = max(min(cc_years), 2001)  # holidays has the State Council's notices from 2001
    return range(first, min(max(cc_years), WorkCalendar._last_official_year()) + 1)


def every_day(years: range) -> list[dt.date]:
    day, last, found = dt.date(years.start, 1, 1), dt.date(years.stop - 1, 12, 31), []
    while day <= last:
        found.append(day)
        day += ONE_DAY
    return found


def cc_is_workday(day: dt.date) -> bool:
    return chinese_calendar.is_workday(day)


def cc_periods(years: range) -> set[tuple[dt.date, dt.date]]:
    """Holiday periods by our definition, from chinesecalendar: maximal runs of days off that
    contain a named holiday."""
    first, last = dt.date(years.start, 1, 1), dt.date(years.stop - 1, 12, 31)
    periods = set()
    for day in every_day(years):
        on_holiday, name = chinese_calendar.get_holiday_detail(day)
        if not (on_holiday and name):
            continue
        start, end = day, day
        while start - ONE_DAY >= first and not cc_is_workday(start - ONE_DAY):
            start -= ONE_DAY
        while end + ONE_DAY <= last and not cc_is_workday(end + ONE_DAY):
            end += ONE_DAY
        periods.add((start, end))
    return periods


def test_the_packages_cover_two_decades_together() -> None:
    years = covered_years()
    assert years.start <= 2004 and years.stop - 1 >= 2026, years


def test_working_days_agree_on_every_day_both_packages_cover() -> None:
    calendar = WorkCalendar()
    differences = {d for d in every_day(covered_years()) if calendar.is_working_day(d) != cc_is_workday(d)}
    assert differences == set(KNOWN_WORKDAY_DIFFERENCES)


def test_holiday_periods_agree_on_every_year_both_packages_cover() -> None:
    years = covered_years()
    calendar = WorkCalendar()
    ours = {(p.start, p.end) for y in years for p in calendar.holiday_periods(y)
            if p.start.year >= years.start and p.end.year < years.stop}
    theirs = {p for p in cc_periods(years) if p[0].year >= years.start and p[1].year < years.stop}
    assert theirs - ours == KNOWN_PERIOD_DIFFERENCES["chinesecalendar"]
    assert ours - theirs == KNOWN_PERIOD_DIFFERENCES["holidays"]
