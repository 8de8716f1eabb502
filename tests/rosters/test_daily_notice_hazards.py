"""The daily 今日值班 notice shows how many major hazards are overdue (issue 6, item 6)."""

from __future__ import annotations

import datetime as dt

from rosters.notices import TODAY
from scheduler.app import App
from scheduler.planners import PLANNERS
from tests.hazards.helpers import add_hazard
from tests.rosters.conftest import generate
from tests.rosters.test_duty_planner import plan, render
from tests.support.clock import local


def test_todays_duty_counts_the_major_hazards_past_their_deadline(roster_app: App) -> None:
    roster_app.clock.set(local(2026, 3, 2, 10, 0))
    add_hazard(roster_app, "HZ-OVERDUE-1", deadline=dt.date(2026, 3, 10))
    add_hazard(roster_app, "HZ-OVERDUE-2", deadline=dt.date(2026, 3, 12))
    add_hazard(roster_app, "HZ-NOT-YET", deadline=dt.date(2026, 3, 20))
    add_hazard(roster_app, "HZ-GENERAL", level="general", deadline=dt.date(2026, 3, 1))
    generate(roster_app, dt.date(2026, 3, 1), dt.date(2026, 3, 31))

    today = [m for m in plan(roster_app, local(2026, 3, 16, 8, 0), local(2026, 3, 16, 9, 0), PLANNERS["duty"])
             if m.kind == TODAY]
    assert today and {m.context["overdue_major_hazards"] for m in today} == {2}
    assert "2" in render(roster_app, today[0]).text and "隐患" in render(roster_app, today[0]).text
