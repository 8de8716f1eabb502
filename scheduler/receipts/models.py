"""What comes back from people: receipts (回执), daily zero reports (零报告) and handovers (交接班).

Each is a validated record written in one transaction by a web form, a receipt link or the CLI;
planners read these tables and plan (or stop planning) the messages that chase them.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import JSON, Boolean, Date, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from scheduler.db import Base, UTCDateTime


class Entry(enum.StrEnum):
    """How a record came in."""

    LINK = "link"  # through a signed receipt link
    HAND = "hand"  # entered by staff (a phone call, in person): `receipt confirm`, the web
    WEB = "web"  # a signed-in member of staff on the web (handovers, their own receipts)


class Review(enum.StrEnum):
    """A supervisor's verdict on a hazard progress report (销号 stays a separate act)."""

    NONE = ""
    ACCEPTED = "accepted"
    REJECTED = "rejected"


class Receipt(Base):
    """One receipt for one task: a message asked a party (an enterprise, a person, a group) to
    confirm or report. ``task`` is the message key with the recipient replaced by the party, so
    any contact of an enterprise answers for it; a rejected report lets the party answer again
    (``revision`` + 1)."""

    __tablename__ = "receipt"
    __table_args__ = (
        UniqueConstraint("task", "revision"),
        # Chasers and statistics read a notice's receipts: by topic and kind.
        Index("ix_receipt_topic", "topic", "kind"),
        Index("ix_receipt_party", "party"),
        # The hazard review planner reads the reports recorded in its window.
        Index("ix_receipt_confirmed", "confirmed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    task: Mapped[str] = mapped_column(String(255))
    revision: Mapped[int] = mapped_column(Integer, default=0)
    topic: Mapped[str] = mapped_column(String(128), default="")  # the asking message's topic
    kind: Mapped[str] = mapped_column(String(64))  # the asking message's kind
    mode: Mapped[str] = mapped_column(String(16))  # confirm | report
    party: Mapped[str] = mapped_column(String(160))
    message_key: Mapped[str] = mapped_column(String(255))  # the message whose link or key was used
    recipient_key: Mapped[str] = mapped_column(String(160), default="")
    confirmed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    confirmed_by: Mapped[str] = mapped_column(String(64))  # who confirmed (确认人)
    mobile: Mapped[str] = mapped_column(String(32), default="")
    entry: Mapped[str] = mapped_column(String(8))  # Entry
    entered_by: Mapped[str] = mapped_column(String(64), default="")  # staff who entered it by hand
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # the validated report fields
    note: Mapped[str] = mapped_column(Text, default="")
    late: Mapped[bool] = mapped_column(Boolean, default=False)  # after a reminder went out, or the deadline
    user_agent: Mapped[str] = mapped_column(String(200), default="")
    address: Mapped[str] = mapped_column(String(64), default="")
    review: Mapped[str] = mapped_column(String(16), default=Review.NONE)
    reviewed_by: Mapped[str] = mapped_column(String(64), default="")
    reviewed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    review_note: Mapped[str] = mapped_column(Text, default="")


class ZeroReport(Base):
    """One party's 零报告 for one day: 无情况, or an incident (事故/险情) with its facts. An
    incident starts the reporting clocks (domain.md §3.1) from ``submitted_at``."""

    __tablename__ = "zero_report"
    __table_args__ = (
        UniqueConstraint("day", "party"),
        Index("ix_zero_report_incident", "incident_at"),  # the incident planner reads its window
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[dt.date] = mapped_column(Date)
    party: Mapped[str] = mapped_column(String(160))  # enterprise:CODE or staff:CODE
    party_name: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16))  # zero | incident
    submitted_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    submitted_by: Mapped[str] = mapped_column(String(64))
    mobile: Mapped[str] = mapped_column(String(32), default="")
    entry: Mapped[str] = mapped_column(String(8))
    entered_by: Mapped[str] = mapped_column(String(64), default="")
    message_key: Mapped[str] = mapped_column(String(255), default="")
    late: Mapped[bool] = mapped_column(Boolean, default=False)  # after the cut-off
    note: Mapped[str] = mapped_column(Text, default="")
    # An incident (status "incident"); a zero report may later become one (补报), never back.
    incident_kind: Mapped[str] = mapped_column(String(16), default="")  # accident 事故 | danger 险情
    what: Mapped[str] = mapped_column(Text, default="")
    place: Mapped[str] = mapped_column(String(200), default="")
    occurred_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    deaths: Mapped[int] = mapped_column(Integer, default=0)
    injuries: Mapped[int] = mapped_column(Integer, default=0)  # seriously injured 重伤
    missing: Mapped[int] = mapped_column(Integer, default=0)  # 下落不明
    measures: Mapped[str] = mapped_column(Text, default="")
    incident_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)  # clocks start
    reported_up_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    reported_up_by: Mapped[str] = mapped_column(String(64), default="")


class Handover(Base):
    """The 交接班 record between duty day ``day`` (outgoing) and the next (incoming)."""

    __tablename__ = "handover"

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[dt.date] = mapped_column(Date, unique=True)  # the outgoing duty day
    outgoing_code: Mapped[str] = mapped_column(String(64))
    outgoing_name: Mapped[str] = mapped_column(String(64))
    written_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    events: Mapped[str] = mapped_column(Text, default="")  # 值班期间事件
    calls: Mapped[str] = mapped_column(Text, default="")  # 来电来文
    pending: Mapped[str] = mapped_column(Text, default="")  # 待办事项
    note: Mapped[str] = mapped_column(Text, default="")
    incoming_code: Mapped[str] = mapped_column(String(64), default="")
    incoming_name: Mapped[str] = mapped_column(String(64), default="")
    confirmed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    confirm_note: Mapped[str] = mapped_column(Text, default="")
