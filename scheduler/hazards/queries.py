"""Read the register: the narrow questions planners ask, and the listing the CLI shows.

The planners' questions are answered in the database (indexed by level, status and deadline),
so planning over a register of 100,000 hazards reads only the few rows with a message due.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import Session

from scheduler.hazards.completeness import incomplete_clause
from scheduler.hazards.models import Hazard
from scheduler.hazards.vocab import OPEN_VALUES, HazardLevel
from scheduler.people.models import Enterprise

DateRanges = Sequence[tuple[dt.date, dt.date]]


# Up to this many days, ranges are written out as one IN list: an index on (level, status, day)
# then serves every day (SQLite cannot use the last column for an OR of ranges).
MAX_LISTED_DAYS = 2000


def _within(column: Any, spans: DateRanges) -> ColumnElement[bool]:
    """``column`` lies in one of the inclusive ranges."""
    if sum((b - a).days + 1 for a, b in spans) <= MAX_LISTED_DAYS:
        return column.in_(
            [a + dt.timedelta(days=i) for a, b in spans for i in range((b - a).days + 1)]
        )  # type: ignore[no-any-return]
    return or_(*(column.between(a, b) for a, b in spans))


def _open(level: HazardLevel) -> list[ColumnElement[bool]]:
    return [Hazard.level == level.value, Hazard.status.in_(OPEN_VALUES)]


def earliest_open_deadline(session: Session, level: HazardLevel) -> dt.date | None:
    return session.scalar(select(func.min(Hazard.deadline)).where(*_open(level)))


def with_deadline_in(session: Session, level: HazardLevel, spans: DateRanges) -> list[Hazard]:
    """Open hazards of ``level`` whose deadline lies in ``spans``, with their enterprise."""
    if not spans:
        return []
    query = select(Hazard).where(*_open(level), _within(Hazard.deadline, spans)).order_by(Hazard.id)
    return list(session.scalars(query))


def earliest_incomplete_registration(session: Session) -> dt.date | None:
    return session.scalar(
        select(func.min(Hazard.registered_on)).where(*_open(HazardLevel.MAJOR), incomplete_clause())
    )


def incomplete_major(
    session: Session,
    registered_after: dt.datetime,
    registered_by: dt.datetime,
    registered_on: DateRanges,
) -> list[Hazard]:
    """Open major hazards lacking an item, registered in (after, by] or on one of the ranges."""
    when = [and_(Hazard.registered_at > registered_after, Hazard.registered_at <= registered_by)]
    if registered_on:
        when.append(_within(Hazard.registered_on, registered_on))
    query = (
        select(Hazard)
        .where(*_open(HazardLevel.MAJOR), incomplete_clause(), or_(*when))
        .order_by(Hazard.id)
    )
    return list(session.scalars(query))


def overdue(session: Session, day: dt.date) -> list[Hazard]:
    """Open hazards of either level whose deadline passed before ``day``."""
    query = (
        select(Hazard)
        .where(Hazard.status.in_(OPEN_VALUES), Hazard.deadline < day)
        .order_by(Hazard.deadline, Hazard.code)
    )
    return list(session.scalars(query))


def overdue_major_count(session: Session, day: dt.date) -> int:
    """How many major hazards are still open after their deadline, as of ``day`` (local date).

    Shown in the daily duty notice.
    """
    query = (
        select(func.count())
        .select_from(Hazard)
        .where(*_open(HazardLevel.MAJOR), Hazard.deadline < day)
    )
    return session.scalar(query) or 0


@dataclass(frozen=True)
class Filters:
    overdue_on: dt.date | None = None  # only hazards open past their deadline on this day
    level: HazardLevel | None = None
    enterprise: str = ""  # code or exact name
    status: str = ""


def listing(session: Session, filters: Filters) -> list[Hazard]:
    query = (
        select(Hazard)
        .join(Hazard.enterprise)
        .order_by(Hazard.deadline.is_(None), Hazard.deadline, Hazard.code)
    )
    if filters.overdue_on is not None:
        query = query.where(Hazard.status.in_(OPEN_VALUES), Hazard.deadline < filters.overdue_on)
    if filters.level is not None:
        query = query.where(Hazard.level == filters.level.value)
    if filters.enterprise:
        query = query.where(
            or_(Enterprise.code == filters.enterprise, Enterprise.name == filters.enterprise)
        )
    if filters.status:
        query = query.where(Hazard.status == filters.status)
    return list(session.scalars(query).unique())


def by_code(session: Session, code: str) -> Hazard | None:
    return session.scalar(select(Hazard).where(Hazard.code == code))
