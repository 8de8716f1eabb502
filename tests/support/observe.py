"""Look into a running service's database from the test, and wait for things with deadlines.

The probe has an engine of its own, with none of the service's session set-up: on SQLite it
only reads (never taking the write lock the service needs); on PostgreSQL it is named
``reliability-probe``, so fault injectors that pick the service's connections by
``application_name`` ("safeduty …") leave it alone.
"""

from __future__ import annotations

import collections
import datetime as dt
import json
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import create_engine, text

from scheduler.config import LoadedConfig


@dataclass(frozen=True)
class Row:
    key: str
    kind: str
    channel: str
    status: str
    attempts: int
    late: bool
    reported: bool
    due_at: dt.datetime
    sent_at: dt.datetime | None
    last_error: str
    claimed_by: str


@dataclass(frozen=True)
class Attempt:
    key: str
    number: int
    worker: str
    started_at: dt.datetime
    finished_at: dt.datetime
    outcome: str
    detail: str


def _utc(value: dt.datetime | str | None) -> Any:  # an aware datetime, or None for None
    if value is None:
        return None
    moment = dt.datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment.replace(tzinfo=dt.UTC)


class OutboxProbe:
    def __init__(self, url: str) -> None:
        if url.startswith("postgresql://"):
            url = "postgresql+psycopg://" + url[len("postgresql://"):]
        args = {"application_name": "reliability-probe"} if url.startswith("postgresql") else {"timeout": 30}
        self.engine = create_engine(url, connect_args=args)

    @classmethod
    def of(cls, loaded: LoadedConfig) -> OutboxProbe:
        return cls(loaded.database_url)

    def rows(self) -> list[Row]:
        with self.engine.connect() as conn:
            found = conn.execute(text(
                "SELECT key, kind, channel, status, attempts, late, reported, due_at, sent_at, last_error, "
                "claimed_by FROM outbox ORDER BY id"))
            return [Row(r[0], r[1], r[2], r[3], r[4], bool(r[5]), bool(r[6]), _utc(r[7]), _utc(r[8]), r[9],
                        r[10]) for r in found]  # type: ignore[arg-type]

    def statuses(self, prefix: str = "") -> collections.Counter[str]:
        return collections.Counter(r.status for r in self.rows() if r.key.startswith(prefix))

    def keys(self, *statuses: str, prefix: str = "") -> set[str]:
        return {r.key for r in self.rows() if r.status in statuses and r.key.startswith(prefix)}

    def contexts(self, kind: str) -> list[tuple[str, str, dict[str, Any]]]:
        """(key, recipient_key, context) of every message of ``kind``."""
        with self.engine.connect() as conn:
            found = conn.execute(text("SELECT key, recipient_key, context FROM outbox WHERE kind = :kind ORDER BY id"),
                                 {"kind": kind})
            return [(r[0], r[1], json.loads(r[2]) if isinstance(r[2], str) else r[2]) for r in found]

    def attempts(self) -> list[Attempt]:
        with self.engine.connect() as conn:
            found = conn.execute(text(
                "SELECT o.key, a.number, a.worker, a.started_at, a.finished_at, a.outcome, a.detail "
                "FROM delivery_attempt a JOIN outbox o ON o.id = a.message_id ORDER BY a.id"))
            return [Attempt(r[0], r[1], r[2], _utc(r[3]), _utc(r[4]), r[5], r[6])  # type: ignore[arg-type]
                    for r in found]

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> OutboxProbe:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def wait_until(condition: Callable[[], object], timeout: float, what: str, *, every: float = 0.05,
               explain: Callable[[], str] = lambda: "") -> None:
    """Poll ``condition`` until it is true; fail naming ``what`` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    pause = threading.Event()
    while not condition():
        if time.monotonic() > deadline:
            detail = explain()
            raise AssertionError(f"timed out after {timeout:g}s waiting for {what}"
                                 + (f":\n{detail}" if detail else ""))
        pause.wait(every)


def wait_until_all(probe: OutboxProbe, keys: set[str], status: str, services: Iterable[Any], timeout: float,
                   prefix: str = "") -> None:
    """Wait until every key in ``keys`` has ``status``; fail at once, with its log, if a service
    process exits meanwhile."""
    running = list(services)

    def done() -> bool:
        for service in running:
            if service.process.poll() is not None:
                raise AssertionError(f"safeduty exited ({service.process.returncode}):\n"
                                     + "\n".join(service.lines[-40:]))
        return probe.keys(status, prefix=prefix) >= keys

    wait_until(done, timeout, f"{len(keys)} message(s) {status}",
               explain=lambda: f"{probe.statuses(prefix)}\n" + "\n".join(
                   line for service in running for line in service.lines[-20:]))


def wait_while_progressing(probe: OutboxProbe, keys: set[str], status: str, services: Iterable[Any],
                           stall: float, *, every: float = 0.25) -> None:
    """Wait until every key in ``keys`` has ``status``, however long that takes while more of them
    keep getting there; fail only after ``stall`` seconds in which none did (a service that is
    stuck, not one on a slow machine), or at once, with its log, if a service process exits."""
    running = list(services)
    pause = threading.Event()
    reached, since = -1, time.monotonic()
    while True:
        for service in running:
            if service.process.poll() is not None:
                raise AssertionError(f"safeduty exited ({service.process.returncode}):\n"
                                     + "\n".join(service.lines[-40:]))
        now_reached = len(probe.keys(status) & keys)
        if now_reached == len(keys):
            return
        if now_reached > reached:
            reached, since = now_reached, time.monotonic()
        elif time.monotonic() - since > stall:
            raise AssertionError(
                f"stuck: {reached} of {len(keys)} message(s) {status}, none more in {stall:g}s: "
                f"{probe.statuses()}\n" + "\n".join(line for service in running for line in service.lines[-20:]))
        pause.wait(every)
