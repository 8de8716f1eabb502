"""Calendar feeds: /ics/<token>.ics from a hashed token; revoked or unknown is a plain 404."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import icalendar
import pytest
from click.testing import CliRunner
from flask import Flask
from sqlalchemy import select

from scheduler.accounts import feeds
from scheduler.accounts.models import FeedToken
from scheduler.app import App
from scheduler.cli import main
from tests.support.clock import ManualClock
from tests.web.helpers import client_as, csrf_of


def issue(app: App, code: str = "") -> str:
    with app.sessions.begin() as session:
        return feeds.issue(session, staff_code=code, now=app.clock.now(), by="test").token


def test_a_personal_feed_holds_only_that_persons_duties(flask_app: Flask, web_app: App) -> None:
    token = issue(web_app, "S004")
    response = flask_app.test_client().get(f"/ics/{token}.ics")
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    calendar = icalendar.Calendar.from_ical(response.data)
    events = [e for e in calendar.walk("VEVENT")]
    assert events and all("S004" in str(e["UID"]) for e in events)
    assert all("高峰" in str(e["SUMMARY"]) for e in events)
    assert calendar.walk("VTIMEZONE") and all(e.walk("VALARM") for e in events)


def test_a_team_feed_holds_the_whole_roster(flask_app: Flask, web_app: App) -> None:
    token = issue(web_app)
    calendar = icalendar.Calendar.from_ical(flask_app.test_client().get(f"/ics/{token}.ics").data)
    holders = {str(e["UID"]).split("-")[-1].split("@")[0] for e in calendar.walk("VEVENT")}
    assert len(holders) >= 8


def test_only_a_digest_of_the_token_is_stored(web_app: App) -> None:
    token = issue(web_app, "S004")
    with web_app.sessions() as session:
        row = session.scalar(select(FeedToken))
    assert row is not None and token not in (row.digest, row.prefix)
    assert row.digest == hashlib.sha256(token.encode()).hexdigest() and len(token) >= 32  # 192 bits


def test_an_unknown_or_revoked_token_is_a_plain_404(flask_app: Flask, web_app: App, clock: ManualClock) -> None:
    token = issue(web_app, "S004")
    client = flask_app.test_client()
    assert client.get(f"/ics/{token}.ics").status_code == 200
    assert client.get("/ics/wrong-token.ics").status_code == 404
    with web_app.sessions.begin() as session:
        feeds.revoke(session, token[:8], now=clock.now())
    response = client.get(f"/ics/{token}.ics")
    assert response.status_code == 404 and "页面不存在" in response.text


def test_a_fetch_records_when_the_feed_was_last_used(flask_app: Flask, web_app: App) -> None:
    token = issue(web_app, "S004")
    flask_app.test_client().get(f"/ics/{token}.ics")
    with web_app.sessions() as session:
        assert session.scalar(select(FeedToken.last_access_at)) == web_app.clock.now()


def test_a_person_issues_their_own_feed_on_their_page_and_sees_it_once(flask_app: Flask) -> None:
    client = client_as(flask_app, "duty")  # S006 梁宇
    page = client.get("/roster/person/S006").text
    assert "生成新的订阅地址" in page
    issued = client.post("/roster/person/S006/feeds", data={"csrf_token": csrf_of(page)})
    assert issued.status_code == 200
    address = re.search(r"http://duty\.example\.test/ics/([\w-]+)\.ics", issued.text)
    assert address is not None
    assert flask_app.test_client().get(f"/ics/{address[1]}.ics").status_code == 200
    again = client.get("/roster/person/S006").text
    assert address[1] not in again and address[1][:6] in again  # never shown again; its start is listed
    token_id = re.search(r"/feeds/(\d+)/revoke", again)[1]  # type: ignore[index]
    assert client.post(f"/roster/person/S006/feeds/{token_id}/revoke",
                       data={"csrf_token": csrf_of(again)}).status_code == 302
    assert flask_app.test_client().get(f"/ics/{address[1]}.ics").status_code == 404


def test_nobody_issues_a_feed_for_someone_else_except_an_admin(flask_app: Flask) -> None:
    duty = client_as(flask_app, "duty")
    page = duty.get("/roster/person/S004").text
    assert "生成新的订阅地址" not in page
    assert duty.post("/roster/person/S004/feeds", data={"csrf_token": csrf_of(page)}).status_code == 403
    admin = client_as(flask_app, "admin")
    page = admin.get("/roster/person/S004").text
    assert admin.post("/roster/person/S004/feeds", data={"csrf_token": csrf_of(page)}).status_code == 200


def test_feed_commands_issue_list_and_revoke(web_project: Path, web_app: App) -> None:
    runner = CliRunner()
    issued = runner.invoke(main, ["--config", str(web_project), "feed", "issue", "S004"])
    assert issued.exit_code == 0, issued.output
    token = re.search(r"/ics/([\w-]+)\.ics", issued.output)[1]  # type: ignore[index]
    listed = runner.invoke(main, ["--config", str(web_project), "feed", "list"]).output
    assert token[:6] in listed and token not in listed
    bad = runner.invoke(main, ["--config", str(web_project), "feed", "issue"])
    assert bad.exit_code == 2 and "--team" in bad.output
    assert runner.invoke(main, ["--config", str(web_project), "feed", "revoke", token[:6]]).exit_code == 0
    assert runner.invoke(main, ["--config", str(web_project), "feed", "revoke", token[:6]]).exit_code == 2


def test_a_token_always_starts_with_a_letter_so_its_prefix_can_be_typed(
        web_project: Path, web_app: App, monkeypatch: pytest.MonkeyPatch) -> None:
    """A prefix like "-asZqF" read as an option in `feed revoke` (seen once in the suite), and an
    all-digit one would be taken for a row id: such draws are drawn again."""
    draws = iter(["-asZqFjustrandom", "123456moredigits", "_underscorefirst", "Ab3-realtoken_x"])
    monkeypatch.setattr(feeds.secrets, "token_urlsafe", lambda _n: next(draws))
    runner = CliRunner()
    issued = runner.invoke(main, ["--config", str(web_project), "feed", "issue", "S004"])
    assert "/ics/Ab3-realtoken_x.ics" in issued.output, issued.output
    assert runner.invoke(main, ["--config", str(web_project), "feed", "revoke", "Ab3-re"]).exit_code == 0


def test_the_feed_of_someone_who_left_the_staff_list_ends(flask_app: Flask, web_app: App) -> None:
    from scheduler.people.models import Staff

    token = issue(web_app, "S004")
    with web_app.sessions.begin() as session:
        session.query(Staff).filter(Staff.code == "S004").update({"active": False})
    assert flask_app.test_client().get(f"/ics/{token}.ics").status_code == 404


def test_a_published_days_events_are_confirmed_and_a_drafts_say_草稿(flask_app: Flask, web_app: App) -> None:
    token = issue(web_app)  # the seed publishes 1–20 March 2026 and leaves 21–31 as a draft
    calendar = icalendar.Calendar.from_ical(flask_app.test_client().get(f"/ics/{token}.ics").data)
    events = {str(e["UID"]): e for e in calendar.walk("VEVENT")}
    published = [e for uid, e in events.items() if "2026-03-01" <= uid[5:15] <= "2026-03-20"]
    drafts = [e for uid, e in events.items() if "2026-03-21" <= uid[5:15] <= "2026-03-31"]
    assert published and drafts
    assert all("草稿" not in str(e["SUMMARY"]) and str(e["STATUS"]) == "CONFIRMED" for e in published)
    assert all("草稿" in str(e["SUMMARY"]) and str(e["STATUS"]) == "TENTATIVE" for e in drafts)


def test_a_change_to_the_roster_shows_on_the_next_fetch_despite_the_cache(flask_app: Flask, web_app: App) -> None:
    import datetime as dt

    from rosters.book import RosterBook
    from scheduler.people.models import Staff

    token = issue(web_app, "S004")
    client = flask_app.test_client()
    first = client.get(f"/ics/{token}.ics")
    assert "草稿" in first.data.decode() and client.get(f"/ics/{token}.ics").data == first.data  # cached
    with web_app.sessions.begin() as session:  # publish the rest of March: no draft left
        RosterBook(session, web_app.config.roster, web_app.calendar, web_app.config.service.zone).publish(
            dt.date(2026, 3, 21), dt.date(2026, 3, 31), now=web_app.clock.now(), actor="test")
    second = client.get(f"/ics/{token}.ics")
    assert "草稿" not in second.data.decode()
    with web_app.sessions.begin() as session:  # a rename reaches the feed too
        staff = session.get(Staff, session.scalar(select(Staff.id).where(Staff.code == "S004")))
        staff.name = "改名测试"
    assert "改名测试" in client.get(f"/ics/{token}.ics").data.decode()


def test_a_feed_answers_304_to_its_own_etag_and_200_after_a_change(flask_app: Flask, web_app: App) -> None:
    import datetime as dt

    from rosters.book import RosterBook

    token = issue(web_app, "S004")
    client = flask_app.test_client()
    tag = client.get(f"/ics/{token}.ics").headers["ETag"]
    again = client.get(f"/ics/{token}.ics", headers={"If-None-Match": tag})
    assert again.status_code == 304 and not again.data
    with web_app.sessions.begin() as session:
        RosterBook(session, web_app.config.roster, web_app.calendar, web_app.config.service.zone).publish(
            dt.date(2026, 3, 21), dt.date(2026, 3, 31), now=web_app.clock.now(), actor="test")
    after = client.get(f"/ics/{token}.ics", headers={"If-None-Match": tag})
    assert after.status_code == 200 and after.headers["ETag"] != tag
