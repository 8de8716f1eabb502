"""``[preholiday]`` (节前提醒) and ``[key_periods]`` (重点时段): what is sent, when, to whom.

Both sections are empty by default: config.toml ships the bureau's defaults, and a config
without them plans no such reminders (the groups they name may not exist there).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Literal, NamedTuple

from scheduler.config.calendar import MonthDay
from scheduler.config.typed import Ref
from scheduler.vocab import Category, ContactDuty

# What happens to a send day that is not a working day: moved to the working day before,
# to the one after, or kept.
Shift = Literal["before", "after", "keep"]
Weekday = Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
WEEKDAYS: tuple[str, ...] = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


@dataclass(frozen=True)
class Audience:
    """Who receives a message: staff groups by name, and/or enterprises.

    ``enterprises = true`` addresses every enterprise; ``categories`` only those categories
    (naming categories implies enterprises). Each enterprise is reached through ``contacts``
    (empty = [enterprises].contacts) and its own bot.
    """

    groups: tuple[str, ...] = ()
    enterprises: bool = False
    categories: tuple[Category, ...] = ()
    contacts: tuple[ContactDuty, ...] = ()

    def __post_init__(self) -> None:
        if not (self.groups or self.enterprises or self.categories):
            raise ValueError("audience names nobody: give groups, enterprises = true, or categories")

    @property
    def reaches_enterprises(self) -> bool:
        return self.enterprises or bool(self.categories)

    def references(self, key: str) -> Iterator[Ref]:

        for index, group in enumerate(self.groups):
            yield Ref(f"{key}.groups[{index}]", "group", group)


# Pre-holiday reminders


@dataclass(frozen=True)
class PreholidayStep:
    """One reminder before each holiday period, e.g. T-14 to every enterprise.

    The send day is ``lead`` calendar (or working) days before the period's first day; at
    ``at`` local time. ``complete_by`` (working days before the first day) is the deadline the
    message asks for, if any.
    """

    lead: int
    audience: Audience
    template: str  # the message kind, e.g. "preholiday/self_inspection"
    count: Literal["calendar", "working"] = "calendar"
    at: dt.time = dt.time(9, 0)
    complete_by: int | None = None
    min_days: int | None = None  # overrides [preholiday].min_days for this step
    on_non_working_day: Shift | None = None  # overrides [preholiday].on_non_working_day

    def __post_init__(self) -> None:
        if self.lead < 1:
            raise ValueError(f"lead must be at least 1 day before the holiday, got {self.lead}")
        if self.complete_by is not None and self.complete_by < 1:
            raise ValueError(f"complete_by must be at least 1 working day, got {self.complete_by}")


@dataclass(frozen=True)
class PreholidayConfig:
    """``[preholiday]``: which holiday periods count, and the steps before each."""

    min_days: int = 1  # only periods of at least this many days (1 = every period)
    holidays: tuple[str, ...] = ()  # only periods whose name contains one of these; empty = all
    on_non_working_day: Shift = "before"
    steps: dict[str, PreholidayStep] = field(default_factory=dict)  # name (used in keys) -> step

    def __post_init__(self) -> None:
        for name in self.steps:
            if not re.fullmatch(r"[A-Za-z0-9_+-]+", name):
                raise ValueError(f'steps: "{name}" must be letters, digits, "-", "+" or "_" (it goes into keys)')

    def references(self, key: str) -> Iterator[Ref]:
        for name, step in self.steps.items():
            yield from step.audience.references(f"{key}.steps.{name}.audience")


# Key periods


class DateRule(NamedTuple):
    """When a key period starts or ends.

    - "MM-DD": that day every year (an end before the start falls in the next year);
    - a TOML date (2026-03-04): once;
    - "end_of:春节": the last day of the first holiday period of that name on or after the
      start (岁末年初 runs to the end of the Spring Festival holiday);
    - "start_of:春节": the first day of the first such period of the year (or after the start).

    A NamedTuple, not a dataclass: the config converter reads dataclasses as TOML tables.
    """

    month_day: MonthDay | None = None
    date: dt.date | None = None
    holiday: str = ""
    edge: str = ""  # "start" or "end" with holiday

    @classmethod
    def parse(cls, value: Any) -> DateRule:
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            return cls(date=value)
        if isinstance(value, str):
            match = re.fullmatch(r"(start|end)_of:(\S+)", value.strip())
            if match:
                return cls(holiday=match[2], edge=match[1])
            try:
                return cls(month_day=MonthDay.parse(value))
            except ValueError:
                pass
        raise ValueError(f'expected "MM-DD", a date, "start_of:NAME" or "end_of:NAME", got {value!r}')

    def __str__(self) -> str:
        if self.month_day is not None:
            return str(self.month_day)
        if self.date is not None:
            return self.date.isoformat()
        return f"{self.edge}_of:{self.holiday}"


@dataclass(frozen=True)
class KeyPeriod:
    """A 重点时段: a start notice, a repeating reminder while it lasts, an end notice.

    Notices go out at ``at``; the start notice ``lead`` days before the first day (0 = on it),
    the reminder every working day (``repeat = "daily"``) or each week on ``repeat_on``, the
    end notice on the last day (or the next working day). ``measures`` are what the messages ask people to do.
    """

    name: str
    start: DateRule
    end: DateRule
    audience: Audience
    measures: tuple[str, ...] = ()
    source: str = ""  # where the dates come from
    confirmed: bool = True  # False: the dates are our best understanding, not a published rule
    lead: int = 0
    at: dt.time = dt.time(9, 0)
    repeat: Literal["none", "daily", "weekly"] = "weekly"
    repeat_on: Weekday = "monday"
    end_notice: bool = True
    templates: str = "key_period"  # kinds <templates>/start, /reminder, /end
    enabled: bool = True

    def __post_init__(self) -> None:
        if self.start is None or self.end is None:
            return  # its own problem is already reported
        if self.start.edge == "end":
            raise ValueError(f"{self.name}: start cannot be {self.start} (use start_of:NAME)")
        if self.start.date is not None and self.end.month_day is not None:
            raise ValueError(f"{self.name}: a one-off period (start {self.start}) needs an end date, not {self.end}")
        if self.start.date and self.end.date and self.end.date < self.start.date:
            raise ValueError(f"{self.name}: end {self.end} is before start {self.start}")
        if self.lead < 0:
            raise ValueError(f"{self.name}: lead must be 0 or more days, got {self.lead}")


@dataclass(frozen=True)
class KeyPeriodsConfig:
    """``[key_periods]``: ``[key_periods.periods.ID]`` tables; ID goes into message keys."""

    # Start notices on a day off move to the working day before ("before"), after, or stay ("keep");
    # end notices on a day off move to the next working day (unless "keep"), reminders too.
    on_non_working_day: Shift = "before"
    periods: dict[str, KeyPeriod] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name in self.periods:
            if not re.fullmatch(r"[A-Za-z0-9_-]+", name):
                raise ValueError(f'periods: "{name}" must be letters, digits, "-" or "_" (it goes into keys)')

    def references(self, key: str) -> Iterator[Ref]:
        for name, period in self.periods.items():
            yield from period.audience.references(f"{key}.periods.{name}.audience")
