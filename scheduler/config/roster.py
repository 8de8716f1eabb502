"""``[roster]``: the 24-hour duty roster (24小时值班) — staffing, weights, rest, notices."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from scheduler.config.typed import Ref

SPECIAL_NAMES = ("除夕", "春节初一")
_MONTH_DAY = re.compile(r"^(\d{2})-(\d{2})$")


class DateMark(NamedTuple):
    """A day in config: "07-15" recurs every year; a full date (2027-03-05) is one day only.

    (A named tuple, not a dataclass: the config converter reads dataclasses as tables.)
    """

    month: int
    day: int
    year: int | None = None

    @classmethod
    def parse(cls, value: Any) -> DateMark:
        if isinstance(value, dt.date):
            return cls(value.month, value.day, value.year)
        if isinstance(value, str):
            match = _MONTH_DAY.match(value.strip())
            if match:
                mark = cls(int(match[1]), int(match[2]))
                try:
                    dt.date(2000, mark.month, mark.day)  # 2000 is a leap year: 02-29 is allowed
                except ValueError:
                    raise ValueError(f'expected a day such as "07-15", got {value!r} (no such day)') from None
                return mark
            try:
                return cls.parse(dt.date.fromisoformat(value.strip()))
            except ValueError:
                pass
        raise ValueError(f'expected a day such as "07-15" (every year) or 2027-03-05, got {value!r}')

    def date(self, year: int) -> dt.date:
        """The day in ``year`` (a one-off date keeps its own year)."""
        return dt.date(self.year or year, self.month, self.day)

    def __str__(self) -> str:
        return f"{self.year}-{self.month:02d}-{self.day:02d}" if self.year else f"{self.month:02d}-{self.day:02d}"


@dataclass(frozen=True)
class Heads:
    """How many people a duty day needs in each role."""

    leader: int = 1  # 带班领导
    officer: int = 1  # 值班员

    def __post_init__(self) -> None:
        if self.leader < 0 or self.officer < 0:
            raise ValueError("head counts cannot be negative")


@dataclass(frozen=True)
class Staffing:
    workday: Heads = field(default_factory=Heads)
    weekend: Heads = field(default_factory=Heads)
    holiday: Heads = field(default_factory=lambda: Heads(leader=1, officer=2))


@dataclass(frozen=True)
class Weights:
    """What one duty day adds to a person's ledger."""

    workday: float = 1.0
    weekend: float = 1.5
    holiday: float = 3.0  # any day of a holiday period (public holidays and the rest days joined to them)
    special: float = 5.0  # the days named in roster.special_days

    def __post_init__(self) -> None:
        if min(self.workday, self.weekend, self.holiday, self.special) <= 0:
            raise ValueError("weights must be positive")


@dataclass(frozen=True)
class KeyPeriod:
    """A period needing more people (e.g. 主汛期 07-15…08-15 with 2 officers); 0 keeps the day's count."""

    name: str
    start: DateMark
    end: DateMark
    leader: int = 0
    officer: int = 0

    def __post_init__(self) -> None:
        if self.start is None or self.end is None:
            return  # a bad day: the converter has already reported it
        if (self.start.year is None) != (self.end.year is None):
            raise ValueError(f"{self.name}: start and end must both recur (MM-DD) or both be dates")
        if self.start.year is not None and self.end.date(1) < self.start.date(1):
            raise ValueError(f"{self.name}: end {self.end} is before start {self.start}")

    def covers(self, day: dt.date) -> bool:
        if self.start.year is not None:
            return self.start.date(day.year) <= day <= self.end.date(day.year)
        here, start, end = (day.month, day.day), (self.start.month, self.start.day), (self.end.month, self.end.day)
        if start <= end:
            return start <= here <= end
        return here >= start or here <= end  # wraps the new year, e.g. 12-01 … 02-28


@dataclass(frozen=True)
class RosterNotices:
    """Who hears what. Audiences are group names from [groups]."""

    personal: str = ""  # channel for personal notices ("" = delivery.person_channel)
    eve_at: dt.time = dt.time(16, 0)  # the day before a shift
    before_handover: dt.timedelta = dt.timedelta(hours=2)
    # Audiences default to nobody, like the other planners' (config.toml ships them filled in),
    # so a config need not define groups for features it does not use.
    daily_to: tuple[str, ...] = ()  # 今日值班 at handover (the group's bot if it has one)
    published_to: tuple[str, ...] = ()  # the roster, when published
    holiday_report_to: tuple[str, ...] = ()  # 节假日值班表报送
    holiday_report_days: int = 3  # T-3 before each holiday period; a non-working send day moves earlier
    holiday_report_at: dt.time = dt.time(9, 0)
    office: tuple[str, ...] = ()  # told about coverage problems
    check_at: dt.time = dt.time(9, 0)  # the daily coverage check
    check_days: int = 14  # how far ahead the daily check looks

    def __post_init__(self) -> None:
        if self.personal == "none":
            raise ValueError('personal: people on duty must be reachable; name a channel, or "" for '
                             "delivery.person_channel")
        if self.holiday_report_days < 0 or self.check_days < 1:
            raise ValueError("holiday_report_days cannot be negative and check_days must be at least 1")


@dataclass(frozen=True)
class RosterConfig:
    handover: dt.time = dt.time(8, 30)  # a duty day runs from this time to the next day's
    min_rest_days: int = 1  # free days required between two duties (1: never two days running)
    max_shifts_per_month: int = 0  # 0: no limit
    limits: dict[str, int] = field(default_factory=dict)  # per person (工号 or 姓名): shifts a month
    # Someone far behind the others (a newcomer, a long sick leave) repays at most this much load;
    # the rest is forgiven, so they are not put on duty every other day for months.
    catch_up_limit: float = 6.0
    special_days: tuple[str, ...] = ("除夕", "春节初一", "10-01")
    duty_phone: str = ""  # 值班电话, printed on rosters and notices
    ics_alarm: dt.timedelta = dt.timedelta(hours=2)  # calendar alarm before each shift
    staffing: Staffing = field(default_factory=Staffing)
    weights: Weights = field(default_factory=Weights)
    key_periods: tuple[KeyPeriod, ...] = ()
    notices: RosterNotices = field(default_factory=RosterNotices)

    def __post_init__(self) -> None:
        if self.min_rest_days < 0 or self.max_shifts_per_month < 0 or self.catch_up_limit < 0:
            raise ValueError("min_rest_days, max_shifts_per_month and catch_up_limit cannot be negative")
        for name in self.special_days:
            if name not in SPECIAL_NAMES and not _MONTH_DAY.match(name):
                raise ValueError(f'special_days: "{name}" is neither 除夕, 春节初一 nor a day such as "10-01"')
        for who, limit in self.limits.items():
            if limit < 1:
                raise ValueError(f"limits.{who}: a limit must be at least 1 shift a month")

    def limit_for(self, code: str, name: str) -> int:
        """Shifts a month allowed for one person (0: no limit)."""
        return self.limits.get(code, self.limits.get(name, self.max_shifts_per_month))

    def references(self, key: str) -> Iterable[Ref]:

        notices = self.notices
        if notices.personal:
            yield Ref(f"{key}.notices.personal", "channel", notices.personal)
        for attr in ("daily_to", "published_to", "holiday_report_to", "office"):
            for index, group in enumerate(getattr(notices, attr)):
                yield Ref(f"{key}.notices.{attr}[{index}]", "group", group)
