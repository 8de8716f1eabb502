from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from rosters.book import RosterError
from rosters.changes import add_leave
from rosters.generate import Infeasible
from rosters.notices import CHANGED
from rosters.tables import RosterAction, RosterAssignment, RosterChange, RosterLeave
from scheduler.app import App
from scheduler.outbox.planned import Window
from scheduler.planners.duty import DutyPlanner
from scheduler.vocab import Role
from tests.rosters.conftest import PLANNING_DAY, ROSTER_TOML, generate, open_book, seats
from tests.support.clock import local
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


def test_a_week_of_leave_after_publishing_replans_only_the_unpublished_days_it_touches(roster_app: App) -> None:
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
    freed = sorted(s.date for s, c in before.items() if c == "S006" and dt.date(2026, 2, 1) <= s.date <= last)
    for slot in changed:  # the officers' drafts from 梁宇's first freed day to the last are planned anew
        assert slot.role is Role.OFFICER and freed[0] <= slot.date <= freed[-1]
        assert after[slot] != "S006"
    assert not [s for s, c in after.items() if c == "S006" and dt.date(2026, 2, 1) <= s.date <= last]
    still = [s for s, c in after.items() if c == "S006" and first <= s.date <= last]
    assert still == result.published and all(s.date.month == 1 for s in still)
    # the days that moved are drafts nobody was reminded of yet: nobody is told
    with roster_app.sessions() as session:
        ctx = roster_app.service.context(session)
        now = roster_app.clock.now()
        told = [m for m in DutyPlanner()(ctx, Window(now - dt.timedelta(minutes=1), now)) if m.kind == CHANGED]
    assert told == []


@pytest.mark.postgres
def test_the_roster_tables_work_on_postgresql(tmp_path, clock, pg_url) -> None:
    clock.set(PLANNING_DAY)
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


def test_regenerating_fresh_moves_drafts_silently_and_nets_out_a_seat_change_within_a_day(roster_app: App) -> None:
    generate(roster_app, JAN1, DEC31)
    with roster_app.sessions.begin() as session:
        book = open_book(roster_app, session)
        book.publish(dt.date(2026, 1, 1), dt.date(2026, 1, 31), now=roster_app.clock.now(), actor="王文书")
        session.add(RosterLeave(staff_code="S007", first_day=dt.date(2026, 5, 1), last_day=dt.date(2026, 5, 31),
                                kind="请假", reason="", recorded_by="王文书", recorded_at=roster_app.clock.now()))
    with roster_app.sessions.begin() as session:
        result = open_book(roster_app, session).generate(JAN1, DEC31, now=roster_app.clock.now(), actor="王文书",
                                                         fresh=True)
    assert result.moves and result.changed_days and result.people_affected
    for slot, _old, new in result.moves:  # nobody both leaves and takes the same day in the same role
        assert not any(o == new and s.date == slot.date and s.role == slot.role for s, o, _ in result.moves if new)
    with roster_app.sessions() as session:
        changes = list(session.scalars(select(RosterChange)))
        assert changes and not any(c.published for c in changes)  # every change was a draft
        assert all(c.day >= dt.date(2026, 2, 1) for c in changes)  # published January untouched
        ctx = roster_app.service.context(session)
        now = roster_app.clock.now()
        told = [m for m in DutyPlanner()(ctx, Window(now - dt.timedelta(minutes=1), now)) if m.kind == CHANGED]
    assert told == []  # drafts: nobody is e-mailed about days never published


def test_past_days_are_never_regenerated_unless_asked(roster_app: App) -> None:
    generate(roster_app, JAN1, dt.date(2026, 3, 31))
    before = seats(roster_app, JAN1, dt.date(2026, 3, 31))
    roster_app.clock.set(local(2026, 2, 10, 9, 0))  # 02-10's duty began at 08:30: it is in progress
    with roster_app.sessions.begin() as session:
        result = open_book(roster_app, session).generate(JAN1, dt.date(2026, 3, 31), now=roster_app.clock.now(),
                                                         actor="王文书", fresh=True)
    assert result.first == dt.date(2026, 2, 10) and result.past_days == 40
    after = seats(roster_app, JAN1, dt.date(2026, 3, 31))
    # Ended days and the duty in progress keep their seats, even with --fresh.
    assert {s: c for s, c in after.items() if s.date <= dt.date(2026, 2, 10)} == \
        {s: c for s, c in before.items() if s.date <= dt.date(2026, 2, 10)}
    with roster_app.sessions.begin() as session, pytest.raises(RosterError, match="has ended.*--past"):
        open_book(roster_app, session).generate(JAN1, dt.date(2026, 2, 9), now=roster_app.clock.now(),
                                                actor="王文书")
    with roster_app.sessions.begin() as session:
        forced = open_book(roster_app, session).generate(JAN1, dt.date(2026, 2, 9), now=roster_app.clock.now(),
                                                         actor="王文书", fresh=True, past=True)
    assert forced.first == JAN1 and forced.past_days == 0


def test_the_duty_in_progress_gets_its_empty_seats_filled(roster_app: App) -> None:
    roster_app.clock.set(local(2026, 3, 5, 10, 0))  # 03-05's duty runs from 08:30 and nobody holds it
    with roster_app.sessions.begin() as session:
        result = open_book(roster_app, session).generate(dt.date(2026, 3, 5), dt.date(2026, 3, 6),
                                                         now=roster_app.clock.now(), actor="make run")
    assert result.first == dt.date(2026, 3, 5) and result.past_days == 0
    assert {s.date for s in seats(roster_app, dt.date(2026, 3, 5), dt.date(2026, 3, 5))} == {dt.date(2026, 3, 5)}
