from __future__ import annotations

import datetime as dt

from scheduler.app import App
from scheduler.hazards.vocab import HazardStatus
from scheduler.planners import hazard_completeness
from tests.hazards.helpers import JINCI, KTV, add_hazard, change, each_day, planned, rows
from tests.support.clock import SHANGHAI, ManualClock, local

D = dt.date
ENTERPRISE = {f"enterprise:{JINCI}:principal", f"enterprise:{JINCI}:safety_manager"}
SUPERVISOR = "staff:S010"


def _sent(app: App, code: str) -> list[tuple[dt.date, str]]:
    """(local day it was due, recipient) of each completeness notice sent."""
    return sorted(
        (r.due_at.astimezone(SHANGHAI).date(), r.recipient_key)
        for r in rows(app, f"hazard:{code}:incomplete", "sent")
    )


def test_an_incomplete_major_hazard_is_noticed_at_registration_then_weekly_until_complete(
    app: App, clock: ManualClock
) -> None:
    app.service.sync_data()
    clock.set(local(2026, 1, 5, 14, 30))
    add_hazard(app, "HZ-1", funds_yuan=None, reported_to_congress_at=None)
    messages = planned(
        app, hazard_completeness.plan, local(2026, 1, 5, 14, 0), local(2026, 1, 5, 15, 0)
    )
    assert {m.recipient.key for m in messages} == ENTERPRISE | {SUPERVISOR}
    assert all(m.context["missing"] == ["整改资金", "报告职代会时间"] for m in messages)
    assert all(local(2026, 1, 5, 14, 31) < m.due_at < local(2026, 1, 5, 14, 33) for m in messages)

    each_day(app, clock, D(2026, 1, 5), D(2026, 1, 20), hour=15)
    change(
        app,
        "HZ-1",
        "update",
        {
            "funds_yuan": 1000,
            "funds_source": "企业自筹",
            "reported_to_congress_at": local(2026, 1, 20, 16, 0),
        },
        labels={},
    )
    each_day(app, clock, D(2026, 1, 21), D(2026, 2, 10), hour=15)

    # on registration, then on the registration weekday until complete (01-20)
    assert _sent(app, "HZ-1") == sorted(
        (day, who)
        for day in (D(2026, 1, 5), D(2026, 1, 12), D(2026, 1, 19))
        for who in ENTERPRISE | {SUPERVISOR}
    )


def test_complete_major_and_general_hazards_get_no_completeness_notice(
    app: App, clock: ManualClock
) -> None:
    app.service.sync_data()
    add_hazard(app, "HZ-1")
    add_hazard(app, "HZ-2", KTV, level="general", measures="", deadline=None)
    assert (
        planned(app, hazard_completeness.plan, local(2026, 1, 5, 0, 0), local(2026, 2, 5, 0, 0))
        == []
    )


def test_a_rectified_hazard_gets_no_more_completeness_notices(app: App, clock: ManualClock) -> None:
    app.service.sync_data()
    add_hazard(app, "HZ-1", reported_to_congress_at=None, status=HazardStatus.RECTIFYING)
    change(app, "HZ-1", "set_status", HazardStatus.RECTIFIED)
    assert (
        planned(app, hazard_completeness.plan, local(2026, 1, 5, 0, 0), local(2026, 2, 5, 0, 0))
        == []
    )
