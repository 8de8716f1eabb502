from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from scheduler.calendar import WorkCalendar
from scheduler.config.hazards import Audience, EscalationPolicy, EscalationStep, HazardsConfig
from scheduler.hazards.policy import deadlines_due, ranges, reached, schedule, step_day

D = dt.date
CALENDAR = WorkCalendar()
MAJOR = HazardsConfig().major
TO = (Audience("principal"),)


def test_a_step_on_a_day_off_can_move_to_the_working_day_before_or_after() -> None:
    # Deadline 2026-02-20: the day before is 02-19, inside the Spring Festival days off.
    before = EscalationStep(-1, TO, "hazard/due_soon", non_working_day="before")
    after = EscalationStep(-1, TO, "hazard/due_soon", non_working_day="after")
    send = EscalationStep(-1, TO, "hazard/due_soon")
    assert step_day(before, D(2026, 2, 20), CALENDAR) == D(2026, 2, 14)  # the 调休 Saturday
    assert step_day(after, D(2026, 2, 20), CALENDAR) == D(2026, 2, 24)
    assert step_day(send, D(2026, 2, 20), CALENDAR) == D(2026, 2, 19)


def test_working_day_steps_count_the_national_day_holiday_and_its_make_up_saturday() -> None:
    step = EscalationStep(3, TO, "hazard/overdue", unit="working_days")
    # 2026-09-30 + 3 working days: 10-01…10-07 are off, 10-08 (Thu), 10-09 (Fri), 10-10 (Sat, 调休)
    assert step_day(step, D(2026, 9, 30), CALENDAR) == D(2026, 10, 10)


def test_the_last_step_repeats_until_the_day_asked_about_and_one_beyond() -> None:
    chain = schedule(MAJOR, D(2026, 2, 12), CALENDAR, until=D(2026, 3, 20))
    repeats = [(s.day, s.repeat) for s in chain if s.index == 6]
    assert repeats == [
        (D(2026, 3, 4), 0),
        (D(2026, 3, 11), 1),
        (D(2026, 3, 18), 2),
        (D(2026, 3, 25), 3),
    ]


def test_the_step_reached_is_the_latest_one_on_or_before_the_day() -> None:
    assert reached(MAJOR, D(2026, 2, 12), CALENDAR, D(2026, 2, 23)).label == "到期当日"  # type: ignore[union-attr]
    assert (
        reached(MAJOR, D(2026, 2, 12), CALENDAR, D(2026, 3, 12)).label
        == "逾期满10个工作日（第2次提醒）"
    )  # type: ignore[union-attr]
    assert reached(MAJOR, D(2026, 6, 1), CALENDAR, D(2026, 1, 1)) is None


def test_dates_collapse_into_runs() -> None:
    days = [D(2026, 1, 3), D(2026, 1, 1), D(2026, 1, 2), D(2026, 1, 9)]
    assert ranges(days) == [(D(2026, 1, 1), D(2026, 1, 3)), (D(2026, 1, 9), D(2026, 1, 9))]


POLICIES = [
    MAJOR,
    HazardsConfig().general,
    EscalationPolicy(
        (
            EscalationStep(-5, TO, "hazard/due_soon", unit="working_days", non_working_day="after"),
            EscalationStep(2, TO, "hazard/overdue", non_working_day="before"),
        ),
        repeat_every=dt.timedelta(days=3),
    ),
]


@settings(max_examples=40, deadline=None)
@given(
    policy=st.sampled_from(POLICIES),
    first=st.dates(D(2025, 12, 1), D(2026, 12, 31)),
    length=st.integers(0, 20),
)
def test_the_deadlines_asked_of_the_database_are_exactly_those_with_a_message_on_the_days(
    policy: EscalationPolicy, first: dt.date, length: int
) -> None:
    days = {first + dt.timedelta(days=i) for i in range(length + 1)}
    earliest = D(2025, 6, 1)
    found = deadlines_due(policy, CALENDAR, days, earliest)
    everything = [earliest + dt.timedelta(days=i) for i in range((max(days) - earliest).days + 120)]
    expected = {
        d
        for d in everything
        if any(s.day in days for s in schedule(policy, d, CALENDAR, max(days)))
    }
    assert found == expected
