"""Record and look up receipts. Every function takes ``now`` and a session the caller commits.

Recording a receipt cancels, by topic, every unsent message chasing its task (reminders, the
shift-eve escalation): exactly as closing a hazard cancels its ladder. A receipt that arrives
after a reminder went out (or after the deadline it was asked by) is still recorded, marked late.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from scheduler.outbox.models import OutboxMessage, Status
from scheduler.outbox.store import cancel_topic
from scheduler.receipts.models import Entry, Receipt, Review
from scheduler.receipts.policy import Ask, chase_topic, task_of


class ReceiptError(Exception):
    """A receipt that cannot be taken; the message (Chinese) says why. Nothing was stored."""


@dataclass(frozen=True)
class Answer:
    """What came back: who confirmed, how, and the validated report fields."""

    confirmed_by: str
    entry: Entry
    mobile: str = ""
    note: str = ""
    payload: dict[str, Any] = field(default_factory=dict)
    entered_by: str = ""
    user_agent: str = ""
    address: str = ""


@dataclass(frozen=True)
class Recorded:
    receipt: Receipt
    new: bool  # False: the task was already confirmed; ``receipt`` says by whom and when


def current(session: Session, task: str) -> Receipt | None:
    """The latest receipt of ``task`` (a rejected report stays the latest until answered again)."""
    return session.scalar(select(Receipt).where(Receipt.task == task).order_by(Receipt.revision.desc()).limit(1))


def record(session: Session, ask: Ask, message_key: str, recipient_key: str, answer: Answer,
           now: dt.datetime) -> Recorded:
    """Record ``answer`` for ``ask``'s task, once: a second confirmation returns the first."""
    existing = current(session, ask.task)
    if existing is not None and existing.review != Review.REJECTED:
        return Recorded(existing, False)
    receipt = Receipt(
        task=ask.task, revision=existing.revision + 1 if existing is not None else 0, topic=ask.topic[:128],
        kind=ask.kind, mode=ask.mode, party=ask.party, message_key=message_key, recipient_key=recipient_key,
        confirmed_at=now, confirmed_by=answer.confirmed_by[:64], mobile=answer.mobile[:32], entry=answer.entry,
        entered_by=answer.entered_by[:64], payload=dict(answer.payload), note=answer.note,
        late=chased_before(session, ask.task, now) or (ask.deadline is not None and now > ask.deadline),
        user_agent=answer.user_agent[:200], address=answer.address[:64], review=Review.NONE,
    )
    try:
        with session.begin_nested():  # two clicks at once: the second finds the first
            session.add(receipt)
    except IntegrityError:
        found = current(session, ask.task)
        if found is None:
            raise
        return Recorded(found, False)
    cancel_topic(session, chase_topic(ask.task), f"receipt recorded ({answer.entry})")
    return Recorded(receipt, True)


def chased_before(session: Session, task: str, now: dt.datetime) -> bool:
    """Whether a message chasing ``task`` has already gone out."""
    return bool(session.scalar(select(exists().where(
        OutboxMessage.topic == chase_topic(task)[:128], OutboxMessage.status == Status.SENT,
        OutboxMessage.sent_at <= now))))


def task_of_row(row: OutboxMessage) -> str:
    """The task an outbox message asks about (a reminder carries the task it chases)."""
    carried = (row.context or {}).get("receipt")
    if isinstance(carried, dict) and "task" in carried:
        return str(carried["task"])
    return task_of(row.key, row.recipient_key)


def lookup(session: Session, message_key: str) -> Receipt | None:
    """The receipt settling the task of the message with ``message_key``, if any."""
    row = session.scalar(select(OutboxMessage).where(OutboxMessage.key == message_key))
    task = task_of_row(row) if row is not None else message_key
    found = current(session, task)
    return found if found is not None and found.review != Review.REJECTED else None


def outstanding(session: Session, topic: str, kind: str | None = None,
                sent_before: dt.datetime | None = None) -> list[OutboxMessage]:
    """The messages sent about ``topic`` (of ``kind``; sent before ``sent_before``) whose task has
    no receipt yet: what a re-send or an escalation is about."""
    query = select(OutboxMessage).where(OutboxMessage.topic == topic, OutboxMessage.status == Status.SENT)
    if kind is not None:
        query = query.where(OutboxMessage.kind == kind)
    if sent_before is not None:
        query = query.where(OutboxMessage.sent_at < sent_before)
    rows = list(session.scalars(query.order_by(OutboxMessage.sent_at, OutboxMessage.id)))
    settled = settled_tasks(session, topic)
    return [row for row in rows if task_of_row(row) not in settled]


def settled_tasks(session: Session, topic: str, kinds: Sequence[str] = ()) -> set[str]:
    """The tasks of ``topic`` that have a receipt standing (not a rejected report)."""
    query = select(Receipt.task, Receipt.review, Receipt.revision).where(Receipt.topic == topic[:128])
    if kinds:
        query = query.where(Receipt.kind.in_(sorted(kinds)))
    latest: dict[str, tuple[int, str]] = {}
    for task, review, revision in session.execute(query):
        if task not in latest or revision > latest[task][0]:
            latest[task] = (revision, review)
    return {task for task, (_, review) in latest.items() if review != Review.REJECTED}


def review(session: Session, receipt: Receipt, verdict: Review, *, by: str, note: str, now: dt.datetime) -> None:
    """A supervisor accepts or rejects a report; a rejected one lets the party report again."""
    if receipt.mode != "report":
        raise ReceiptError("只有报告类回执需要审核")
    if receipt.review != Review.NONE:
        verdict_label = "通过" if receipt.review == Review.ACCEPTED else "退回"
        raise ReceiptError(f"该报告已由{receipt.reviewed_by}审核（{verdict_label}），不能重复审核")
    receipt.review, receipt.reviewed_by, receipt.reviewed_at, receipt.review_note = verdict, by[:64], now, note
    session.flush()

