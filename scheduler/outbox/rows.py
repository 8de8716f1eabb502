"""Outbox rows as the database driver takes them, for inserting planned messages in bulk.

Planning a year writes about a million rows. Through the mapped table, SQLAlchemy runs a type
processor on every value of every row: four datetimes (zone → UTC → SQLite's text format) and
two JSON documents cost more CPU than SQLite spends inserting the row (docs/performance.md).
Here each value is converted once per row (``now`` once per batch, ``due_at`` once for both
columns that hold it), JSON is written compactly in UTF-8 (Chinese text stays three bytes a
character instead of a six-byte ``\\uXXXX`` escape), and the rows go through an untyped view
of the table, so SQLAlchemy passes them to the driver as they are.

Datetimes are stored exactly as the mapped ``UTCDateTime`` columns store them: naive UTC,
as text in SQLAlchemy's own format on SQLite (checked against its processor at start).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import asdict
from typing import Any

from sqlalchemy import DateTime, column, table
from sqlalchemy.engine import Dialect

from scheduler.outbox.models import Status
from scheduler.outbox.planned import PlannedMessage

COLUMNS = (
    "key", "kind", "topic", "channel", "recipient_key", "recipient_name", "address", "mentions", "context",
    "notice_id", "due_at", "expires_at", "status", "attempts", "next_attempt_at", "claimed_by", "last_error", "created_at",
    "late", "reported", "priority", "subject", "body_text", "body_html", "body_markdown",
)
# The outbox table with untyped columns: values reach the driver unprocessed.
TABLE = table("outbox", *(column(name) for name in COLUMNS))

EXPIRED_AT_PLANNING = "not sent before it expired (the service was not running)"
# Contexts are trees built by planners: the circular-reference check only costs time.
_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), check_circular=False).encode
_NO_MENTIONS = "[]"


def _naive_utc(value: dt.datetime) -> dt.datetime:
    if value.tzinfo is None:
        raise ValueError(f"naive datetime {value!r} given to a UTC column")
    return value.astimezone(dt.UTC).replace(tzinfo=None)


def stamper(dialect: Dialect) -> Callable[[dt.datetime], Any]:
    """How an aware datetime is handed to ``dialect``'s driver for an outbox datetime column."""
    processor = DateTime().dialect_impl(dialect).bind_processor(dialect)
    if processor is None:  # the driver takes datetime objects (psycopg)
        return _naive_utc
    sample = dt.datetime(2026, 1, 5, 1, 2, 3, 4005)

    def as_text(value: dt.datetime) -> str:
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r} given to a UTC column")
        return value.astimezone(dt.UTC).isoformat(" ", "microseconds")[:26]  # without "+00:00"

    if processor(sample) == sample.isoformat(" ", "microseconds"):  # SQLite's format, written in C
        return as_text
    return lambda value: processor(_naive_utc(value))


class RowMaker:
    """Turns planned messages into driver-ready rows for one batch planned at ``now``."""

    def __init__(self, dialect: Dialect, now: dt.datetime) -> None:
        self.now = now
        self.stamp = stamper(dialect)
        self.created = self.stamp(now)
        self._expiry: tuple[dt.datetime | None, Any] = (None, None)

    def _expires(self, value: dt.datetime) -> Any:
        # Messages of one notice usually share one expiry object: convert it once.
        if self._expiry[0] is not value:
            self._expiry = (value, self.stamp(value))
        return self._expiry[1]

    def __call__(self, message: PlannedMessage, notice_id: int | None, own: dict[str, Any]) -> dict[str, object]:
        """The row of ``message``: ``own`` is its context less what its notice ``notice_id`` holds."""
        recipient = message.recipient
        expired = message.expires_at <= self.now
        due = self.stamp(message.due_at)
        return {
            "key": message.key,
            "kind": message.kind,
            "topic": message.topic,
            "channel": recipient.channel,
            "recipient_key": recipient.key,
            "recipient_name": recipient.name,
            "address": recipient.address,
            "mentions": _dumps([asdict(m) for m in recipient.mentions]) if recipient.mentions else _NO_MENTIONS,
            "context": _dumps(own),
            "notice_id": notice_id,
            "due_at": due,
            "expires_at": self._expires(message.expires_at),
            "status": Status.EXPIRED.value if expired else Status.PENDING.value,
            "attempts": 0,
            "next_attempt_at": due,
            "claimed_by": "",
            "last_error": EXPIRED_AT_PLANNING if expired else "",
            "created_at": self.created,
            "late": False,
            "reported": False,
            "priority": message.priority,
            "subject": "",
            "body_text": "",
            "body_html": "",
            "body_markdown": "",
        }
