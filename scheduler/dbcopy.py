"""Copy every table of a SQLite database into an empty PostgreSQL database (moving from one
server to several replicas).

The service must be stopped for it (the copy holds the SQLite database's instance lock): a
message sent after the copy began would be pending again in the copy, and sent twice. The
target is migrated to this safeduty's schema first, then filled table by table in foreign-key
order in one transaction, its id sequences moved past the copied ids, and every table's row
count compared with the source's. A target that holds anything is refused.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import (
    Connection,
    Engine,
    Integer,
    MetaData,
    Table,
    func,
    insert,
    inspect,
    select,
    text,
)

from scheduler import migrate
from scheduler.backup import lock_of
from scheduler.db import DatabaseUnusable, make_engine
from scheduler.dbcheck import open_existing, shown
from scheduler.lock import AlreadyRunning

CHUNK = 5000
Progress = Callable[[str, int, int], None]  # (table, rows copied, rows in all)


@dataclass(frozen=True)
class TableCopied:
    name: str
    rows: int


def copy_to_postgresql(database: Path, source_url: str, target_url: str, *,
                       progress: Progress = lambda table, done, total: None,
                       lock_wait: dt.timedelta = dt.timedelta(seconds=5)) -> list[TableCopied]:
    """Copy the SQLite database ``database`` (at ``source_url``) into the empty PostgreSQL
    database at ``target_url``; returns each table with its row count."""
    if not target_url.startswith(("postgresql://", "postgresql+psycopg://")):
        scheme = target_url.split(":", 1)[0]
        raise DatabaseUnusable(f'--to: "{scheme}:" is not a PostgreSQL URL; give postgresql://user@host:5432/name')
    lock = lock_of(database)
    try:
        lock.acquire()
    except AlreadyRunning as exc:
        raise DatabaseUnusable(f"{exc} Stop the service before copying its database; nothing was copied.") from None
    try:
        source = open_existing(source_url, lock_wait=lock_wait)
        target = make_engine(target_url, application_name="safeduty db copy")
        try:
            return _copy(source, target, target_url, progress)
        finally:
            source.dispose()
            target.dispose()
    finally:
        lock.release()


# The schema's own bookkeeping, which the target's migration writes itself: its revision, and the
# web interface's change counters (migration 0015; only ever compared with themselves).
NOT_COPIED = {"alembic_version", "web_version"}


def _copy(source: Engine, target: Engine, target_url: str, progress: Progress) -> list[TableCopied]:
    tables = MetaData()
    tables.reflect(source)
    names = {t.name for t in tables.sorted_tables} - NOT_COPIED
    try:
        refusal = _refusal(target, names)
    except Exception as exc:  # cannot connect: psycopg's reason, without the password
        reason = str(getattr(exc, "orig", exc)).strip().splitlines()[0]
        raise DatabaseUnusable(f"database {shown(target_url)}: {reason}") from None
    if refusal:
        raise DatabaseUnusable(f"database {shown(target_url)} is not empty ({refusal}); "
                               "copy into a new, empty database")
    migrate.upgrade(target)
    into = MetaData()
    into.reflect(target)
    missing = sorted(names - set(into.tables))
    if missing:
        raise DatabaseUnusable(f"the target's schema lacks table(s) {', '.join(missing)}")
    copied: list[TableCopied] = []
    with source.connect() as reader, target.begin() as writer:
        reader.exec_driver_sql("BEGIN")  # one snapshot of every table
        for table in tables.sorted_tables:
            if table.name in names:
                copied.append(_copy_table(reader, writer, table, into.tables[table.name], progress))
        for done in copied:
            _move_sequence(writer, into.tables[done.name])
        for done in copied:
            count = writer.scalar(select(func.count()).select_from(into.tables[done.name]))
            if count != done.rows:
                raise DatabaseUnusable(f"{done.name}: {count} row(s) in the target, {done.rows} in the source")
    return copied


def _refusal(target: Engine, names: set[str]) -> str:
    """Why the target is not empty ('' when it is, or holds only an empty safeduty schema)."""
    with target.connect() as connection:
        present = set(inspect(connection).get_table_names())
        if not present:
            return ""
        foreign = sorted(present - names - NOT_COPIED)
        if foreign:
            return f"it has tables safeduty does not use: {', '.join(foreign[:5])}"
        problem = migrate.schema_problem(connection)
        if problem is not None and "is older than" not in problem:
            return problem
        for name in sorted(present - NOT_COPIED):
            rows = connection.scalar(text(f'SELECT count(*) FROM "{name}"'))
            if rows:
                return f"table {name} has {rows} row(s)"
    return ""


def _copy_table(reader: Connection, writer: Connection, source: Table, target: Table, progress: Progress) -> TableCopied:
    columns = [c.name for c in source.columns]
    absent = [c for c in columns if c not in target.columns]
    if absent:
        raise DatabaseUnusable(f"{source.name}: the target has no column(s) {', '.join(absent)}")
    total = reader.scalar(select(func.count()).select_from(source)) or 0
    done = 0
    progress(source.name, 0, total)
    order = list(source.primary_key.columns) or list(source.columns)
    result = reader.execution_options(stream_results=True).execute(select(source).order_by(*order))
    statement = insert(target)
    while rows := result.fetchmany(CHUNK):
        writer.execute(statement, [dict(zip(columns, row, strict=True)) for row in rows])
        done += len(rows)
        progress(source.name, done, total)
    return TableCopied(source.name, done)


def _move_sequence(writer: Connection, table: Table) -> None:
    """An id column filled with copied ids: its sequence must start after the largest."""
    keys = list(table.primary_key.columns)
    if len(keys) != 1 or not isinstance(keys[0].type, Integer):
        return
    column = keys[0].name
    sequence = writer.scalar(text("SELECT pg_get_serial_sequence(:t, :c)"), {"t": f'"{table.name}"', "c": column})
    if sequence:
        largest = writer.scalar(text(f'SELECT max("{column}") FROM "{table.name}"'))
        writer.execute(text("SELECT setval(:s, :v, false)"), {"s": sequence, "v": (largest or 0) + 1})
