"""Evaluate an escalation policy: when each step of a chain falls, and the reverse question the
planner asks the database, "which deadlines have a step falling on one of these days?".

Everything here is pure date arithmetic over a WorkCalendar (working days counted with 调休).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass

from scheduler.calendar import WorkCalendar
from scheduler.config.hazards import EscalationPolicy, EscalationStep

ONE_DAY = dt.timedelta(days=1)
# The longest run of days off a step can be moved across (Spring Festival with its weekends is
# 9–10 days), plus room to spare: bounds the search for deadlines behind a given send day.
_SHIFT_SLACK = 16


@dataclass(frozen=True)
class ScheduledStep:
    """One message day of a chain: step ``index`` (1-based) and its ``repeat`` (0 = the step)."""

    index: int
    repeat: int
    day: dt.date
    step: EscalationStep

    @property
    def label(self) -> str:
        """The step, and for a repetition which message of it this is: 逾期满3个工作日（第6次提醒）
        ("repeat 5" would read as five repeats of something said once)."""
        return self.step.title + (f"（第{self.repeat + 1}次提醒）" if self.repeat else "")


def _shift(day: dt.date, step: EscalationStep, calendar: WorkCalendar) -> dt.date:
    if step.non_working_day == "send" or calendar.is_working_day(day):
        return day
    if step.non_working_day == "before":
        return calendar.working_day_on_or_before(day)
    while not calendar.is_working_day(day):
        day += ONE_DAY
    return day


def raw_day(step: EscalationStep, deadline: dt.date, calendar: WorkCalendar) -> dt.date:
    """The step's day before any move off a day off."""
    if step.unit == "days":
        return deadline + dt.timedelta(days=step.offset)
    if step.offset >= 0:
        return calendar.working_days_after(deadline, step.offset)
    return calendar.working_days_before(deadline, -step.offset)


def step_day(step: EscalationStep, deadline: dt.date, calendar: WorkCalendar) -> dt.date:
    return _shift(raw_day(step, deadline, calendar), step, calendar)


def repeat_day(
    policy: EscalationPolicy, deadline: dt.date, repeat: int, calendar: WorkCalendar
) -> dt.date:
    """The day of the last step's ``repeat``-th repetition (counted from its unmoved day)."""
    last = policy.steps[-1]
    base = raw_day(last, deadline, calendar)
    return _shift(base + dt.timedelta(days=repeat * policy.repeat_days), last, calendar)


def schedule(
    policy: EscalationPolicy,
    deadline: dt.date,
    calendar: WorkCalendar,
    until: dt.date,
    since: dt.date | None = None,
) -> list[ScheduledStep]:
    """The chain for ``deadline`` by day: every step, and the repeats of the last one from about
    ``since`` (the earliest day the caller cares about; default: all) up to the first that falls
    after ``until`` (so a caller also sees what comes next)."""
    found = [
        ScheduledStep(i, 0, step_day(step, deadline, calendar), step)
        for i, step in enumerate(policy.steps, start=1)
    ]
    if policy.steps and policy.repeat_days:
        repeat = 1
        if (
            since is not None
        ):  # skip, by arithmetic, the repeats long past (a hazard may be years late)
            base = raw_day(policy.steps[-1], deadline, calendar)
            repeat = max(1, ((since - base).days - _SHIFT_SLACK) // policy.repeat_days)
        while True:
            day = repeat_day(policy, deadline, repeat, calendar)
            found.append(ScheduledStep(len(policy.steps), repeat, day, policy.steps[-1]))
            if day > until:  # repeats only move forward: the next one is later still
                break
            repeat += 1
    return sorted(found, key=lambda s: (s.day, s.index, s.repeat))


def reached(
    policy: EscalationPolicy, deadline: dt.date, calendar: WorkCalendar, day: dt.date
) -> ScheduledStep | None:
    """The latest step of the chain on or before ``day`` (what the digest calls "step reached")."""
    since = day - dt.timedelta(days=policy.repeat_days)
    done = [s for s in schedule(policy, deadline, calendar, day, since) if s.day <= day]
    return done[-1] if done else None


def _span(step: EscalationStep) -> int:
    """Calendar days that may separate a deadline from this step's day (generously)."""
    days = abs(step.offset)
    if step.unit == "working_days":
        days = days * 7 // 5 + 1 + 2 * _SHIFT_SLACK  # weekends, plus holidays on the way
    return days + _SHIFT_SLACK


def deadlines_due(
    policy: EscalationPolicy, calendar: WorkCalendar, days: Collection[dt.date], earliest: dt.date
) -> set[dt.date]:
    """Every deadline (not before ``earliest``) whose chain has a message on one of ``days``.

    The planner turns this set into a few deadline ranges for its query, so only hazards with a
    step due are read. Found by walking candidate deadlines near each day, because working-day
    offsets and moves off days off are monotonic but not invertible arithmetic.
    """
    if not days or not policy.steps:
        return set()
    wanted = set(days)
    first, last = min(wanted), max(wanted)
    found: set[dt.date] = set()
    for step in policy.steps:
        span = _span(step)
        centre = dt.timedelta(days=-step.offset if step.unit == "days" else 0)
        for deadline in _dates(
            max(earliest, first + centre - dt.timedelta(days=span)),
            last + centre + dt.timedelta(days=span),
        ):
            if step_day(step, deadline, calendar) in wanted:
                found.add(deadline)
    if policy.repeat_days:
        found |= _repeating(policy, calendar, wanted, earliest, first, last)
    return found


def _repeating(
    policy: EscalationPolicy,
    calendar: WorkCalendar,
    wanted: set[dt.date],
    earliest: dt.date,
    first: dt.date,
    last: dt.date,
) -> set[dt.date]:
    """Deadlines whose last step repeats on one of ``wanted`` (an open one may be years back)."""
    step, every = policy.steps[-1], policy.repeat_days
    found = set()
    for deadline in _dates(earliest, last + dt.timedelta(days=_span(step))):
        base = raw_day(step, deadline, calendar)
        low = max(1, -(-((first - base).days - _SHIFT_SLACK) // every))
        high = ((last - base).days + _SHIFT_SLACK) // every
        for repeat in range(low, high + 1):
            if _shift(base + dt.timedelta(days=repeat * every), step, calendar) in wanted:
                found.add(deadline)
                break
    return found


def ranges(dates: Iterable[dt.date]) -> list[tuple[dt.date, dt.date]]:
    """Collapse dates into inclusive runs of consecutive days: [(first, last), …]."""
    runs: list[tuple[dt.date, dt.date]] = []
    for day in sorted(set(dates)):
        if runs and runs[-1][1] + ONE_DAY == day:
            runs[-1] = (runs[-1][0], day)
        else:
            runs.append((day, day))
    return runs


def _dates(start: dt.date, end: dt.date) -> Iterator[dt.date]:
    day = start
    while day <= end:
        yield day
        day += ONE_DAY
