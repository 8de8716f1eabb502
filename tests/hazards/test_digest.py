from __future__ import annotations

import datetime as dt
from pathlib import Path

from scheduler.app import App
from scheduler.hazards.vocab import HazardStatus
from scheduler.planners import hazard_digest
from tests.hazards.helpers import KTV, add_hazard, change, planned
from tests.support.clock import ManualClock, local
from tests.support.project import make_app, make_project

D = dt.date


def test_each_supervisor_gets_one_weekly_digest_of_the_overdue_hazards_they_supervise(
    app: App, clock: ManualClock
) -> None:
    app.service.sync_data()
    add_hazard(app, "HZ-1")  # 晋祠, major, deadline 2026-02-12
    add_hazard(app, "HZ-2", KTV, level="general", deadline=D(2026, 2, 20))
    add_hazard(app, "HZ-3", KTV, level="general", deadline=D(2026, 2, 25))
    add_hazard(
        app, "HZ-4", KTV, level="general", deadline=D(2026, 2, 25), status=HazardStatus.RECTIFIED
    )

    # Monday 2026-03-02, 08:30: one message per supervisor
    messages = planned(app, hazard_digest.plan, local(2026, 3, 2, 8, 0), local(2026, 3, 2, 9, 0))
    by_recipient = {m.recipient.key: m.context for m in messages}
    assert set(by_recipient) == {"staff:S010", "staff:S008"}
    jinci = by_recipient["staff:S010"]
    assert (jinci["total"], jinci["major"]) == (1, 1)
    [hazard] = jinci["enterprises"][0]["hazards"]
    # deadline 02-12, +3 working days across the Spring Festival was 02-24; +10 is 03-04, not yet
    assert (hazard["code"], hazard["days_overdue"], hazard["step"]) == ("HZ-1", 18, "逾期满3个工作日")
    ktv = by_recipient["staff:S008"]
    assert [h["code"] for h in ktv["enterprises"][0]["hazards"]] == [
        "HZ-2",
        "HZ-3",
    ]  # most overdue first
    assert [h["days_overdue"] for h in ktv["enterprises"][0]["hazards"]] == [10, 5]


def test_no_digest_goes_out_on_other_days_or_when_nothing_is_overdue(app: App) -> None:
    app.service.sync_data()
    add_hazard(app, "HZ-1")
    assert (
        planned(app, hazard_digest.plan, local(2026, 3, 3, 0, 0), local(2026, 3, 8, 23, 0)) == []
    )  # Tue–Sun
    change(app, "HZ-1", "set_status", HazardStatus.RECTIFYING)
    change(app, "HZ-1", "set_status", HazardStatus.RECTIFIED)
    assert planned(app, hazard_digest.plan, local(2026, 3, 2, 0, 0), local(2026, 3, 2, 23, 0)) == []


def test_groups_named_in_config_get_the_whole_list(tmp_path: Path, clock: ManualClock) -> None:
    application = make_app(
        make_project(tmp_path, '[hazards.digest]\ngroups = ["section_heads"]\n'), clock
    )
    try:
        application.service.sync_data()
        add_hazard(application, "HZ-1")
        add_hazard(application, "HZ-2", KTV, level="general", deadline=D(2026, 2, 20))
        messages = planned(
            application, hazard_digest.plan, local(2026, 3, 2, 8, 0), local(2026, 3, 2, 9, 0)
        )
        head = next(m for m in messages if m.recipient.key == "staff:S003")
        assert [e["name"] for e in head.context["enterprises"]] == [
            "晋祠山水文化旅游区（示例）",
            "龙城星光KTV（示例）",
        ]
    finally:
        application.close()
