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
    one. ``terminated`` counts the kills by the backend's state at the time."""

    def __init__(self, database: str, *, seed: int, gap: tuple[float, float] = (0.005, 0.05),
                 idle_share: float = 0.1) -> None:
        self.database = database
        self.rng = random.Random(seed)
        self.gap = gap
        self.idle_share = idle_share
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
                            (ended,) = conn.execute("SELECT pg_terminate_backend(%s)", (pid,)).fetchone()
                            if ended:
                                self.terminated[state] += 1
        except Exception as exc:  # reported by stop(): a killer that died silently proves nothing
            self.error = exc

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
