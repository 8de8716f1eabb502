"""Fill the empty seats of a run of duty days, fairly and deterministically.

Seats are filled in date order, the leader before the officers. Each seat goes to the eligible
person who is free (rules) and ranks first by:

- on a heaviest day (除夕…): whoever holds the fewest of this year's heaviest days (so nobody
  holds two while someone free holds none), then the fewest in the last ``SPECIAL_MEMORY``
  years, then whoever held that day longest ago (never first) — so last year's holder is last
  in line — then
- in a holiday period, the fewest days held in that period (so its days are shared out), then
- the lowest ledger balance this year (weighted load plus catch-up credit), then
- the fewest duties this year on the same kind of day (so weekends are shared, not only load),
- whoever served longest ago, then the 工号.

Nothing is random, so the same inputs give the same roster. When a seat has no free candidate
the search steps back and tries the next candidate of earlier seats (a small depth-first
search with a budget); when that fails too it raises ``Infeasible`` naming the day, the role and
why each eligible person could not serve — never a roster with a hole or a broken rule.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from rosters.ledger import Credit, Ledger
from rosters.model import DUTY_ROLES, DutyDay, Person, Slot
from rosters.rules import LeaveBook, Rules
from scheduler.vocab import Role

# How many seat choices the search may try, per empty seat, before giving up. Real rosters
# need no stepping back at all; the budget only bounds the time spent proving a dead end.
TRIES_PER_SEAT = 20
# How many earlier years count when sharing the heaviest days out across years: about one turn
# of a team's rotation (a leader of four holds 除夕 once in four years).
SPECIAL_MEMORY = 4


@dataclass(frozen=True)
class Shortfall:
    """A seat nobody can take: the day, the role, and each eligible person's reason."""

    day: DutyDay
    role: Role
    need: int
    reasons: tuple[tuple[str, str], ...]  # (name, why not)

    def __str__(self) -> str:
        why = "; ".join(f"{name}: {reason}" for name, reason in self.reasons) or "nobody is eligible"
        return (f"{self.day.date.isoformat()} ({self.day.label}): needs {self.need} {self.role.label}, "
                f"no one else can serve — {why}")


class Infeasible(Exception):
    def __init__(self, shortfall: Shortfall) -> None:
        self.shortfall = shortfall
        super().__init__(str(shortfall))


def vacancies(days: Sequence[DutyDay], taken: Mapping[Slot, str]) -> list[tuple[DutyDay, Slot]]:
    """Every seat the days need that ``taken`` does not fill, in filling order."""
    empty = []
    for day in days:
        for role in DUTY_ROLES:
            for index in range(day.need[role]):
                slot = Slot(day.date, role, index)
                if slot not in taken:
                    empty.append((day, slot))
    return empty


def fill(
    days: Sequence[DutyDay],
    people: Sequence[Person],
    taken: Mapping[Slot, str],
    ledger: Ledger,
    leave: LeaveBook,
    rules: Rules,
) -> dict[Slot, str]:
    """Assign every empty seat of ``days``; returns the new assignments (``ledger`` includes them).

    ``taken`` holds the seats already filled (published days, kept drafts); ``ledger`` must
    already contain them and the rest of the year's duties.

    In a holiday period holding a heaviest day (除夕…), that day is filled first: filled in date
    order, the days before it would already have used up (by the rest rule) the people whose
    turn it is. Only the order within such a period changes, so a year generated at once and
    month by month still agree. If that order leaves a day nobody can take, plain date order.
    """
    ordered = heavy_first(days)
    if ordered != list(days):
        try:
            return _fill(ordered, people, taken, ledger, leave, rules)
        except Infeasible:
            pass
    return _fill(days, people, taken, ledger, leave, rules)


def heavy_first(days: Sequence[DutyDay]) -> list[DutyDay]:
    """``days`` in date order, except that each holiday period's heaviest days come first in it."""
    ordered: list[DutyDay] = []
    block: list[DutyDay] = []
    for day in [*days, None]:
        if block and (day is None or day.period != block[0].period):
            ordered += sorted(block, key=lambda d: (not d.special, d.date))
            block = []
        if day is None:
            break
        if day.period:
            block.append(day)
        else:
            ordered.append(day)
    return ordered


