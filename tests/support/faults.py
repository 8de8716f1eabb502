"""Database faults: PostgreSQL connections cut under a running service, and a SQLite database
held locked by another writer.

The machine's PostgreSQL server is shared, so it is never restarted: ``BackendKiller`` ends the
service's own connections with ``pg_terminate_backend``, picking them by database and by the
``application_name`` the engine sets ("safeduty <worker>").
"""

from __future__ import annotations

import collections
import random
import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

SERVICE_APPLICATION = "safeduty %"


def _admin_connect() -> Any:
    import psycopg

    from tests.support.postgres import ADMIN_URL

    return psycopg.connect(ADMIN_URL, autocommit=True, connect_timeout=3, application_name="reliability-killer")


class BackendKiller:
    """A thread that, every few milliseconds (at random), terminates the service's connections to
    ``database`` that are inside a transaction or running a statement, and now and then an idle
    one. ``terminated`` counts the kills by the backend's state at the time.

    ``paced_by`` (a count of the service's progress, e.g. deliveries) ties the kills to that
    progress instead of the wall clock: a kill is allowed per ``per_kill`` units of progress,
    and at most ``burst`` in a row without any. A machine under load stretches every transaction
    in time, so a killer on a timer alone kills more of them the slower the machine is, until
    nothing commits (seen with two suites at once); paced, it cuts as many per message however
    slow the machine, and never more in a row than the service's own retries are meant for."""

    def __init__(self, database: str, *, seed: int, gap: tuple[float, float] = (0.005, 0.05),
                 idle_share: float = 0.1, paced_by: Callable[[], int] | None = None, per_kill: int = 8,
                 burst: int = 3) -> None:
        self.database = database
        self.rng = random.Random(seed)
        self.gap = gap
        self.idle_share = idle_share
        self.paced_by = paced_by
        self.per_kill = per_kill
        self.burst = burst
        self._tokens = float(burst)
        self._progress = 0
        self.held_back = 0  # busy connections spared because the service had not progressed
        self.terminated: collections.Counter[str] = collections.Counter()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="backend-killer", daemon=True)
        self.error: Exception | None = None

    def _run(self) -> None:
        try:
            with _admin_connect() as conn:
                while not self._stop.wait(self.rng.uniform(*self.gap)):
                    rows = conn.execute(
                        "SELECT pid, state FROM pg_stat_activity WHERE datname = %s AND application_name LIKE %s",
                        (self.database, SERVICE_APPLICATION),
                    ).fetchall()
                    for pid, state in rows:
                        busy = state in ("active", "idle in transaction", "idle in transaction (aborted)")
                        if busy or self.rng.random() < self.idle_share:
                            if not self._may_kill():
                                self.held_back += busy
                                continue
                            (ended,) = conn.execute("SELECT pg_terminate_backend(%s)", (pid,)).fetchone()
                            if ended:
                                self.terminated[state] += 1
                                self._tokens -= 1
        except Exception as exc:  # reported by stop(): a killer that died silently proves nothing
            self.error = exc

    def _may_kill(self) -> bool:
        if self.paced_by is None:
            return True
        progress = self.paced_by()
        self._tokens = min(float(self.burst), self._tokens + (progress - self._progress) / self.per_kill)
        self._progress = progress
        return self._tokens >= 1

    @property
    def total(self) -> int:
        return sum(self.terminated.values())

    def start(self) -> BackendKiller:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=10)
        if self.error is not None:
            raise AssertionError(f"the backend killer failed: {self.error!r}") from self.error

    def __enter__(self) -> BackendKiller:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


class SqliteWriter:
    """Another process's writer: holds ``BEGIN IMMEDIATE`` (the write lock) until released."""

    def __init__(self, path: Path) -> None:
        self.connection = sqlite3.connect(path, isolation_level=None, timeout=30, check_same_thread=False)

    def hold(self) -> None:
        self.connection.execute("BEGIN IMMEDIATE")

    def release(self) -> None:
        self.connection.execute("COMMIT")

    def close(self) -> None:
        self.connection.close()
