"""The duty planner: every notice the 24-hour duty roster sends.

- to each person on duty: the day before (``eve_at``, default 16:00) and before handover
  (default 2 h); both expire when the shift starts;
- 今日值班 at handover, to ``daily_to`` (a group's bot if it has one, else its members);
- "your duty changed" to everyone a swap, override, leave or regeneration touched;
- the roster, to ``published_to`` when a range is published (with a coverage report to the office);
- T-3 before each holiday period, the holiday roster to ``holiday_report_to`` (节假日值班表报送);
- the daily coverage check, to the ``office`` when something is wrong.

Keys hold the seat's ``assigned_at``: a seat that changes hands gets fresh keys, the old
holder's unsent notices are cancelled by the change (their topic), and the change itself is
told once per action and person — a correction, never silence and never a duplicate.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import replace
from zoneinfo import ZoneInfo

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from rosters.book import RosterBook, shift_topic
from rosters.exports.rows import RosterRow
from rosters.notices import (
    CHANGED,
    COVERAGE,
    HOLIDAY_PENDING,
    HOLIDAY_REPORT,
    PUBLISHED,
    SHIFT_EVE,
    SHIFT_SOON,
    TODAY,
    change_contexts,
    coverage_context,
    day_context,
    pending_context,
    roster_context,
    roster_parts,
    roster_title,
    shift_context,
    stamp,
)
from rosters.tables import RosterAction, RosterAssignment, RosterChange
from scheduler.outbox.models import OutboxMessage, Status
from scheduler.outbox.planned import Mention, PlannedMessage, Recipient, Window
from scheduler.planners.base import PlanContext
from scheduler.vocab import Role

ONE_DAY = dt.timedelta(days=1)
# Actions are stamped before their transaction commits; looking this far back catches one that
# committed after a tick had already planned past its time (keys make the overlap harmless).
ACTION_LOOKBACK = dt.timedelta(minutes=10)
HOLIDAY_HORIZON = dt.timedelta(days=45)  # the longest a report can precede its period

OverdueHazards = Callable[[Session, dt.date], int]


class DutyPlanner:
    """``overdue_major_hazards(session, day)``, when given, fills that field of 今日值班."""

    def __init__(self, overdue_major_hazards: OverdueHazards | None = None) -> None:
        self.overdue_major_hazards = overdue_major_hazards

    def __call__(self, ctx: PlanContext, window: Window) -> Iterator[PlannedMessage]:
        zone = ctx.config.service.zone
        if not ctx.session.scalar(select(exists().where(RosterAssignment.id.isnot(None)))):
            return  # no roster yet: nothing to announce, nothing to check
        book = RosterBook(ctx.session, ctx.config.roster, ctx.calendar, zone)
        first = (window.start - ONE_DAY).astimezone(zone).date()
        last = (window.end + ONE_DAY).astimezone(zone).date()
        rows = {r.day.date: r for r in book.roster(first, last + ONE_DAY)}
        stamps = book.stamps(first, last + ONE_DAY)
        yield from self._shifts(ctx, window, book, rows, stamps)
        yield from self._today(ctx, window, rows)
        yield from self._actions(ctx, window, book, zone)
        yield from self._holiday_reports(ctx, window, book, zone, first, last)
        yield from self._daily_checks(ctx, window, book, zone, first, last)

    def _shifts(self, ctx: PlanContext, window: Window, book: RosterBook, rows: dict[dt.date, RosterRow],
                stamps: dict[dt.date, dt.datetime]) -> Iterator[PlannedMessage]:
        notices = ctx.config.roster.notices
        seats = {(r.day, r.role, r.staff_code): r.assigned_at for r in book.rows(min(rows), max(rows))}
        for date, row in rows.items():
            eve = dt.datetime.combine(date - ONE_DAY, notices.eve_at, tzinfo=row.day.start.tzinfo)
            for kind, when, tag in ((SHIFT_EVE, eve, "eve"),
                                    (SHIFT_SOON, row.day.start - notices.before_handover, "soon")):
                if when not in window:
                    continue
                for role in (Role.LEADER, Role.OFFICER):
                    for holder in row.holders(role):
                        recipient = self._person(ctx, holder.code)
                        assigned = seats.get((date, role.value, holder.code))
                        if recipient is None or assigned is None:
                            continue  # unreachable people are reported by the coverage check
                        key = f"duty:{date.isoformat()}:{role.value}:{holder.code}:{stamp(assigned)}:{tag}"
                        yield PlannedMessage.at(key, kind, recipient, when, row.day.start,
                                       shift_context(row, role, holder, ctx.config.roster.duty_phone),
                                       shift_topic(date, holder.code))

    def _today(self, ctx: PlanContext, window: Window, rows: dict[dt.date, RosterRow]) -> Iterator[PlannedMessage]:
        for date, row in rows.items():
            if row.day.start not in window or not (row.leaders or row.officers):
                continue
            context = day_context(row, ctx.config.roster.duty_phone)
            if self.overdue_major_hazards is not None:
                context["overdue_major_hazards"] = self.overdue_major_hazards(ctx.session, date)
            on_duty = {h.code for h in row.leaders + row.officers}
            mentions = tuple(Mention(s.name, s.mobile, s.feishu_open_id) for s in ctx.directory.staff
                             if s.code in on_duty)
            for recipient in _audience(ctx, ctx.config.roster.notices.daily_to, bot_only=True):
                if recipient.mentions:  # a bot message @mentions today's people, not the whole team
                    recipient = replace(recipient, mentions=mentions)
                yield PlannedMessage.at(f"duty:{date.isoformat()}:today:{recipient.key}", TODAY, recipient,
                               row.day.start, row.day.end, context, f"duty:{date.isoformat()}:today")

    def _actions(self, ctx: PlanContext, window: Window, book: RosterBook, zone: ZoneInfo) -> Iterator[PlannedMessage]:
        actions = ctx.session.scalars(select(RosterAction).where(
            RosterAction.at > window.start - ACTION_LOOKBACK, RosterAction.at <= window.end).order_by(RosterAction.id))
        names = {code: s.name for code, s in book.staff().items()}
        for action in actions:
            if action.kind == "publish" and action.first_day and action.last_day:
                yield from self._published(ctx, book, action)
            changes = list(ctx.session.scalars(select(RosterChange).where(RosterChange.action_id == action.id)))
            # No news about days gone by. A change of a published day is told to both sides; a
            # draft may change again and is nobody's news, except to someone already reminded of it.
            live = [c for c in changes if book.day(c.day).end > action.at]
            public = [c for c in live if c.published]
            reminded = _reminded(ctx.session, [(c.day, c.old_code) for c in live if not c.published and c.old_code])
            private = [c for c in live if not c.published and (c.day, c.old_code) in reminded]
            if not public and not private:
                continue
            labels = {c.day: book.day(c.day).label for c in public + private}
            expires = max(book.day(c.day).end for c in public + private)
            for code, context in change_contexts(action, public, names, labels, private).items():
                person = self._person(ctx, code)
                if person is not None:
                    yield PlannedMessage.at(f"duty:changed:{action.id}:{code}", CHANGED, person, action.at, expires,
                                   context, f"duty:changed:{action.id}")

    def _published(self, ctx: PlanContext, book: RosterBook, action: RosterAction) -> Iterator[PlannedMessage]:
        """The published roster, to ``published_to``: only days still to come (a range published
        late announces no days gone by; all gone, nothing is sent), expiring at the end of the
        range; to a chat bot in parts that fit its limit, each saying which part it is."""
        assert action.first_day is not None and action.last_day is not None
        notices, phone = ctx.config.roster.notices, ctx.config.roster.duty_phone
        rows = [r for r in book.roster(action.first_day, action.last_day) if r.day.end > action.at]
        if not rows:
            return
        first, last = rows[0].day.date, rows[-1].day.date
        title = roster_title(ctx.config.service.bureau, first, last)
        expires, topic = rows[-1].day.end, f"duty:published:{action.id}"
        for recipient in _audience(ctx, notices.published_to):
            channel = ctx.config.channels.get(recipient.channel)
            chunks = roster_parts(rows, channel.type if channel else "")
            for index, chunk in enumerate(chunks, start=1):
                context = roster_context(chunk, chunk[0].day.date, chunk[-1].day.date, title, phone)
                key = f"{topic}:{recipient.key}"
                if len(chunks) > 1:
                    context = {**context, "part": index, "parts": len(chunks)}
                    key = f"{topic}:p{index}of{len(chunks)}:{recipient.key}"
                yield PlannedMessage.at(key, PUBLISHED, recipient, action.at, expires, context, topic)
        findings = book.coverage(first, last, lambda code: self._person(ctx, code) is not None)
        if findings:
            report = coverage_context(findings, first, last, "发布时检查")
            for recipient in _audience(ctx, notices.office):
                yield PlannedMessage.at(f"duty:coverage:publish:{action.id}:{recipient.key}", COVERAGE,
                                        recipient, action.at, expires, report, topic)

    def _holiday_reports(self, ctx: PlanContext, window: Window, book: RosterBook, zone: ZoneInfo,
                         first: dt.date, last: dt.date) -> Iterator[PlannedMessage]:
        """A report upward holds published days only. When its time comes with days of the
        holiday still drafts (or not generated), the office is told which, instead; the report
        follows as soon as the last of them is published, if the holiday has not begun."""
        notices = ctx.config.roster.notices
        for period in ctx.calendar.periods_between(first, last + HOLIDAY_HORIZON):
            send_day = ctx.calendar.working_day_on_or_before(period.start - dt.timedelta(days=notices.holiday_report_days))
            due = dt.datetime.combine(send_day, notices.holiday_report_at, tzinfo=zone)
            begins = book.day(period.start).start
            if due > window.end or begins <= window.start:
                continue
            rows = book.roster(period.start, period.end)
            published = book.published_at(period.start, period.end)
            complete = len(published) == len(rows)
            # The report goes at its time, or when the holiday's last day is published after it.
            ready = max([due, *published.values()]) if complete else None
            topic = f"duty:holiday:{period.key}"
            if ready is not None and ready < begins and (
                    ready in window or (ready > due and window.start - ACTION_LOOKBACK < ready <= window.end)):
                title = f"{ctx.config.service.bureau}{period.name}假期值班表"
                context = {**roster_context(rows, period.start, period.end, title, ctx.config.roster.duty_phone),
                           "holiday": period.name}
                for recipient in _audience(ctx, notices.holiday_report_to):
                    yield PlannedMessage.at(f"{topic}:{recipient.key}", HOLIDAY_REPORT, recipient, ready, begins,
                                            context, topic)
            elif ready is None and due in window:
                report_to = "、".join(ctx.config.groups[g].label or g for g in notices.holiday_report_to)
                context = pending_context(rows, period.start, period.end, period.name, report_to, due)
                for recipient in _audience(ctx, notices.office):
                    yield PlannedMessage.at(f"{topic}:pending:{recipient.key}", HOLIDAY_PENDING, recipient, due,
                                            begins, context, topic)

    def _daily_checks(self, ctx: PlanContext, window: Window, book: RosterBook, zone: ZoneInfo,
                      first: dt.date, last: dt.date) -> Iterator[PlannedMessage]:
        notices = ctx.config.roster.notices
        day = first
        while day <= last:
            due = dt.datetime.combine(day, notices.check_at, tzinfo=zone)
            if due in window:
                end = day + dt.timedelta(days=max(notices.check_days, 1) - 1)
                findings = book.coverage(day, end, lambda code: self._person(ctx, code) is not None)
                if findings:
                    report = coverage_context(findings, day, end, "每日检查")
                    for recipient in _audience(ctx, notices.office):
                        yield PlannedMessage.at(f"duty:coverage:{day.isoformat()}:{recipient.key}", COVERAGE, recipient,
                                       due, due + ONE_DAY, report, f"duty:coverage:{day.isoformat()}")
            day += ONE_DAY

    def _person(self, ctx: PlanContext, code: str) -> Recipient | None:
        staff = next((s for s in ctx.directory.staff if s.code == code), None)
        return None if staff is None else ctx.directory.person(staff, ctx.config.roster.notices.personal or None)


def _reminded(session: Session, holdings: list[tuple[dt.date, str]]) -> set[tuple[dt.date, str]]:
    """Which (day, person) of ``holdings`` have already been sent a reminder of that duty."""
    if not holdings:
        return set()
    topics = {shift_topic(day, code): (day, code) for day, code in holdings}
    sent = session.scalars(select(OutboxMessage.topic).where(
        OutboxMessage.topic.in_(sorted(topics)), OutboxMessage.status.in_((Status.SENT, Status.MERGED))))
    return {topics[topic] for topic in sent}


def _audience(ctx: PlanContext, groups: tuple[str, ...], *, bot_only: bool = False) -> list[Recipient]:
    """The recipients of ``groups``, each once; with ``bot_only``, a group with a bot is told there only."""
    found: dict[str, Recipient] = {}
    for name in groups:
        recipients = ctx.directory.group(name)
        bots = [r for r in recipients if r.key.startswith("group:")]
        for recipient in bots if bot_only and bots else recipients:
            found.setdefault(recipient.key, recipient)
    return list(found.values())

