"""Chasing the unanswered pre-holiday and key-period notices (回执催办).

- A pre-holiday notice to enterprises that asks for a receipt (T-14 节前自查): at T-5 (working
  days) a reminder to each enterprise that has not answered, through the same contacts; at T-2
  the list of those still silent to their supervisors (by category, then region).
- A pre-holiday notice to bureau staff with a deadline (T-10 节前研判会): at the deadline − 1
  working day, who has not confirmed, to the section head.
- A key period's start notice: after 2 working days, the enterprises that have not confirmed,
  to their supervisors.

Reminders carry the task they chase (their link confirms it) and its topic
(``receipt:<task>``), so a receipt cancels whatever of them is still unsent.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from typing import Any

from scheduler.calendar import HolidayPeriod
from scheduler.config.reminders import PreholidayStep
from scheduler.outbox.planned import PlannedMessage, Window
from scheduler.planners import key_periods, preholiday
from scheduler.planners.base import PlanContext
from scheduler.planners.schedule import local, may_fall_in, window_days
from scheduler.receipts.chase import (
    Asked,
    asked,
    by_party,
    grouped,
    originals,
    supervisor_lists,
    unanswered,
)
from scheduler.receipts.policy import chase_topic

REMINDER = "receipts/preholiday_reminder"
LIST = "receipts/preholiday_list"
MEETING = "receipts/meeting_unconfirmed"
KEY_PERIOD_LIST = "receipts/key_period_list"
ONE_DAY = dt.timedelta(days=1)


def plan(ctx: PlanContext, window: Window) -> Iterator[PlannedMessage]:
    if not ctx.config.receipts.kinds:
        return
    yield from _preholiday(ctx, window)
    yield from _key_periods(ctx, window)


# Pre-holiday notices


def _preholiday(ctx: PlanContext, window: Window) -> Iterator[PlannedMessage]:
    config, chase = ctx.config.preholiday, ctx.config.receipts.preholiday
    steps = {n: s for n, s in config.steps.items() if ctx.config.receipts.mode(s.template) != "none"}
    if not steps:
        return
    zone = ctx.config.service.zone
    first, last = window_days(window, zone)
    reach = dt.timedelta(days=3 * max(max(s.lead for s in steps.values()), chase.remind_working_days) + 31)
    for period in ctx.calendar.periods_between(first, last + reach):
        if period.start <= first:
            continue
        for name, step in steps.items():
            if not preholiday.counts_for(period, step, config):
                continue
            sent = preholiday.send_day(ctx.calendar, period, step, config)
            chases = _chase_days(ctx, period, step, sent)
            due = {what: day for what, day in chases.items()
                   if may_fall_in(window, day, _at(ctx, what), zone)}
            if not due:
                continue
            prefix = f"preholiday:{period.key}:{name}:"
            items = unanswered(ctx, asked(ctx, originals(ctx, preholiday.plan, local(sent, step.at, zone), prefix)),
                               "preholiday")
            for what, day in due.items():
                moment = local(day, _at(ctx, what), zone)
                expires = local(period.start, dt.time(0), zone)
                if what == "remind":
                    found = _reminders(items, moment, expires, sent)
                elif what == "list":
                    found = _lists(ctx, items, period, name, moment, expires, sent)
                else:
                    found = _meeting(ctx, items, period, name, moment, expires, sent)
                yield from (m for m in found if m.due_at in window)


def _at(ctx: PlanContext, what: str) -> dt.time:
    receipts = ctx.config.receipts
    return receipts.meeting.at if what == "meeting" else receipts.preholiday.at


def _chase_days(ctx: PlanContext, period: HolidayPeriod, step: PreholidayStep, sent: dt.date) -> dict[str, dt.date]:
    """The days this step's receipts are chased, each strictly after the step was sent."""
    chase, calendar = ctx.config.receipts, ctx.calendar
    days = {}
    if step.audience.reaches_enterprises:
        days["remind"] = calendar.working_days_before(period.start, chase.preholiday.remind_working_days)
        days["list"] = calendar.working_days_before(period.start, chase.preholiday.list_working_days)
    if step.audience.groups and step.complete_by and chase.meeting.to:
        deadline = calendar.working_days_before(period.start, step.complete_by)
        days["meeting"] = calendar.working_days_before(deadline, chase.meeting.before_deadline_working_days)
    return {what: day for what, day in days.items() if day > sent}


