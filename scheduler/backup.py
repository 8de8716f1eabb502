"""Back up a SQLite database while the service runs, and restore one when it does not.

A backup uses SQLite's online backup API in one step: it reads one consistent snapshot (in WAL
mode a reader never blocks the service's writes, nor they it), writes it to a temporary file
beside the destination, checks it, and only then renames it into place. A step-by-step backup
would restart every time the service wrote between two steps, and might never finish.

A restore refuses a file that is not a safeduty database (or is corrupt, or of a newer schema),
and refuses while a `safeduty run` holds the database's instance lock; it holds that lock
itself while it works, so the service cannot start half-way. The database it replaces is kept
beside it (``<name>.replaced-<UTC time>``), with its WAL checkpointed first, so a stale ``-wal``
file can never be replayed over the restored one.
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine

from scheduler import migrate
from scheduler.db import DatabaseUnusable
from scheduler.dbcheck import check_sqlite_file
from scheduler.lock import AlreadyRunning, InstanceLock

SIDE_FILES = ("-wal", "-shm")


@dataclass(frozen=True)
class Copied:
    path: Path
    size: int  # bytes
    revision: str


def lock_of(database: Path) -> InstanceLock:
    """The lock `safeduty run` holds on ``database`` (a file beside it)."""
    return InstanceLock(database.with_name(database.name + ".lock"))


def backup(database: Path, destination: Path, *, replace: bool = False,
           lock_wait: dt.timedelta = dt.timedelta(seconds=5)) -> Copied:
    """Copy the live database at ``database`` to ``destination`` (a single file, no WAL)."""
    check_sqlite_file(database)
    if destination.resolve() == database.resolve():
        raise DatabaseUnusable(f"{destination} is the database itself; back it up to another file")
    if destination.exists() and not replace:
        raise DatabaseUnusable(f"{destination} already exists; choose another name, or pass --replace")
    if not destination.parent.is_dir():
        raise DatabaseUnusable(f"folder {destination.parent} does not exist")
    problem = _problem(database, lock_wait)
    if problem is not None:
        raise DatabaseUnusable(f"database {database}: {problem}")
    return _copy(database, destination, lock_wait)


def restore(source: Path, database: Path, *, now: dt.datetime) -> tuple[Copied, Path | None]:
    """Replace ``database`` by the backup ``source``; returns the copy made and where the
    previous database was kept (None when there was none)."""
    check_sqlite_file(source)
    if source.resolve() == database.resolve():
        raise DatabaseUnusable(f"{source} is the database itself")
    problem = _problem(source, dt.timedelta(seconds=5), restoring=True)
    if problem is not None:
        raise DatabaseUnusable(f"{source} cannot be restored: {problem}")
    lock = lock_of(database)
    try:
        lock.acquire()
    except AlreadyRunning as exc:
        raise DatabaseUnusable(f"database {database} is in use: {exc} Stop the service before restoring; "
                               "nothing was changed.") from None
    try:
        database.parent.mkdir(parents=True, exist_ok=True)
        kept = _set_aside(database, now) if database.exists() else None
        return _copy(source, database, dt.timedelta(seconds=5)), kept
    finally:
        lock.release()


def _problem(path: Path, lock_wait: dt.timedelta, *, restoring: bool = False) -> str | None:
    """Why the SQLite file at ``path`` is not a usable safeduty database (None: it is). A file to
    restore is checked page by page first; an older schema is fine there (the service upgrades
    it on start)."""
    engine = create_engine("sqlite://", creator=lambda: _read_only(path, lock_wait))
    try:
        with engine.connect() as connection:
            if restoring:
                check = [row[0] for row in connection.exec_driver_sql("PRAGMA quick_check")]
                if check != ["ok"]:
                    return f"it is corrupt ({'; '.join(check[:3])})"
            problem = migrate.schema_problem(connection)
    except sqlite3.DatabaseError as exc:
        return _reason(exc)
    except Exception as exc:  # SQLAlchemy wraps the driver's error
        orig = getattr(exc, "orig", None)
        if isinstance(orig, sqlite3.DatabaseError):
            return _reason(orig)
        raise
    finally:
        engine.dispose()
    if problem is not None and restoring and "is older than" in problem:
        return None
    return problem


def _reason(exc: sqlite3.DatabaseError) -> str:
    text = str(exc)
    if "locked" in text or "busy" in text:
        return f"it is locked by another process ({text}); try again"
    if "malformed" in text or "corrupt" in text:
        return f"it is corrupt ({text})"
    return f"it is not a readable SQLite database ({text})"


def _read_only(path: Path, lock_wait: dt.timedelta) -> sqlite3.Connection:
    return sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=lock_wait.total_seconds(),
                           check_same_thread=False)


def _copy(source: Path, destination: Path, lock_wait: dt.timedelta) -> Copied:
    temporary = destination.with_name(f".{destination.name}.partial-{os.getpid()}")
    _remove(temporary)
    try:
        with closing(_read_only(source, lock_wait)) as src, closing(sqlite3.connect(temporary)) as dst:
            src.backup(dst)  # one step: one consistent snapshot
            dst.execute("PRAGMA journal_mode=DELETE")  # a single self-contained file
            check = dst.execute("PRAGMA integrity_check").fetchall()
            if check != [("ok",)]:
                raise DatabaseUnusable(f"the copy of {source} failed its integrity check: {check[:3]}")
            (revision,) = dst.execute("SELECT version_num FROM alembic_version").fetchone() or ("?",)
        os.chmod(temporary, 0o600)
        with temporary.open("rb") as fh:
            os.fsync(fh.fileno())
        for suffix in SIDE_FILES:  # a WAL beside the destination belongs to what it replaces
            _remove(destination.with_name(destination.name + suffix))
        os.replace(temporary, destination)
    finally:
        _remove(temporary)
    return Copied(destination, destination.stat().st_size, str(revision))


def _set_aside(database: Path, now: dt.datetime) -> Path:
    """Checkpoint the current database's WAL into it (if it can be opened), then rename it and
    its side files to ``<name>.replaced-<time>``."""
    try:
        with closing(sqlite3.connect(database, timeout=5)) as connection:
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    except sqlite3.DatabaseError:
        pass  # a corrupt database is kept as it is, side files and all
    kept = database.with_name(f"{database.name}.replaced-{now.astimezone(dt.UTC):%Y%m%dT%H%M%SZ}")
    os.replace(database, kept)
    for suffix in SIDE_FILES:
        side = database.with_name(database.name + suffix)
        if side.exists():
            os.replace(side, kept.with_name(kept.name + suffix))
    return kept


def _remove(path: Path) -> None:
    try:
        path.unlink()
    except FileNotFoundError:
        pass
