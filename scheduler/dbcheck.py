"""Open an existing database for reading, changing nothing, or say plainly why it cannot be used.

The service's own engine (``scheduler.db.make_engine``) creates a missing SQLite file and
migrates the schema on first use: right for `safeduty run`, wrong for a command that watches or
copies a database (`status`, `db backup`, `db copy`). Those open it here instead: a SQLite file
read-only (it must exist), with a bounded wait for a lock, and its schema checked against this
safeduty's migrations before anything else reads it.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from scheduler import migrate
from scheduler.db import DatabaseUnusable, is_sqlite, make_engine, sqlite_path

__all__ = ["DatabaseUnusable", "check_sqlite_file", "explain", "integrity_problem", "open_existing", "shown"]


def shown(url: str) -> str:
    """A database URL fit for messages and logs (no password)."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # an unparsable URL: show its scheme only
        return url.split(":", 1)[0] + ":…"


def open_existing(url: str, *, lock_wait: dt.timedelta = dt.timedelta(seconds=5)) -> Engine:
    """An engine on the existing database at ``url`` whose schema is this safeduty's current one.

    SQLite is opened read-only (nothing can be written through this engine). Raises
    DatabaseUnusable naming the database and the reason.
    """
    if is_sqlite(url):
        engine = _sqlite_read_only(url, lock_wait)
    else:
        engine = make_engine(url, application_name="safeduty status")
    try:
        with engine.connect() as connection:
            problem = migrate.schema_problem(connection)
    except DBAPIError as exc:
        engine.dispose()
        raise DatabaseUnusable(f"database {shown(url)}: {explain(exc)}") from None
    if problem is not None:
        engine.dispose()
        raise DatabaseUnusable(f"database {shown(url)}: {problem}")
    return engine


def _sqlite_read_only(url: str, lock_wait: dt.timedelta) -> Engine:
    path = sqlite_path(url)
    if path is None:
        raise DatabaseUnusable("an in-memory SQLite database cannot be inspected from another process")
    check_sqlite_file(path)
    uri = f"file:{path}?mode=ro"
    engine = create_engine("sqlite://", creator=lambda: sqlite3.connect(
        uri, uri=True, timeout=lock_wait.total_seconds(), check_same_thread=False))

    def on_connect(dbapi_connection: sqlite3.Connection, _: object) -> None:
        dbapi_connection.execute(f"PRAGMA busy_timeout={int(lock_wait.total_seconds() * 1000)}")

    event.listen(engine, "connect", on_connect)
    return engine


SQLITE_MAGIC = b"SQLite format 3\x00"


def check_sqlite_file(path: Path) -> None:
    """Raise DatabaseUnusable unless ``path`` is a readable file that starts like a SQLite database."""
    if not path.exists():
        raise DatabaseUnusable(f"database {path} does not exist (check service.database in the config; "
                               "`safeduty run` or `safeduty db upgrade` creates it)")
    if not path.is_file():
        raise DatabaseUnusable(f"database {path} is not a file")
    try:
        with path.open("rb") as fh:
            head = fh.read(len(SQLITE_MAGIC))
    except OSError as exc:
        raise DatabaseUnusable(f"database {path}: cannot read it ({exc.strerror})") from None
    if head != SQLITE_MAGIC:
        what = "is empty" if not head else "is not a SQLite database (or it is corrupt)"
        raise DatabaseUnusable(f"database {path} {what}")


def explain(exc: DBAPIError) -> str:
    """The driver's reason, in a sentence a person can act on."""
    reason = str(exc.orig).strip().splitlines()[0] if exc.orig is not None else str(exc)
    lowered = reason.lower()
    if "locked" in lowered or "busy" in lowered:
        return f"it is locked by another process ({reason}); try again, or stop what holds it"
    if "not a database" in lowered or "malformed" in lowered or "corrupt" in lowered:
        return f"it is corrupt ({reason}); restore it from a backup (`safeduty db restore FILE`)"
    return reason


def integrity_problem(engine: Engine) -> str | None:
    """SQLite's own check of every page and index (None when it is ok; PostgreSQL: always None)."""
    if engine.dialect.name != "sqlite":
        return None
    with engine.connect() as connection:
        found = [row[0] for row in connection.execute(text("PRAGMA integrity_check"))]
    return None if found == ["ok"] else "; ".join(found[:5])
