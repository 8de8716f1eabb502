from __future__ import annotations

import datetime as dt

from scheduler.app import App
from scheduler.planners import hazard_statistics
from tests.hazards.helpers import planned
from tests.support.clock import SHANGHAI, local

D = dt.date


def _days(app: App, start: dt.datetime, end: dt.datetime) -> dict[tuple[dt.date, str, int], int]:
    """(local day, period, working days ahead) → how many messages."""
    found: dict[tuple[dt.date, str, int], int] = {}
    for message in planned(app, hazard_statistics.plan, start, end):
        slot = (
            message.due_at.astimezone(SHANGHAI).date(),
            message.context["period"],
            message.context["working_days_left"],
        )
        found[slot] = found.get(slot, 0) + 1
    return found


def test_the_quarterly_and_annual_statistics_are_due_by_the_15th_and_31_january(app: App) -> None:
    app.service.sync_data()
    slots = _days(app, local(2026, 1, 1, 0, 0), local(2026, 2, 1, 0, 0))
    # Q4 2025 by 01-15 (Thu): 5 working days before is 01-08, 1 before 01-14.
    # Annual 2025 by 01-31 (Sat): 01-26 and 01-30.
    assert sorted(slots) == [
        (D(2026, 1, 8), "2025年第四季度", 5),
        (D(2026, 1, 14), "2025年第四季度", 1),
        (D(2026, 1, 26), "2025年度", 5),
        (D(2026, 1, 30), "2025年度", 1),
    ]
    # each of the 8 example enterprises: its principal and safety manager (when it has one)
    assert set(slots.values()) == {14}


def test_reminders_count_working_days_across_the_national_day_holiday(app: App) -> None:
    app.service.sync_data()
    slots = _days(app, local(2026, 9, 25, 0, 0), local(2026, 10, 16, 0, 0))
    # Q3 by 10-15: back over 10-14, 10-13, 10-12, 10-10 (Saturday worked as 调休), 10-09.
    assert sorted(slots) == [
        (D(2026, 10, 9), "2026年第三季度", 5),
        (D(2026, 10, 14), "2026年第三季度", 1),
    ]


def test_a_reminder_expires_when_its_due_day_is_over(app: App) -> None:
    app.service.sync_data()
    messages = planned(
        app, hazard_statistics.plan, local(2026, 1, 14, 0, 0), local(2026, 1, 15, 0, 0)
    )
    assert messages and {m.expires_at for m in messages} == {local(2026, 1, 16, 0, 0)}
