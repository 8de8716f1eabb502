"""Per-target delivery state, kept in the database so every replica honours the same limits.

A *target* is a configured channel: one bot, one mail account, one webhook endpoint. Its row holds

- a **rate budget**: the claim times of the last minute. A target limited to N per minute may
  take N − (claims in the last 60 s) more now. This is a sliding window rather than a classic
  token bucket on purpose: a bucket refilling N/min with a burst of B lets N + B through in
  some minute, and DingTalk answers that with a 10-minute block;
- a **pause** (``paused_until``): set when the target throttles us (429, DingTalk 130101, WeCom
  45009, Feishu 11232) or fails as a whole (connection refused, timeout, 5xx), so one failing
  target costs one probe per backoff instead of one timeout per message;
- **health**: consecutive configuration errors (bad token, bad signature, SMTP 535); after
  ``delivery.unhealthy_after`` of them the target is *unhealthy*: its messages wait (and expire,
  and are reported) until the channel's config changes or an admin resets it.

Budgets are taken under a row lock (``FOR UPDATE`` on PostgreSQL; SQLite has one writer).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import JSON, Dialect, Integer, String, Text, bindparam, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, Session, mapped_column

from scheduler.config.channels import ChannelConfig
from scheduler.db import Base, DriverStatement, UTCDateTime, table_of

WINDOW_S = 60.0


class DeliveryTarget(Base):
    __tablename__ = "delivery_target"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    recent: Mapped[list[float]] = mapped_column(JSON, default=list)  # claim times (epoch s), last minute
    paused_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    pause_reason: Mapped[str] = mapped_column(Text, default="")
    failures: Mapped[int] = mapped_column(Integer, default=0)  # consecutive target-wide failures
    config_errors: Mapped[int] = mapped_column(Integer, default=0)  # consecutive configuration errors
    unhealthy_since: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    fingerprint: Mapped[str] = mapped_column(String(16), default="")  # of the config that failed
    last_error: Mapped[str] = mapped_column(Text, default="")

    def paused(self, now: dt.datetime) -> bool:
        return self.pause_left(now) > dt.timedelta(0)

    def pause_left(self, now: dt.datetime) -> dt.timedelta:
        if self.paused_until is None or self.paused_until <= now:
            return dt.timedelta(0)
        return self.paused_until - now

    def pause(self, until: dt.datetime, reason: str) -> None:
        if self.paused_until is None or until > self.paused_until:
            self.paused_until = until
            self.pause_reason = reason


@dataclass(frozen=True)
class Limits:
    per_minute: int = 0  # 0 = no limit
    per_second: int = 0

    @classmethod
    def of(cls, spec: ChannelConfig) -> Limits:
        return cls(spec.rate_per_minute, spec.rate_per_second)

    @property
    def limited(self) -> bool:
        return bool(self.per_minute or self.per_second)

    def budget(self, recent: Iterable[float], now: dt.datetime) -> int:
        """How many requests may start now (a large number when unlimited)."""
        stamp = now.timestamp()
        times = list(recent)
        room = []
        if self.per_minute:
            room.append(self.per_minute - sum(1 for t in times if t > stamp - WINDOW_S))
        if self.per_second:
            room.append(self.per_second - sum(1 for t in times if t > stamp - 1.0))
        return max(0, min(room)) if room else 1 << 30

    def capacity(self, target: DeliveryTarget, now: dt.datetime, horizon: dt.timedelta) -> int:
        """About how many requests the target may take within ``horizon`` from now."""
        usable = horizon - target.pause_left(now)
        if usable <= dt.timedelta(0):
            return 0
        seconds = usable.total_seconds()
        room = []
        if self.per_minute:
            room.append(self.budget(target.recent, now) + int(self.per_minute * seconds / WINDOW_S))
        if self.per_second:
            room.append(int(self.per_second * max(1.0, seconds)))
        return min(room) if room else 1 << 30


def record_claims(target: DeliveryTarget, count: int, now: dt.datetime) -> None:
    """Spend ``count`` of the budget now; forget what left the window."""
    stamp = now.timestamp()
    kept = [t for t in target.recent if t > stamp - WINDOW_S]
    target.recent = kept + [stamp] * count


def ensure(session: Session, names: Collection[str], fingerprints: dict[str, str]) -> dict[str, DeliveryTarget]:
    """Every named target's row (created when missing). A target marked unhealthy whose config
    has since changed is given another chance."""
    if names:
        insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
        session.execute(
            insert(table_of(DeliveryTarget)).on_conflict_do_nothing(index_elements=["name"]),
            [_new_row(name) for name in sorted(names)],
        )
    targets = load(session, names)
    for name, target in targets.items():
        if target.unhealthy_since is not None and target.fingerprint != fingerprints.get(name, ""):
            reset(target, "its config changed")
    return targets


def load(session: Session, names: Collection[str], *, lock: bool = False) -> dict[str, DeliveryTarget]:
    query = select(DeliveryTarget).where(DeliveryTarget.name.in_(sorted(names))).order_by(DeliveryTarget.name)
    if lock:  # in name order, so two replicas never wait on each other crosswise
        query = query.with_for_update()
    return {t.name: t for t in session.scalars(query)}


class ClearFailures:
    """A message to each of the targets named was sent: their runs of failures are over. A
    statement per target on the cursor of a ``db.driver_transaction``, writing only a row that
    counted some (the common case, a healthy target, writes nothing)."""

    def __init__(self, dialect: Dialect) -> None:
        table = table_of(DeliveryTarget)
        self._statement = DriverStatement(
            update(table).where(table.c.name == bindparam("_name"), (table.c.failures != 0) | (table.c.config_errors != 0))
            .values(failures=0, config_errors=0), dialect)

    def __call__(self, cursor: Any, names: Collection[str]) -> None:
        for name in sorted(names):
            self._statement.run(cursor, {"_name": name})


def reset(target: DeliveryTarget, why: str) -> None:
    target.unhealthy_since = None
    target.config_errors = 0
    target.failures = 0
    target.paused_until = None
    target.pause_reason = ""
    target.last_error = f"reset: {why}"


def _new_row(name: str) -> dict[str, object]:
    return {"name": name, "recent": [], "pause_reason": "", "failures": 0, "config_errors": 0,
            "fingerprint": "", "last_error": ""}
