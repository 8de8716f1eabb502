from __future__ import annotations

import datetime as dt

from scheduler.app import App
from scheduler.hazards.queries import overdue_major_count
from scheduler.hazards.vocab import HazardStatus
from tests.hazards.helpers import KTV, add_hazard, change

D = dt.date


def test_the_overdue_count_has_open_major_hazards_past_their_deadline_only(app: App) -> None:
    app.service.sync_data()
    add_hazard(app, "HZ-1", deadline=D(2026, 2, 10))  # overdue
    add_hazard(app, "HZ-2", deadline=D(2026, 2, 11), status=HazardStatus.RECTIFYING)  # overdue
    add_hazard(app, "HZ-3", deadline=D(2026, 2, 12))  # due today: not yet overdue
    add_hazard(app, "HZ-4", deadline=D(2026, 2, 1), status=HazardStatus.RECTIFYING)
    for status in (HazardStatus.RECTIFIED, HazardStatus.VERIFIED):
        change(app, "HZ-4", "set_status", status)
    add_hazard(app, "HZ-5", KTV, level="general", deadline=D(2026, 2, 1))  # general
    with app.sessions() as session:
        assert overdue_major_count(session, D(2026, 2, 12)) == 2
        assert overdue_major_count(session, D(2026, 2, 10)) == 0
