"""The shift-eve chase and the missing handover (planners/receipts_duty.py)."""

from __future__ import annotations

import datetime as dt

import pytest

from scheduler.app import App
from scheduler.receipts import handovers
from scheduler.receipts.store import ReceiptError
from tests.receipts.helpers import answer, mark_sent, plan_until, rows
from tests.rosters.conftest import generate, open_book
from tests.support.clock import local

DAY = dt.date(2026, 3, 12)  # an ordinary Thursday: one leader, one officer
CHASE = f"receipt:shift:duty:{DAY.isoformat()}:"


def holders(app: App, day: dt.date) -> tuple[str, str]:
    with app.sessions() as session:
        row = open_book(app, session).roster(day, day)[0]
        return row.leaders[0].code, row.officers[0].code


def eve_notices(app: App) -> dict[str, str]:
    generate(app, dt.date(2026, 3, 1), dt.date(2026, 3, 31))
    plan_until(app, local(2026, 3, 11, 16, 5))
    mark_sent(app)
    return {m.recipient_key: m.key for m in rows(app, "duty/shift_eve", f"duty:{DAY.isoformat()}:")}


def test_an_unconfirmed_officer_is_reported_at_18_00_to_the_leader_and_office_head_with_covers(shipped: App) -> None:
    notices = eve_notices(shipped)
    leader, officer = holders(shipped, DAY)
    assert set(notices) == {f"staff:{leader}", f"staff:{officer}"}
    answer(shipped, notices[f"staff:{leader}"], by="带班领导")
    plan_until(shipped, local(2026, 3, 11, 18, 5))
    chased = rows(shipped, "receipts/shift_unconfirmed", CHASE)
    assert {m.recipient_key for m in chased} == {f"staff:{leader}", "staff:S003"}  # the leader, the section head
    assert all(m.due_at.astimezone(local(2026, 1, 1, 0, 0).tzinfo).hour == 18 for m in chased)
    context = chased[0].context
    assert context["missing"]["code"] == officer
    covers = [s["code"] for s in context["suggestions"]]
    assert covers and officer not in covers and leader not in covers and len(covers) <= 3
    assert chased[0].expires_at == local(2026, 3, 12, 8, 30)


def test_a_silent_leader_is_not_told_about_himself(shipped: App) -> None:
    notices = eve_notices(shipped)
    leader, officer = holders(shipped, DAY)
    answer(shipped, notices[f"staff:{officer}"], by="值班员")
    plan_until(shipped, local(2026, 3, 11, 18, 5))
    chased = rows(shipped, "receipts/shift_unconfirmed", CHASE)
    assert leader != "S003" or not chased
    assert {m.recipient_key for m in chased} <= {"staff:S003"} and f"staff:{leader}" not in {
        m.recipient_key for m in chased}


def test_nobody_is_chased_when_both_confirmed(shipped: App) -> None:
    for key in eve_notices(shipped).values():
        answer(shipped, key, by="本人")
    plan_until(shipped, local(2026, 3, 11, 18, 5))
    assert rows(shipped, "receipts/shift_unconfirmed", CHASE) == []


def test_a_confirmation_before_the_chase_is_sent_cancels_it(shipped: App) -> None:
    notices = eve_notices(shipped)
    plan_until(shipped, local(2026, 3, 11, 18, 2))
    pending = rows(shipped, "receipts/shift_unconfirmed", CHASE)
    assert pending
    leader, officer = holders(shipped, DAY)
    answer(shipped, notices[f"staff:{officer}"], by="值班员")
    assert {m.status for m in rows(shipped, "receipts/shift_unconfirmed", CHASE)
            if m.context["missing"]["code"] == officer} == {"cancelled"}


def test_a_handover_not_written_by_an_hour_after_handover_goes_to_the_new_days_leader(shipped: App) -> None:
    generate(shipped, dt.date(2026, 3, 1), dt.date(2026, 3, 31))
    plan_until(shipped, local(2026, 3, 13, 9, 35))
    missing = rows(shipped, "handover/missing", f"handover:{DAY.isoformat()}:")
    leader, _ = holders(shipped, DAY + dt.timedelta(days=1))
    assert [m.recipient_key for m in missing] == [f"staff:{leader}"]
    assert missing[0].context["written"] is False
    assert local(2026, 3, 13, 9, 30) < missing[0].due_at < local(2026, 3, 13, 9, 32)


def test_a_written_but_unconfirmed_handover_is_told_and_a_confirmed_one_is_not(shipped: App) -> None:
    generate(shipped, dt.date(2026, 3, 1), dt.date(2026, 3, 31))
    _, outgoing = holders(shipped, DAY)
    _, incoming = holders(shipped, DAY + dt.timedelta(days=1))
    later = DAY + dt.timedelta(days=1)
    plan_until(shipped, local(2026, 3, 13, 8, 40))
    with shipped.sessions.begin() as session:
        handovers.write(session, DAY, outgoing, "交班人", handovers.Written("平稳，无事件", "省厅来电1次"),
                        shipped.clock.now())
        handovers.write(session, later, incoming, "交班人2", handovers.Written("无"), shipped.clock.now())
        handovers.confirm(session, later, "S099", "接班人", "", shipped.clock.now())
    plan_until(shipped, local(2026, 3, 14, 9, 35))
    told = {m.context["day"]: m.context["written"] for m in rows(shipped, "handover/missing")
            if m.context["day"] >= DAY.isoformat()}  # (the first run also looked a day back)
    assert told == {DAY.isoformat(): True}


def test_handover_rules_the_outgoing_cannot_confirm_and_a_confirmed_one_is_final(shipped: App) -> None:
    now = shipped.clock.now()
    with shipped.sessions.begin() as session:
        with pytest.raises(ReceiptError, match="还没有填写"):
            handovers.confirm(session, DAY, "S006", "梁宇", "", now)
        handovers.write(session, DAY, "S006", "梁宇", handovers.Written("无"), now)
        with pytest.raises(ReceiptError, match="不能自己确认"):
            handovers.confirm(session, DAY, "S006", "梁宇", "", now)
        first = handovers.confirm(session, DAY, "S007", "宋佳", "已核对", now)
        again = handovers.confirm(session, DAY, "S009", "许婷", "", now + dt.timedelta(minutes=5))
        assert again.incoming_name == "宋佳" and again.confirmed_at == first.confirmed_at
        with pytest.raises(ReceiptError, match="不能再修改"):
            handovers.write(session, DAY, "S006", "梁宇", handovers.Written("改"), now)
        assert handovers.last(session) is not None and handovers.last(session).day == DAY  # type: ignore[union-attr]
