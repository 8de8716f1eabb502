"""The outbox table, the notices its messages share, and the record of every delivery attempt.

A notice (通知) goes to many recipients with the same context: the holiday, the step, the
measures. What all its messages share is stored once, in ``notice``; each outbox row keeps what
differs for its recipient (``outbox.context``: the enterprise, say) and points at its notice.
``OutboxMessage.context`` is the two together, as the templates see it. Rows planned alone, and
rows written through the ORM, keep their whole context in the row (``notice_id`` NULL).
"""

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
from sqlalchemy.orm import Mapped, mapped_column, relationship

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


class Notice(Base):
    __tablename__ = "notice"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    # sha256 of the kind and the shared context (its first 128 bits): planning finds a notice again by it.
    digest: Mapped[str] = mapped_column(String(32), unique=True)
    kind: Mapped[str] = mapped_column(String(64))
    context: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


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
    # What this recipient's message does not share with its notice (the whole context without one).
    own_context: Mapped[dict[str, Any]] = mapped_column("context", JSON, default=dict)
    notice_id: Mapped[int | None] = mapped_column(ForeignKey("notice.id"), nullable=True)
    notice: Mapped[Notice | None] = relationship(lazy="joined", innerjoin=False)
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

    @property
    def context(self) -> dict[str, Any]:
        """The template context: the notice's shared part with this recipient's own on top."""
        own = self.own_context or {}
        return {**self.notice.context, **own} if self.notice is not None else own

    @context.setter
    def context(self, value: dict[str, Any]) -> None:
        self.own_context = dict(value)
        self.notice = None


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
