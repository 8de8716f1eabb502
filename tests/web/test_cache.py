"""Pages and feeds are cached on data versions (migration 0015's counters): a change made by
any writer shows on the very next request."""

from __future__ import annotations

import datetime as dt
import re

from flask import Flask
from sqlalchemy import select, text, update

from rosters.book import RosterBook
from scheduler.app import App
from scheduler.hazards.models import Hazard
from scheduler.people.models import Staff
from scheduler.web.cache import KEY, Cache
from tests.web.helpers import client_as


def publish_rest_of_march(app: App) -> None:
    with app.sessions.begin() as session:
        RosterBook(session, app.config.roster, app.calendar, app.config.service.zone).publish(
            dt.date(2026, 3, 21), dt.date(2026, 3, 31), now=app.clock.now(), actor="test")


def test_the_month_view_shows_a_publication_on_the_next_request(flask_app: Flask, web_app: App) -> None:
    client = client_as(flask_app, "viewer")
    first = client.get("/roster?month=2026-03").text
    assert first.count('class="tag draft"') == 11 and client.get("/roster?month=2026-03").text.count(
        'class="tag draft"') == 11
    assert flask_app.extensions[KEY].hits >= 1  # the second request was served from the cache
    publish_rest_of_march(web_app)
    assert client.get("/roster?month=2026-03").text.count('class="tag draft"') == 0


def without_token(html: str) -> str:
    return re.sub(r'name="csrf_token" value="[^"]*"', "", html)


def overdue_majors(html: str) -> int:
    found = re.search(r'逾期重大隐患 <strong class="\w+">(\d+)</strong>', html)
    assert found is not None
    return int(found[1])


def test_the_board_shows_a_rename_and_a_new_overdue_major_hazard_on_the_next_request(
        flask_app: Flask, web_app: App) -> None:
    client = client_as(flask_app, "viewer")
    html = client.get("/")
    # the second from the cache: the same page, but for the CSRF token (it holds the second it was made)
    assert "改名测试" not in html.text and without_token(client.get("/").text) == without_token(html.text)
    before = overdue_majors(html.text)
    with web_app.sessions.begin() as session:  # rename everyone: today's team among them
        session.execute(update(Staff).values(name="改名测试"))
    assert "改名测试" in client.get("/").text
    with web_app.engine.begin() as connection:  # every open hazard becomes a major one past its deadline
        connection.execute(text("UPDATE hazard SET level = 'major', deadline = '2026-03-01'"))
    assert overdue_majors(client.get("/").text) > before


def test_the_register_shows_an_edit_on_the_next_request(flask_app: Flask, web_app: App) -> None:
    client = client_as(flask_app, "viewer")
    assert "新标题用于缓存测试" not in client.get("/hazards").text
    client.get("/hazards")
    with web_app.sessions.begin() as session:
        code = session.scalar(select(Hazard.code).order_by(Hazard.id))
        session.execute(update(Hazard).where(Hazard.code == code).values(title="新标题用于缓存测试"))
    assert "新标题用于缓存测试" in client.get("/hazards").text


def test_the_cache_keeps_only_its_most_recent_entries() -> None:
    store = Cache(size=2)
    for key in "abc":
        store.get(key, lambda key=key: key.upper())
    assert store.get("a", lambda: "rebuilt") == "rebuilt" and store.get("c", lambda: "x") == "C"
