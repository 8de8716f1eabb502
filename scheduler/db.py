"""One engine and session factory for SQLite (the embedded default) or PostgreSQL.

SQLite runs in WAL mode with a busy timeout, and every transaction starts with BEGIN IMMEDIATE:
a writer that finds the database locked waits (up to the busy timeout) instead of failing
half-way with SQLITE_BUSY when it upgrades a read lock.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any, cast

from sqlalchemy import (
    ClauseElement,
    Connection,
    CursorResult,
    DateTime,
    Dialect,
    Engine,
    MetaData,
    Result,
    Table,
    create_engine,
    event,
    text,
)
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.types import TypeDecorator

from scheduler.dburl import is_sqlite, sqlite_path
from scheduler.files import create_private

SQLITE_BUSY_TIMEOUT_S = 30

_NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class DatabaseUnusable(Exception):
    """The database is missing, locked, corrupt, not safeduty's, or of another schema version:
    the message says which, and what to do (the CLI prints it and exits 2)."""


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=_NAMING)


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Aware datetimes in, aware UTC datetimes out; stored as naive UTC on every backend."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r} given to a UTC column")
        return value.astimezone(dt.UTC).replace(tzinfo=None)

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        return None if value is None else value.replace(tzinfo=dt.UTC)


def table_of(model: type[Base]) -> Table:
    """A mapped class's Table (typed: SQLAlchemy's stubs call ``__table__`` a FromClause)."""
    return cast(Table, model.__table__)


def rowcount(result: Result[Any]) -> int:
    """Rows an UPDATE/DELETE/INSERT touched (0 when the driver cannot tell)."""
    return cast(CursorResult[Any], result).rowcount or 0


class DriverStatement:
    """A Core statement compiled once for one dialect and run on the DBAPI cursor itself.

    For the path that runs once per message sent (recording its outcome: an UPDATE, an INSERT
    and the commit), SQLAlchemy's execution around each statement (the compiled-cache look-up,
    an execution context, a result) cost about twice what the database itself does. The values
    still go through each column's bind processor for the dialect, so what is stored is exactly
    what Core would store; the SQL is Core's own. ``keys`` names the columns an INSERT is given.
    """

    def __init__(self, statement: ClauseElement, dialect: Dialect, keys: Sequence[str] = ()) -> None:
        compiled = cast(SQLCompiler, statement.compile(dialect=dialect, column_keys=list(keys) or None))
        self.sql = compiled.string
        self.positional = compiled.positional
        binds = {name: bind for bind, name in compiled.bind_names.items()}
        names = list(compiled.positiontup or ()) if compiled.positional else list(binds)
        self.names = names
        # (the caller's key, whether the caller must give it, the statement's own value otherwise,
        # the bind processor)
        self.params = [(binds[n].key, binds[n].required, None if binds[n].required else binds[n].effective_value,
                        binds[n].type.dialect_impl(dialect).bind_processor(dialect)) for n in names]

    def run(self, cursor: Any, values: Mapping[str, Any]) -> int:
        """Execute with ``values`` (keyed as the statement's bindparams); returns the rowcount."""
        params = []
        for key, required, literal, process in self.params:
            value = values[key] if required or key in values else literal
            params.append(process(value) if process is not None else value)
        cursor.execute(self.sql, params if self.positional else dict(zip(self.names, params, strict=True)))
        return int(cursor.rowcount)


@contextmanager
def driver_transaction(connection: Connection) -> Iterator[Any]:
    """A transaction on ``connection``'s DBAPI connection, for DriverStatement: yields a cursor,
    commits on leaving (BEGIN IMMEDIATE first on SQLite, as every transaction here). An error
    leaves the connection invalidated (the pool opens a fresh one) and raises as SQLAlchemy's
    own (OperationalError for a lost connection)."""
    dbapi = connection.connection.dbapi_connection
    assert dbapi is not None
    cursor = dbapi.cursor()
    try:
        if connection.dialect.name == "sqlite":
            cursor.execute("BEGIN IMMEDIATE")
        yield cursor
        dbapi.commit()
    except connection.dialect.loaded_dbapi.Error as exc:
        connection.invalidate()
        raise DBAPIError.instance(None, None, exc, connection.dialect.loaded_dbapi.Error) from exc
    except BaseException:
        connection.invalidate()
        raise
    finally:
        try:
            cursor.close()
        except Exception:  # the connection is gone already
            pass


def make_engine(url: str, *, application_name: str = "safeduty") -> Engine:
    if is_sqlite(url):
        path = sqlite_path(url)
        if path is not None:
            create_private(path)  # 0600 in a 0700 folder: it holds every contact and message
        engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_S})
        event.listen(engine, "connect", _sqlite_on_connect)
        event.listen(engine, "begin", _sqlite_begin_immediate)
        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return create_engine(
        url,
        pool_pre_ping=True,  # a restarted server or a killed backend costs one reconnect, not a crash
        pool_size=4,
        connect_args={"application_name": application_name, "connect_timeout": 10},
    )


def _sqlite_on_connect(dbapi_connection: Any, _: Any) -> None:
    dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_S * 1000}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _sqlite_begin_immediate(connection: Any) -> None:
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def make_sessions(engine: Engine) -> sessionmaker[Any]:
    return sessionmaker(engine, expire_on_commit=False)


def take_turns(session: Session, name: str) -> None:
    """Make the transactions that call this with the same ``name`` run one after another, until
    each commits: replicas on PostgreSQL (a transaction-scoped advisory lock). On SQLite they do
    already (BEGIN IMMEDIATE)."""
    if session.get_bind().dialect.name == "postgresql":
        key = int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})
