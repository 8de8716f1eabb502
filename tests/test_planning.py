"""A planner that fails on one message, or fails outright, costs only that message or that
planner's window: every other message and planner still runs, and the admins hear of it.
On SQLite and on PostgreSQL (which enforces column lengths)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from scheduler import state
from scheduler.app import App
from scheduler.outbox.models import OutboxMessage
from scheduler.outbox.planned import PlannedMessage, Recipient, Window
from scheduler.planners import PLANNERS, PlanContext, admin
from scheduler.service import Service
from tests.support.clock import ManualClock, local
from tests.support.project import BASE_CONFIG, make_app, make_project

ADMINS = BASE_CONFIG.replace('[groups.admins]\nroles = ["admin"]', '[groups.admins]\nroles = ["admin"]\nnames = ["S001"]')


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database(request: pytest.FixtureRequest) -> str | None:
    if request.param == "sqlite":
        return None
    return str(request.getfixturevalue("pg_url"))


@pytest.fixture
def project_app(tmp_path: Path, database: str | None, clock: ManualClock) -> Iterator[App]:
    application = make_app(make_project(tmp_path / "p", database=database, base=ADMINS), clock)
    application.service.sync_data()
    yield application
    application.close()


def message(key: str, window: Window, name: str = "测试", context: dict[str, object] | None = None) -> PlannedMessage:
    due = window.end - dt.timedelta(minutes=1)
    return PlannedMessage(key, "key_period/reminder", Recipient(f"test:{key}", name, "console", "a@example.com"),
                          due, due + dt.timedelta(days=1), context or {"n": 1})


def service(app: App, planners: dict[str, object]) -> Service:
    return Service(app.loaded, app.sessions, app.dispatcher, app.calendar, planners, app.clock)  # type: ignore[arg-type]


def outbox(app: App) -> dict[str, OutboxMessage]:
    with app.sessions() as session:
        rows = {r.key: r for r in session.scalars(select(OutboxMessage))}
        session.expunge_all()
    return rows


def ticks(app: App, names: list[str]) -> dict[str, dt.datetime | None]:
    with app.sessions() as session:
        return {name: state.last_tick(session, name) for name in names}


def test_one_bad_message_and_one_failing_planner_stop_nothing_else(project_app: App) -> None:
    def first(ctx: PlanContext, window: Window) -> Iterator[PlannedMessage]:
        yield message("t:good-1", window)
        yield message("t:long-name", window, name="某" * 195 + " 主要负责人 " + "王" * 64)
        yield message("t:not-json", window, context={"when": {1, 2}})  # a planner bug: a set is not JSON
        yield message("t:good-2", window)

    def second(ctx: PlanContext, window: Window) -> Iterator[PlannedMessage]:
        yield message("t:before-the-bug", window)
        raise KeyError("principal")

    def third(ctx: PlanContext, window: Window) -> list[PlannedMessage]:
        return [message("t:good-3", window)]

    planners = {"first": first, "second": second, "third": third, "admin": admin.plan}
    created = service(project_app, planners).plan_due()
    rows = outbox(project_app)
    assert {"t:good-1", "t:good-2", "t:before-the-bug", "t:good-3"} <= set(rows)
    assert created >= 4 and not {"t:long-name", "t:not-json"} & set(rows)
    dead = {k: r for k, r in rows.items() if k.startswith("unplanned:")}
    assert {r.status for r in dead.values()} == {"dead"}
    assert "recipient_name is 266 characters" in dead["unplanned:t:long-name"].last_error
    assert "TypeError" in dead["unplanned:t:not-json"].last_error
    bug = next(r for k, r in dead.items() if k.startswith("unplanned:second:"))
    assert "KeyError" in bug.last_error and bug.kind == "planner/second"
    now = project_app.clock.now()
    assert ticks(project_app, list(planners)) == {"first": now, "second": None, "third": now, "admin": now}
    # The admins' digest, planned in the same tick, lists all three failures.
    digests = [r for r in rows.values() if r.kind == "admin/digest"]
    assert digests and {i["key"] for i in digests[0].context["items"]} == set(dead)


def test_a_failure_is_reported_once_however_often_it_recurs(project_app: App, clock: ManualClock) -> None:
    def failing(ctx: PlanContext, window: Window) -> Iterator[PlannedMessage]:
        yield message("t:long", window, name="长" * 300)

    planners = {"failing": failing}
    for _ in range(3):
        service(project_app, planners).plan_due()
        clock.advance(dt.timedelta(minutes=1))
    assert [k for k in outbox(project_app) if k.startswith("unplanned:")] == ["unplanned:t:long"]


def test_an_enterprise_name_of_195_characters_plans_every_planner(
        tmp_path: Path, database: str | None) -> None:
    """The issue's case: on PostgreSQL `run --once` stopped after the first planner."""
    clock = ManualClock(local(2026, 1, 30, 10, 0))  # T-14 of 春节 2026: enterprises are reminded
    config = make_project(tmp_path / "p", database=database, base=ADMINS)
    long_name = "晋" * 195
    with (config.parent / "enterprises.csv").open("a", encoding="utf-8") as fh:
        fh.write(f"91140100EX0000099Z,{long_name},A级旅游景区,4A,140106,{'王' * 64},13900000991,"
                 "w991@example.com,李二,13900000992,l992@example.com,,,\n")
    app = make_app(config, clock)
    try:
        app.service.sync_data()
        app.service.plan_due()
        rows = outbox(app)
        assert ticks(app, list(PLANNERS)) == {name: clock.now() for name in PLANNERS}
        theirs = [r for k, r in rows.items() if "91140100EX0000099Z" in k]
        assert theirs and all(len(r.recipient_name) <= 200 for r in theirs)
        assert any(r.recipient_name.endswith("… 主要负责人 " + "王" * 64) for r in theirs)
        assert not [k for k in rows if k.startswith("unplanned:")]
    finally:
        app.close()


def test_the_length_check_knows_every_bounded_column_of_the_outbox() -> None:
    from scheduler.people.directory import NAME_CHARS
    from scheduler.planning import LIMITS, too_long

    assert LIMITS["recipient_name"] == NAME_CHARS
    assert {"key", "kind", "topic", "channel", "recipient_key", "recipient_name", "address"} <= set(LIMITS)
    window = Window(local(2026, 1, 1, 0, 0), local(2026, 1, 2, 0, 0))
    assert too_long(message("k" * 256, window)) == "key is 256 characters, longer than the 255 the outbox holds"
    assert too_long(message("k", window)) is None
