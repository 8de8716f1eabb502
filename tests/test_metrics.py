from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from prometheus_client import CollectorRegistry
from sqlalchemy import create_engine
from sqlalchemy.orm import sessionmaker

from scheduler import metrics
from scheduler.app import App
from scheduler.outbox.targets import DeliveryTarget
from tests.support.clock import ManualClock
from tests.support.delivery import delivery_app, enqueue, note


@pytest.fixture
def app(tmp_path: Path, clock: ManualClock) -> App:
    application = delivery_app(tmp_path / "p", clock)
    application.service.run_once()
    return application


def registry(app: App) -> CollectorRegistry:
    return metrics.registry(app.sessions, app.config, app.clock)


def value(found: CollectorRegistry, name: str, **labels: str) -> float | None:
    return found.get_sample_value(name, labels)


def test_sends_are_counted_by_target_and_outcome_with_their_latency(app: App) -> None:
    found = registry(app)
    before = value(found, "safeduty_sends_total", target="hook", outcome="transient") or 0
    seconds = value(found, "safeduty_send_duration_seconds_count", target="hook") or 0
    metrics.observe_send("hook", "transient", 0.3)
    metrics.observe_send("hook", "transient", 0.4)
    assert value(found, "safeduty_sends_total", target="hook", outcome="transient") == before + 2
    assert value(found, "safeduty_send_duration_seconds_count", target="hook") == seconds + 2
    assert (value(found, "safeduty_send_duration_seconds_bucket", target="hook", le="0.5") or 0) >= 2


def test_an_outcome_outside_the_known_set_is_counted_as_other(app: App) -> None:
    found = registry(app)
    metrics.observe_send("hook", "teapot", 0.1)
    assert (value(found, "safeduty_sends_total", target="hook", outcome="other") or 0) >= 1
    assert value(found, "safeduty_sends_total", target="hook", outcome="teapot") is None


def test_planning_ticks_are_timed_per_planner(app: App) -> None:
    found = registry(app)
    before = value(found, "safeduty_planning_tick_duration_seconds_count", planner="duty") or 0
    metrics.observe_tick("duty", 0.05)
    assert value(found, "safeduty_planning_tick_duration_seconds_count", planner="duty") == before + 1


def test_the_database_gauges_are_read_at_each_scrape(app: App, clock: ManualClock) -> None:
    found = registry(app)
    assert value(found, "safeduty_database_up") == 1
    assert value(found, "safeduty_outbox_messages", status="pending", channel="console") == 0
    assert value(found, "safeduty_planner_last_tick_age_seconds", planner="duty") == 0
    enqueue(app, [note("late", "console", clock.now() - dt.timedelta(minutes=3)),
                  note("dies", "no_such_channel", clock.now())])
    clock.advance(dt.timedelta(seconds=30))
    assert value(found, "safeduty_outbox_messages", status="pending", channel="console") == 1
    assert value(found, "safeduty_outbox_due_messages") == 2
    assert value(found, "safeduty_outbox_oldest_due_age_seconds") == 210
    assert value(found, "safeduty_planner_last_tick_age_seconds", planner="duty") == 30
    app.dispatcher.dispatch_due()
    assert value(found, "safeduty_outbox_messages", status="sent", channel="console") == 1
    assert value(found, "safeduty_outbox_messages", status="dead", channel="no_such_channel") == 1
    assert value(found, "safeduty_outbox_ended_since_yesterday", status="dead") == 1
    assert value(found, "safeduty_outbox_oldest_due_age_seconds") == 0


def test_paused_and_unhealthy_targets_are_one_series_each_per_target(app: App, clock: ManualClock) -> None:
    with app.sessions.begin() as session:
        session.add(DeliveryTarget(name="bot", paused_until=clock.now() + dt.timedelta(minutes=10),
                                   pause_reason="DingTalk 130101"))
        session.add(DeliveryTarget(name="mail", unhealthy_since=clock.now(), last_error="SMTP 535"))
    found = registry(app)
    assert value(found, "safeduty_target_paused", target="bot") == 1
    assert value(found, "safeduty_target_unhealthy", target="bot") == 0
    assert value(found, "safeduty_target_unhealthy", target="mail") == 1
    assert value(found, "safeduty_target_paused", target="console") == 0


