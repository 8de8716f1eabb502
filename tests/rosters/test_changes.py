from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from rosters.book import RosterError
from rosters.changes import cover_options, override, swap
from rosters.model import Slot
from rosters.notices import CHANGED, SHIFT_EVE
from rosters.tables import RosterAction, RosterChange
from scheduler.app import App
from scheduler.outbox import store
from scheduler.outbox.models import OutboxMessage, Status
from scheduler.outbox.planned import Window
from scheduler.planners.duty import DutyPlanner
from scheduler.vocab import Role
from tests.rosters.conftest import generate, open_book, seats
from tests.support.clock import local

MARCH = (dt.date(2026, 3, 1), dt.date(2026, 3, 31))


def holder(app: App, date: dt.date, role: Role = Role.LEADER) -> str:
    return seats(app, date, date)[Slot(date, role)]


def name_of(app: App, code: str) -> str:
    with app.sessions() as session:
        return open_book(app, session).staff()[code].name


def plan(app: App, start: dt.datetime, end: dt.datetime) -> list:
    with app.sessions() as session:
        return list(DutyPlanner()(app.service.context(session), Window(start, end)))


def test_a_swap_is_recorded_with_who_why_and_when(roster_app: App) -> None:
    generate(roster_app, *MARCH)
    a_day = dt.date(2026, 3, 10)
    a = holder(roster_app, a_day)
    for offset in range(2, 15):  # the first later leader day the two can exchange under the rules
        b_day = a_day + dt.timedelta(days=offset)
        b = holder(roster_app, b_day)
        a_name, b_name = name_of(roster_app, a), name_of(roster_app, b)
        try:
            with roster_app.sessions.begin() as session:
                swap(open_book(roster_app, session), a_day, a_name, b_day, b_name,
                     now=roster_app.clock.now(), actor="王文书", reason="家中有事")
            break
        except RosterError:
            continue
    assert (holder(roster_app, a_day), holder(roster_app, b_day)) == (b, a)
    with roster_app.sessions() as session:
        action = session.scalars(select(RosterAction).where(RosterAction.kind == "swap")).one()
        assert (action.actor, action.reason, action.at) == ("王文书", "家中有事", roster_app.clock.now())
        moved = {(c.day, c.old_code, c.new_code) for c in session.scalars(select(RosterChange))}
    assert moved == {(a_day, a, b), (b_day, b, a)}


def test_a_swap_that_breaks_the_rest_rule_is_refused_and_changes_nothing(roster_app: App) -> None:
    generate(roster_app, *MARCH)
    day = dt.date(2026, 3, 10)
    a = holder(roster_app, day)
    leaders = {s.date: c for s, c in seats(roster_app, *MARCH).items() if s.role is Role.LEADER}
    # a day of someone else's that sits right next to another duty of a's
    other = next(d for d, c in sorted(leaders.items()) if d > day + dt.timedelta(days=1) and c != a
                 and a in (leaders.get(d - dt.timedelta(days=1)), leaders.get(d + dt.timedelta(days=1))))
    before = seats(roster_app, *MARCH)
    with roster_app.sessions.begin() as session, pytest.raises(RosterError, match="至少休息1天"):
        swap(open_book(roster_app, session), day, a, other, leaders[other],
             now=roster_app.clock.now(), actor="王文书", reason="")
    assert seats(roster_app, *MARCH) == before


def test_who_should_cover_is_the_free_eligible_person_with_most_rest_on_both_sides(roster_app: App) -> None:
    generate(roster_app, *MARCH)
    day = dt.date(2026, 3, 16)
    leaving = holder(roster_app, day, Role.OFFICER)
    with roster_app.sessions() as session:
        slot, options = cover_options(open_book(roster_app, session), day, replacing=leaving)
    assert slot.role is Role.OFFICER and options
    assert leaving not in {o.person.code for o in options}
    rests = [o.rest for o in options]
    assert rests == sorted(rests, reverse=True) and rests[-1] >= 2  # nobody squeezed between duties
    march = seats(roster_app, *MARCH)
    best = options[0].person.code
    near = [s.date for s, c in march.items() if c == best and abs((s.date - day).days) < options[0].rest]
    assert near == []


