"""The service's own bookkeeping: the last completed planning tick, and synced data files."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import String, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, Session, mapped_column

from scheduler.db import Base, UTCDateTime, table_of


class PlannerTick(Base):
    """The end of the last window a planner completed: the next tick starts there (catch-up)."""

    __tablename__ = "planner_tick"

    planner: Mapped[str] = mapped_column(String(64), primary_key=True)
    last_end: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class DataFile(Base):
    """A data file named in config, with the digest of its last imported content."""

    __tablename__ = "data_file"

    path: Mapped[str] = mapped_column(String(500), primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64))
    imported_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


def last_tick(session: Session, planner: str) -> dt.datetime | None:
    return session.scalar(select(PlannerTick.last_end).where(PlannerTick.planner == planner))


def record_tick(session: Session, planner: str, end: dt.datetime) -> None:
    """Move the planner's mark forward to ``end``, never backwards (a clock jump back replans
    nothing). An upsert, because replicas race on the first insert."""
    table = table_of(PlannerTick)
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    statement = insert(table).values(planner=planner, last_end=end)
    session.execute(
        statement.on_conflict_do_update(
            index_elements=["planner"], set_={"last_end": end}, where=table.c.last_end < end
        )
    )


def ticks(session: Session) -> dict[str, dt.datetime]:
    """Every planner's last completed tick (for `safeduty status` and the metrics)."""
    return {planner: end for planner, end in session.execute(select(PlannerTick.planner, PlannerTick.last_end))}
