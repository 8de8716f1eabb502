from __future__ import annotations

import datetime as dt

import pytest

from rosters.model import DayKind
from scheduler.config.roster import DateMark, Heads, KeyPeriod, RosterConfig, Staffing, Weights
from scheduler.vocab import Role
from tests.rosters.conftest import SHANGHAI, classifier


def test_a_duty_day_runs_from_the_handover_to_the_next_days_handover() -> None:
    day = classifier().day(dt.date(2026, 3, 5))
    assert day.start == dt.datetime(2026, 3, 5, 8, 30, tzinfo=SHANGHAI)
    assert day.end == dt.datetime(2026, 3, 6, 8, 30, tzinfo=SHANGHAI)


def test_the_handover_time_comes_from_config() -> None:
    day = classifier(RosterConfig(handover=dt.time(9, 0))).day(dt.date(2026, 3, 5))
    assert (day.start.hour, day.start.minute, day.end.day) == (9, 0, 6)


@pytest.mark.parametrize(("date", "kind", "weight"), [
    (dt.date(2026, 3, 5), DayKind.WORKDAY, 1.0),  # Thursday
    (dt.date(2026, 3, 7), DayKind.WEEKEND, 1.5),  # Saturday
    (dt.date(2026, 2, 14), DayKind.WORKDAY, 1.0),  # Saturday made a working day (调休上班)
    (dt.date(2026, 2, 21), DayKind.HOLIDAY, 3.0),  # a rest day joined to 春节
    (dt.date(2026, 5, 1), DayKind.HOLIDAY, 3.0),  # 劳动节
])
def test_days_are_workdays_weekends_or_holidays_with_their_weights(date: dt.date, kind: DayKind,
                                                                     weight: float) -> None:
    day = classifier().day(date)
    assert (day.kind, day.weight) == (kind, weight)


def test_new_years_eve_spring_festival_and_national_day_are_the_heaviest_days() -> None:
    days = classifier()
    assert (days.day(dt.date(2026, 2, 16)).special, days.day(dt.date(2026, 2, 16)).weight) == ("除夕", 5.0)
    assert days.day(dt.date(2026, 2, 17)).special == "春节初一"
    assert days.day(dt.date(2026, 10, 1)).special == "国庆节首日"
    assert days.day(dt.date(2026, 10, 2)).special == ""
    assert days.day(dt.date(2026, 2, 16)).label == "春节 · 除夕"


def test_weights_and_heaviest_days_are_configurable() -> None:
    config = RosterConfig(weights=Weights(workday=1, weekend=2, holiday=4, special=8), special_days=("01-01",))
    days = classifier(config)
    assert days.day(dt.date(2026, 3, 7)).weight == 2
    assert days.day(dt.date(2026, 2, 16)).special == ""  # 除夕 is no longer listed
    assert days.day(dt.date(2026, 2, 16)).weight == 4
    assert (days.day(dt.date(2026, 1, 1)).special, days.day(dt.date(2026, 1, 1)).weight) == ("元旦首日", 8)


def test_holidays_and_key_periods_need_more_people() -> None:
    days = classifier()
    assert days.day(dt.date(2026, 3, 5)).need == {Role.LEADER: 1, Role.OFFICER: 1}
    assert days.day(dt.date(2026, 5, 2)).need == {Role.LEADER: 1, Role.OFFICER: 2}
    flood = days.day(dt.date(2026, 7, 20))
    assert flood.need[Role.OFFICER] == 2 and flood.key_periods == ("主汛期",)
    assert days.day(dt.date(2026, 7, 14)).need[Role.OFFICER] == 1
    assert "主汛期" in flood.label


def test_staffing_per_kind_of_day_comes_from_config() -> None:
    config = RosterConfig(staffing=Staffing(weekend=Heads(leader=1, officer=3)))
    assert classifier(config).day(dt.date(2026, 3, 7)).need[Role.OFFICER] == 3


def test_a_key_period_may_wrap_the_new_year_or_be_one_years_dates() -> None:
    winter = KeyPeriod("岁末年初", DateMark.parse("12-01"), DateMark.parse("02-28"), leader=2)
    sessions = KeyPeriod("全国两会", DateMark.parse(dt.date(2027, 3, 4)), DateMark.parse(dt.date(2027, 3, 11)),
                         officer=3)
    assert winter.covers(dt.date(2026, 12, 20)) and winter.covers(dt.date(2027, 1, 10))
    assert not winter.covers(dt.date(2026, 3, 1))
    assert sessions.covers(dt.date(2027, 3, 5)) and not sessions.covers(dt.date(2026, 3, 5))


@pytest.mark.parametrize("text", ["7-15", "13-01", "02-30", "someday"])
def test_a_bad_config_day_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="expected a day"):
        DateMark.parse(text)
