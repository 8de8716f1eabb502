"""Receipt statistics: per notice (how many of those asked have answered), per party (an
enterprise's or a person's history). Read from the outbox's sent messages and the receipts."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from scheduler.config.schema import Config
from scheduler.outbox.models import OutboxMessage, Status
from scheduler.people.directory import Directory
from scheduler.receipts.models import Receipt, Review
from scheduler.receipts.policy import asks_whom, party_of, task_of


@dataclass
class Notice:
    """One notice (a topic and kind, e.g. 春节 2026's T-14 节前自查) and its answers."""

    topic: str
    kind: str
    first_sent: dt.datetime
    subject: str = ""  # as one of its messages was sent
    tasks: dict[str, str] = field(default_factory=dict)  # task -> party
    answered: dict[str, Receipt] = field(default_factory=dict)  # task -> receipt
    messages: dict[str, list[Sent]] = field(default_factory=dict)  # task -> its messages

    @property
    def asked(self) -> int:
        return len(self.tasks)

    @property
    def late(self) -> int:
        return sum(r.late for r in self.answered.values())

    @property
    def rate(self) -> float:
        return len(self.answered) / self.asked if self.asked else 0.0

    def missing(self) -> list[str]:
        return sorted(party for task, party in self.tasks.items() if task not in self.answered)


@dataclass(frozen=True)
class Sent:
    """A sent message that asked for a receipt."""

    topic: str
    kind: str
    key: str
    recipient_key: str
    sent_at: dt.datetime
    recipient_name: str = ""
    subject: str = ""

    @property
    def task(self) -> str:
        return task_of(self.key, self.recipient_key)


def sent_asking(session: Session, config: Config, *, topic: str | None = None,
                party: str | None = None) -> list[Sent]:
    """The sent messages of every kind that asks for a receipt (of ``topic``; to ``party``)."""
    kinds = [k for k, spec in config.receipts.kinds.items() if spec.receipt != "none"]
    if not kinds:
        return []
    query = select(OutboxMessage.topic, OutboxMessage.kind, OutboxMessage.key, OutboxMessage.recipient_key,
                   OutboxMessage.sent_at, OutboxMessage.recipient_name, OutboxMessage.subject).where(OutboxMessage.status == Status.SENT, OutboxMessage.kind.in_(kinds))
    if topic is not None:
        query = query.where(OutboxMessage.topic == topic)
    if party is not None:
        query = query.where((OutboxMessage.recipient_key == party)
                            | OutboxMessage.recipient_key.like(party.replace("%", "") + ":%"))
    return [Sent(t, kind, key, recipient, sent, name, subject)
            for t, kind, key, recipient, sent, name, subject in session.execute(query)
            if sent is not None and asks_whom(config.receipts.kinds[kind].who, party_of(recipient))]


def receipts_of(session: Session, tasks: set[str]) -> dict[str, Receipt]:
    found: dict[str, Receipt] = {}
    ordered = sorted(tasks)
    for start in range(0, len(ordered), 500):
        for receipt in session.scalars(select(Receipt).where(Receipt.task.in_(ordered[start:start + 500]))
                                       .order_by(Receipt.revision)):
            found[receipt.task] = receipt  # the latest revision wins
    return {t: r for t, r in found.items() if r.review != Review.REJECTED}


def per_notice(session: Session, config: Config, topic: str | None = None) -> list[Notice]:
    notices: dict[tuple[str, str], Notice] = {}
    for m in sent_asking(session, config, topic=topic):
        notice = notices.setdefault((m.topic, m.kind), Notice(m.topic, m.kind, m.sent_at, m.subject))
        notice.first_sent = min(notice.first_sent, m.sent_at)
        notice.tasks[m.task] = party_of(m.recipient_key)
        notice.messages.setdefault(m.task, []).append(m)
    answers = receipts_of(session, {task for n in notices.values() for task in n.tasks})
    for notice in notices.values():
        notice.answered = {task: answers[task] for task in notice.tasks if task in answers}
    return sorted(notices.values(), key=lambda n: (n.first_sent, n.topic, n.kind), reverse=True)


@dataclass(frozen=True)
class HistoryRow:
    topic: str
    kind: str
    task: str
    sent_at: dt.datetime
    receipt: Receipt | None


def history(session: Session, config: Config, party: str) -> list[HistoryRow]:
    """Everything ``party`` (enterprise:CODE or staff:CODE) was asked, with its answers, newest first."""
    rows: dict[str, tuple[str, str, dt.datetime]] = {}
    for m in sent_asking(session, config, party=party):
        if party_of(m.recipient_key) != party:
            continue
        if m.task not in rows or m.sent_at < rows[m.task][2]:
            rows[m.task] = (m.topic, m.kind, m.sent_at)
    answers = receipts_of(session, set(rows))
    history_rows = [HistoryRow(t, kind, task, sent, answers.get(task)) for task, (t, kind, sent) in rows.items()]
    return sorted(history_rows, key=lambda r: r.sent_at, reverse=True)


def party_counts(session: Session, config: Config, topic: str | None = None) -> dict[str, tuple[int, int]]:
    """Per party: (asked, answered), over every notice (or one topic's)."""
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for notice in per_notice(session, config, topic):
        for task, party in notice.tasks.items():
            counts[party][0] += 1
            counts[party][1] += task in notice.answered
    return {party: (a, b) for party, (a, b) in counts.items()}


def notice(session: Session, config: Config, topic: str, kind: str) -> Notice | None:
    return next((n for n in per_notice(session, config, topic) if n.kind == kind), None)


def party_label(directory: Directory, party: str) -> str:
    """How a page names a party: the enterprise's or the person's name (the key when unknown)."""
    kind, _, code = party.partition(":")
    if kind == "enterprise":
        enterprise = directory.enterprise(code)
        return enterprise.name if enterprise is not None else code
    if kind == "staff":
        return next((s.name for s in directory.staff if s.code == code), code)
    if kind == "group":
        group = directory.config.groups.get(code)
        return (group.label or code) if group is not None else code
    return party
