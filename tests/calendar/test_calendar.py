from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from scheduler.calendar import HolidayPeriod, WorkCalendar
from scheduler.config import ConfigError, load_config
from tests.support.project import make_project

D = dt.date

# 国务院办公厅关于2026年部分节假日安排的通知 (2025-11-04).
STATE_COUNCIL_2026 = [
    ("元旦", D(2026, 1, 1), D(2026, 1, 3)),
    ("春节", D(2026, 2, 15), D(2026, 2, 23)),
    ("清明节", D(2026, 4, 4), D(2026, 4, 6)),
    ("劳动节", D(2026, 5, 1), D(2026, 5, 5)),
    ("端午节", D(2026, 6, 19), D(2026, 6, 21)),
    ("中秋节", D(2026, 9, 25), D(2026, 9, 27)),
    ("国庆节", D(2026, 10, 1), D(2026, 10, 7)),
]
MAKE_UP_WORKDAYS_2026 = [D(2026, 1, 4), D(2026, 2, 14), D(2026, 2, 28), D(2026, 5, 9), D(2026, 9, 20), D(2026, 10, 10)]


def calendar_with(tmp_path: Path, toml: str) -> WorkCalendar:
    return WorkCalendar(load_config(make_project(tmp_path, toml), environ={}).config.calendar)


def test_2026_holiday_periods_are_the_state_councils_arrangement() -> None:
    calendar = WorkCalendar()
    assert [(p.name, p.start, p.end) for p in calendar.holiday_periods(2026)] == STATE_COUNCIL_2026
    assert calendar.adjusted_workdays(2026) == MAKE_UP_WORKDAYS_2026
    assert calendar.holiday_periods(2026)[1].days == 9


def test_make_up_weekends_are_working_days_and_holiday_weekdays_are_not() -> None:
    calendar = WorkCalendar()
    assert calendar.is_working_day(D(2026, 2, 14))  # Saturday, 调休上班
    assert not calendar.is_working_day(D(2026, 2, 23))  # Monday, still 春节
    assert not calendar.is_working_day(D(2026, 3, 7))  # an ordinary Saturday
    assert calendar.holiday_name(D(2026, 2, 17)) == "春节"
    assert calendar.holiday_name(D(2026, 3, 7)) is None


def test_working_day_arithmetic_skips_holidays_and_counts_make_up_days() -> None:
    calendar = WorkCalendar()
    assert calendar.working_days_before(D(2026, 2, 15), 1) == D(2026, 2, 14)
    assert calendar.working_days_before(D(2026, 2, 15), 3) == D(2026, 2, 12)
    assert calendar.working_days_after(D(2026, 2, 13), 2) == D(2026, 2, 24)
    assert calendar.working_day_on_or_before(D(2026, 10, 4)) == D(2026, 9, 30)
    assert calendar.working_day_on_or_after(D(2026, 10, 4)) == D(2026, 10, 8)


def test_late_december_days_belong_to_next_years_new_year_period() -> None:
    # 2024: 元旦 began on Saturday 2023-12-30.
    period = WorkCalendar().period_of(D(2023, 12, 30))
    assert period == HolidayPeriod("元旦", D(2023, 12, 30), D(2024, 1, 1))


def test_periods_between_lists_each_period_once_across_years() -> None:
    periods = WorkCalendar().periods_between(D(2025, 12, 1), D(2026, 2, 28))
    assert [(p.name, p.start) for p in periods] == [("元旦", D(2026, 1, 1)), ("春节", D(2026, 2, 15))]


def test_an_entered_year_replaces_the_librarys_estimate(tmp_path: Path) -> None:
    calendar = calendar_with(tmp_path, """
[calendar.years.2027]
source = "an arrangement made up for this test"
holidays = [
  { name = "元旦", start = 2027-01-01, end = 2027-01-03 },
  { name = "春节", start = 2027-02-05, end = 2027-02-13 },
]
workdays = [2027-02-20]
""")
    assert calendar.is_official(2027)
    assert [(p.name, p.start, p.end) for p in calendar.holiday_periods(2027)] == [
        ("元旦", D(2027, 1, 1), D(2027, 1, 3)),
        ("春节", D(2027, 2, 5), D(2027, 2, 14)),  # the 13th is a Saturday: the run goes on to Sunday
    ]
    assert calendar.adjusted_workdays(2027) == [D(2027, 2, 20)]
    assert calendar.is_working_day(D(2027, 10, 1))  # no 国庆 entered: an ordinary Friday


def test_an_entered_arrangement_may_begin_in_the_previous_december(tmp_path: Path) -> None:
    calendar = calendar_with(tmp_path, """
[calendar.years.2027]
holidays = [{ name = "元旦", start = 2026-12-31, end = 2027-01-03 }]
workdays = [2026-12-27]
""")
    assert not calendar.is_working_day(D(2026, 12, 31))
    assert calendar.is_working_day(D(2026, 12, 27))  # a Sunday made a working day
    assert calendar.period_of(D(2026, 12, 31)) == HolidayPeriod("元旦", D(2026, 12, 31), D(2027, 1, 3))


def test_single_day_corrections_apply_on_top_of_any_year(tmp_path: Path) -> None:
    calendar = calendar_with(tmp_path, """
[calendar]
days_off = [2026-02-24]
workdays = [2026-03-07]
""")
    assert not calendar.is_working_day(D(2026, 2, 24))
    assert calendar.is_working_day(D(2026, 3, 7))
    assert calendar.period_of(D(2026, 2, 16)) == HolidayPeriod("春节", D(2026, 2, 15), D(2026, 2, 24))


@pytest.mark.parametrize(("toml", "message"), [
    ('[calendar.years.27]\nholidays = []', '"27" is not a year'),
    ('[calendar.years.2027]\nholidays = [{ name = "国庆节", start = 2028-10-01, end = 2028-10-07 }]',
     "国庆节 (2028-10-01 to 2028-10-07) is not in 2027"),
    (('[calendar.years.2027]\nholidays = [{ name = "春节", start = 2027-02-05, end = 2027-02-11 }]'
      '\nworkdays = [2027-02-07]'),
     "2027-02-07 is both a workday and a day off (春节)"),
    ('[calendar.years.2027]\nholidays = [{ name = "春节", start = 2027-02-11, end = 2027-02-05 }]',
     "春节: end 2027-02-05 is before start 2027-02-11"),
    ('[calendar]\ndays_off = [2026-03-02]\nworkdays = [2026-03-02]', "2026-03-02 listed both"),
])
def test_a_wrong_arrangement_is_an_error_naming_the_key(tmp_path: Path, toml: str, message: str) -> None:
    with pytest.raises(ConfigError) as error:
        load_config(make_project(tmp_path, toml), environ={})
    assert message in str(error.value)
    assert "calendar" in str(error.value)
