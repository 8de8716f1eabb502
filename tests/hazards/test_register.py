from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from scheduler.app import App
from scheduler.hazards.completeness import incomplete_clause, missing_items
from scheduler.hazards.fields import funds
from scheduler.hazards.models import Hazard
from scheduler.hazards.register import HazardError
from scheduler.hazards.vocab import HazardStatus
from tests.hazards.helpers import KTV, add_hazard, change, hazard, rows, tick
from tests.support.clock import ManualClock, local

D = dt.date


@pytest.fixture
def ready(app: App) -> App:
    app.service.sync_data()
    return app


def test_a_hazard_cannot_skip_to_closed(ready: App) -> None:
    add_hazard(ready, "HZ-1")
    with pytest.raises(HazardError, match="cannot go from 已登记 to 已销号; next: 整改中"):
        change(ready, "HZ-1", "set_status", HazardStatus.CLOSED)
    assert hazard(ready, "HZ-1").status == "registered"


def test_a_closed_hazard_stays_closed(ready: App) -> None:
    add_hazard(ready, "HZ-1", status=HazardStatus.RECTIFYING)
    for status in (HazardStatus.RECTIFIED, HazardStatus.VERIFIED, HazardStatus.CLOSED):
        change(ready, "HZ-1", "set_status", status)
    assert hazard(ready, "HZ-1").closed_at == ready.clock.now()
    with pytest.raises(HazardError, match="it is closed"):
        change(ready, "HZ-1", "set_status", HazardStatus.RECTIFYING)


def test_a_major_hazard_starts_rectifying_only_with_its_five_items_in_place(ready: App) -> None:
    add_hazard(ready, "HZ-1", funds_yuan=None, contingency_plan="")
    with pytest.raises(HazardError, match="五到位.*missing: 整改资金、应急预案"):
        change(ready, "HZ-1", "set_status", HazardStatus.RECTIFYING)


def test_a_general_hazard_may_be_fixed_on_the_spot_but_a_major_one_may_not(ready: App) -> None:
    add_hazard(ready, "HZ-G", KTV, level="general")
    change(ready, "HZ-G", "set_status", HazardStatus.RECTIFIED)
    add_hazard(ready, "HZ-M")
    with pytest.raises(HazardError, match="cannot go from 已登记 to 已整改"):
        change(ready, "HZ-M", "set_status", HazardStatus.RECTIFIED)


def test_a_major_hazard_needs_a_deadline_and_a_general_one_defaults_to_the_day_found(
    ready: App,
) -> None:
    with pytest.raises(HazardError, match="needs a deadline"):
        add_hazard(ready, "HZ-M", deadline=None)
    add_hazard(ready, "HZ-G", KTV, level="general", deadline=None, found_on=D(2026, 1, 4))
    assert hazard(ready, "HZ-G").deadline == D(2026, 1, 4)


def test_a_deadline_before_the_day_found_is_refused(ready: App) -> None:
    with pytest.raises(HazardError, match="before the day it was found"):
        add_hazard(ready, "HZ-1", deadline=D(2026, 1, 1))


def test_an_extension_needs_a_later_deadline_a_reason_and_an_open_hazard(ready: App) -> None:
    add_hazard(ready, "HZ-1", status=HazardStatus.RECTIFYING)
    with pytest.raises(HazardError, match="not after the current one"):
        change(ready, "HZ-1", "extend", D(2026, 2, 1), reason="x")
    with pytest.raises(HazardError, match="needs a reason"):
        change(ready, "HZ-1", "extend", D(2026, 3, 1), reason=" ")
    change(ready, "HZ-1", "set_status", HazardStatus.RECTIFIED)
    with pytest.raises(HazardError, match="only an open hazard"):
        change(ready, "HZ-1", "extend", D(2026, 3, 1), reason="x")


