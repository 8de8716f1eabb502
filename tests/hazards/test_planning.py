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


def _render(app: App, message) -> str:  # type: ignore[no-untyped-def]
    context = {**message.context, "bureau": "山西省文化和旅游厅", "office": "安全生产工作领导小组办公室",
               "recipient_name": message.recipient.name, "ref": "A1B2C3", "due_at": message.due_at.isoformat(),
               "late": False}
    return app.renderer.render(message.kind, context).text


def test_each_audience_of_an_overdue_general_hazard_reads_its_own_wording(app: App) -> None:
    app.service.sync_data()
    add_hazard(app, "HZ-G", KTV, level="general", deadline=D(2026, 1, 16))
    overdue = [m for m in app.service.upcoming(dt.timedelta(days=80), limit=200)
               if m.topic == "hazard:HZ-G" and m.kind == "hazard/overdue"]
    principal = next(m for m in overdue if m.recipient.key == f"enterprise:{KTV}:principal"
                     and m.context["step"]["repeat"] == 5)
    supervisor = next(m for m in overdue if m.recipient.key == "staff:S008" and m.context["step"]["repeat"] == 5)
    assert (principal.context["audience"], principal.context["to_enterprise"]) == ("principal", True)
    assert (supervisor.context["audience"], supervisor.context["to_enterprise"]) == ("supervisor", False)
    mine = _render(app, principal)
    assert "请督促企业整改" not in mine and "核实其书面说明" not in mine
    assert "请立即组织整改，并向监管部门书面说明逾期原因" in mine
    assert "请督促企业整改，核实其书面说明" in _render(app, supervisor)
    # Calendar days and working days cannot be confused, and "repeat" says what it means.
    days, working = principal.context["days_overdue"], principal.context["working_days_overdue"]
    assert 0 < working < days
    assert f"已逾期{days}天（按日历天数计，其中工作日{working}天）" in mine
    assert "本提醒自逾期满3个工作日起发送，此后每7天一次，直至整改完成或依规延期；这是第6次。" in mine
    assert "重复" not in mine
