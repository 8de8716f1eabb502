"""Reading and writing stored warning versions (``warning_version``) as ``model.Warning``.

The relay calls ``versions_since``, ``in_force`` and ``thread``; intake calls ``add_version``.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from scheduler.warnings.model import LEVELS, Alert, Warning
from scheduler.warnings.tables import WarningVersion

DELIVERED_STATUSES = ("Actual", "Exercise")


def to_warning(row: WarningVersion) -> Warning:
    return Warning(
        id=row.id, thread=row.thread, identifier=row.identifier, version=row.version,
        status=row.status,  # type: ignore[arg-type]
        msg_type=row.msg_type,  # type: ignore[arg-type]
        event=row.event, level=row.level,  # type: ignore[arg-type]
        onset=row.onset, expires=row.expires, sender_name=row.sender_name, headline=row.headline,
        description=row.description, instruction=row.instruction, area_desc=row.area_desc,
        geocodes=tuple(row.geocodes or ()), received_at=row.received_at, source=row.source,
    )


def find(session: Session, sender: str, identifier: str) -> WarningVersion | None:
    """The stored version with this CAP (sender, identifier), if any."""
    return session.scalars(select(WarningVersion).where(
        WarningVersion.sender == sender, WarningVersion.identifier == identifier)).first()


def find_identifier(session: Session, identifier: str) -> WarningVersion | None:
    """A stored version with this identifier from any sender (the profile's ids are unique)."""
    return session.scalars(select(WarningVersion).where(
        WarningVersion.identifier == identifier).order_by(WarningVersion.id)).first()


def referencing(session: Session, identifier: str) -> WarningVersion | None:
    """The first stored Update or Cancel whose document names ``identifier`` in its references
    (it arrived before the alert it updates)."""
    return session.scalars(select(WarningVersion).where(
        WarningVersion.msg_type.in_(("Update", "Cancel")), WarningVersion.identifier != identifier,
        WarningVersion.original.contains(f",{identifier},")).order_by(WarningVersion.id)).first()


def add_version(session: Session, alert: Alert, *, thread: str, received_at: dt.datetime,
                source: str, original: str, earliest: bool = False) -> Warning:
    """Store ``alert`` as the next version of ``thread`` and return it (flushed, not committed);
    ``earliest``: as the version before all others (an original that arrived after its update)."""
    if earliest:
        first = session.scalar(select(func.min(WarningVersion.version)).where(WarningVersion.thread == thread))
        return _add(session, alert, thread, (first or 1) - 1, received_at, source, original)
    last = session.scalar(select(func.max(WarningVersion.version)).where(WarningVersion.thread == thread))
    return _add(session, alert, thread, (last or 0) + 1, received_at, source, original)


def _add(session: Session, alert: Alert, thread: str, version: int, received_at: dt.datetime,
         source: str, original: str) -> Warning:
    info = alert.infos[0]
    areas = [a for i in alert.infos for a in i.areas] if len(alert.infos) > 1 else list(info.areas)
    codes: list[str] = []
    descs: list[str] = []
    for area in areas:
        if area.desc and area.desc not in descs:
            descs.append(area.desc)
        for code in area.geocodes:
            if code not in codes:
                codes.append(code)
    row = WarningVersion(
        thread=thread, identifier=alert.identifier, sender=alert.sender, sent=alert.sent,
        version=version, status=alert.status, msg_type=alert.msg_type, event=info.event,
        level=info.level, onset=info.onset, expires=info.expires, sender_name=info.sender_name,
        headline=info.headline, description=info.description, instruction=info.instruction,
        area_desc="、".join(descs), geocodes=codes, received_at=received_at, source=source[:300],
        original=original,
    )
    session.add(row)
    session.flush()
    return to_warning(row)


def get(session: Session, warning_id: int) -> WarningVersion | None:
    """The stored row (with its original document) by id."""
    return session.get(WarningVersion, warning_id)


def detail(session: Session, warning_id: int) -> tuple[Warning, list[Warning], str] | None:
    """One version for the pages that show it: itself, its thread's versions, its original document."""
    row = get(session, warning_id)
    if row is None:
        return None
    warning = to_warning(row)
    return warning, thread(session, warning.thread), row.original


def versions_since(session: Session, since: dt.datetime) -> list[Warning]:
    """Every version received at or after ``since`` (aware), oldest first (by receipt, then id).

    Test (and any other undelivered status) versions are included: the caller filters on
    ``status`` if it only relays Actual/Exercise.
    """
    rows = session.scalars(select(WarningVersion).where(WarningVersion.received_at >= since)
                           .order_by(WarningVersion.received_at, WarningVersion.id))
    return [to_warning(r) for r in rows]


def in_force(session: Session, at: dt.datetime) -> list[Warning]:
    """The latest version of each thread that is in force at ``at`` (aware).

    A thread is in force when its latest version is Actual or Exercise, is not a Cancel, and has
    not expired (``expires`` is None or later than ``at``).  A version received after ``at`` is
    not seen.  Most severe level first, then the newest.
    """
    rows = session.scalars(select(WarningVersion).where(WarningVersion.received_at <= at)
                           .order_by(WarningVersion.thread, WarningVersion.version))
    latest: dict[str, WarningVersion] = {}
    for row in rows:
        latest[row.thread] = row
    out = [to_warning(r) for r in latest.values()
           if r.status in DELIVERED_STATUSES and r.msg_type != "Cancel"
           and (r.expires is None or r.expires > at)]
    out.sort(key=lambda w: (LEVELS.index(w.level), -w.received_at.timestamp(), -w.id))
    return out


def thread(session: Session, thread: str) -> list[Warning]:
    """All versions of ``thread`` (the identifier of its first alert), in version order."""
    rows = session.scalars(select(WarningVersion).where(WarningVersion.thread == thread)
                           .order_by(WarningVersion.version, WarningVersion.id))
    return [to_warning(r) for r in rows]


def recent(session: Session, limit: int = 200) -> list[WarningVersion]:
    """The latest version of recent threads, newest first (for the list pages)."""
    rows = session.scalars(select(WarningVersion).order_by(WarningVersion.id.desc()).limit(limit * 4))
    seen: dict[str, WarningVersion] = {}
    for row in rows:  # the thread's highest version: an original that came late is not its latest
        if row.thread not in seen or row.version > seen[row.thread].version:
            seen[row.thread] = row
    return list(seen.values())[:limit]
