"""iCalendar (RFC 5545) feeds: one event per seat, for one person or the whole team.

- Times carry ``TZID=Asia/Shanghai`` (the configured zone) with its VTIMEZONE, so calendar apps
  show 08:30 whatever zone the phone is in.
- UIDs are built from the day, the role and the holder (``duty-2026-02-16-leader-S004@safeduty``):
  regenerating or re-exporting the same roster gives the same UIDs, so a subscribed calendar
  updates its events instead of duplicating them; a seat that changes hands is a new event.
- DTSTAMP is when the day's seats last changed hands, so an app sees which events are newer.
- Each event has a VALARM ``alarm`` before the shift starts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from zoneinfo import ZoneInfo

from rosters.exports.rows import Holder, RosterRow
from scheduler.vocab import Role

UID_DOMAIN = "safeduty"


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
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//safeduty//duty roster//ZH",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{_text(name)}",
        f"X-WR-TIMEZONE:{zone.key}",
        *_vtimezone(zone),
    ]
    for row in rows:
        for role in (Role.LEADER, Role.OFFICER):
            for holder in row.holders(role):
                if person is None or holder.code == person:
                    lines += _event(row, role, holder, stamps.get(row.day.date), zone, alarm, phone)
    lines.append("END:VCALENDAR")
    return "".join(_fold(line) + "\r\n" for line in lines)


def _event(row: RosterRow, role: Role, holder: Holder, stamp: dt.datetime | None, zone: ZoneInfo,
           alarm: dt.timedelta, phone: str) -> list[str]:
    day = row.day
    summary = f"{role.label} {holder.name}（24小时值班）"
    details = [f"{day.date.isoformat()} {row.weekday} {day.label}",
               "带班领导：" + _people(row.leaders), "值班员：" + _people(row.officers)]
    if phone:
        details.append(f"值班电话：{phone}")
    stamp = stamp or day.start
    minutes = int(alarm.total_seconds() // 60)
    return [
        "BEGIN:VEVENT",
        f"UID:{event_uid(day.date, role, holder.code)}",
        f"DTSTAMP:{stamp.astimezone(dt.UTC).strftime('%Y%m%dT%H%M%SZ')}",
        f"DTSTART;TZID={zone.key}:{day.start.astimezone(zone).strftime('%Y%m%dT%H%M%S')}",
        f"DTEND;TZID={zone.key}:{day.end.astimezone(zone).strftime('%Y%m%dT%H%M%S')}",
        f"SUMMARY:{_text(summary)}",
        f"DESCRIPTION:{_text(chr(10).join(details))}",
        "CATEGORIES:值班",
        "TRANSP:OPAQUE",
        "BEGIN:VALARM",
        "ACTION:DISPLAY",
        f"DESCRIPTION:{_text(summary)}",
        f"TRIGGER:-PT{minutes}M",
        "END:VALARM",
        "END:VEVENT",
    ]


def _vtimezone(zone: ZoneInfo) -> list[str]:
    """China has kept +08:00 without daylight saving since 1991: one STANDARD block suffices."""
    offset = dt.datetime(2000, 1, 1, tzinfo=zone).utcoffset() or dt.timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    text = f"{'+' if minutes >= 0 else '-'}{abs(minutes) // 60:02d}{abs(minutes) % 60:02d}"
    abbreviation = dt.datetime(2000, 1, 1, tzinfo=zone).tzname() or zone.key
    return ["BEGIN:VTIMEZONE", f"TZID:{zone.key}", "BEGIN:STANDARD", "DTSTART:19700101T000000",
            f"TZOFFSETFROM:{text}", f"TZOFFSETTO:{text}", f"TZNAME:{abbreviation}", "END:STANDARD",
            "END:VTIMEZONE"]


def _people(holders: Sequence[Holder]) -> str:
    return "、".join(f"{h.name} {h.mobile}".strip() for h in holders) or "（未排）"


def _text(value: str) -> str:
    """TEXT escaping (RFC 5545 §3.3.11)."""
    return (value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\r\n", "\\n").replace("\n", "\\n"))


def _fold(line: str) -> str:
    """Fold at 75 octets without splitting a UTF-8 character (RFC 5545 §3.1)."""
    out, current, size = [], "", 0
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > 75:
            out.append(current)
            current, size = " ", 1
        current += char
        size += width
    out.append(current)
    return "\r\n".join(out)
