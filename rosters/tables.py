"""The roster's tables: seats, leave, and the audit trail of every action (who, why, when)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from scheduler.db import Base, UTCDateTime


class RosterAssignment(Base):
    """One filled seat: ``staff_code`` holds seat ``seat`` of ``role`` on duty day ``day``.

    ``assigned_at`` changes whenever the seat changes hands, so the notices planned for a
    holding get fresh keys; ``published`` days are frozen for regeneration.
    """

    __tablename__ = "roster_assignment"
    __table_args__ = (UniqueConstraint("day", "role", "seat", name="uq_roster_assignment_seat"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    day: Mapped[dt.date] = mapped_column(Date)
    role: Mapped[str] = mapped_column(String(16))  # leader 带班领导 | officer 值班员
    seat: Mapped[int] = mapped_column(Integer, default=0)
    staff_code: Mapped[str] = mapped_column(String(64), index=True)
    published: Mapped[bool] = mapped_column(Boolean, default=False)
    source: Mapped[str] = mapped_column(String(16), default="generate")  # or swap, override, leave
    assigned_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class RosterLeave(Base):
    """A person's unavailability (请假/出差/培训/病假), first to last day inclusive."""

    __tablename__ = "roster_leave"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    staff_code: Mapped[str] = mapped_column(String(64), index=True)
    first_day: Mapped[dt.date] = mapped_column(Date)
    last_day: Mapped[dt.date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(16), default="请假")
    reason: Mapped[str] = mapped_column(Text, default="")
    recorded_by: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class RosterAction(Base):
    """Something done to the roster: generate, publish, swap, override or leave.

    The duty planner tells supervisors of each publication and each person touched by the
    action's changes, keyed by the action's id.
    """

    __tablename__ = "roster_action"
    __table_args__ = (Index("ix_roster_action_at", "at"),)  # the planner asks "actions in this window"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    kind: Mapped[str] = mapped_column(String(16))
    actor: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(Text, default="")
    first_day: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    last_day: Mapped[dt.date | None] = mapped_column(Date, nullable=True)


class RosterChange(Base):
    """One seat that changed hands in an action ("" = empty before / after)."""

    __tablename__ = "roster_change"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("roster_action.id", ondelete="CASCADE"), index=True)
    day: Mapped[dt.date] = mapped_column(Date)
    role: Mapped[str] = mapped_column(String(16))
    seat: Mapped[int] = mapped_column(Integer)
    old_code: Mapped[str] = mapped_column(String(64), default="")
    new_code: Mapped[str] = mapped_column(String(64), default="")
    # The day was published when it changed hands: only such changes are announced to people.
    published: Mapped[bool] = mapped_column(Boolean, default=False)
