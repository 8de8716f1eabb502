"""The roster's vocabulary: duty days, the people who may serve, their assignments and leave."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Mapping
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from scheduler.vocab import Role

# The two duty roles, in the order a day is filled: the leader first, so a person eligible for
# both is never taken as an officer on the day they lead.
DUTY_ROLES: tuple[Role, ...] = (Role.LEADER, Role.OFFICER)


class DayKind(enum.Enum):
    """What a duty day weighs on the ledger; ``label`` is how the roster prints it."""

    label: str

    def __new__(cls, value: str, label: str) -> DayKind:  # noqa: PYI034 - an Enum's member factory
        member = object.__new__(cls)
        member._value_ = value
        member.label = label
        return member

    WORKDAY = "workday", "工作日"
    WEEKEND = "weekend", "休息日"
    HOLIDAY = "holiday", "节假日"


@dataclass(frozen=True)
class DutyDay:
    """One duty day: it runs from ``start`` (the handover) to the next day's handover.

    ``special`` names a heaviest day (除夕, 春节初一, 国庆节…) whose holder rotates year over year;
    ``need`` is the head count per role, already raised for key periods (``key_periods``).
    """

    date: dt.date
    kind: DayKind
    weight: float
    need: Mapping[Role, int]
    start: dt.datetime
    end: dt.datetime
    holiday: str = ""  # the public holiday or holiday period the day belongs to
    special: str = ""
    period: str = ""  # the holiday period's key (its first day), "" outside holiday periods
    key_periods: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        """How a roster names the day: 春节 · 除夕, 主汛期, 休息日…"""
        holiday = "" if self.holiday and self.holiday in self.special else self.holiday
        parts = [p for p in (holiday, self.special) if p]
        return " · ".join(parts + list(self.key_periods)) or self.kind.label


@dataclass(frozen=True)
class Person:
    """Someone who may be put on duty: ``roles`` holds the duty roles they are eligible for."""

    code: str  # 工号: stable across imports, used in keys and exports
    name: str
    roles: frozenset[Role]
    team: str = ""
    mobile: str = ""
    email: str = ""
    monthly_limit: int = 0  # 0: no limit


@dataclass(frozen=True)
class Slot:
    """One seat on one day: (date, role, index). Index 0 is the first officer, 1 the second…"""

    date: dt.date
    role: Role
    index: int = 0

    @property
    def sort_key(self) -> tuple[dt.date, int, int]:
        return self.date, DUTY_ROLES.index(self.role), self.index


@dataclass(frozen=True)
class Leave:
    """Unavailability (请假/出差/培训/病假): ``code`` cannot serve from ``start`` to ``end`` inclusive."""

    code: str
    start: dt.date
    end: dt.date
    kind: str = "请假"

    def covers(self, day: dt.date) -> bool:
        return self.start <= day <= self.end


def duty_bounds(day: dt.date, handover: dt.time, zone: ZoneInfo) -> tuple[dt.datetime, dt.datetime]:
    """When duty day ``day`` starts and ends: from its handover to the next day's."""
    start = dt.datetime.combine(day, handover, tzinfo=zone)
    return start, dt.datetime.combine(day + dt.timedelta(days=1), handover, tzinfo=zone)


def days_between(start: dt.date, end: dt.date) -> list[dt.date]:
    return [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]
