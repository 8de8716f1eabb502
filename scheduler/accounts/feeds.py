"""Calendar-feed tokens (ICS subscriptions): random, stored only as a digest, shown once.

A token is 24 random bytes (192 bits), base64url, drawn again until it starts with a letter: one
starting with "-" would read as an option in `safeduty feed revoke <prefix>`, and an all-digit
prefix as a row id. The database keeps its SHA-256 digest and its
first characters (to tell tokens apart in a listing); the token itself is printed once, when it
is issued, and can never be shown again — issue a new one and revoke the old. A revoked or
unknown token is answered like a page that does not exist.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from scheduler.accounts.models import FeedToken
from scheduler.people.models import Staff

TOKEN_BYTES = 24
PREFIX = 6
PERSON, TEAM = "person", "team"
# Recording each fetch's time would be a write per calendar poll; once an hour is enough to see
# which subscriptions are still used.
ACCESS_RESOLUTION = dt.timedelta(hours=1)


class FeedError(Exception):
    """A feed change refused; the message says why. Nothing changed."""


@dataclass(frozen=True)
class Issued:
    row: FeedToken
    token: str  # shown once


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue(session: Session, *, staff_code: str = "", now: dt.datetime, by: str, label: str = "") -> Issued:
    """A new token: one person's duties (``staff_code``), or the whole team's roster ("")."""
    if staff_code:
        staff = session.scalar(select(Staff).where(Staff.code == staff_code))
        if staff is None or not staff.active:
            raise FeedError(f"no member of staff with 工号 {staff_code!r} in the staff list")
        label = label or staff.name
    token = secrets.token_urlsafe(TOKEN_BYTES)
    while not token[0].isalpha():
        token = secrets.token_urlsafe(TOKEN_BYTES)
    row = FeedToken(digest=digest(token), prefix=token[:PREFIX], scope=PERSON if staff_code else TEAM,
                    staff_code=staff_code, label=label[:100] or "值班表", created_at=now, created_by=by[:64])
    session.add(row)
    session.flush()
    return Issued(row, token)


def revoke(session: Session, ident: str, *, now: dt.datetime) -> list[FeedToken]:
    """Revoke by the token's first characters (as `feed list` shows them), its id, or every live
    token of a 工号. Returns what was revoked; raises FeedError when nothing matches."""
    query = select(FeedToken).where(FeedToken.revoked_at.is_(None))
    if ident.isdigit():
        rows = list(session.scalars(query.where(FeedToken.id == int(ident))))
    else:
        rows = list(session.scalars(query.where(FeedToken.prefix == ident[:PREFIX]))) if len(ident) >= PREFIX else []
        rows = rows or list(session.scalars(query.where(FeedToken.staff_code == ident)))
    if not rows:
        raise FeedError(f"no live feed token matches {ident!r} (see `safeduty feed list`)")
    for row in rows:
        row.revoked_at = now
    return rows


def listing(session: Session, *, staff_code: str | None = None, revoked: bool = False) -> list[FeedToken]:
    query = select(FeedToken).order_by(FeedToken.staff_code, FeedToken.id)
    if staff_code is not None:
        query = query.where(FeedToken.staff_code == staff_code)
    if not revoked:
        query = query.where(FeedToken.revoked_at.is_(None))
    return list(session.scalars(query))


def resolve(session: Session, token: str, *, now: dt.datetime) -> FeedToken | None:
    """The live subscription ``token`` opens, noting when it was used (None: unknown or revoked)."""
    if not token or len(token) > 100:
        return None
    row = session.scalar(select(FeedToken).where(FeedToken.digest == digest(token),
                                                 FeedToken.revoked_at.is_(None)))
    if row is None:
        return None
    if row.last_access_at is None or now - row.last_access_at >= ACCESS_RESOLUTION:
        session.execute(update(FeedToken).where(FeedToken.id == row.id).values(last_access_at=now))
    return row
