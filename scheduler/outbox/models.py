"""The outbox table and the record of every delivery attempt."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from scheduler.db import Base, UTCDateTime

BigId = BigInteger().with_variant(Integer(), "sqlite")  # SQLite autoincrements only INTEGER keys


class Status(enum.StrEnum):
    PENDING = "pending"  # waiting for due_at / next_attempt_at
    SENDING = "sending"  # claimed under a lease
    FAILED = "failed"  # the last attempt failed; a retry is scheduled
    SENT = "sent"
    DEAD = "dead"  # a permanent failure, or retried past the maximum age
    EXPIRED = "expired"  # not sent before expires_at; reported, never sent late silently
    CANCELLED = "cancelled"  # no longer wanted (e.g. the hazard was closed)
    MERGED = "merged"  # folded into a digest message sent in its place


WAITING = (Status.PENDING, Status.FAILED)
FINAL = (Status.SENT, Status.DEAD, Status.EXPIRED, Status.CANCELLED, Status.MERGED)


class OutboxMessage(Base):
    __tablename__ = "outbox"
    __table_args__ = (
        # The dispatcher's query: due rows by time. Rows are planned roughly in due order, so
        # claims touch adjacent pages.
        Index("ix_outbox_due", "status", "next_attempt_at"),
        # Each round claims per channel (a fair share each, within its budget).
        Index("ix_outbox_channel_due", "channel", "status", "next_attempt_at"),
        Index("ix_outbox_topic", "topic"),
        # Each dispatch pass expires the waiting rows past expires_at: without this it scans them all.
        Index("ix_outbox_expiry", "status", "expires_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(255), unique=True)
    kind: Mapped[str] = mapped_column(String(64))
    topic: Mapped[str] = mapped_column(String(128), default="")
    channel: Mapped[str] = mapped_column(String(64))
    recipient_key: Mapped[str] = mapped_column(String(160))
    recipient_name: Mapped[str] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(String(254), default="")
    mentions: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    context: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    due_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(16), default=Status.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    claimed_by: Mapped[str] = mapped_column(String(64), default="")
    claimed_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    late: Mapped[bool] = mapped_column(Boolean, default=False)
    # Retries give up max_age after this (NULL: after due_at); `outbox retry` sets it to now.
    retry_from: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    reported: Mapped[bool] = mapped_column(Boolean, default=False)  # dead/expired told to admins
    priority: Mapped[int] = mapped_column(SmallInteger, default=0)  # planned.URGENT goes first
    # What was sent, exactly, as rendered at send time.
    subject: Mapped[str] = mapped_column(Text, default="")
    body_text: Mapped[str] = mapped_column(Text, default="")
    body_html: Mapped[str] = mapped_column(Text, default="")
    body_markdown: Mapped[str] = mapped_column(Text, default="")


class DeliveryAttempt(Base):
    __tablename__ = "delivery_attempt"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("outbox.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    worker: Mapped[str] = mapped_column(String(64))
    started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    outcome: Mapped[str] = mapped_column(String(16))
    detail: Mapped[str] = mapped_column(Text, default="")
