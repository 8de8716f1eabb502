"""Changes to a roster: swap, override, leave. Each re-checks the rules, records who, why and
when, and cancels the unsent notices of whoever comes off a day; the duty planner then tells
everyone touched ("your duty changed"), keyed by the action so a change is never silent and
never told twice.

Swaps and overrides may touch published days — that is what they are for. Leave re-plans only
the person's unpublished days; on published days they stay listed and the coverage check
reports them until someone overrides the day.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from rosters.book import Move, RosterBook, RosterError
from rosters.generate import Infeasible, Shortfall, fill
from rosters.ledger import Ledger
from rosters.model import DUTY_ROLES, Person, Slot
from rosters.rules import LeaveBook, cn_date
from rosters.suggest import Suggestion, suggest
from rosters.tables import RosterAction, RosterAssignment, RosterLeave
from scheduler.vocab import Role


def find_person(book: RosterBook, who: str) -> Person:
    """An active duty-eligible person by 工号 or 姓名."""
    people = book.people()
    matches = [p for p in people if p.code == who] or [p for p in people if p.name == who]
    if not matches:
        raise RosterError(f'"{who}" is not an active leader or officer on the staff list '
                          f"(give a 工号 or 姓名 from `safeduty staff list`)")
    if len(matches) > 1:
        raise RosterError(ambiguous(who, [(p.code, p.name, p.mobile) for p in matches]))
    return matches[0]


def ambiguous(who: str, matches: list[tuple[str, str, str]]) -> str:
    """'"王伟" names 2 people: S003 王伟 13800000003, S015 王伟 13800000003; give the 工号'."""
    listed = ", ".join(" ".join(part for part in match if part) for match in matches)
    return f'"{who}" names {len(matches)} people: {listed}; give the 工号 instead'


def seat_of(book: RosterBook, date: dt.date, person: Person) -> Slot:
    for slot, holder in book.seats(date, date).items():
        if holder == person.code:
            return slot
    raise RosterError(f"{person.name} is not on duty on {date.isoformat()}")


def swap(book: RosterBook, date_a: dt.date, who_a: str, date_b: dt.date, who_b: str, *,
         now: dt.datetime, actor: str, reason: str) -> RosterAction:
    """A takes B's seat on ``date_b`` and B takes A's seat on ``date_a``."""
    a, b = find_person(book, who_a), find_person(book, who_b)
    if a.code == b.code:
        raise RosterError("a swap needs two different people")
    seat_a, seat_b = seat_of(book, date_a, a), seat_of(book, date_b, b)
    ledger, leave = _state(book, min(date_a, date_b), max(date_a, date_b))
    ledger.remove(book.day(date_a), a.code)
    ledger.remove(book.day(date_b), b.code)
    for person, seat in ((a, seat_b), (b, seat_a)):
        why = book.rules.blocker(person, seat.role, seat.date, ledger, leave)
        if why is not None:
            raise RosterError(f"{person.name} cannot take {seat.date.isoformat()} as {seat.role.label}: {why}")
        ledger.add(book.day(seat.date), person.code)
    moves: list[Move] = [(seat_a, a.code, b.code), (seat_b, b.code, a.code)]
    book.apply(moves, now=now, source="swap")
    return book.record("swap", actor, reason, now, moves)


def cover_options(book: RosterBook, date: dt.date, role: Role | None = None,
                  replacing: str | None = None) -> tuple[Slot, list[Suggestion]]:
    """The seat to cover on ``date`` (``replacing``'s, or the role's first empty one) and who could."""
    if replacing is not None:
        slot = seat_of(book, date, find_person(book, replacing))
    else:
        slot = _empty_seat(book, date, role)
    ledger, leave = _state(book, date, date)
    holder = book.seats(date, date).get(slot)
    if holder:
        ledger.remove(book.day(date), holder)
    options = suggest(date, slot.role, book.people(), ledger, leave, book.rules)
    return slot, [s for s in options if s.person.code != holder]


def override(book: RosterBook, date: dt.date, new: str, *, now: dt.datetime, actor: str, reason: str,
             role: Role | None = None, replacing: str | None = None) -> RosterAction:
    """Put ``new`` on ``date`` in place of ``replacing`` (or into the role's first empty seat)."""
    person = find_person(book, new)
    slot, options = cover_options(book, date, role, replacing)
    if book.seats(date, date).get(slot) == person.code:
        raise RosterError(f"{person.name} already holds that seat on {date.isoformat()}")
    if person.code not in {s.person.code for s in options}:
        ledger, leave = _state(book, date, date)
        holder = book.seats(date, date).get(slot)
        if holder:
            ledger.remove(book.day(date), holder)
        why = book.rules.blocker(person, slot.role, date, ledger, leave) or "not free"
        best = "、".join(s.person.name for s in options[:3]) or "nobody"
        raise RosterError(f"{person.name} cannot take {date.isoformat()} as {slot.role.label}: {why} "
                          f"(free: {best})")
    moves: list[Move] = [(slot, book.seats(date, date).get(slot, ""), person.code)]
    book.apply(moves, now=now, source="override")
    return book.record("override", actor, reason, now, moves)


@dataclass
class LeaveResult:
    action: RosterAction
    moves: list[Move] = field(default_factory=list)
    published: list[Slot] = field(default_factory=list)  # frozen days the person still holds
    unresolved: list[Shortfall] = field(default_factory=list)  # days nobody else could take


def add_leave(book: RosterBook, who: str, first: dt.date, last: dt.date, *, kind: str, now: dt.datetime,
              actor: str, reason: str) -> LeaveResult:
    """Record leave and re-plan the affected period: from the first to the last of the person's
    unpublished days in the leave, widened to the whole holiday periods they fall in, the drafts
    of the roles they held are planned anew (published days and days that have begun stay as they
    are). Handing each freed day to whoever is lowest would pile a holiday's days onto one person."""
    if last < first:
        raise RosterError(f"leave ends ({last}) before it starts ({first})")
    person = find_person(book, who)
    book.session.add(RosterLeave(staff_code=person.code, first_day=first, last_day=last, kind=kind,
                                 reason=reason, recorded_by=actor, recorded_at=now))
    book.session.flush()
    rows = [r for r in book.rows(first, last) if r.staff_code == person.code]
    published = [Slot(r.day, Role(r.role), r.seat) for r in rows if r.published]
    opens = book.first_open_day(now)
    freed = [r for r in rows if not r.published and r.day >= opens]
    moves: list[Move] = []
    unresolved: list[Shortfall] = []
    if freed:
        lo, hi = book.around([r.day for r in freed])
        roles = {Role(r.role) for r in freed}  # a leader's leave leaves the officers' days alone
        try:
            moves = book.replan(max(lo, opens), hi, now=now, fresh=True, roles=roles).moves
        except Infeasible:  # the whole period cannot be re-planned: hand over day by day
            moves, unresolved = _day_by_day(book, person, freed, now)
    action = book.record("leave", actor, leave_reason(person.name, kind, first, last, reason), now, moves,
                         first, last)
    return LeaveResult(action, moves, published, unresolved)


def leave_reason(name: str, kind: str, first: dt.date, last: dt.date, reason: str) -> str:
    """How a change notice gives the cause: 「宋佳请假（2026年3月2日至3月8日）：探亲」."""
    span = cn_date(first) if first == last else f"{cn_date(first)}至{cn_date(last, first)}"
    return f"{name}{kind}（{span}）" + (f"：{reason}" if reason else "")


def _day_by_day(book: RosterBook, person: Person, rows: list[RosterAssignment],
                now: dt.datetime) -> tuple[list[Move], list[Shortfall]]:
    moves: list[Move] = []
    unresolved: list[Shortfall] = []
    for row in rows:
        slot = Slot(row.day, Role(row.role), row.seat)
        lo, hi = book.span(row.day, row.day)
        people = book.people()
        seats = book.seats(lo, hi)
        del seats[slot]
        ledger = book.ledger(seats, people, row.day.year)
        try:
            new = fill([book.day(row.day)], people, seats, ledger, book.leave(lo, hi), book.rules)
        except Infeasible as exc:
            unresolved.append(exc.shortfall)
            continue
        day_moves = [(s, person.code if s == slot else "", code) for s, code in new.items()]
        book.apply(day_moves, now=now, source="leave")
        moves.extend(day_moves)
    return moves, unresolved


def _state(book: RosterBook, start: dt.date, end: dt.date) -> tuple[Ledger, LeaveBook]:
    lo, hi = book.span(start, end)
    people = book.people()
    return book.ledger(book.seats(lo, hi), people, start.year), book.leave(lo, hi)


def _empty_seat(book: RosterBook, date: dt.date, role: Role | None) -> Slot:
    day, seats = book.day(date), book.seats(date, date)
    for candidate in ([role] if role else list(DUTY_ROLES)):
        for index in range(day.need[candidate]):
            if Slot(date, candidate, index) not in seats:
                return Slot(date, candidate, index)
    raise RosterError(f"{date.isoformat()} has no empty seat{' for ' + role.label if role else ''}; "
                      f"name the person to replace")

