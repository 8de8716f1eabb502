"""When hazard messages go out: a local time on given days, plus each key's jitter."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from scheduler.outbox.planned import MAX_JITTER_S, MIN_JITTER_S, Window

ONE_DAY = dt.timedelta(days=1)


def at(day: dt.date, time: dt.time, zone: ZoneInfo) -> dt.datetime:
    return dt.datetime.combine(day, time, tzinfo=zone)


def send_days(window: Window, zone: ZoneInfo, time: dt.time) -> list[dt.date]:
    """Local days whose messages at ``time`` (plus a 5–95 s jitter) may fall due in ``window``."""
    early, late = dt.timedelta(seconds=MIN_JITTER_S), dt.timedelta(seconds=MAX_JITTER_S)
    day = (window.start - late).astimezone(zone).date() - ONE_DAY
    last = window.end.astimezone(zone).date()
    found = []
    while day <= last:
        moment = at(day, time, zone)
        if moment + late > window.start and moment + early <= window.end:
            found.append(day)
        day += ONE_DAY
    return found
