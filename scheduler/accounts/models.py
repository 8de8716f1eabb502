"""Tables of the web interface: accounts, failed sign-ins, calendar-feed tokens (migration 0006)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from scheduler.db import Base, UTCDateTime


class WebUser(Base):
    """A member of staff who may sign in. ``staff_code`` is their 工号 in the staff table.

    ``session_version`` is in every session cookie: signing out (or a new password, or disabling
    the account) increments it, so every cookie issued before stops working at once.
    """

    __tablename__ = "web_user"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    staff_code: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255), default="")
    roles: Mapped[str] = mapped_column(String(100), default="viewer")  # comma-separated WebRole values
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    last_login_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)


class LoginFailure(Base):
    """One failed sign-in. Counted per account and per address over a window, in the database
    so that every replica behind a proxy sees the same count."""

    __tablename__ = "web_login_failure"
    __table_args__ = (
        Index("ix_web_login_failure_account", "account", "at"),
        Index("ix_web_login_failure_address", "address", "at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    account: Mapped[str] = mapped_column(String(64))
    address: Mapped[str] = mapped_column(String(64))


class FeedToken(Base):
    """A calendar subscription (ICS feed). Only a SHA-256 digest of the token is kept: the token
    itself is shown once, when it is issued. ``staff_code`` empty = the whole team's roster."""

    __tablename__ = "feed_token"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(8))  # the token's first characters, to tell them apart
    scope: Mapped[str] = mapped_column(String(16))  # "person" or "team"
    staff_code: Mapped[str] = mapped_column(String(64), default="", index=True)
    label: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[str] = mapped_column(String(64), default="")
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_access_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
