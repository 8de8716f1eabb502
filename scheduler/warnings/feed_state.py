"""What the service remembers of each feed between polls and across restarts, in the database.

There is no table of its own (migrations belong to the storage work this session): the state
lives in ``data_file`` (``scheduler/state.py``), the service's bookkeeping of imported sources,
under keys that no data file can have (they start ``feed:``):

- ``feed:NAME``               imported_at = next poll; sha256 = failures in a row (a number)
- ``feed:NAME:down``          imported_at = outage since; sha256 = the error kind (only while down)
- ``feed:NAME:etag``          sha256 = the last ETag (one longer than 64 characters is not kept:
                              the next poll then fetches in full, and intake's de-duplication
                              keeps that harmless)
- ``feed:NAME:modified``      sha256 = the last Last-Modified
- ``feed:NAME:seen:DIGEST``   a linked document fetched once (DIGEST: of its url); imported_at =
                              when; sha256 = the digest of what it held

Every replica reads and writes the same rows, and a restart resumes where the last poll left off.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from scheduler.db import rowcount, table_of
from scheduler.state import DataFile

VALUE_MAX = 64  # data_file.sha256 is a String(64)
PREFIX = "feed:"


@dataclass
class FeedState:
    next_poll: dt.datetime | None = None
    failures: int = 0
    down_since: dt.datetime | None = None
    down_kind: str = ""
    etag: str = ""
    modified: str = ""


def _key(name: str, part: str = "") -> str:
    return f"{PREFIX}{name}" + (f":{part}" if part else "")


def link_digest(url: str) -> str:
    return hashlib.sha256(url.encode("utf-8")).hexdigest()[:40]


def load(session: Session, name: str) -> FeedState:
    rows = {r.path: r for r in session.scalars(select(DataFile).where(
        DataFile.path.in_([_key(name), _key(name, "down"), _key(name, "etag"), _key(name, "modified")])))}
    state = FeedState()
    if (main := rows.get(_key(name))) is not None:
        state.next_poll, state.failures = main.imported_at, int(main.sha256 or 0)
    if (down := rows.get(_key(name, "down"))) is not None:
        state.down_since, state.down_kind = down.imported_at, down.sha256
    state.etag = rows[_key(name, "etag")].sha256 if _key(name, "etag") in rows else ""
    state.modified = rows[_key(name, "modified")].sha256 if _key(name, "modified") in rows else ""
    return state


def next_poll(session: Session, name: str) -> dt.datetime | None:
    return session.scalar(select(DataFile.imported_at).where(DataFile.path == _key(name)))


def claim(session: Session, name: str, now: dt.datetime, until: dt.datetime) -> bool:
    """Take the feed's poll that is due at ``now``: its next poll moves to ``until`` (a lease, so a
    poll that dies midway is tried again then) in one conditional upsert, so of two replicas only
    one polls.  False when the feed is not due, or another replica took it."""
    table = table_of(DataFile)
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    statement = insert(table).values(path=_key(name), sha256="0", imported_at=until).on_conflict_do_update(
        index_elements=["path"], set_={"imported_at": until}, where=table.c.imported_at <= now,
    ).execution_options(preserve_rowcount=True)  # an INSERT's rowcount is dropped otherwise (psycopg)
    return rowcount(session.execute(statement)) == 1


def _put(session: Session, path: str, value: str, when: dt.datetime) -> None:
    row = session.get(DataFile, path)
    if row is None:
        session.add(DataFile(path=path, sha256=value, imported_at=when))
    else:
        row.sha256, row.imported_at = value, when


def _drop(session: Session, path: str) -> None:
    session.execute(delete(DataFile).where(DataFile.path == path))


def save(session: Session, name: str, state: FeedState, now: dt.datetime) -> None:
    """Write ``state`` (the caller commits)."""
    _put(session, _key(name), str(state.failures), state.next_poll or now)
    if state.down_since is not None:
        _put(session, _key(name, "down"), state.down_kind[:VALUE_MAX], state.down_since)
    else:
        _drop(session, _key(name, "down"))
    for part, value in (("etag", state.etag), ("modified", state.modified)):
        if value and len(value) <= VALUE_MAX:
            _put(session, _key(name, part), value, now)
        else:
            _drop(session, _key(name, part))


def seen(session: Session, name: str, urls: list[str]) -> set[str]:
    """Which of ``urls`` were fetched before."""
    by_digest = {_key(name, f"seen:{link_digest(u)}"): u for u in urls}
    if not by_digest:
        return set()
    found = session.scalars(select(DataFile.path).where(DataFile.path.in_(list(by_digest))))
    return {by_digest[p] for p in found}


def forget_unlisted(session: Session, name: str, urls: list[str]) -> int:
    """Drop the links fetched before that the feed no longer lists (the rows stay as many as the
    list is long; a link listed again is fetched again, and intake takes its document once)."""
    keep = {_key(name, f"seen:{link_digest(u)}") for u in urls}
    prefix = _key(name, "seen:")
    stale = [p for p in session.scalars(select(DataFile.path).where(DataFile.path.startswith(prefix, autoescape=True)))
             if p not in keep]
    if stale:
        session.execute(delete(DataFile).where(DataFile.path.in_(stale)))
    return len(stale)


def mark_seen(session: Session, name: str, url: str, content: bytes, now: dt.datetime) -> None:
    _put(session, _key(name, f"seen:{link_digest(url)}"), hashlib.sha256(content).hexdigest(), now)