def test_no_message_key_or_recipient_ever_becomes_a_label(app: App, clock: ManualClock) -> None:
    enqueue(app, [note("preholiday:2026-01-01:T-1:enterprise:91140100EX0000001A:principal", "console",
                       clock.now(), name="晋祠山水文化旅游区 主要负责人")])
    app.dispatcher.dispatch_due()
    text = metrics.exposition(registry(app)).decode()
    assert "91140100EX0000001A" not in text and "晋祠" not in text
    assert 'safeduty_outbox_messages{channel="console",status="sent"} 1.0' in text


def test_a_database_that_cannot_be_read_leaves_the_process_metrics_and_says_so(app: App, tmp_path: Path) -> None:
    broken = sessionmaker(create_engine(f"sqlite:///file:{tmp_path / 'absent.db'}?mode=ro&uri=true"))
    found = metrics.registry(broken, app.config, app.clock)
    text = metrics.exposition(found).decode()
    assert "safeduty_database_up 0.0" in text
    assert "process_start_time_seconds" in text and "safeduty_build_info{" in text
    assert "safeduty_outbox_messages" not in text


def test_the_services_planning_ticks_are_timed_per_planner(app: App, clock: ManualClock) -> None:
    found = registry(app)
    before = {name: value(found, "safeduty_planning_tick_duration_seconds_count", planner=name) or 0
              for name in app.service.planners}
    clock.advance(dt.timedelta(minutes=1))
    app.service.plan_due()
    after = {name: value(found, "safeduty_planning_tick_duration_seconds_count", planner=name) or 0
             for name in app.service.planners}
    assert {name: after[name] - before[name] for name in after} == {name: 1 for name in after}


def test_a_look_ahead_is_not_counted_as_a_planning_tick(app: App) -> None:
    found = registry(app)
    before = value(found, "safeduty_planning_tick_duration_seconds_count", planner="duty") or 0
    app.service.upcoming(dt.timedelta(days=30), 5)
    assert (value(found, "safeduty_planning_tick_duration_seconds_count", planner="duty") or 0) == before


def test_every_send_the_dispatcher_makes_is_counted_by_its_outcome(tmp_path: Path, clock: ManualClock) -> None:
    from tests.support.servers import Answer, WebhookReceiver

    secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    with WebhookReceiver(secret) as hook:
        application = delivery_app(tmp_path / "h", clock, f'\n[channels.counted]\ntype = "webhook"\n'
                                                          f'url = "{hook.base_url}/h"\nsecret = "{secret}"\n')
        try:
            found = registry(application)

            def count(outcome: str) -> float:
                return value(found, "safeduty_sends_total", target="counted", outcome=outcome) or 0

            before = {o: count(o) for o in ("sent", "transient", "permanent")}
            hook.script(Answer(500), Answer(400, b'{"error":"bad"}'))
            enqueue(application, [note(f"c:{i}", "counted", clock.now()) for i in range(3)])
            application.dispatcher.dispatch_due()  # 500: the target is held back for this pass
            clock.advance(dt.timedelta(minutes=20))
            application.dispatcher.dispatch_due()  # 400 for one, then the other two go
            assert {o: count(o) - before[o] for o in before} == {"sent": 2, "transient": 1, "permanent": 1}
            assert value(found, "safeduty_send_duration_seconds_count", target="counted") == 4
        finally:
            application.close()


def test_receipts_outstanding_are_the_unanswered_tasks_of_the_last_seven_days(tmp_path: Path, clock: ManualClock) -> None:
    application = delivery_app(tmp_path / "r", clock, '\n[web]\nbase_url = "https://duty.example.test"\n'
                                                      '[receipts.kinds."test/note"]\nreceipt = "confirm"\n')
    try:
        found = registry(application)
        enqueue(application, [note(f"ask:{i}", "console", clock.now()) for i in range(3)])
        application.dispatcher.dispatch_due()
        assert value(found, "safeduty_receipts_outstanding", kind="test/note") == 3
        clock.advance(dt.timedelta(days=8))
        assert value(found, "safeduty_receipts_outstanding", kind="test/note") == 0
    finally:
        application.close()
