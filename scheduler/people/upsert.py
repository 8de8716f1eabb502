"""Write a checked data file into its table: by ``code``, in chunks, through Core.

The file has been read and checked in full before this runs (``people.imports``), its records
spooled to a temporary file, so the write transaction (which on SQLite holds the database's
only write lock) does nothing but write: no parsing, and memory bounded by a chunk plus one
(id, code, active) entry per existing row, instead of an ORM object per row.
"""

from __future__ import annotations

import pickle
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

CHUNK = 1000


class Spool:
    """Records of one file, pickled in chunks to a temporary file (deleted when closed)."""

    def __init__(self, fields: Sequence[str]) -> None:
        self.fields = tuple(fields)
        self.file: IO[bytes] = tempfile.TemporaryFile(prefix="safeduty-import-")
        self.count = 0
        self._chunk: list[tuple[Any, ...]] = []

    def add(self, record: dict[str, Any]) -> None:
        self._chunk.append(tuple(record[f] for f in self.fields))
        self.count += 1
        if len(self._chunk) == CHUNK:
            self._flush()

    def _flush(self) -> None:
        if self._chunk:
            pickle.dump(self._chunk, self.file, protocol=pickle.HIGHEST_PROTOCOL)
            self._chunk = []

    def chunks(self) -> Iterator[list[dict[str, Any]]]:
        self._flush()
        self.file.seek(0)
        while True:
            try:
                chunk = pickle.load(self.file)
            except EOFError:
                return
            yield [dict(zip(self.fields, values, strict=True)) for values in chunk]

    def close(self) -> None:
        self.file.close()

    def __enter__(self) -> Spool:
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    deactivated: int

    def __str__(self) -> str:
        return f"{self.created} new, {self.updated} updated, {self.deactivated} deactivated"


_MARKERS = {"qmark": "?", "format": "%s", "pyformat": "%s"}


def _insert(session: Session, table: str, columns: list[str], rows: list[tuple[Any, ...]]) -> None:
    """One executemany straight to the driver: building SQLAlchemy's parameters costs four
    times what SQLite spends inserting the rows, and the write lock is held meanwhile."""
    connection = session.connection()
    marker = _MARKERS[connection.dialect.paramstyle]
    names = ", ".join(columns)
    connection.exec_driver_sql(f"INSERT INTO {table} ({names}) VALUES ({', '.join([marker] * len(columns))})", rows)


def upsert(session: Session, model: Any, spool: Spool, replace: bool) -> ImportResult:
    """Insert new codes, update changed rows (reactivating them), and with ``replace``
    deactivate the rows the file no longer lists."""
    # SQLAlchemy here, not with the module: reading a file into a Spool (`safeduty check`) needs none.
    from sqlalchemy import bindparam, select, update

    from scheduler.db import table_of

    table = table_of(model)
    fields = [f for f in spool.fields if f != "code"]
    existing = {code: (id_, active) for id_, code, active in
                session.execute(select(table.c.id, table.c.code, table.c.active))}
    seen: set[int] = set()
    created = updated = 0
    change = (update(table).where(table.c.id == bindparam("_id"))
              .values({f: bindparam(f) for f in [*fields, "active"]}))
    for chunk in spool.chunks():
        known = [r for r in chunk if r["code"] in existing]
        ids = [existing[r["code"]][0] for r in known]
        current = {row[0]: row[1:] for row in session.execute(
            select(table.c.id, table.c.active, *(table.c[f] for f in fields)).where(table.c.id.in_(ids)))}
        changed = []
        for record, id_ in zip(known, ids, strict=True):
            seen.add(id_)
            active, *values = current[id_]
            if not active or values != [record[f] for f in fields]:
                changed.append({**record, "_id": id_, "active": True})
        if changed:
            session.execute(change, [{k: v for k, v in r.items() if k != "code"} for r in changed])
            updated += len(changed)
        new = [r for r in chunk if r["code"] not in existing]
        if new:
            _insert(session, table.name, [*spool.fields, "active"],
                    [(*(r[f] for f in spool.fields), True) for r in new])
            created += len(new)
    deactivated = 0
    if replace:
        gone = [id_ for id_, active in existing.values() if active and id_ not in seen]
        for start in range(0, len(gone), CHUNK):
            session.execute(update(table).where(table.c.id.in_(gone[start:start + CHUNK])).values(active=False))
        deactivated = len(gone)
    session.flush()
    return ImportResult(created, updated, deactivated)
