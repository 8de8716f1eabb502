"""零报告 and incidents: the day's request, the reminder, the list of who is missing, the summary;
an incident to the duty leader at once, and the reporting clock's reminder.

For each day in scope (a holiday period, a chosen key period), at ``request_at`` each party
gets a request with a report link; at cut-off − ``remind_before`` those who have not reported
get a reminder; at the cut-off the day's duty officer gets the list of who is missing; at
``summary_at`` the duty leader gets the day's summary. A report cancels what is still unsent
for its party (topic ``zero:<day>:<party>``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence

from sqlalchemy import exists, select

from rosters.book import RosterBook
from rosters.tables import RosterAssignment
from scheduler.outbox.planned import URGENT, PlannedMessage, Recipient, Window
from scheduler.planners.base import PlanContext
from scheduler.planners.schedule import days, local, may_fall_in, window_days
from scheduler.receipts import zero_reports
from scheduler.receipts.models import ZeroReport
from scheduler.receipts.policy import Ask, end_of_day
from scheduler.receipts.zero_reports import Party
from scheduler.warnings import zero_hook

REQUEST = "zero_report/request"
REMINDER = "zero_report/reminder"
MISSING = "zero_report/missing"
SUMMARY = "zero_report/summary"
INCIDENT = "zero_report/incident"
CLOCK = "zero_report/clock"
# A report is stamped before its transaction commits; looking this far back catches one that
# committed after a tick had planned past its time (keys make the overlap harmless).
LOOKBACK = dt.timedelta(minutes=10)
ONE_DAY = dt.timedelta(days=1)


def plan(ctx: PlanContext, window: Window) -> Iterator[PlannedMessage]:
    settings = ctx.config.receipts.zero_report
    if not settings.enabled:
        return
    zone = ctx.config.service.zone
    first, last = window_days(window, zone)
    book = _book(ctx)
    for day in days(first, last):
        cutoff = local(day, settings.cutoff, zone)
        remind = (dt.datetime.combine(day, settings.cutoff) - settings.remind_before).time()
        times = {"request": settings.request_at, "remind": remind, "missing": settings.cutoff,
                 "summary": settings.summary_at}
        due = {what: at for what, at in times.items() if may_fall_in(window, day, at, zone)}
        if not due:
            continue
        reason = zero_reports.scope(ctx.config, ctx.calendar, day)
        only = None
        if not reason:  # a red/orange 暴雨/山洪 warning in force: its area reports (issue 14)
            reason, only = zero_hook.scope(ctx, day)
        if not reason:
            continue
        parties = zero_reports.parties(ctx.config, ctx.directory, book, day)
        if only is not None:
            parties = [p for p in parties if only(p.key)]
        reports = zero_reports.of_day(ctx.session, day) if set(due) - {"request"} else {}
        base: dict[str, object] = {"day": day.isoformat(), "reason": reason, "cutoff": cutoff.isoformat()}
        for what, at in due.items():
            moment = local(day, at, zone)
            if what in ("request", "remind"):
                found = _asks(ctx, day, what, moment, cutoff, parties, reports, base)
            elif what == "missing":
                found = _missing(ctx, book, day, moment, parties, reports, base)
            else:
                found = _summary(ctx, book, day, moment, parties, reports, base)
            yield from (m for m in found if m.due_at in window)
    yield from _incidents(ctx, window, book)


def _book(ctx: PlanContext) -> RosterBook | None:
    if not ctx.session.scalar(select(exists().where(RosterAssignment.id.isnot(None)))):
        return None
    return RosterBook(ctx.session, ctx.config.roster, ctx.calendar, ctx.config.service.zone)


def _asks(ctx: PlanContext, day: dt.date, what: str, moment: dt.datetime, cutoff: dt.datetime,
          parties: Sequence[Party], reports: dict[str, ZeroReport], base: dict[str, object]) -> Iterator[PlannedMessage]:
    kind = REQUEST if what == "request" else REMINDER
    expires = end_of_day(day, ctx.config.service.zone)
    for party in parties:
        if party.key in reports:
            continue
        ask = Ask(f"{zero_reports.topic(day, party.key)}", REQUEST, zero_reports.topic(day), "zero", party.key,
                  expires + ctx.config.receipts.grace, cutoff, day.isoformat())
        context = {**base, "party_name": party.name, "receipt": ask.as_context()}
        for recipient in party.recipients:
            yield PlannedMessage.at(f"zero:{day.isoformat()}:{what}:{recipient.key}", kind, recipient, moment,
                                    cutoff if what == "remind" else expires, context,
                                    zero_reports.topic(day, party.key))


def _missing_rows(parties: Sequence[Party], reports: dict[str, ZeroReport]) -> list[dict[str, str]]:
    return [{"name": p.name, "category": p.category} for p in parties if p.key not in reports]


def _missing(ctx: PlanContext, book: RosterBook | None, day: dt.date, moment: dt.datetime,
             parties: Sequence[Party], reports: dict[str, ZeroReport], base: dict[str, object]) -> Iterator[PlannedMessage]:
    missing = _missing_rows(parties, reports)
    if not missing or book is None:
        return
    context = {**base, "missing": missing, "expected": len(parties)}
    for recipient in _on_duty(ctx, book, day, leaders=False):
        yield PlannedMessage.at(f"zero:{day.isoformat()}:missing:{recipient.key}", MISSING, recipient, moment,
                                end_of_day(day, ctx.config.service.zone), context, f"{zero_reports.topic(day)}:list")


def _summary(ctx: PlanContext, book: RosterBook | None, day: dt.date, moment: dt.datetime,
             parties: Sequence[Party], reports: dict[str, ZeroReport], base: dict[str, object]) -> Iterator[PlannedMessage]:
    incidents = [zero_reports.incident_context(ctx.config, r) for r in reports.values() if r.status == "incident"]
    context = {**base, "expected": len(parties), "reported": len(reports),
               "zero": sum(r.status == "zero" for r in reports.values()),
               "late": sum(r.late for r in reports.values()),
               "incidents": sorted(incidents, key=lambda i: i["received_at"]),
               "missing": _missing_rows(parties, reports)}
    found = _on_duty(ctx, book, day, leaders=True) if book is not None else []
    for recipient in found + _groups(ctx, ctx.config.receipts.zero_report.summary_to, found):
        yield PlannedMessage.at(f"zero:{day.isoformat()}:summary:{recipient.key}", SUMMARY, recipient, moment,
                                end_of_day(day, ctx.config.service.zone) + ONE_DAY, context,
                                f"{zero_reports.topic(day)}:summary")


def _incidents(ctx: PlanContext, window: Window, book: RosterBook | None) -> Iterator[PlannedMessage]:
    """An incident goes to the duty leader at once (urgent); before the upward clock runs out, a
    reminder unless it has been marked as reported upward."""
    clocks = ctx.config.receipts.zero_report.clocks
    lead = clocks.upward - clocks.remind_before
    rows = ctx.session.scalars(select(ZeroReport).where(
        ZeroReport.incident_at > window.start - LOOKBACK - lead, ZeroReport.incident_at <= window.end))
    for report in rows:
        assert report.incident_at is not None
        context = {"incident": zero_reports.incident_context(ctx.config, report)}
        notice = report.incident_at > window.start - LOOKBACK
        reminder = report.reported_up_at is None and report.incident_at + lead in window
        if not (notice or reminder):
            continue
        day = _duty_date(ctx, report.incident_at)
        leaders = _on_duty(ctx, book, day, leaders=True) if book is not None else []
        told = leaders + _groups(ctx, ctx.config.receipts.zero_report.summary_to, leaders)
        if notice:
            for recipient in told:
                yield PlannedMessage(f"incident:{report.id}:notice:{recipient.key}", INCIDENT, recipient,
                                     report.incident_at, report.incident_at + ONE_DAY, context,
                                     f"incident:{report.id}:notice", URGENT)
        if reminder:
            officers = _on_duty(ctx, book, day, leaders=False) if book is not None else []
            moment = report.incident_at + lead
            for recipient in told + [r for r in officers if r.key not in {t.key for t in told}]:
                yield PlannedMessage(f"incident:{report.id}:clock:{recipient.key}", CLOCK, recipient, moment,
                                     report.incident_at + clocks.upward + ONE_DAY, context,
                                     zero_reports.incident_topic(report.id), URGENT)


def _duty_date(ctx: PlanContext, moment: dt.datetime) -> dt.date:
    """The duty day a moment falls in (a duty day starts at the handover)."""
    here = moment.astimezone(ctx.config.service.zone)
    return here.date() if here.time() >= ctx.config.roster.handover else here.date() - ONE_DAY


def _on_duty(ctx: PlanContext, book: RosterBook, day: dt.date, *, leaders: bool) -> list[Recipient]:
    row = book.roster(day, day)[0]
    found: dict[str, Recipient] = {}
    for holder in row.leaders if leaders else row.officers:
        staff = next((s for s in ctx.directory.staff if s.code == holder.code), None)
        person = ctx.directory.person(staff, ctx.config.roster.notices.personal or None) if staff else None
        if person is not None:
            found.setdefault(person.key, person)
    return list(found.values())


def _groups(ctx: PlanContext, groups: Sequence[str], already: Sequence[Recipient]) -> list[Recipient]:
    seen = {r.key for r in already}
    found = []
    for group in groups:
        for recipient in ctx.directory.group(group):
            if recipient.key not in seen:
                seen.add(recipient.key)
                found.append(recipient)
    return found
