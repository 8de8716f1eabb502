"""Taking a receipt: open what a link (or a message key typed by staff) points at, say whether it
can still be answered, and record the validated answer.

The web page and `safeduty receipt confirm` both go through here, so a link and a phone call
are refused for the same reasons (the task was withdrawn, is over, or no longer concerns them).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from scheduler.config.schema import Config
from scheduler.hazards.queries import by_code
from scheduler.hazards.vocab import OPEN_VALUES
from scheduler.outbox.models import OutboxMessage, Status
from scheduler.receipts import fields, tokens, zero_reports
from scheduler.receipts.links import ask_of_row, keyring
from scheduler.receipts.models import Entry, Receipt, ZeroReport
from scheduler.receipts.policy import Ask, needs_name
from scheduler.receipts.store import Answer, ReceiptError, Recorded, current, record


@dataclass(frozen=True)
class Opened:
    """A message that asks for an answer, as its page shows it."""

    row: OutboxMessage
    ask: Ask
    names_person: bool  # a group's bot message: ask for 确认人
    refusal: str  # why it can no longer be answered ("" = it can)
    receipt: Receipt | None  # the standing receipt, when already answered
    zero: ZeroReport | None  # the day's 零报告, when already reported
    party_name: str

    @property
    def answered(self) -> bool:
        if self.ask.mode == "zero":
            return self.zero is not None and self.zero.status == "incident"
        return self.receipt is not None and self.receipt.review != "rejected"


def open_link(session: Session, config: Config, token: str, now: dt.datetime) -> Opened:
    """What ``token`` points at; raises TokenError (forged, tampered, expired) or ReceiptError."""
    keys = keyring(config)
    claims = tokens.parse(token)
    row = session.get(OutboxMessage, claims.message_id)
    if keys is None or row is None:
        raise tokens.TokenError(tokens.Verdict.FORGED)  # a forger must not learn which rows exist
    tokens.verify(keys, token, row.key, row.recipient_key, now)
    return _open(session, config, row, now)


def open_key(session: Session, config: Config, key: str, now: dt.datetime) -> Opened:
    """What the message with ``key`` asks (for staff entering a receipt by hand)."""
    row = session.scalar(select(OutboxMessage).where(OutboxMessage.key == key))
    if row is None:
        raise ReceiptError(f"no message with key {key!r} in the outbox (see `safeduty receipt list`)")
    return _open(session, config, row, now)


def _open(session: Session, config: Config, row: OutboxMessage, now: dt.datetime) -> Opened:
    ask = ask_of_row(config, row)
    if ask is None:
        raise ReceiptError(f"消息 {row.key} 不需要回执")
    receipt = current(session, ask.task) if ask.mode != "zero" else None
    zero = None
    if ask.mode == "zero":
        zero = session.scalar(select(ZeroReport).where(ZeroReport.day == dt.date.fromisoformat(ask.day),
                                                       ZeroReport.party == ask.party))
    name = row.recipient_name
    if ask.party.startswith("enterprise:"):
        name = row.recipient_name.split(" ", 1)[0]
    return Opened(row, ask, needs_name(config, row.recipient_key, row.channel), refusal(session, config, row, ask, now),
                  receipt, zero, name)


def refusal(session: Session, config: Config, row: OutboxMessage, ask: Ask, now: dt.datetime) -> str:
    """Why this task can no longer be answered, in words for the person answering ("" = it can)."""
    if row.status == Status.CANCELLED:
        return "该通知已撤销，无需回执。"
    if row.status in (Status.EXPIRED, Status.DEAD):
        return "该通知未能按时送达，已作废，无需回执。"
    if now >= ask.expires:
        return "该任务已经结束，回执通道已关闭。如有情况请直接联系值班室。"
    if ask.kind.startswith("hazard/") and ask.topic.startswith("hazard:"):
        hazard = by_code(session, ask.topic.split(":", 1)[1])
        if hazard is None or hazard.status not in OPEN_VALUES:
            state = hazard.status_enum.label if hazard is not None else "已删除"
            return f"该隐患当前状态为「{state}」，无需再报告整改进展。"
    if ask.kind.startswith("duty/") and ask.party.startswith("staff:"):
        from rosters.book import RosterBook  # the roster is needed only for duty receipts

        date = (row.context or {}).get("date")
        if isinstance(date, str):
            day = dt.date.fromisoformat(date)
            book = RosterBook(session, config.roster, _calendar(config), config.service.zone)
            if ask.party.split(":", 1)[1] not in book.seats(day, day).values():
                return "您已不在该日值班（已换班或调整），无需确认。"
    return ""


def _calendar(config: Config):  # type: ignore[no-untyped-def]
    from scheduler.calendar import WorkCalendar

    return WorkCalendar(config.calendar)


@dataclass(frozen=True)
class Taken:
    checked: fields.Checked
    recorded: Recorded | None = None  # a receipt
    zero: ZeroReport | None = None  # a 零报告
    new: bool = False


def take(session: Session, config: Config, opened: Opened, raw: Mapping[str, str], *, entry: Entry,
         now: dt.datetime, entered_by: str = "", user_agent: str = "", address: str = "") -> Taken:
    """Validate ``raw`` and record it; nothing is stored while a field is wrong or it is refused."""
    if opened.refusal:
        raise ReceiptError(opened.refusal)
    ask = opened.ask
    names_person = opened.names_person or entry == Entry.HAND
    if ask.mode == "zero":
        checked = fields.zero_report(raw, zone=config.service.zone, now=now)
        if not checked.ok:
            return Taken(checked)
        assert ask.deadline is not None
        report, new = zero_reports.submit(session, dt.date.fromisoformat(ask.day), ask.party, opened.party_name,
                                          checked.values, entry=entry, message_key=opened.row.key,
                                          entered_by=entered_by, cutoff=ask.deadline, now=now)
        return Taken(checked, zero=report, new=new)
    checked = fields.answer(ask.mode, ask.kind, raw, names_person=names_person)
    if not checked.ok:
        return Taken(checked)
    values = checked.values
    payload = {k: v for k, v in values.items() if k not in ("name", "mobile", "note")}
    answer = Answer(confirmed_by=values.get("name") or opened.row.recipient_name, entry=entry,
                    mobile=values.get("mobile", ""), note=values.get("note", ""), payload=payload,
                    entered_by=entered_by, user_agent=user_agent, address=address)
    recorded = record(session, ask, opened.row.key, opened.row.recipient_key, answer, now)
    return Taken(checked, recorded=recorded, new=recorded.new)
