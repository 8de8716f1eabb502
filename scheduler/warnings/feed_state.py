"""What the service remembers of each feed between polls and across restarts, in the database.

- ``feed_state``  one row per feed: the next poll (moved ahead as a lease while a poll runs), the
                  failures in a row, the outage in progress (since when, the kind of error) and
                  the ``ETag`` / ``Last-Modified`` the feed last gave (an ETag longer than 500
                  characters is not kept: the next poll then fetches in full, and intake's
                  de-duplication keeps that harmless)
- ``feed_seen``   one row per linked document fetched once: the feed, the digest of its url,
                  the digest of what it held and when

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
from scheduler.warnings.tables import FeedSeen
from scheduler.warnings.tables import FeedState as FeedRow

ETAG_MAX = 500  # feed_state.etag is a String(500)
MODIFIED_MAX = 100  # feed_state.modified is a String(100)


@dataclass
class FeedState:
    next_poll: dt.datetime | None = None
    failures: int = 0
    down_since: dt.datetime | None = None
    down_kind: str = ""
    etag: str = ""
    modified: str = ""


def link_digest(url: str) -> str:
    return hashlib.sha256(url.encode("utf-8")).hexdigest()[:40]


def load(session: Session, name: str) -> FeedState:
    row = session.get(FeedRow, name)
    if row is None:
        return FeedState()
    return FeedState(next_poll=row.next_poll, failures=row.failures, down_since=row.down_since,
                     down_kind=row.down_kind, etag=row.etag, modified=row.modified)


def next_poll(session: Session, name: str) -> dt.datetime | None:
    return session.scalar(select(FeedRow.next_poll).where(FeedRow.name == name))


def claim(session: Session, name: str, now: dt.datetime, until: dt.datetime) -> bool:
    """Take the feed's poll that is due at ``now``: its next poll moves to ``until`` (a lease, so a
    poll that dies midway is tried again then) in one conditional upsert, so of two replicas only
    one polls.  False when the feed is not due, or another replica took it."""
    table = table_of(FeedRow)
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    statement = insert(table).values(
        name=name, next_poll=until, failures=0, down_kind="", etag="", modified="",
    ).on_conflict_do_update(
        index_elements=["name"], set_={"next_poll": until},
        where=table.c.next_poll.is_(None) | (table.c.next_poll <= now),
    ).execution_options(preserve_rowcount=True)  # an INSERT's rowcount is dropped otherwise (psycopg)
    return rowcount(session.execute(statement)) == 1


def save(session: Session, name: str, state: FeedState, now: dt.datetime) -> None:
    """Write ``state`` (the caller commits)."""
    row = session.get(FeedRow, name)
    if row is None:
        row = FeedRow(name=name)
        session.add(row)
    row.next_poll, row.failures = state.next_poll or now, state.failures
    row.down_since = state.down_since
    row.down_kind = state.down_kind if state.down_since is not None else ""
    row.etag = state.etag if len(state.etag) <= ETAG_MAX else ""
    row.modified = state.modified if len(state.modified) <= MODIFIED_MAX else ""


def seen(session: Session, name: str, urls: list[str]) -> set[str]:
    """Which of ``urls`` were fetched before."""
    by_digest = {link_digest(u): u for u in urls}
    if not by_digest:
        return set()
    found = session.scalars(select(FeedSeen.digest).where(
        FeedSeen.feed == name, FeedSeen.digest.in_(list(by_digest))))
    return {by_digest[d] for d in found}


def forget_unlisted(session: Session, name: str, urls: list[str]) -> int:
    """Drop the links fetched before that the feed no longer lists (the rows stay as many as the
    list is long; a link listed again is fetched again, and intake takes its document once)."""
    keep = {link_digest(u) for u in urls}
    stale = [d for d in session.scalars(select(FeedSeen.digest).where(FeedSeen.feed == name)) if d not in keep]
    if stale:
        session.execute(delete(FeedSeen).where(FeedSeen.feed == name, FeedSeen.digest.in_(stale)))
    return len(stale)


def mark_seen(session: Session, name: str, url: str, content: bytes, now: dt.datetime) -> None:
    digest, sha256 = link_digest(url), hashlib.sha256(content).hexdigest()
    row = session.get(FeedSeen, (name, digest))
    if row is None:
        session.add(FeedSeen(feed=name, digest=digest, sha256=sha256, seen_at=now))
    else:
        row.sha256, row.seen_at = sha256, now
