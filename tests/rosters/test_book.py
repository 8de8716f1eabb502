from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from rosters.book import RosterError
from rosters.changes import add_leave
from rosters.generate import Infeasible
from rosters.notices import CHANGED
from rosters.tables import RosterAction, RosterAssignment, RosterChange
from scheduler.app import App
from scheduler.outbox.planned import Window
from scheduler.planners.duty import DutyPlanner
from scheduler.vocab import Role
from tests.rosters.conftest import ROSTER_TOML, generate, open_book, seats
from tests.support.project import make_app, make_project

JAN1, DEC31 = dt.date(2026, 1, 1), dt.date(2026, 12, 31)


def test_a_generated_year_is_stored_and_regenerating_it_changes_nothing(roster_app: App) -> None:
    generate(roster_app, JAN1, DEC31)
    before = seats(roster_app, JAN1, DEC31)
    assert len({s.date for s in before}) == 365
    generate(roster_app, JAN1, DEC31)
    assert seats(roster_app, JAN1, DEC31) == before
    with roster_app.sessions() as session:
        assert session.scalar(select(func.count()).select_from(RosterChange)) == 0
        assert [a.kind for a in session.scalars(select(RosterAction))] == ["generate", "generate"]


def test_months_generated_one_by_one_match_a_year_generated_at_once(roster_app: App, tmp_path, clock) -> None:
    for month in range(1, 13):
        start = dt.date(2026, month, 1)
        end = (dt.date(2026, month + 1, 1) if month < 12 else dt.date(2027, 1, 1)) - dt.timedelta(days=1)
        generate(roster_app, start, end)
    other = make_app(make_project(tmp_path / "other", ROSTER_TOML), clock)
    try:
        other.service.sync_data()
        generate(other, JAN1, DEC31)
        assert seats(other, JAN1, DEC31) == seats(roster_app, JAN1, DEC31)
    finally:
        other.close()


def test_published_days_stay_as_they_are_even_when_regenerating_afresh(roster_app: App) -> None:
    generate(roster_app, JAN1, dt.date(2026, 3, 31))
    generate(roster_app, JAN1, dt.date(2026, 1, 31), publish=True)
    january = seats(roster_app, JAN1, dt.date(2026, 1, 31))
    with roster_app.sessions.begin() as session:
        add_leave(open_book(roster_app, session), "韩丽萍", JAN1, dt.date(2026, 3, 31), kind="病假",
                  now=roster_app.clock.now(), actor="王文书", reason="住院")
    generate(roster_app, JAN1, dt.date(2026, 3, 31), fresh=True)
    assert seats(roster_app, JAN1, dt.date(2026, 1, 31)) == january
    february = seats(roster_app, dt.date(2026, 2, 1), dt.date(2026, 3, 31))
    assert "S002" not in february.values()


def test_publishing_refuses_a_range_with_empty_seats(roster_app: App) -> None:
    generate(roster_app, JAN1, dt.date(2026, 1, 20))
    with roster_app.sessions.begin() as session, pytest.raises(RosterError, match="22 seat"):
        open_book(roster_app, session).publish(JAN1, dt.date(2026, 1, 31), now=roster_app.clock.now(), actor="x")


def test_generation_that_cannot_meet_the_rules_names_the_day_and_writes_nothing(roster_app: App) -> None:
    with roster_app.sessions.begin() as session:
        book = open_book(roster_app, session)
        for name in ("韩丽萍", "杨建华", "高峰", "罗晓燕"):
            add_leave(book, name, dt.date(2026, 2, 16), dt.date(2026, 2, 16), kind="请假",
                      now=roster_app.clock.now(), actor="王文书", reason="")
    with pytest.raises(Infeasible, match=r"^2026-02-16 \(春节 · 除夕\): needs 1 带班领导"):
        generate(roster_app, dt.date(2026, 2, 1), dt.date(2026, 2, 28))
    assert seats(roster_app, JAN1, DEC31) == {}


def test_a_week_of_leave_after_publishing_moves_only_that_persons_unpublished_days(roster_app: App) -> None:
    generate(roster_app, JAN1, DEC31)
    generate(roster_app, JAN1, dt.date(2026, 1, 31), publish=True)
    before = seats(roster_app, JAN1, DEC31)
    first, last = dt.date(2026, 1, 28), dt.date(2026, 2, 8)
    with roster_app.sessions.begin() as session:
        result = add_leave(open_book(roster_app, session), "梁宇", first, last, kind="请假",
                           now=roster_app.clock.now(), actor="王文书", reason="探亲")
    after = seats(roster_app, JAN1, DEC31)
    changed = {slot for slot in before.keys() | after.keys() if before.get(slot) != after.get(slot)}
    assert changed, "梁宇 had duties in the leave"
    for slot in changed:
        assert before[slot] == "S006" and dt.date(2026, 2, 1) <= slot.date <= last
        assert after[slot] != "S006"
    still = [s for s, c in after.items() if c == "S006" and first <= s.date <= last]
    assert still == result.published and all(s.date.month == 1 for s in still)
    # everyone touched hears of it, once
    takers = {after[slot] for slot in changed}
    with roster_app.sessions() as session:
        ctx = roster_app.service.context(session)
        now = roster_app.clock.now()
        told = [m for m in DutyPlanner()(ctx, Window(now - dt.timedelta(minutes=1), now)) if m.kind == CHANGED]
    assert sorted(m.recipient.key for m in told) == sorted(f"staff:{c}" for c in takers | {"S006"})
    mine = next(m for m in told if m.recipient.key == "staff:S006")
    assert [d["date"] for d in mine.context["removed"]] == sorted(s.date.isoformat() for s in changed)


def test_the_roster_tables_work_on_postgresql(tmp_path, clock, pg_url) -> None:
    app = make_app(make_project(tmp_path, database=pg_url), clock)
    try:
        app.service.sync_data()
        generate(app, JAN1, dt.date(2026, 3, 31), publish=True)
        with app.sessions.begin() as session:
            add_leave(open_book(app, session), "宋佳", dt.date(2026, 2, 2), dt.date(2026, 2, 8), kind="请假",
                      now=app.clock.now(), actor="王文书", reason="")
        with app.sessions() as session:
            assert session.scalar(select(func.count()).select_from(RosterAssignment)
                                  .where(RosterAssignment.role == Role.LEADER.value)) == 90
            assert session.scalar(select(func.count()).select_from(RosterAction)) == 3
    finally:
        app.close()
