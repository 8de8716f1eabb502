"""The pre-holiday and key-period chase (planners/receipts.py) around 春节 and 国庆 2026."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import update

from scheduler.app import App
from scheduler.outbox.models import OutboxMessage, Status
from tests.receipts.helpers import answer, mark_sent, plan_until, rows
from tests.support.clock import SHANGHAI, local

ENTERPRISES = ["91140100EX0000001A", "91140200EX0000002B", "91140100EX0000003C", "91140700EX0000004D",
               "91140100EX0000005E", "91140100EX0000006F", "91140800EX0000007G", "12140000EX0000008H"]
SPRING = "preholiday:2026-02-15"
REMINDER, LIST = "receipts/preholiday_reminder", "receipts/preholiday_list"


def sent_t14(app: App, topic: str, when: dt.datetime) -> list[OutboxMessage]:
    plan_until(app, when)
    mark_sent(app)
    return rows(app, "preholiday/self_inspection", f"{topic}:T-14:")


def party(key: str) -> str:
    return key.split(":enterprise:", 1)[1].split(":", 1)[0]


def days_of(messages: list[OutboxMessage]) -> set[dt.date]:
    return {m.due_at.astimezone(SHANGHAI).date() for m in messages}


def test_unanswered_enterprises_get_the_t5_reminder_on_the_fifth_working_day_before_spring_festival(
        shipped: App) -> None:
    t14 = sent_t14(shipped, SPRING, local(2026, 1, 30, 9, 5))
    assert {party(m.key) for m in t14} == set(ENTERPRISES)
    answered = ENTERPRISES[:4]
    for m in t14:
        if party(m.key) in answered and m.recipient_key.endswith(":principal"):
            assert answer(shipped, m.key).new
    plan_until(shipped, local(2026, 2, 10, 9, 5))
    reminders = rows(shipped, REMINDER)
    # 2月15日 is the first day off; counting back five working days (14 Feb is a 调休 Saturday): 10 Feb.
    assert days_of(reminders) == {dt.date(2026, 2, 10)}
    assert {party(m.key) for m in reminders} == set(ENTERPRISES[4:])
    # Every contact of a silent enterprise hears, as for the T-14 itself.
    assert {m.recipient_key for m in reminders} == {m.recipient_key for m in t14 if party(m.key) not in answered}
    assert all(m.topic == f"receipt:{SPRING}:T-14:enterprise:{party(m.key)}" for m in reminders)
    assert all(m.context["receipt"]["kind"] == "preholiday/self_inspection" for m in reminders)


def test_the_t2_list_goes_to_each_silent_enterprises_supervisor_by_category(shipped: App) -> None:
    t14 = sent_t14(shipped, SPRING, local(2026, 1, 30, 9, 5))
    for m in t14:
        if party(m.key) in ("91140100EX0000001A", "91140100EX0000003C"):
            answer(shipped, m.key)
    plan_until(shipped, local(2026, 2, 13, 9, 5))
    lists = {m.recipient_key: m for m in rows(shipped, LIST)}
    assert days_of(list(lists.values())) == {dt.date(2026, 2, 13)}  # T-2 working days
    # 邓超 oversees scenic areas and travel agencies; 唐磊 entertainment, internet cafés, script games and
    # performance venues; 曹阳 public culture.
    names = {key: [e["name"] for g in m.context["groups"] for e in g["enterprises"]] for key, m in lists.items()}
    assert names == {
        "staff:S010": ["云岗峡谷风景区（示例）", "河东国际旅行社（示例）"],
        "staff:S008": ["平遥古城网络会所（示例）", "迷踪剧本杀推理馆（示例）", "并州大剧院（示例）"],
        "staff:S012": ["三晋文化博物馆（示例）"],
    }
    assert [g["category"] for g in lists["staff:S010"].context["groups"]] == ["A级旅游景区", "旅行社"]


def test_a_receipt_cancels_the_reminders_still_unsent_and_a_later_one_is_marked_late(shipped: App) -> None:
    t14 = sent_t14(shipped, SPRING, local(2026, 1, 30, 9, 5))
    plan_until(shipped, local(2026, 2, 10, 9, 2))  # planned and due, not sent yet (a channel down, say)
    target = "91140100EX0000001A"
    reminders = [m for m in rows(shipped, REMINDER) if party(m.key) == target]
    assert reminders
    first = next(m for m in t14 if party(m.key) == target)
    recorded = answer(shipped, first.key)
    assert recorded.new and not recorded.receipt.late
    assert {m.status for m in rows(shipped, REMINDER) if party(m.key) == target} == {Status.CANCELLED}
    # Another enterprise answers after its reminder went out: recorded, marked late.
    plan_until(shipped, local(2026, 2, 10, 9, 5))
    mark_sent(shipped)
    late = next(m for m in t14 if party(m.key) == "91140200EX0000002B")
    assert answer(shipped, late.key).receipt.late


def test_confirming_twice_records_once_through_either_contact(shipped: App) -> None:
    t14 = [m for m in sent_t14(shipped, SPRING, local(2026, 1, 30, 9, 5)) if party(m.key) == "91140100EX0000001A"]
    assert len(t14) == 2  # its principal and its safety manager
    first = answer(shipped, t14[0].key, by="王建国")
    second = answer(shipped, t14[1].key, by="李安全")
    assert first.new and not second.new
    assert second.receipt.id == first.receipt.id and second.receipt.confirmed_by == "王建国"


def test_no_reminder_for_a_message_that_never_reached_its_recipient(shipped: App) -> None:
    t14 = sent_t14(shipped, SPRING, local(2026, 1, 30, 9, 5))
    dead = [m.key for m in t14 if party(m.key) == "91140800EX0000007G"]
    with shipped.sessions.begin() as session:
        session.execute(update(OutboxMessage).where(OutboxMessage.key.in_(dead)).values(status=Status.DEAD))
    plan_until(shipped, local(2026, 2, 10, 9, 5))
    assert "91140800EX0000007G" not in {party(m.key) for m in rows(shipped, REMINDER)}


def test_national_day_counts_working_days_across_mid_autumn_and_the_sunday_make_up_day(shipped: App) -> None:
    plan_until(shipped, local(2026, 9, 11, 9, 5))  # 中秋 T-14
    mark_sent(shipped)
    plan_until(shipped, local(2026, 9, 17, 9, 5))  # 国庆 T-14
    mark_sent(shipped)
    plan_until(shipped, local(2026, 9, 30, 9, 5))
    by_period: dict[str, set[dt.date]] = {}
    for m in rows(shipped, REMINDER) + rows(shipped, LIST):
        by_period.setdefault(f"{m.kind}:{m.context['period']['start']}", set()).update(days_of([m]))
    assert by_period == {
        # 中秋 (25–27 Sep): five working days back from the 25th reach Sunday 20 Sep, a make-up working day.
        f"{REMINDER}:2026-09-25": {dt.date(2026, 9, 20)},
        f"{LIST}:2026-09-25": {dt.date(2026, 9, 23)},
        # 国庆 (1–7 Oct): 30, 29, 28, then over the 中秋 days off to 24 and 23 Sep.
        f"{REMINDER}:2026-10-01": {dt.date(2026, 9, 23)},
        f"{LIST}:2026-10-01": {dt.date(2026, 9, 29)},
    }


def test_the_meeting_notice_unconfirmed_goes_to_the_section_head_the_working_day_before_its_deadline(
        shipped: App) -> None:
    plan_until(shipped, local(2026, 2, 5, 9, 5))
    mark_sent(shipped)
    meeting = rows(shipped, "preholiday/assessment_meeting")
    assert meeting and all(m.recipient_key.startswith("staff:") for m in meeting)
    for m in meeting:
        if m.recipient_key != "staff:S003":
            answer(shipped, m.key, by=m.recipient_name)
    plan_until(shipped, local(2026, 2, 9, 9, 5))
    chased = rows(shipped, "receipts/meeting_unconfirmed")
    assert [m.recipient_key for m in chased] == ["staff:S003"]
    assert days_of(chased) == {dt.date(2026, 2, 9)}  # deadline 10 Feb (T-5 working days) − 1 working day
    assert [p["party"] for p in chased[0].context["missing"]] == ["staff:S003"]


def test_the_key_period_start_list_goes_out_two_working_days_after_the_notice(shipped: App) -> None:
    plan_until(shipped, local(2026, 5, 29, 9, 5))  # 汛期 starts 1 June, notice 3 days ahead: Friday 29 May
    mark_sent(shipped)
    starts = rows(shipped, "key_period/start", "key_period:flood_season:2026-06-01:start:enterprise:")
    assert starts
    for m in starts:
        if party(m.key) != "91140200EX0000002B":
            answer(shipped, m.key)
    plan_until(shipped, local(2026, 6, 3, 9, 5))
    lists = rows(shipped, "receipts/key_period_list", "receipt:list:key_period:flood_season:")
    assert days_of(lists) == {dt.date(2026, 6, 2)}  # Monday 1 June, Tuesday 2 June
    assert [(m.recipient_key, m.context["count"]) for m in lists] == [("staff:S010", 1)]


def test_nothing_is_chased_without_receipts_configured(app: App) -> None:
    app.service.sync_data()
    plan_until(app, local(2026, 2, 14, 9, 5))
    assert not [m for m in rows(app) if m.kind.startswith("receipts/")]


def test_a_notice_never_sent_is_not_chased(shipped: App) -> None:
    # The service starts on 10 February: the T-14 of 30 January was never planned, let alone sent.
    plan_until(shipped, local(2026, 2, 10, 9, 5))
    assert rows(shipped, "preholiday/self_inspection") == []
    assert rows(shipped, REMINDER) == []
    # An enterprise imported after the T-14 went out is not reminded of it either.
    assert len(sent_t14(shipped, "preholiday:2026-04-04", local(2026, 3, 20, 9, 5))) == 14
    with shipped.sessions.begin() as session:
        from scheduler.people.models import Enterprise

        session.add(Enterprise(code="91140100EX0000009J", name="新开业景区（示例）", category="scenic_area",
                               principal_name="周新", principal_email="zhoux@new.example.com"))
    plan_until(shipped, local(2026, 3, 30, 9, 5))  # 清明 T-5
    reminded = {party(m.key) for m in rows(shipped, REMINDER) if m.key.startswith("receipt:remind:preholiday:2026-04-04")}
    assert reminded == set(ENTERPRISES)
