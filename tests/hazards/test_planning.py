"""The hazard planners inside the service: the same path as every other reminder, on SQLite and
PostgreSQL, visible to anything that runs PLANNERS (as `simulate` does)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from scheduler.app import App
from scheduler.hazards.vocab import HazardStatus
from scheduler.planners import PLANNERS
from tests.hazards.helpers import KTV, add_hazard, escalations, tick
from tests.support.clock import ManualClock, local
from tests.support.project import make_app, make_project

D = dt.date


def test_every_hazard_planner_is_registered() -> None:
    assert {"hazards", "hazard_completeness", "hazard_statistics", "hazard_digest"} <= set(PLANNERS)


def test_upcoming_messages_show_the_escalation_chain_without_sending_anything(app: App) -> None:
    app.service.sync_data()
    add_hazard(app, "HZ-1", status=HazardStatus.RECTIFYING)
    upcoming = [
        m
        for m in app.service.upcoming(dt.timedelta(days=60), limit=100)
        if m.topic == "hazard:HZ-1"
    ]
    assert sorted({(m.due_at.date(), m.kind) for m in upcoming}) == [
        (D(2026, 1, 15), "hazard/extension_window"),
        (D(2026, 2, 5), "hazard/due_soon"),
        (D(2026, 2, 11), "hazard/due_soon"),
        (D(2026, 2, 12), "hazard/due_today"),
        (D(2026, 2, 24), "hazard/overdue"),
        (D(2026, 3, 4), "hazard/supervision"),
    ]
    assert escalations(app, "HZ-1", "pending") == []


def test_planning_a_window_twice_adds_nothing(app: App, clock: ManualClock) -> None:
    app.service.sync_data()
    add_hazard(app, "HZ-1")
    tick(app, clock, local(2026, 2, 12, 9, 5), dispatch=False)
    with app.sessions.begin() as session:
        from scheduler.outbox import store
        from scheduler.outbox.planned import Window

        messages = list(
            PLANNERS["hazards"](
                app.service.context(session),
                Window(local(2026, 2, 11, 9, 5), local(2026, 2, 12, 9, 5)),
            )
        )
        assert len(messages) == 2 and store.enqueue(session, messages, clock.now()) == 0


def test_a_general_hazard_follows_the_lighter_chain(app: App) -> None:
    app.service.sync_data()
    add_hazard(app, "HZ-G", KTV, level="general", deadline=D(2026, 2, 12))
    upcoming = [
        m
        for m in app.service.upcoming(dt.timedelta(days=55), limit=100)
        if m.topic == "hazard:HZ-G"
    ]
    assert sorted({(m.due_at.date(), m.recipient.key) for m in upcoming}) == [
        (D(2026, 2, 12), f"enterprise:{KTV}:principal"),
        (D(2026, 2, 12), f"enterprise:{KTV}:responsible"),
        (D(2026, 2, 24), f"enterprise:{KTV}:principal"),  # +3 working days, across the festival
        (D(2026, 2, 24), "staff:S008"),  # 唐磊 supervises 娱乐场所
    ]


@pytest.mark.postgres
def test_the_escalation_chain_runs_on_postgresql(
    tmp_path: Path, clock: ManualClock, pg_url: str
) -> None:
    application = make_app(make_project(tmp_path, database=pg_url), clock)
    try:
        application.service.sync_data()
        add_hazard(application, "HZ-1", status=HazardStatus.RECTIFYING)
        for day in (D(2026, 1, 15), D(2026, 2, 24), D(2026, 3, 4), D(2026, 3, 11)):
            tick(application, clock, local(day.year, day.month, day.day, 9, 5))
        assert [
            (day, step, repeat) for day, _, step, repeat, _ in escalations(application, "HZ-1")
        ] == [
            (D(2026, 1, 15), "step1", "r0"),
            (D(2026, 1, 15), "step1", "r0"),
            (D(2026, 2, 24), "step5", "r0"),
            (D(2026, 3, 4), "step6", "r0"),
            (D(2026, 3, 4), "step6", "r0"),
            (D(2026, 3, 11), "step6", "r1"),
            (D(2026, 3, 11), "step6", "r1"),
        ]
    finally:
        application.close()
