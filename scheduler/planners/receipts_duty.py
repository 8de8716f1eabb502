"""Chasing on the duty side: an unconfirmed shift, a missing handover.

- Shift eve (我已知晓): the eve notice asks each person on duty to confirm. At 18:00 on the eve,
  for each who has not, the day's duty leader (unless it is the leader who is silent) and the
  office head are told, with the covers `roster suggest` proposes.
- 交接班: a handover not written, or not confirmed by the incoming officer, by handover + 1 h
  is told to the new day's duty leader (``handover:<day>`` is cancelled when it is confirmed).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from sqlalchemy import exists, select

from rosters.book import RosterBook
from rosters.exports.rows import RosterRow
from rosters.notices import SHIFT_EVE
from rosters.tables import RosterAssignment
from scheduler.outbox.planned import MAX_JITTER_S, MIN_JITTER_S, PlannedMessage, Recipient, Window
from scheduler.planners.base import PlanContext
from scheduler.planners.duty import DutyPlanner
from scheduler.receipts import handovers
from scheduler.receipts.chase import asked, originals, unanswered
from scheduler.receipts.covers import covers
from scheduler.receipts.policy import chase_topic

SHIFT_UNCONFIRMED = "receipts/shift_unconfirmed"
HANDOVER_MISSING = "handover/missing"
ONE_DAY = dt.timedelta(days=1)
_DUTY = DutyPlanner()  # the shift-eve notices only: no overdue-hazard count needed


def plan(ctx: PlanContext, window: Window) -> Iterator[PlannedMessage]:
    receipts = ctx.config.receipts
    shifts = receipts.mode(SHIFT_EVE) != "none"
    if not (shifts or receipts.handover.enabled):
        return
    if not ctx.session.scalar(select(exists().where(RosterAssignment.id.isnot(None)))):
        return
    zone = ctx.config.service.zone
    first = (window.start - ONE_DAY).astimezone(zone).date()
    last = (window.end + ONE_DAY).astimezone(zone).date()
    book = RosterBook(ctx.session, ctx.config.roster, ctx.calendar, zone)
    day = first
    while day <= last:
        if shifts:
            yield from _shift(ctx, window, book, day)
        if receipts.handover.enabled:
            yield from _handover(ctx, window, book, day)
        day += ONE_DAY


def _shift(ctx: PlanContext, window: Window, book: RosterBook, date: dt.date) -> Iterator[PlannedMessage]:
    """The chase of ``date``'s shift-eve notices, at ``shift.at`` on the eve."""
    zone, chase = ctx.config.service.zone, ctx.config.receipts.shift
    moment = dt.datetime.combine(date - ONE_DAY, chase.at, tzinfo=zone)
    start = book.day(date).start
    if not _may_fall_in(window, moment) or moment >= start:
        return
    eve = dt.datetime.combine(date - ONE_DAY, ctx.config.roster.notices.eve_at, tzinfo=zone)
    sent = [m for m in originals(ctx, _DUTY, eve, f"duty:{date.isoformat()}:") if m.kind == SHIFT_EVE]
    missing = unanswered(ctx, asked(ctx, sent), "duty")
    if not missing:
        return
    row = book.roster(date, date)[0]
    for item in missing:
        holder = item.message.context["holder"]
        context = {**item.message.context, "missing": holder, "missing_role": item.message.context["role"],
                   "suggestions": covers(ctx.session, book, date, holder["code"], chase.suggestions)}
        for recipient in _told(ctx, row, holder["code"]):
            message = PlannedMessage.at(f"receipt:shift:{item.message.key}:{recipient.key}", SHIFT_UNCONFIRMED,
                                        recipient, moment, start, context, chase_topic(item.ask.task))
            if message.due_at in window:
                yield message


def _told(ctx: PlanContext, row: RosterRow, silent: str) -> list[Recipient]:
    """The day's duty leaders (but not the silent one) and the configured groups, each once."""
    found: dict[str, Recipient] = {}
    if ctx.config.receipts.shift.duty_leader:
        for leader in row.leaders:
            if leader.code != silent:
                _add(found, _person(ctx, leader.code))
    for group in ctx.config.receipts.shift.to:
        for recipient in ctx.directory.group(group):
            if recipient.key != f"staff:{silent}":
                found.setdefault(recipient.key, recipient)
    return list(found.values())


def _handover(ctx: PlanContext, window: Window, book: RosterBook, date: dt.date) -> Iterator[PlannedMessage]:
    """The handover from ``date`` to the next day, due at the next day's start + missing_after."""
    settings = ctx.config.receipts.handover
    incoming = book.day(date + ONE_DAY)
    moment = incoming.start + settings.missing_after
    if not _may_fall_in(window, moment):
        return
    rows = book.roster(date, date + ONE_DAY)
    if not (rows[0].officers or rows[0].leaders) or not (rows[1].officers or rows[1].leaders):
        return  # no roster on one side: nobody to hand over to
    record = handovers.of_day(ctx.session, date)
    if record is not None and record.confirmed_at is not None:
        return
    context = {
        "day": date.isoformat(), "next_day": (date + ONE_DAY).isoformat(), "handover_at": incoming.start.isoformat(),
        "outgoing": [h.as_dict() for h in rows[0].officers + rows[0].leaders],
        "incoming": [h.as_dict() for h in rows[1].officers + rows[1].leaders],
        "written": record is not None,
        "written_by": record.outgoing_name if record is not None else "",
    }
    found: dict[str, Recipient] = {}
    for leader in rows[1].leaders:
        _add(found, _person(ctx, leader.code))
    for group in settings.to:
        for recipient in ctx.directory.group(group):
            found.setdefault(recipient.key, recipient)
    topic = handovers.topic(date)
    for recipient in found.values():
        message = PlannedMessage.at(f"{topic}:missing:{recipient.key}", HANDOVER_MISSING, recipient, moment,
                                    incoming.end, context, topic)
        if message.due_at in window:
            yield message


def _may_fall_in(window: Window, moment: dt.datetime) -> bool:
    return (moment + dt.timedelta(seconds=MIN_JITTER_S) <= window.end
            and moment + dt.timedelta(seconds=MAX_JITTER_S) > window.start)


def _person(ctx: PlanContext, code: str) -> Recipient | None:
    staff = next((s for s in ctx.directory.staff if s.code == code), None)
    return None if staff is None else ctx.directory.person(staff, ctx.config.roster.notices.personal or None)


def _add(found: dict[str, Recipient], recipient: Recipient | None) -> None:
    if recipient is not None:
        found.setdefault(recipient.key, recipient)
