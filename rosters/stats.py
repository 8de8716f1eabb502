"""Fairness figures: per person, duties by kind of day and weighted load; per role, the spread.

The spread of a role is max − min of the weighted load among everyone eligible for it: the
number the ledger keeps small, and the one to compare with a plain round-robin.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from rosters.model import DUTY_ROLES, DayKind, DutyDay, Person
from scheduler.vocab import Role


@dataclass
class PersonStats:
    code: str
    name: str
    roles: tuple[Role, ...]
    by_kind: dict[str, int] = field(default_factory=lambda: {k.value: 0 for k in DayKind} | {"special": 0})
    by_role: dict[str, int] = field(default_factory=lambda: {r.value: 0 for r in DUTY_ROLES})
    load: float = 0.0

    @property
    def shifts(self) -> int:
        return sum(self.by_role.values())

    def as_dict(self) -> dict[str, object]:
        return {"code": self.code, "name": self.name, "roles": [r.value for r in self.roles],
                "shifts": self.shifts, "by_kind": self.by_kind, "by_role": self.by_role,
                "load": round(self.load, 2)}


@dataclass(frozen=True)
class RoleSpread:
    role: Role
    people: int
    low: float
    high: float

    @property
    def spread(self) -> float:
        return round(self.high - self.low, 2)

    def as_dict(self) -> dict[str, object]:
        return {"role": self.role.value, "people": self.people, "min": round(self.low, 2),
                "max": round(self.high, 2), "spread": self.spread}


def tally(
    seats: Iterable[tuple[dt.date, Role, str]],
    people: Sequence[Person],
    day_of: Callable[[dt.date], DutyDay],
    names: dict[str, str] | None = None,
) -> tuple[list[PersonStats], list[RoleSpread]]:
    """Figures for ``seats`` (date, role, 工号). Everyone in ``people`` is listed, even with no duty."""
    found = {p.code: PersonStats(p.code, p.name, tuple(r for r in DUTY_ROLES if r in p.roles)) for p in people}
    for date, role, code in seats:
        stats = found.get(code)
        if stats is None:  # someone who has since left: still counted, under their old name
            stats = found[code] = PersonStats(code, (names or {}).get(code, code), ())
        day = day_of(date)
        stats.by_kind["special" if day.special else day.kind.value] += 1
        stats.by_role[role.value] += 1
        stats.load += day.weight
    spreads = []
    for role in DUTY_ROLES:
        loads = [found[p.code].load for p in people if role in p.roles]
        if loads:
            spreads.append(RoleSpread(role, len(loads), min(loads), max(loads)))
    return sorted(found.values(), key=lambda s: s.code), spreads