def test_an_override_puts_the_suggested_person_on_duty_and_refuses_anyone_not_free(roster_app: App) -> None:
    generate(roster_app, *MARCH)
    day = dt.date(2026, 3, 16)
    leaving = holder(roster_app, day, Role.OFFICER)
    tomorrow = holder(roster_app, day + dt.timedelta(days=1), Role.OFFICER)
    with roster_app.sessions.begin() as session, pytest.raises(RosterError, match="cannot take 2026-03-16"):
        override(open_book(roster_app, session), day, tomorrow, now=roster_app.clock.now(), actor="王文书",
                 reason="生病", replacing=leaving)
    with roster_app.sessions.begin() as session:
        book = open_book(roster_app, session)
        _, options = cover_options(book, day, replacing=leaving)
        override(book, day, options[0].person.name, now=roster_app.clock.now(), actor="王文书", reason="生病",
                 replacing=leaving)
    assert holder(roster_app, day, Role.OFFICER) == options[0].person.code


def test_a_change_after_a_notice_is_told_as_a_correction_and_never_twice(roster_app: App) -> None:
    generate(roster_app, *MARCH, publish=True)
    day = dt.date(2026, 3, 16)
    old = holder(roster_app, day, Role.OFFICER)
    roster_app.clock.set(local(2026, 3, 15, 16, 5))
    eve = local(2026, 3, 15, 16, 0)
    planned = plan(roster_app, eve - dt.timedelta(minutes=1), eve)
    with roster_app.sessions.begin() as session:  # the eve notice was planned (and is about to go out)
        store.enqueue(session, planned, roster_app.clock.now())
    with roster_app.sessions.begin() as session:
        book = open_book(roster_app, session)
        _, options = cover_options(book, day, replacing=old)
        new = options[0].person.code
        override(book, day, new, now=roster_app.clock.now(), actor="王文书", reason="生病", replacing=old)
    with roster_app.sessions() as session:
        statuses = {m.recipient_key: m.status for m in session.scalars(
            select(OutboxMessage).where(OutboxMessage.kind == SHIFT_EVE))}
    assert statuses[f"staff:{old}"] == Status.CANCELLED  # the old holder's pending reminder is withdrawn
    now = roster_app.clock.now()
    told = [m for m in plan(roster_app, now - dt.timedelta(seconds=30), now) if m.kind == CHANGED]
    assert sorted(m.recipient.key for m in told) == sorted([f"staff:{old}", f"staff:{new}"])
    again = plan(roster_app, now - dt.timedelta(seconds=30), now)
    with roster_app.sessions.begin() as session:
        assert store.enqueue(session, told, now) == 2
        assert store.enqueue(session, again, now) == 0
    # the new holder's handover reminder is still planned, under a key of its own
    soon = plan(roster_app, local(2026, 3, 16, 6, 0), local(2026, 3, 16, 7, 0))
    assert [m.recipient.key for m in soon if m.context.get("date") == "2026-03-16" and m.kind == "duty/shift_soon"
            and m.context["role"] == "值班员"] == [f"staff:{new}"]


def test_a_draft_day_changed_after_its_reminder_went_out_is_told_to_the_one_reminded_only(roster_app: App) -> None:
    generate(roster_app, *MARCH)  # drafts
    day = dt.date(2026, 3, 16)
    old = holder(roster_app, day, Role.OFFICER)
    roster_app.clock.set(local(2026, 3, 15, 16, 5))
    eve = local(2026, 3, 15, 16, 0)
    with roster_app.sessions.begin() as session:
        store.enqueue(session, plan(roster_app, eve - dt.timedelta(minutes=1), eve), roster_app.clock.now())
        session.execute(OutboxMessage.__table__.update().where(OutboxMessage.kind == SHIFT_EVE)
                        .values(status=Status.SENT))
    with roster_app.sessions.begin() as session:
        book = open_book(roster_app, session)
        _, options = cover_options(book, day, replacing=old)
        override(book, day, options[0].person.code, now=roster_app.clock.now(), actor="王文书", reason="生病",
                 replacing=old)
    now = roster_app.clock.now()
    told = [m for m in plan(roster_app, now - dt.timedelta(seconds=30), now) if m.kind == CHANGED]
    assert [m.recipient.key for m in told] == [f"staff:{old}"]
    assert [d["date"] for d in told[0].context["removed"]] == ["2026-03-16"] and told[0].context["added"] == []


def test_a_draft_day_changed_before_anyone_was_reminded_is_nobodys_news(roster_app: App) -> None:
    generate(roster_app, *MARCH)
    day = dt.date(2026, 3, 16)
    old = holder(roster_app, day, Role.OFFICER)
    with roster_app.sessions.begin() as session:
        book = open_book(roster_app, session)
        _, options = cover_options(book, day, replacing=old)
        override(book, day, options[0].person.code, now=roster_app.clock.now(), actor="王文书", reason="生病",
                 replacing=old)
    now = roster_app.clock.now()
    assert [m for m in plan(roster_app, now - dt.timedelta(seconds=30), now) if m.kind == CHANGED] == []
