"""Who should cover? The free, eligible person with the most rest on both sides of the day.

Rest is measured as in linkedin/oncall's ``roster_suggest``: the smaller of the days since
their last duty and the days until their next one, so nobody is squeezed between two duties.
Ties go to the lower ledger balance, then the 工号.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from rosters.ledger import Ledger
from rosters.model import Person
from rosters.rules import LeaveBook, Rules
from scheduler.vocab import Role

NEVER = 10_000  # "no duty on that side" ranks as the most rest possible


@dataclass(frozen=True)
class Suggestion:
    person: Person
    since_last: int | None  # days since their previous duty (None: none this year or before)
    until_next: int | None  # days until their next duty (None: none planned)
    balance: float  # ledger balance this year

    @property
    def rest(self) -> int:
        return min(self.since_last or NEVER, self.until_next or NEVER)


def suggest(
    date: dt.date,
    role: Role,
    people: Sequence[Person],
    ledger: Ledger,
    leave: LeaveBook,
    rules: Rules,
) -> list[Suggestion]:
    """Everyone who could take a ``role`` seat on ``date``, best first (the ledger must not hold
    the duty being handed over)."""
    found = []
    for person in people:
        if rules.blocker(person, role, date, ledger, leave) is not None:
            continue
        before = ledger.last_served_before(person.code, date)
        after = ledger.first_served_after(person.code, date)
        found.append(Suggestion(
            person,
            (date - before).days if before else None,
            (after - date).days if after else None,
            ledger.balance(date.year, person.code),
        ))
    return sorted(found, key=lambda s: (-s.rest, round(s.balance, 6), s.person.code))
