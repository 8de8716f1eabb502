"""Fairness figures: per person, duties by kind of day and weighted load (in all, and as each
role); per role, the spread.

The spread of a role is max − min of the weighted load among the people who hold *only* that
role: the number the ledger keeps small, and the one to compare with a plain round-robin. Someone
who may lead and serve as officer carries both kinds of load on one balance, so counting them
with the officers (or the leaders) would show a spread nobody can act on; they are reported as
their own group, with their load as each role beside their total.
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
    load_by_role: dict[str, float] = field(default_factory=lambda: {r.value: 0.0 for r in DUTY_ROLES})
    load: float = 0.0

    @property
    def shifts(self) -> int:
        return sum(self.by_role.values())

    @property
    def dual(self) -> bool:
        return len(self.roles) > 1

    def as_dict(self) -> dict[str, object]:
        return {"code": self.code, "name": self.name, "roles": [r.value for r in self.roles],
                "shifts": self.shifts, "by_kind": self.by_kind, "by_role": self.by_role,
                "load": round(self.load, 2),
                "load_by_role": {role: round(load, 2) for role, load in self.load_by_role.items()}}


@dataclass(frozen=True)
class RoleSpread:
    """The load of the people who hold only ``role``."""

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


@dataclass(frozen=True)
class DualSpread:
    """The people who may take either role: their total load, and their load as each role."""

    people: int
    low: float
    high: float
    by_role: dict[str, tuple[float, float]]  # role -> (min, max) of the load as that role

    @property
    def spread(self) -> float:
        return round(self.high - self.low, 2)

    def as_dict(self) -> dict[str, object]:
        return {"roles": [r.value for r in DUTY_ROLES], "people": self.people, "min": round(self.low, 2),
                "max": round(self.high, 2), "spread": self.spread,
                "by_role": {role: {"min": round(lo, 2), "max": round(hi, 2)} for role, (lo, hi) in self.by_role.items()}}


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
        stats.load_by_role[role.value] += day.weight
    spreads = []
    for role in DUTY_ROLES:
        loads = [found[p.code].load for p in people if p.roles == frozenset({role})]
        if loads:
            spreads.append(RoleSpread(role, len(loads), min(loads), max(loads)))
    return sorted(found.values(), key=lambda s: s.code), spreads


def dual_spread(stats: Sequence[PersonStats]) -> DualSpread | None:
    """The figures of the people eligible for both roles (None when there are none)."""
    dual = [s for s in stats if s.dual]
    if not dual:
        return None
    by_role = {r.value: (min(s.load_by_role[r.value] for s in dual), max(s.load_by_role[r.value] for s in dual))
               for r in DUTY_ROLES}
    return DualSpread(len(dual), min(s.load for s in dual), max(s.load for s in dual), by_role)