def _reminders(items: Sequence[Asked], moment: dt.datetime, expires: dt.datetime,
               sent: dt.date) -> Iterator[PlannedMessage]:
    for item in items:
        if not item.ask.party.startswith("enterprise:"):
            continue
        original = item.message
        context = {**original.context, "receipt": item.ask.as_context(), "asked_on": sent.isoformat(),
                   "asked_kind": original.kind}
        yield PlannedMessage.at(f"receipt:remind:{original.key}", REMINDER, original.recipient, moment, expires,
                                context, chase_topic(item.ask.task))


def _lists(ctx: PlanContext, items: Sequence[Asked], period: HolidayPeriod, step: str, moment: dt.datetime,
           expires: dt.datetime, sent: dt.date) -> Iterator[PlannedMessage]:
    silent = [party.split(":", 1)[1] for party in by_party(items) if party.startswith("enterprise:")]
    if not silent:
        return
    sample = items[0].message.context
    topic = f"receipt:list:preholiday:{period.key}:{step}"
    unassigned = ctx.config.receipts.preholiday.unassigned_to
    for recipient, rows in supervisor_lists(ctx, silent, unassigned):
        context = _notice(sample, items[0].message.kind, sent) | {"count": len(rows), "groups": grouped(rows)}
        yield PlannedMessage.at(f"{topic}:{recipient.key}", LIST, recipient, moment, expires, context, topic)


def _meeting(ctx: PlanContext, items: Sequence[Asked], period: HolidayPeriod, step: str, moment: dt.datetime,
             expires: dt.datetime, sent: dt.date) -> Iterator[PlannedMessage]:
    missing = [{"name": a.message.recipient.name, "party": a.ask.party} for a in items
               if not a.ask.party.startswith("enterprise:")]
    if not missing:
        return
    sample = items[0].message.context
    topic = f"receipt:list:preholiday:{period.key}:{step}"
    context = _notice(sample, items[0].message.kind, sent) | {"missing": missing}
    seen: set[str] = set()
    for group in ctx.config.receipts.meeting.to:
        for recipient in ctx.directory.group(group):
            if recipient.key not in seen:
                seen.add(recipient.key)
                yield PlannedMessage.at(f"{topic}:{recipient.key}", MEETING, recipient, moment, expires, context,
                                        topic)


def _notice(context: Any, kind: str, sent: dt.date) -> dict[str, Any]:
    """What a list says about the notice it chases."""
    return {"period": context.get("period"), "deadline": context.get("deadline"), "asked_on": sent.isoformat(),
            "asked_kind": kind}


# Key periods


def _key_periods(ctx: PlanContext, window: Window) -> Iterator[PlannedMessage]:
    settings = ctx.config.key_periods
    chase = ctx.config.receipts.key_period
    zone = ctx.config.service.zone
    first, last = window_days(window, zone)
    for ident, period in settings.periods.items():
        kind = f"{period.templates}/start"
        if not period.enabled or ctx.config.receipts.mode(kind) == "none":
            continue
        slack = dt.timedelta(days=3 * chase.after_working_days + 15 + period.lead)
        for occurrence in key_periods.occurrences(ctx.calendar, period, first - slack, last + slack):
            start = key_periods.notices_of(ctx.calendar, period, occurrence, settings.on_non_working_day)[0]
            day = ctx.calendar.working_days_after(start.day, chase.after_working_days)
            if day > occurrence.end or not may_fall_in(window, day, chase.at, zone):
                continue
            topic = f"key_period:{ident}:{occurrence.start}"
            sent = originals(ctx, key_periods.plan, local(start.day, period.at, zone), f"{topic}:start:")
            items = unanswered(ctx, asked(ctx, sent), "key_periods")
            silent = [p.split(":", 1)[1] for p in by_party(items) if p.startswith("enterprise:")]
            if not silent:
                continue
            moment = local(day, chase.at, zone)
            expires = local(occurrence.end + ONE_DAY, dt.time(0), zone)
            list_topic = f"receipt:list:{topic}"
            base = {"period": items[0].message.context["period"], "asked_on": start.day.isoformat(),
                    "asked_kind": kind}
            for recipient, rows in supervisor_lists(ctx, silent, chase.unassigned_to):
                message = PlannedMessage.at(f"{list_topic}:{recipient.key}", KEY_PERIOD_LIST, recipient, moment,
                                            expires, base | {"count": len(rows), "groups": grouped(rows)},
                                            list_topic)
                if message.due_at in window:
                    yield message
