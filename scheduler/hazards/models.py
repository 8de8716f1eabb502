"""The hazard register (隐患台账) and its history.

A row holds what the regulations ask of a hazard record (16号令 Art. 10, 14–15; 安全生产法 Art. 41):
for a major hazard the five items that must be in place (五到位: measures, funds, deadline,
responsible person, contingency plan), the two reports (双报告: to the regulator and to the
workers' congress) and, when a government body lists it, the listed supervision (挂牌督办).
Every status change, deadline extension and edit is kept in ``hazard_event`` with who, when, why.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, BigInteger, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from scheduler.db import Base, UTCDateTime
from scheduler.hazards.vocab import HazardCategory, HazardLevel, HazardSource, HazardStatus
from scheduler.people.models import Enterprise


class Hazard(Base):
    __tablename__ = "hazard"
    __table_args__ = (
        # The escalation planner asks for open hazards of one level whose deadline lies in a few
        # narrow ranges; the overdue count and the digest ask for open hazards by deadline.
        Index("ix_hazard_escalation", "level", "status", "deadline"),
        # Completeness notices fall weekly on the anniversary of the registration day.
        Index("ix_hazard_registered", "level", "status", "registered_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    location: Mapped[str] = mapped_column(String(200), default="")
    category: Mapped[str] = mapped_column(String(16))
    level: Mapped[str] = mapped_column(String(16))
    source: Mapped[str] = mapped_column(String(32))
    found_on: Mapped[dt.date] = mapped_column(Date)
    # 五到位
    measures: Mapped[str] = mapped_column(Text, default="")
    funds_yuan: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    funds_source: Mapped[str] = mapped_column(String(200), default="")
    deadline: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    responsible_name: Mapped[str] = mapped_column(String(64), default="")
    responsible_mobile: Mapped[str] = mapped_column(String(32), default="")
    responsible_email: Mapped[str] = mapped_column(String(254), default="")
    contingency_plan: Mapped[str] = mapped_column(Text, default="")
    # 双报告 (安全生产法 Art. 41)
    reported_to_regulator_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    reported_to_congress_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # 挂牌督办
    listed_by: Mapped[str] = mapped_column(String(200), default="")
    listing_notice: Mapped[str] = mapped_column(String(100), default="")
    listed_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    delisted_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    # Lifecycle
    status: Mapped[str] = mapped_column(String(16), default=HazardStatus.REGISTERED.value)
    registered_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    registered_on: Mapped[dt.date] = mapped_column(Date)  # registered_at's local date
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)

    enterprise: Mapped[Enterprise] = relationship(lazy="joined")
    events: Mapped[list[HazardEvent]] = relationship(
        back_populates="hazard", order_by="HazardEvent.id", cascade="all, delete-orphan"
    )

    @property
    def topic(self) -> str:
        """The outbox topic of every message about this hazard (cancelled when it is closed)."""
        return f"hazard:{self.code}"

    @property
    def level_enum(self) -> HazardLevel:
        return HazardLevel(self.level)

    @property
    def status_enum(self) -> HazardStatus:
        return HazardStatus(self.status)

    @property
    def category_enum(self) -> HazardCategory:
        return HazardCategory(self.category)

    @property
    def source_enum(self) -> HazardSource:
        return HazardSource(self.source)


class HazardEvent(Base):
    """One entry of a hazard's history: registration, a status change, an extension, an edit."""

    __tablename__ = "hazard_event"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    hazard_id: Mapped[int] = mapped_column(ForeignKey("hazard.id", ondelete="CASCADE"), index=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))  # registered | status | deadline | updated
    old: Mapped[str] = mapped_column(String(200), default="")
    new: Mapped[str] = mapped_column(Text, default="")
    reason: Mapped[str] = mapped_column(Text, default="")
    # An edit's fields, as people read them, before and after: [{"field": "资金来源", "old": "", "new": "企业自筹"}]
    changes: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)

    hazard: Mapped[Hazard] = relationship(back_populates="events")
