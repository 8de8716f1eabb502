"""Database sessions for requests. Pages only read: on SQLite they read through an engine of
their own whose transactions are plain (deferred) BEGINs, so a page never waits for the
scheduler's write lock (the service's engine starts every transaction with BEGIN IMMEDIATE,
which would make each page a writer). Requests that write (sign-in, feed tokens) use the
service's sessions. On PostgreSQL both are the service's sessions."""

from __future__ import annotations

from typing import Any

from flask import current_app
from sqlalchemy import create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from scheduler.app import App
from scheduler.db import SQLITE_BUSY_TIMEOUT_S, is_sqlite, make_sessions

KEY = "safeduty.reads"


def read_sessions(app: App) -> sessionmaker[Session]:
    url = app.loaded.database_url
    if not is_sqlite(url) or ":memory:" in url:
        return app.sessions
    app.sessions  # noqa: B018 - migrated by the service's engine first
    engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_S})
    event.listen(engine, "connect", _on_connect)
    event.listen(engine, "begin", lambda connection: connection.exec_driver_sql("BEGIN"))
    return make_sessions(engine)


def _on_connect(dbapi_connection: Any, _: Any) -> None:
    dbapi_connection.isolation_level = None  # BEGIN is issued by the listener above
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_S * 1000}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA query_only=ON")  # this engine never writes
    cursor.close()


def reads() -> Session:
    """A session for reading, to use as ``with reads() as db:``."""
    return current_app.extensions[KEY]()  # type: ignore[no-any-return]


def close(app: Any) -> None:
    sessions = app.extensions.get(KEY)
    if sessions is not None and sessions is not app.extensions["safeduty"].__dict__.get("sessions"):
        sessions.kw["bind"].dispose()