def test_the_deadline_and_status_are_not_edited_through_update(ready: App) -> None:
    add_hazard(ready, "HZ-1")
    with pytest.raises(HazardError, match="deadline, status cannot be edited"):
        change(ready, "HZ-1", "update", {"deadline": D(2026, 3, 1), "status": "closed"}, labels={})


def test_an_edit_records_the_fields_changed(ready: App) -> None:
    add_hazard(ready, "HZ-1")
    change(
        ready,
        "HZ-1",
        "update",
        {"measures": "新措施", "title": "玻璃栈道钢化玻璃裂纹"},
        labels={"measures": "整改措施"},
        reason="方案调整",
    )
    event = hazard(ready, "HZ-1").events[-1]
    assert (event.kind, event.new, event.reason) == ("updated", "整改措施", "方案调整")


def test_extending_cancels_the_old_chains_unsent_step_but_not_the_completeness_notice(
    ready: App, clock: ManualClock
) -> None:
    add_hazard(ready, "HZ-1", reported_to_congress_at=None)  # incomplete: notices are planned too
    tick(ready, clock, local(2026, 1, 5, 9, 5), dispatch=False)
    tick(ready, clock, local(2026, 1, 15, 9, 5), dispatch=False)  # T-20wd of 2026-02-12 planned
    assert {r.status for r in rows(ready, "hazard:HZ-1")} == {"pending"}
    change(ready, "HZ-1", "extend", D(2026, 3, 31), reason="需要采购")
    assert {r.status for r in rows(ready, "hazard:HZ-1")} == {"cancelled"}
    assert {r.status for r in rows(ready, "hazard:HZ-1:incomplete")} == {"pending"}


def test_completing_the_items_cancels_a_pending_completeness_notice(
    ready: App, clock: ManualClock
) -> None:
    add_hazard(ready, "HZ-1", reported_to_congress_at=None)
    tick(ready, clock, local(2026, 1, 5, 9, 5), dispatch=False)
    assert {r.status for r in rows(ready, "hazard:HZ-1:incomplete")} == {"pending"}
    change(ready, "HZ-1", "update", {"reported_to_congress_at": local(2026, 1, 5, 9, 3)}, labels={})
    assert {r.status for r in rows(ready, "hazard:HZ-1:incomplete")} == {"cancelled"}


def test_a_missing_item_is_named_exactly_not_by_the_group_it_belongs_to(ready: App) -> None:
    # The amount and the person are there; what is missing is where the money comes from and how
    # to reach the person.
    add_hazard(ready, "HZ-1", funds_source="", responsible_mobile="", responsible_email="")
    with pytest.raises(HazardError) as refused:
        change(ready, "HZ-1", "set_status", HazardStatus.RECTIFYING)
    assert "missing: 资金来源、责任人手机或邮箱" in str(refused.value)
    assert "整改资金" not in str(refused.value) and "整改责任人、" not in str(refused.value)
    assert "--funds-source, --responsible-mobile or --responsible-email" in str(refused.value)
    item = hazard(ready, "HZ-1")
    assert missing_items(item) == ["资金来源", "责任人手机或邮箱"]
    with ready.sessions() as session:  # the SQL condition agrees with the Python one
        assert [h.code for h in session.scalars(select(Hazard).where(incomplete_clause()))] == ["HZ-1"]


@pytest.mark.parametrize(("text", "yuan"), [
    ("5万", 50000), ("50,000", 50000), ("5.5万元", 55000), ("125000元", 125000), ("¥5万", 50000),
    ("人民币5万元", 50000), ("5 万元", 50000), ("12.5万", 125000), ("50，000", 50000),
])
def test_money_is_read_in_the_forms_people_write_it(text: str, yuan: int) -> None:
    assert funds(text) == yuan


@pytest.mark.parametrize("text", ["五万", "5w", "about 5000", "5万美元"])
def test_other_money_is_refused_saying_which_forms_are_accepted(text: str) -> None:
    with pytest.raises(ValueError, match=r"write 125000, 125,000, 12\.5万 or 12\.5万元"):
        funds(text)
