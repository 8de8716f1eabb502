"""One major hazard through its whole life, driven day by day with the manual clock.

The deadline 2026-02-12 sits just before the 2026 Spring Festival (days off 02-15…02-23, with
the Saturdays 02-14 and 02-28 worked as 调休), so counting working days without the calendar
would put every working-day step on the wrong day.
"""

from __future__ import annotations

import datetime as dt

from scheduler.app import App
from scheduler.hazards.vocab import HazardStatus
from tests.hazards.helpers import (
    JINCI,
    add_hazard,
    change,
    each_day,
    escalations,
    hazard,
    rows,
    tick,
)
from tests.support.clock import ManualClock, local

D = dt.date
RESPONSIBLE = f"enterprise:{JINCI}:responsible"
PRINCIPAL = f"enterprise:{JINCI}:principal"
SUPERVISOR = "staff:S010"  # 邓超 supervises A级旅游景区
SECTION_HEAD = "staff:S003"  # 杨建华
LEADERS = ("staff:S001", "staff:S002")


def _chain(
    deadline: str, *sends: tuple[dt.date, str, str, tuple[str, ...]]
) -> list[tuple[dt.date, str, str, str, str]]:
    return sorted(
        (day, deadline, step, repeat, who) for day, step, repeat, people in sends for who in people
    )


def test_a_major_hazard_is_escalated_step_by_step_then_extended_then_closed(
    app: App, clock: ManualClock
) -> None:
    app.service.sync_data()
    add_hazard(app, "HZ-1", status=HazardStatus.RECTIFYING)  # 2026-01-05, deadline 2026-02-12

    each_day(app, clock, D(2026, 1, 5), D(2026, 3, 12))
    first_chain = _chain(
        "2026-02-12",
        # 20 working days before 02-12, counted back across no holiday: 01-15
        (D(2026, 1, 15), "step1", "r0", (RESPONSIBLE, PRINCIPAL)),
        (D(2026, 2, 5), "step2", "r0", (RESPONSIBLE, PRINCIPAL)),
        (D(2026, 2, 11), "step3", "r0", (RESPONSIBLE, PRINCIPAL)),
        (D(2026, 2, 12), "step4", "r0", (PRINCIPAL, SUPERVISOR)),
        # +3 working days: 02-13 (Fri), 02-14 (Sat, 调休 workday), then the festival, 02-24
        (D(2026, 2, 24), "step5", "r0", (SECTION_HEAD,)),
        # +10 working days: … 02-27, 02-28 (Sat, 调休 workday), 03-02, 03-03, 03-04
        (D(2026, 3, 4), "step6", "r0", LEADERS),
        (D(2026, 3, 11), "step6", "r1", LEADERS),  # the last step repeats weekly
    )
    assert escalations(app, "HZ-1") == first_chain

    clock.set(local(2026, 3, 12, 10, 0))
    change(app, "HZ-1", "extend", D(2026, 4, 30), reason="设备采购周期长，经批准延期")
    each_day(app, clock, D(2026, 3, 13), D(2026, 4, 28))
    second_chain = _chain(
        "2026-04-30",
        # 20 working days before 04-30 skip 清明 (04-04…04-06): 04-01, not 04-02
        (D(2026, 4, 1), "step1", "r0", (RESPONSIBLE, PRINCIPAL)),
        (D(2026, 4, 23), "step2", "r0", (RESPONSIBLE, PRINCIPAL)),
    )
    # The old chain's weekly repeats (03-18, 03-25 …) stopped with the extension.
    assert escalations(app, "HZ-1") == sorted(first_chain + second_chain)

    tick(app, clock, local(2026, 4, 29, 9, 5), dispatch=False)  # T-1 planned, not yet sent
    assert escalations(app, "HZ-1", "pending") == _chain(
        "2026-04-30", (D(2026, 4, 29), "step3", "r0", (RESPONSIBLE, PRINCIPAL))
    )
    change(app, "HZ-1", "set_status", HazardStatus.RECTIFIED, reason="更换完毕，申请验收")
    assert escalations(app, "HZ-1", "pending") == []
    assert len(escalations(app, "HZ-1", "cancelled")) == 2

    each_day(app, clock, D(2026, 4, 29), D(2026, 5, 31))
    change(app, "HZ-1", "set_status", HazardStatus.VERIFIED)
    change(app, "HZ-1", "set_status", HazardStatus.CLOSED, reason="验收合格，销号")
    each_day(app, clock, D(2026, 6, 1), D(2026, 6, 10))
    assert escalations(app, "HZ-1") == sorted(first_chain + second_chain)  # every step exactly once
    assert all(row.status in ("sent", "cancelled") for row in rows(app, "hazard:HZ-1"))


def test_the_history_keeps_who_changed_what_when_and_why(app: App, clock: ManualClock) -> None:
    app.service.sync_data()
    add_hazard(app, "HZ-1", status=HazardStatus.RECTIFYING)
    clock.set(local(2026, 2, 1, 10, 0))
    change(app, "HZ-1", "extend", D(2026, 4, 30), reason="设备采购周期长")
    change(app, "HZ-1", "set_status", HazardStatus.RECTIFIED, reason="完成")

    events = [(e.kind, e.old, e.new, e.reason, e.actor, e.at) for e in hazard(app, "HZ-1").events]
    assert events == [
        ("registered", "", "registered", "", "test", local(2026, 1, 5, 9, 0)),
        ("status", "registered", "rectifying", "", "test", local(2026, 1, 5, 9, 0)),
        (
            "deadline",
            "2026-02-12",
            "2026-04-30",
            "设备采购周期长",
            "test",
            local(2026, 2, 1, 10, 0),
        ),
        ("status", "rectifying", "rectified", "完成", "test", local(2026, 2, 1, 10, 0)),
    ]


def test_a_rectified_hazard_sent_back_by_a_failed_acceptance_resumes_its_chain(
    app: App, clock: ManualClock
) -> None:
    app.service.sync_data()
    add_hazard(app, "HZ-1", status=HazardStatus.RECTIFYING)
    clock.set(local(2026, 2, 10, 12, 0))
    change(app, "HZ-1", "set_status", HazardStatus.RECTIFIED)
    each_day(app, clock, D(2026, 2, 11), D(2026, 2, 11))  # T-1: nothing, it is rectified
    change(app, "HZ-1", "set_status", HazardStatus.RECTIFYING, reason="验收不合格")
    each_day(app, clock, D(2026, 2, 12), D(2026, 2, 12))

    assert [
        (day, step) for day, _, step, _, _ in escalations(app, "HZ-1") if day >= D(2026, 2, 11)
    ] == [(D(2026, 2, 12), "step4"), (D(2026, 2, 12), "step4")]
