"""Stored warnings: one row per received version of a thread, with the original document.

``warning_version`` keeps what the relay plans from (the ``Warning`` shape of ``model.py``) and
the document exactly as it arrived (``original``), so a reader can check the wording against the
source.  ``(sender, identifier)`` is unique: a document seen twice is taken once.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from scheduler.db import Base, UTCDateTime


class WarningVersion(Base):
    __tablename__ = "warning_version"
    __table_args__ = (
        UniqueConstraint("sender", "identifier", name="uq_warning_version_identifier"),
        Index("ix_warning_version_thread", "thread", "version"),
        Index("ix_warning_version_received", "received_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    thread: Mapped[str] = mapped_column(String(128))
    identifier: Mapped[str] = mapped_column(String(128))
    sender: Mapped[str] = mapped_column(String(200))
    sent: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16))
    msg_type: Mapped[str] = mapped_column(String(16))
    event: Mapped[str] = mapped_column(String(32))
    level: Mapped[str] = mapped_column(String(4))
    onset: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    expires: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    sender_name: Mapped[str] = mapped_column(String(200), default="")
    headline: Mapped[str] = mapped_column(Text, default="")
    description: Mapped[str] = mapped_column(Text, default="")
    instruction: Mapped[str] = mapped_column(Text, default="")
    area_desc: Mapped[str] = mapped_column(Text, default="")
    geocodes: Mapped[list[str]] = mapped_column(JSON, default=list)
    received_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    source: Mapped[str] = mapped_column(String(300))
    original: Mapped[str] = mapped_column(Text, default="")  # the document as it arrived


class FeedState(Base):
    """One row per CAP feed: when to poll next (a lease while a poll runs), failures in a row,
    the outage in progress, and the validators the feed last gave."""

    __tablename__ = "feed_state"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    next_poll: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    down_since: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    down_kind: Mapped[str] = mapped_column(String(64), default="")
    etag: Mapped[str] = mapped_column(String(500), default="")
    modified: Mapped[str] = mapped_column(String(100), default="")


class FeedSeen(Base):
    """A linked document a feed listed and that was fetched once (``digest``: of its url;
    ``sha256``: of what it held)."""

    __tablename__ = "feed_seen"

    feed: Mapped[str] = mapped_column(String(64), primary_key=True)
    digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64))
    seen_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
