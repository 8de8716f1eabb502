"""Reports to the admins (``delivery.admins``) about warnings that could not be taken in or relayed.

- 「预警订阅源中断」 / 「预警订阅源恢复」: a feed failing ``report_after`` times in a row, and
  working again (``feeds``);
- 「预警文件被拒收」: a document refused by the inbox or a feed, with the element at fault;
- 「预警未能送达的场所」: after a warning is matched, the venues in its area with no contact at all,
  and the enterprises whose 行政区划 no warning can match (``planners/warnings``).

Each is planned when it happens, by the code that sees it (the poller, the inbox scan, the relay
planner): the facts it tells — an error, a reason, a document — are not kept anywhere a planner
could read them later.  Its key names the problem (the feed and since when, the document, the
warning version, the set of enterprises), so the outbox keeps each once, however often it is seen.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from scheduler.outbox import store
from scheduler.outbox.planned import PlannedMessage, Recipient
from scheduler.people.directory import Directory
from scheduler.warnings.fetch import KINDS

FEED_DOWN = "admin/feed_down"
FEED_UP = "admin/feed_up"
REFUSED = "admin/warning_refused"
GAPS = "admin/warning_gaps"
LIFETIME = dt.timedelta(days=3)
TOPIC = "warnings-intake"
MAX_LISTED = 30


@dataclass(frozen=True)
class Report:
    key: str  # without the recipient
    kind: str
    at: dt.datetime
    context: dict[str, Any]


def _stamp(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%S")


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def feed_down(name: str, kind: str, since: dt.datetime, failures: int, now: dt.datetime,
              status: str = "") -> list[Report]:
    """``status``: the HTTP status the feed answered (``HTTP 503``), shown after the error kind."""
    what = KINDS.get(kind, kind) + (f"（{status}）" if status else "")
    context = {"feed": name, "kind": kind, "what": what, "since": since.isoformat(), "failures": failures}
    return [Report(f"admin:feed-down:{name}:{_stamp(since)}", FEED_DOWN, now, context)]


def feed_up(name: str, kind: str, since: dt.datetime, now: dt.datetime) -> list[Report]:
    context = {"feed": name, "kind": kind, "what": KINDS.get(kind, kind), "since": since.isoformat(),
               "until": now.isoformat()}
    return [Report(f"admin:feed-up:{name}:{_stamp(since)}", FEED_UP, now, context)]


def refused(source: str, file: str, reason: str, identity: str, now: dt.datetime) -> list[Report]:
    """``identity`` tells this document from others of the same name (its url or folder path)."""
    context = {"source": source, "file": file, "reason": reason[:500]}
    return [Report(f"admin:warning-refused:{_digest(identity + chr(0) + reason)}", REFUSED, now, context)]


def gaps(warning: Any, unreachable: Sequence[Any], unplaced: Sequence[Any]) -> list[Report]:
    """Venues the warning could not reach: matched with no contact, or with no usable 行政区划.

    Keyed by the warning version for the first, by the set of enterprises for the second (so the
    same unplaced enterprises are reported once, not with every warning)."""
    found: list[Report] = []
    base = {"headline": warning.headline or f"{warning.event}{warning.level}色预警", "area": warning.area_desc}
    if unreachable:
        context = {**base, "problem": "no_contact", **_listed(unreachable)}
        found.append(Report(f"admin:warning-gaps:{warning.thread}:v{warning.version}:no-contact", GAPS,
                            warning.received_at, context))
    if unplaced:
        codes = sorted(f"{e.code}={e.region}" for e in unplaced)
        context = {**base, "problem": "no_region", **_listed(unplaced)}
        found.append(Report(f"admin:warning-gaps:no-region:{_digest(chr(0).join(codes))}", GAPS,
                            warning.received_at, context))
    return found


def _listed(enterprises: Sequence[Any]) -> dict[str, Any]:
    return {"count": len(enterprises), "more": max(0, len(enterprises) - MAX_LISTED),
            "venues": [{"code": e.code, "name": e.name, "region": e.region} for e in enterprises[:MAX_LISTED]]}


def messages(reports: Iterable[Report], admins: Sequence[Recipient]) -> list[PlannedMessage]:
    return [PlannedMessage(f"{r.key}:{admin.key}", r.kind, admin, r.at, r.at + LIFETIME, r.context, TOPIC)
            for r in reports for admin in admins]


def enqueue(app: Any, reports: Sequence[Report]) -> int:
    """Put ``reports`` in the outbox for every admin (a key already there is kept as it is)."""
    if not reports:
        return 0
    config = app.config
    with app.sessions() as session:
        admins = Directory.load(session, config).group(config.delivery.admins)
        added = store.enqueue(session, messages(reports, admins), app.clock.now())
        session.commit()
    return added
