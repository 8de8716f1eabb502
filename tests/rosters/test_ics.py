"""The calendar feed, built with the icalendar library: no value can add a property, the
VTIMEZONE comes from the configured zone, drafts say so, apps refresh hourly."""

from __future__ import annotations

import dataclasses
import datetime as dt
from zoneinfo import ZoneInfo

import icalendar

from rosters.exports.ics import to_ics
from rosters.exports.rows import Holder, RosterRow
from scheduler.app import App
from tests.rosters.conftest import generate, open_book

FEB = (dt.date(2026, 2, 1), dt.date(2026, 2, 3))
EVIL = "\r\nATTENDEE;CN=x:mailto:evil@example.com\r\nX-INJECTED:1"


SHANGHAI = ZoneInfo("Asia/Shanghai")


def feed(rows: list[RosterRow], zone: ZoneInfo = SHANGHAI) -> icalendar.Calendar:
    text = to_ics(rows, {}, name="值班表", zone=zone, alarm=dt.timedelta(hours=2), phone="0351-1234567")
    return icalendar.Calendar.from_ical(text)


def rows_of(app: App, start: dt.date, end: dt.date) -> list[RosterRow]:
    generate(app, start, end)
    with app.sessions() as session:
        return open_book(app, session).roster(start, end)


def test_a_code_or_name_with_a_line_break_adds_no_property(roster_app: App) -> None:
    rows = rows_of(roster_app, *FEB)
    evil = [dataclasses.replace(r, leaders=(Holder("S004" + EVIL, "高峰" + EVIL, "13800000004" + EVIL),)) for r in rows]
    calendar = feed(evil)
    events = calendar.walk("VEVENT")
    assert len(events) == len(feed(rows).walk("VEVENT"))
    for event in events:
        assert "ATTENDEE" not in event and "X-INJECTED" not in event
    assert all("ATTENDEE" in str(e["SUMMARY"]) for e in events if "leader" in str(e["UID"]))  # kept as text


def test_the_vtimezone_is_generated_from_the_configured_zone(roster_app: App) -> None:
    rows = rows_of(roster_app, dt.date(2026, 3, 1), dt.date(2026, 4, 30))
    berlin = ZoneInfo("Europe/Berlin")
    calendar = feed(rows, berlin)
    zone = calendar.walk("VTIMEZONE")[0]
    assert str(zone["TZID"]) == "Europe/Berlin"
    assert [c.name for c in zone.subcomponents] == ["STANDARD", "DAYLIGHT"]  # the switch of 29 March
    april = next(e for e in calendar.walk("VEVENT") if str(e["UID"]).startswith("duty-2026-04-15-"))
    assert april.decoded("DTSTART").utcoffset() == dt.timedelta(hours=2)


def test_draft_days_say_so_and_are_tentative(roster_app: App) -> None:
    @dataclasses.dataclass(frozen=True)
    class Row(RosterRow):
        published: bool = False

    rows = rows_of(roster_app, *FEB)
    marked = [Row(r.day, r.leaders, r.officers, published=r.day.date != FEB[0]) for r in rows]
    events = feed(marked).walk("VEVENT")  # type: ignore[arg-type]
    drafts = [e for e in events if str(e["UID"]).startswith("duty-2026-02-01-")]
    final = [e for e in events if not str(e["UID"]).startswith("duty-2026-02-01-")]
    assert drafts and all("草稿" in str(e["SUMMARY"]) and str(e["STATUS"]) == "TENTATIVE" for e in drafts)
    assert final and all("草稿" not in str(e["SUMMARY"]) and str(e["STATUS"]) == "CONFIRMED" for e in final)


def test_duties_do_not_block_the_diary_and_apps_refresh_hourly(roster_app: App) -> None:
    calendar = feed(rows_of(roster_app, *FEB))
    assert calendar.decoded("REFRESH-INTERVAL") == dt.timedelta(hours=1)
    assert {str(e["TRANSP"]) for e in calendar.walk("VEVENT")} == {"TRANSPARENT"}
