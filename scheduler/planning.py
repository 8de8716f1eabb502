"""One planner's window into the outbox, with its failures kept to itself.

A planner that fails must not stop the alerts of the others, nor the rest of its own:

- a message whose values do not fit the outbox (a name longer than its column) is not
  inserted; every other message is;
- when the database refuses a batch anyway (a value it finds invalid), the batch is inserted
  again message by message, each in its own savepoint, and only the refused ones are left out;
- a planner that raises keeps what it planned before the error; its tick is not recorded, so
  the same window is planned again next time (keys make that safe), and the other planners run.

Each failure becomes a ``dead`` outbox row (key ``unplanned:…``) saying what failed and why,
so the admins' digest reports it like any message that could not be sent (once: the key is
deterministic). Its error is built from the failure's kind and safe fields (redaction.summary).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from sqlalchemy import String, select
from sqlalchemy.exc import DBAPIError, StatementError
from sqlalchemy.orm import Session

from scheduler.db import table_of
from scheduler.outbox import store
from scheduler.outbox.models import OutboxMessage, Status
from scheduler.outbox.planned import PlannedMessage, Window
from scheduler.planners.base import PlanContext, Planner
from scheduler.redaction import summary

log = logging.getLogger("safeduty.planning")

PREFIX = "unplanned:"
CHUNK = 500  # messages per savepoint when the database refused a batch
ERROR_CHARS = 500
_COLUMNS = table_of(OutboxMessage).c
LIMITS = {c.name: c.type.length for c in _COLUMNS if isinstance(c.type, String) and c.type.length}
_FIELDS = (  # outbox column -> how a planned message gives its value
    ("key", lambda m: m.key),
    ("kind", lambda m: m.kind),
    ("topic", lambda m: m.topic),
    ("channel", lambda m: m.recipient.channel),
    ("recipient_key", lambda m: m.recipient.key),
    ("recipient_name", lambda m: m.recipient.name),
    ("address", lambda m: m.recipient.address),
)


@dataclass(frozen=True)
class Failure:
    key: str  # of the message, or "" when the planner itself failed
    reason: str
    message: PlannedMessage | None = None


@dataclass
class Planned:
    created: int = 0
    complete: bool = True  # False: the planner raised; its window is planned again next tick
    failures: list[Failure] = field(default_factory=list)


def too_long(message: PlannedMessage) -> str | None:
    """Why ``message`` does not fit the outbox, or None."""
    for column, value in _FIELDS:
        text = value(message)
        limit = LIMITS.get(column)
        if limit is not None and len(text) > limit:
            return f"{column} is {len(text)} characters, longer than the {limit} the outbox holds"
    return None


def plan_window(session: Session, name: str, planner: Planner, ctx: PlanContext, window: Window,
                now: dt.datetime) -> Planned:
    """Plan ``window`` with ``planner`` into the outbox; failures are recorded, never raised
    (except the database's own: a lost connection ends the tick as before)."""
    result = Planned()
    try:
        with session.begin_nested():
            result.created = store.enqueue(session, _fitting(planner(ctx, window), result), now)
    except Exception as exc:  # a bug in the planner, or a row the database refused
        if _connection_lost(exc):
            raise
        log.warning("planner %s failed (%s); planning its window again message by message",
                    name, summary(exc))
        result = _one_by_one(session, name, planner, ctx, window, now)
    _record(session, name, result.failures, now, window)
    return result


def _fitting(messages: Iterable[PlannedMessage], result: Planned) -> Iterator[PlannedMessage]:
    for message in messages:
        reason = too_long(message)
        if reason is None:
            yield message
        else:
            result.failures.append(Failure(message.key, reason, message))


def _one_by_one(session: Session, name: str, planner: Planner, ctx: PlanContext, window: Window,
                now: dt.datetime) -> Planned:
    result = Planned()
    messages = _fitting(planner(ctx, window), result)
    chunk: list[PlannedMessage] = []
    while True:
        try:
            message = next(messages, None)
        except Exception as exc:
            if _connection_lost(exc):
                raise
            log.error("planner %s raised; what it planned before is kept, its window is planned "
                      "again next tick", name, exc_info=True)
            result.complete = False
            result.failures.append(Failure("", f"the planner raised {summary(exc)}"))
            message = None
        if message is not None:
            chunk.append(message)
        if chunk and (message is None or len(chunk) == CHUNK):
            result.created += _insert(session, chunk, now, result)
            chunk = []
        if message is None:
            return result


def _insert(session: Session, chunk: list[PlannedMessage], now: dt.datetime, result: Planned) -> int:
    """Insert ``chunk`` in a savepoint; when the database refuses it, each message on its own."""
    try:
        with session.begin_nested():
            return store.enqueue(session, chunk, now)
    except Exception as exc:
        if _connection_lost(exc):
            raise
        if len(chunk) == 1:
            result.failures.append(Failure(chunk[0].key, f"the database refused it: {_db_reason(exc)}", chunk[0]))
            return 0
    return sum(_insert(session, [m], now, result) for m in chunk)


def _connection_lost(exc: BaseException) -> bool:
    return isinstance(exc, DBAPIError) and bool(exc.connection_invalidated)


def _db_reason(exc: BaseException) -> str:
    """The database's own first line (e.g. "value too long for type character varying(200)"):
    never the statement or its parameters, which hold contacts' data."""
    if isinstance(exc, StatementError) and exc.orig is not None:
        return summary(exc.orig)
    return summary(exc)


# Recording

def failure_key(name: str, failure: Failure, window: Window) -> str:
    if failure.key:
        key = PREFIX + failure.key
    else:  # one report per planner, day and kind of error
        kind = failure.reason.removeprefix("the planner raised ").partition(":")[0]
        key = f"{PREFIX}{name}:{window.end:%Y-%m-%d}:{kind}"
    limit = LIMITS["key"]
    return key if len(key) <= limit else PREFIX + hashlib.sha256(key.encode()).hexdigest()


def _record(session: Session, name: str, failures: list[Failure], now: dt.datetime, window: Window) -> None:
    if not failures:
        return
    keys = {failure_key(name, f, window): f for f in failures}
    known = set(session.scalars(select(OutboxMessage.key).where(OutboxMessage.key.in_(list(keys)))))
    for key, failure in keys.items():
        if key in known:
            continue  # reported already
        log.error("planner %s could not plan %s: %s", name, failure.key or "its window", failure.reason)
        session.add(_dead_row(key, name, failure, now))
    session.flush()


def _dead_row(key: str, name: str, failure: Failure, now: dt.datetime) -> OutboxMessage:
    m = failure.message
    due = m.due_at if m is not None else now
    return OutboxMessage(
        key=key,
        kind=_fit(m.kind if m else f"planner/{name}", "kind"),
        topic="planning",
        channel=_fit(m.recipient.channel if m else "", "channel"),
        recipient_key=_fit(m.recipient.key if m else f"planner:{name}", "recipient_key"),
        recipient_name=_fit(m.recipient.name if m else f"planner {name}", "recipient_name"),
        address=_fit(m.recipient.address if m else "", "address"),
        mentions=[], context={"planner": name, "planned_key": failure.key},
        due_at=due, expires_at=m.expires_at if m else now, next_attempt_at=due,
        status=Status.DEAD, attempts=0, claimed_by="", created_at=now, late=False, reported=False,
        last_error=_fit_text(f"not planned: {failure.reason}"),
        subject="", body_text="", body_html="", body_markdown="",
    )


def _fit(text: str, column: str) -> str:
    limit = LIMITS[column]
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _fit_text(text: str) -> str:
    return text if len(text) <= ERROR_CHARS else text[: ERROR_CHARS - 1] + "…"
