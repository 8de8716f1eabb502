"""交接班: the outgoing officer writes the handover, the incoming officer confirms taking over.

Both are timestamped and kept. ``day`` is the outgoing duty day; the handover happens at the
start of the next. Confirming cancels the "missing handover" notice (topic ``handover:<day>``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from rosters.book import RosterBook
from rosters.exports.rows import Holder
from scheduler.outbox.store import cancel_topic
from scheduler.receipts.models import Handover
from scheduler.receipts.store import ReceiptError

HEADINGS = ("交班日期", "交班人", "交班时间", "值班期间事件", "来电来文", "待办事项", "备注", "接班人", "接班确认时间", "接班备注")


def topic(day: dt.date) -> str:
    return f"handover:{day.isoformat()}"


def of_day(session: Session, day: dt.date) -> Handover | None:
    return session.scalar(select(Handover).where(Handover.day == day))


def last(session: Session) -> Handover | None:
    """The most recent handover written (for the board)."""
    return session.scalar(select(Handover).order_by(Handover.day.desc()).limit(1))


@dataclass(frozen=True)
class Written:
    events: str
    calls: str = ""
    pending: str = ""
    note: str = ""


def write(session: Session, day: dt.date, code: str, name: str, text: Written, now: dt.datetime) -> Handover:
    """The outgoing officer's handover for ``day``; rewritten freely until it is confirmed."""
    record = of_day(session, day)
    if record is not None and record.confirmed_at is not None:
        raise ReceiptError(f"{day.isoformat()}的交接班已由{record.incoming_name}确认接班，不能再修改")
    if record is None:
        record = Handover(day=day, outgoing_code=code, outgoing_name=name, written_at=now, incoming_code="",
                          incoming_name="", confirm_note="")
        session.add(record)
    record.outgoing_code, record.outgoing_name, record.written_at = code, name, now
    record.events, record.calls, record.pending, record.note = text.events, text.calls, text.pending, text.note
    session.flush()
    return record


def confirm(session: Session, day: dt.date, code: str, name: str, note: str, now: dt.datetime) -> Handover:
    """The incoming officer takes over; confirming twice keeps the first confirmation."""
    record = of_day(session, day)
    if record is None:
        raise ReceiptError(f"{day.isoformat()}的交班人还没有填写交接班记录，请先当面交接并由交班人填写")
    if record.confirmed_at is not None:
        return record
    if code == record.outgoing_code:
        raise ReceiptError("交班人不能自己确认接班")
    record.incoming_code, record.incoming_name, record.confirmed_at, record.confirm_note = code, name, now, note
    cancel_topic(session, topic(day), f"handover confirmed by {name}")
    session.flush()
    return record


def month(session: Session, year: int, number: int) -> list[Handover]:
    first = dt.date(year, number, 1)
    after = dt.date(year + number // 12, number % 12 + 1, 1)
    return list(session.scalars(select(Handover).where(Handover.day >= first, Handover.day < after)
                                .order_by(Handover.day)))


def rows(records: Iterable[Handover], zone: ZoneInfo) -> list[tuple[str, ...]]:
    def local(moment: dt.datetime | None) -> str:
        return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M") if moment else ""

    return [(r.day.isoformat(), r.outgoing_name, local(r.written_at), r.events, r.calls, r.pending, r.note,
             r.incoming_name, local(r.confirmed_at), r.confirm_note) for r in records]

WIDTHS = (12, 10, 17, 40, 30, 30, 20, 10, 17, 20)


@dataclass(frozen=True)
class Turn:
    """One handover: from duty day ``day`` (outgoing) to the next, at ``at``."""

    day: dt.date
    at: dt.datetime
    outgoing: tuple[Holder, ...]
    incoming: tuple[Holder, ...]
    record: Handover | None

    def may_write(self, code: str) -> bool:
        return any(h.code == code for h in self.outgoing)

    def may_confirm(self, code: str) -> bool:
        return any(h.code == code for h in self.incoming)


JUST_HAPPENED = dt.timedelta(hours=6)  # after this long into a duty day, the page turns to the next handover


def turn(session: Session, book: RosterBook, now: dt.datetime, day: dt.date | None = None) -> Turn:
    """The handover of ``day``, or the one people are busy with at ``now``: the one that just
    happened (for the first hours of a duty day, so the incoming officer can confirm it), else
    the coming one (the outgoing officer writes the day's log)."""
    if day is None:
        local = now.astimezone(book.zone)
        today = local.date() if local.time() >= book.config.handover else local.date() - dt.timedelta(days=1)
        day = today - dt.timedelta(days=1) if now - book.day(today).start < JUST_HAPPENED else today
    rows = book.roster(day, day + dt.timedelta(days=1))
    return Turn(day, book.day(day + dt.timedelta(days=1)).start, rows[0].officers + rows[0].leaders,
                rows[1].officers + rows[1].leaders, of_day(session, day))


def recent(session: Session, count: int = 7) -> list[Handover]:
    return list(session.scalars(select(Handover).order_by(Handover.day.desc()).limit(count)))
