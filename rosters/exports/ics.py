"""iCalendar (RFC 5545) feeds: one event per seat, for one person or the whole team.

Built with the ``icalendar`` library, which does the escaping and line folding: a value can
never end a property and start another (a 工号 with a CRLF once added an ATTENDEE line).

- Times carry ``TZID`` of the configured zone, with a VTIMEZONE generated from that zone over
  the span of the feed, so calendar apps show 08:30 whatever zone the phone is in.
- UIDs are built from the day, the role and the holder (``duty-2026-02-16-leader-S004@safeduty``):
  regenerating or re-exporting the same roster gives the same UIDs, so a subscribed calendar
  updates its events instead of duplicating them; a seat that changes hands is a new event.
- DTSTAMP is when the day's seats last changed hands, so an app sees which events are newer.
- Each event has a VALARM ``alarm`` before the shift starts. A 24-hour duty does not make the
  person busy for other invitations (TRANSP:TRANSPARENT).
- A day not yet published is a draft: its events say 草稿 in the summary and are TENTATIVE.
- Subscribed apps are asked to refresh hourly (REFRESH-INTERVAL, and X-PUBLISHED-TTL for Outlook).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from zoneinfo import ZoneInfo

import icalendar

from rosters.exports.rows import Holder, RosterRow
from scheduler.vocab import Role

UID_DOMAIN = "safeduty"
REFRESH = dt.timedelta(hours=1)
DRAFT = "【草稿】"


def event_uid(date: dt.date, role: Role, code: str) -> str:
    return f"duty-{date.isoformat()}-{role.value}-{code}@{UID_DOMAIN}"


def to_ics(
    rows: Sequence[RosterRow],
    stamps: Mapping[dt.date, dt.datetime],
    *,
    name: str,
    zone: ZoneInfo,
    alarm: dt.timedelta,
    phone: str = "",
    person: str | None = None,
) -> str:
    """The calendar of ``rows``; with ``person`` (a 工号), only that person's duties."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//safeduty//duty roster//ZH")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", zone.key)
    calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT1H")  # Outlook's name for it
    if rows:
        first, last = min(r.day.start for r in rows), max(r.day.end for r in rows)
        calendar.add_component(icalendar.Timezone.from_tzinfo(
            zone, tzid=zone.key, first_date=first.astimezone(zone).date(),
            last_date=last.astimezone(zone).date() + dt.timedelta(days=1)))
    for row in rows:
        for role in (Role.LEADER, Role.OFFICER):
            for holder in row.holders(role):
                if person is None or holder.code == person:
                    calendar.add_component(_event(row, role, holder, stamps.get(row.day.date), zone, alarm, phone))
    return calendar.to_ical().decode("utf-8")


def _event(row: RosterRow, role: Role, holder: Holder, stamp: dt.datetime | None, zone: ZoneInfo,
           alarm: dt.timedelta, phone: str) -> icalendar.Event:
    day = row.day
    published = row.published  # a draft (草稿) may still change: marked in the title and TENTATIVE
    summary = ("" if published else DRAFT) + f"{role.label} {holder.name}（24小时值班）"
    details = [f"{day.date.isoformat()} {row.weekday} {day.label}" + ("" if published else "（草稿，可能调整）"),
               "带班领导：" + _people(row.leaders), "值班员：" + _people(row.officers)]
    if phone:
        details.append(f"值班电话：{phone}")
    event = icalendar.Event()
    event.add("uid", event_uid(day.date, role, holder.code))
    event.add("dtstamp", (stamp or day.start).astimezone(dt.UTC))
    event.add("dtstart", _local(day.start, zone))
    event.add("dtend", _local(day.end, zone))
    event.add("summary", summary)
    event.add("description", "\n".join(details))
    event.add("categories", ["值班"])
    event.add("status", "CONFIRMED" if published else "TENTATIVE")
    event.add("transp", "TRANSPARENT")
    reminder = icalendar.Alarm()
    reminder.add("action", "DISPLAY")
    reminder.add("description", summary)
    reminder.add("trigger", -alarm)
    event.add_component(reminder)
    return event


def _local(moment: dt.datetime, zone: ZoneInfo) -> dt.datetime:
    """``moment`` on the zone's wall clock, whole seconds (written with TZID=zone)."""
    return moment.astimezone(zone).replace(microsecond=0)


def _people(holders: Sequence[Holder]) -> str:
    return "、".join(f"{h.name} {h.mobile}".strip() for h in holders) or "（未排）"
