"""Who could cover the shift of someone who has not confirmed it: `roster suggest`'s ranking
(``rosters.suggest``), free and eligible people with the most rest on both sides first.

The ranking needs the year's ledger, which replays a year of seats (about 0.2 s). The service
asks once an evening; a year's ``simulate`` asks every day (nothing in the future is confirmed),
so the ledger is kept for as long as the roster is unchanged (its latest action, its seats).
"""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from rosters.book import RosterBook
from rosters.ledger import Ledger
from rosters.rules import LeaveBook
from rosters.suggest import NEVER, suggest
from rosters.tables import RosterAction, RosterAssignment

_STATE: dict[tuple[Any, ...], tuple[Ledger, LeaveBook]] = {}  # one entry: the latest roster state
_LOCK = threading.RLock()  # the web interface plans "upcoming" messages from several threads


def covers(session: Session, book: RosterBook, date: dt.date, code: str, count: int) -> list[dict[str, Any]]:
    """Up to ``count`` people who could take ``code``'s seat on ``date``, best first."""
    slot = next((s for s, holder in book.seats(date, date).items() if holder == code), None)
    if slot is None:
        return []
    ledger, leave = _state(session, book, date)
    day, people = book.day(date), book.people()
    with _LOCK:  # the kept ledger is shared: the seat is handed back as it is taken (weights add exactly)
        ledger.remove(day, code)
        try:
            found = suggest(date, slot.role, people, ledger, leave, book.rules)
        finally:
            ledger.add(day, code)
    options = [s for s in found if s.person.code != code]
    return [{"code": s.person.code, "name": s.person.name, "mobile": s.person.mobile,
             "rest": s.rest if s.rest < NEVER else None} for s in options[:count]]


def _state(session: Session, book: RosterBook, date: dt.date) -> tuple[Ledger, LeaveBook]:
    lo, hi = book.span(date, date)
    seats = session.execute(select(func.count(RosterAssignment.id), func.max(RosterAssignment.assigned_at))
                            .where(RosterAssignment.day >= lo, RosterAssignment.day <= hi)).one()
    key = (str(session.get_bind().engine.url), date.year, repr(book.config), tuple(seats),
           session.scalar(select(func.max(RosterAction.id))))
    with _LOCK:
        found = _STATE.get(key)
    if found is not None:
        return found
    state = (book.ledger(book.seats(lo, hi), book.people(), date.year), book.leave(lo, hi))
    with _LOCK:
        _STATE.clear()
        _STATE[key] = state
    return state
