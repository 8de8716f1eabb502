from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import icalendar
import openpyxl

from rosters.changes import add_leave
from rosters.exports.ics import to_ics
from rosters.exports.page import to_html
from rosters.exports.rows import HEADINGS
from rosters.exports.sheets import to_csv, to_xlsx
from scheduler.app import App
from tests.rosters.conftest import ROSTER_TOML, generate, open_book
from tests.support.clock import ManualClock
from tests.support.project import make_app, make_project

FEB = (dt.date(2026, 2, 1), dt.date(2026, 2, 28))


def exports(app: App, start: dt.date, end: dt.date, person: str | None = None) -> dict[str, bytes]:
    config = app.config
    with app.sessions() as session:
        book = open_book(app, session)
        rows = book.roster(start, end)
        ics = to_ics(rows, book.stamps(start, end), name="值班表", zone=config.service.zone,
                     alarm=config.roster.ics_alarm, phone=config.roster.duty_phone, person=person)
    return {"csv": to_csv(rows), "xlsx": to_xlsx(rows, "值班表"), "ics": ics.encode(),
            "html": to_html(rows, "值班表", config.roster.handover, config.roster.duty_phone).encode()}


def test_the_same_inputs_give_byte_identical_exports(roster_app: App, tmp_path: Path, clock: ManualClock) -> None:
    generate(roster_app, dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    other = make_app(make_project(tmp_path / "again", ROSTER_TOML), clock)
    try:
        other.service.sync_data()
        generate(other, dt.date(2026, 1, 1), dt.date(2026, 12, 31))
        assert exports(other, dt.date(2026, 1, 1), dt.date(2026, 12, 31)) == \
            exports(roster_app, dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    finally:
        other.close()


def test_csv_has_chinese_headings_and_opens_in_excel(roster_app: App) -> None:
    generate(roster_app, *FEB)
    data = exports(roster_app, *FEB)["csv"]
    assert data.startswith("\ufeff".encode())  # Excel needs the BOM to read UTF-8
    lines = data.decode("utf-8-sig").splitlines()
    assert lines[0] == ",".join(HEADINGS)
    assert lines[16].startswith("2026-02-16,星期一,春节 · 除夕,") and len(lines) == 29


def test_xlsx_has_a_title_and_chinese_headings(roster_app: App) -> None:
    generate(roster_app, *FEB)
    sheet = openpyxl.load_workbook(io.BytesIO(exports(roster_app, *FEB)["xlsx"])).active
    assert sheet.title == "值班表" and sheet["A1"].value == "值班表"
    assert tuple(c.value for c in sheet[2]) == HEADINGS
    assert sheet["C18"].value == "春节 · 除夕"


def test_xlsx_stores_dates_as_dates(roster_app: App) -> None:
    generate(roster_app, *FEB)
    sheet = openpyxl.load_workbook(io.BytesIO(exports(roster_app, *FEB)["xlsx"])).active
    assert isinstance(sheet["A18"].value, dt.datetime) and sheet["A18"].value.date() == dt.date(2026, 2, 16)
    assert sheet["A18"].number_format == "yyyy-mm-dd"


def test_exports_mark_draft_days_as_drafts(roster_app: App) -> None:
    generate(roster_app, *FEB)
    with roster_app.sessions.begin() as session:
        open_book(roster_app, session).publish(dt.date(2026, 2, 1), dt.date(2026, 2, 14), now=roster_app.clock.now(),
                                               actor="王文书")
    data = exports(roster_app, *FEB)
    lines = data["csv"].decode("utf-8-sig").splitlines()
    assert lines[0].endswith(",状态")
    assert lines[14].startswith("2026-02-14,") and lines[14].endswith(",已发布")
    assert lines[15].startswith("2026-02-15,") and lines[15].endswith(",草稿")
    sheet = openpyxl.load_workbook(io.BytesIO(data["xlsx"])).active
    assert sheet["H16"].value == "已发布" and sheet["H17"].value == "草稿"
    page = data["html"].decode()
    assert "标「草稿」的日期尚未发布" in page and page.count('<td class="draft">草稿</td>') == 14


def test_the_printable_page_has_a_table_per_month_and_escapes_names(roster_app: App) -> None:
    generate(roster_app, dt.date(2026, 1, 20), dt.date(2026, 2, 10))
    with roster_app.sessions() as session:
        rows = open_book(roster_app, session).roster(dt.date(2026, 1, 20), dt.date(2026, 2, 10))
    page = to_html(rows, "值班表 <草稿>", dt.time(8, 30), "0351-1234567")
    assert page.count("<table>") == 2 and "<h2>2026年1月</h2>" in page and "<h2>2026年2月</h2>" in page
    assert "值班表 &lt;草稿&gt;" in page and "<th>带班领导</th>" in page and "值班电话：0351-1234567" in page


def test_ics_parses_with_the_icalendar_library(roster_app: App) -> None:
    generate(roster_app, *FEB)
    calendar = icalendar.Calendar.from_ical(exports(roster_app, *FEB)["ics"])
    zones = [c for c in calendar.walk("VTIMEZONE")]
    assert [str(z["TZID"]) for z in zones] == ["Asia/Shanghai"]
    events = calendar.walk("VEVENT")
    assert len(events) == 28 * 2 + 9  # a leader and an officer a day, a second officer on 春节's 9 days
    eve = next(e for e in events if str(e["UID"]) .startswith("duty-2026-02-16-leader-"))
    start = eve.decoded("DTSTART")
    assert (start.hour, start.minute, str(start.tzinfo)) == (8, 30, "Asia/Shanghai")
    assert eve.decoded("DTEND") - start == dt.timedelta(hours=24)
    alarm = eve.walk("VALARM")[0]
    assert alarm.decoded("TRIGGER") == -dt.timedelta(hours=2)
    assert "带班领导" in str(eve["SUMMARY"]) and "除夕" in str(eve["DESCRIPTION"])


def test_a_persons_calendar_holds_only_their_duties(roster_app: App) -> None:
    generate(roster_app, *FEB)
    calendar = icalendar.Calendar.from_ical(exports(roster_app, *FEB, person="S006")["ics"])
    assert {str(e["UID"]).split("-")[-1] for e in calendar.walk("VEVENT")} == {"S006@safeduty"}


def test_ics_uids_survive_regeneration_and_only_moved_duties_change(roster_app: App) -> None:
    generate(roster_app, *FEB)
    before = exports(roster_app, *FEB)["ics"]
    generate(roster_app, *FEB)
    assert exports(roster_app, *FEB)["ics"] == before
    with roster_app.sessions.begin() as session:
        add_leave(open_book(roster_app, session), "梁宇", dt.date(2026, 2, 9), dt.date(2026, 2, 15), kind="请假",
                  now=roster_app.clock.now(), actor="王文书", reason="")
    uids = {str(e["UID"]) for e in icalendar.Calendar.from_ical(before).walk("VEVENT")}
    after = {str(e["UID"]) for e in icalendar.Calendar.from_ical(exports(roster_app, *FEB)["ics"]).walk("VEVENT")}
    gone, new = uids - after, after - uids
    assert len(new) == len(gone)  # a moved seat is a new event in place of the old one
    # The officers' drafts from 梁宇's first freed day to the end of 春节 (02-15…02-23, which the
    # leave touches) are planned again as a whole; every other duty keeps its event.
    assert gone and any(u.endswith("-S006@safeduty") for u in gone)
    assert all("-officer-" in u and "2026-02-09" <= u[5:15] <= "2026-02-23" for u in gone)
    assert len(uids & after) == len(uids) - len(gone)