def _fill(
    days: Sequence[DutyDay],
    people: Sequence[Person],
    taken: Mapping[Slot, str],
    ledger: Ledger,
    leave: LeaveBook,
    rules: Rules,
) -> dict[Slot, str]:
    seats = vacancies(days, taken)
    _check_heads(seats, people, leave)
    pools = {role: [p for p in people if role in p.roles] for role in DUTY_ROLES}
    pool_codes = {role: [p.code for p in pool] for role, pool in pools.items()}
    chosen: dict[Slot, str] = {}
    options: list[list[Person]] = []  # candidates of each seat, in rank order, still to try
    credits: dict[int, list[Credit]] = {}  # catch-up credits granted on entering seat i's day
    deepest: tuple[int, Shortfall] | None = None
    budget = TRIES_PER_SEAT * len(seats) + 100
    i = 0
    while i < len(seats):
        day, slot = seats[i]
        if len(options) == i:
            if i == 0 or seats[i - 1][0].date != day.date:
                credits[i] = [c for role in DUTY_ROLES for c in ledger.forgive(day.date.year, pool_codes[role])]
            ranked, reasons = _rank(day, slot.role, pools[slot.role], ledger, leave, rules)
            options.append(ranked)
            if not ranked and (deepest is None or i >= deepest[0]):
                deepest = (i, Shortfall(day, slot.role, day.need[slot.role], reasons))
        if options[i] and budget > 0:
            budget -= 1
            person = options[i].pop(0)
            chosen[slot] = person.code
            ledger.add(day, person.code)
            i += 1
            continue
        # Dead end: step back to the previous seat and try its next candidate.
        options.pop()
        ledger.undo(credits.pop(i, []))
        if i == 0 or budget <= 0:
            _unwind(seats[:i], chosen, ledger)
            for granted in credits.values():
                ledger.undo(granted)
            assert deepest is not None
            raise Infeasible(deepest[1])
        i -= 1
        previous_day, previous = seats[i]
        ledger.remove(previous_day, chosen.pop(previous))
    return chosen


def _rank(
    day: DutyDay, role: Role, pool: Sequence[Person], ledger: Ledger, leave: LeaveBook, rules: Rules
) -> tuple[list[Person], tuple[tuple[str, str], ...]]:
    free, reasons = [], []
    for person in pool:
        why = rules.blocker(person, role, day.date, ledger, leave)
        if why is None:
            free.append(person)
        else:
            reasons.append((person.name, why))
    year = day.date.year

    def rank(person: Person) -> tuple[object, ...]:
        last = ledger.last_served_before(person.code, day.date) or dt.date.min
        balance = round(ledger.balance(year, person.code), 6)  # no float noise in comparisons
        if day.special:
            # Within the year first: nobody takes a second heaviest day while someone free has
            # none; then across years: whoever held this one longest ago.
            held = ledger.last_special_year(day.special, person.code, year)
            return (ledger.specials(person.code, year), ledger.specials_before(person.code, year, SPECIAL_MEMORY),
                    held if held is not None else -1, ledger.period_count(person.code, day), balance, last,
                    person.code)
        # In a holiday period, days of the same period are shared out first (nobody takes a third
        # day of 春节 while someone free has one); the yearly balance evens out the rest.
        return (ledger.period_count(person.code, day), balance, ledger.kind_count(person.code, day), last,
                person.code)

    return sorted(free, key=rank), tuple(reasons)


def _check_heads(seats: Sequence[tuple[DutyDay, Slot]], people: Sequence[Person], leave: LeaveBook) -> None:
    """Fail fast, without searching, when a day lacks enough eligible people who are not away."""
    for day, slot in seats:
        if slot.index:
            continue
        pool = [p for p in people if slot.role in p.roles]
        present = [p for p in pool if leave.on(p.code, day.date) is None]
        if len(present) < day.need[slot.role]:
            reasons = tuple((p.name, f"{away.kind} {away.start.isoformat()}…{away.end.isoformat()}")
                            for p in pool if (away := leave.on(p.code, day.date)) is not None)
            raise Infeasible(Shortfall(day, slot.role, day.need[slot.role], reasons))


def _unwind(seats: Sequence[tuple[DutyDay, Slot]], chosen: dict[Slot, str], ledger: Ledger) -> None:
    """Leave the ledger as it was given when giving up."""
    for day, slot in seats:
        code = chosen.pop(slot, None)
        if code is not None:
            ledger.remove(day, code)
