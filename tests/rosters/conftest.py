"""Fixtures for the duty roster: the example team in memory, and a project on SQLite."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.orm import Session

from rosters.book import RosterBook
from rosters.days import DayClassifier
from rosters.model import DUTY_ROLES, Person
from scheduler.app import App
from scheduler.calendar import WorkCalendar
from scheduler.config.roster import DateMark, KeyPeriod, RosterConfig
from scheduler.people.imports import read_staff
from scheduler.vocab import Role
from tests.support.clock import ManualClock
from tests.support.project import EXAMPLES, make_app, make_project

SHANGHAI = ZoneInfo("Asia/Shanghai")
PLANNING_DAY = dt.datetime(2025, 12, 1, 9, 0, tzinfo=SHANGHAI)
FLOOD = KeyPeriod("主汛期", DateMark.parse("07-15"), DateMark.parse("08-15"), officer=2)

ROSTER_TOML = """
[roster]
duty_phone = "0351-1234567"
key_periods = [{ name = "主汛期", start = "07-15", end = "08-15", officer = 2 }]

[roster.notices]
daily_to = ["duty_team"]
published_to = ["supervisors"]
holiday_report_to = ["bureau_leaders"]
office = ["safety_section"]
"""


def example_people(config: RosterConfig | None = None) -> list[Person]:
    """The 11 leaders and officers of examples/staff.csv (4 leaders, 7 officers)."""
    config = config or RosterConfig()
    people = []
    for row in read_staff(EXAMPLES / "staff.csv"):
        roles = frozenset(Role(r) for r in row["roles"].split(",")) & set(DUTY_ROLES)
        if roles:
            people.append(Person(row["code"], row["name"], roles, row["team"], row["mobile"], row["email"],
                                 config.limit_for(row["code"], row["name"])))
    return people


def classifier(config: RosterConfig | None = None) -> DayClassifier:
    return DayClassifier(WorkCalendar(), config or RosterConfig(key_periods=(FLOOD,)), SHANGHAI)


@pytest.fixture
def roster_app(tmp_path: Path, clock: ManualClock) -> Iterator[App]:
    """An app on SQLite with the example staff imported and a [roster] section; the clerk plans
    2026 in December 2025 (past days are never regenerated)."""
    clock.set(PLANNING_DAY)
    application = make_app(make_project(tmp_path / "project", ROSTER_TOML), clock)
    application.service.sync_data()
    yield application
    application.close()


def open_book(app: App, session: Session) -> RosterBook:
    return RosterBook(session, app.config.roster, app.calendar, app.config.service.zone)


def generate(app: App, start: dt.date, end: dt.date, *, publish: bool = False, fresh: bool = False) -> None:
    with app.sessions.begin() as session:
        book = open_book(app, session)
        book.generate(start, end, now=app.clock.now(), actor="王文书", fresh=fresh)
        if publish:
            book.publish(start, end, now=app.clock.now(), actor="王文书")


def seats(app: App, start: dt.date, end: dt.date) -> dict:
    with app.sessions() as session:
        return open_book(app, session).seats(start, end)
