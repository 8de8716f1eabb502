from __future__ import annotations

import collections
import dataclasses
import datetime as dt
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.exc import OperationalError

from scheduler.app import App
from scheduler.db import table_of
from scheduler.dispatch import Dispatcher
from scheduler.outbox import store
from scheduler.outbox.merge import MERGED_KIND
from scheduler.outbox.models import WAITING, DeliveryAttempt, OutboxMessage, Status
from scheduler.outbox.planned import URGENT, PlannedMessage
from scheduler.outbox.targets import DeliveryTarget
from tests.support.bots import (
    DINGTALK_BAD_SIGN,
    DINGTALK_THROTTLED,
    FEISHU_THROTTLED,
    WECOM_THROTTLED,
    DingtalkBot,
    FeishuBot,
    WecomBot,
)
from tests.support.clock import ManualClock
from tests.support.delivery import attempts, delivery_app, enqueue, note, outbox
from tests.support.project import make_app
from tests.support.servers import RESET, Answer, Hang, HttpStub, WebhookReceiver, unused_port
from tests.support.smtp import SmtpSink

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
DING_SECRET = "SECd1c2b3a4"
SECOND = dt.timedelta(seconds=1)
MINUTE = dt.timedelta(minutes=1)


def webhook_toml(name: str, url: str, **options: str) -> str:
    extra = "".join(f"{k} = {v}\n" for k, v in options.items())
    return f'\n[channels.{name}]\ntype = "webhook"\nurl = "{url}"\nsecret = "{SECRET}"\n{extra}'


def dingtalk_toml(name: str, url: str, secret: str = DING_SECRET, **options: str) -> str:
    extra = "".join(f"{k} = {v}\n" for k, v in options.items())
    return f'\n[channels.{name}]\ntype = "dingtalk"\nurl = "{url}"\nsecret = "{secret}"\n{extra}'


@pytest.fixture
def hook() -> Iterator[WebhookReceiver]:
    with WebhookReceiver(SECRET) as receiver:
        yield receiver


@pytest.fixture
def ding() -> Iterator[DingtalkBot]:
    with DingtalkBot(token="t0k", secret=DING_SECRET) as bot:
        yield bot


@pytest.fixture
def make(tmp_path: Path, clock: ManualClock) -> Iterator:  # type: ignore[type-arg]
    apps: list[App] = []

    def build(toml: str, folder: str = "p") -> App:
        apps.append(delivery_app(tmp_path / folder, clock, toml))
        return apps[-1]

    yield build
    for app in apps:
        app.close()


def attempts_in_order(app: App) -> list[DeliveryAttempt]:
    with app.sessions() as session:
        return list(session.scalars(select(DeliveryAttempt).order_by(DeliveryAttempt.id)))


def status(app: App) -> dict[str, str]:
    return {key: row.status for key, row in outbox(app).items()}


# Sending once


def test_a_due_message_is_sent_and_what_was_rendered_is_kept(make, hook: WebhookReceiver, clock: ManualClock) -> None:
    app = make(webhook_toml("platform", f"{hook.base_url}/h"))
    enqueue(app, [note("n1", "platform", clock.now(), subject="【值班提醒】今日值班", text="高峰、梁宇")])
    assert app.dispatcher.dispatch_due() == 1
    row = outbox(app)["n1"]
    assert row.status == Status.SENT and row.sent_at == clock.now()
    assert row.subject == "【值班提醒】今日值班" and row.body_text.startswith("高峰、梁宇")
    assert [a.outcome for a in attempts(app, "n1")] == ["sent"]
    assert hook.counts == {"n1": 1}


def test_a_message_not_yet_due_waits(make, hook: WebhookReceiver, clock: ManualClock) -> None:
    app = make(webhook_toml("platform", f"{hook.base_url}/h"))
    enqueue(app, [note("later", "platform", clock.now() + MINUTE)])
    assert app.dispatcher.dispatch_due() == 0
    clock.advance(MINUTE)
    assert app.dispatcher.dispatch_due() == 1


def test_enqueueing_the_same_key_twice_sends_once(make, hook: WebhookReceiver, clock: ManualClock) -> None:
    app = make(webhook_toml("platform", f"{hook.base_url}/h"))
    assert enqueue(app, [note("same", "platform", clock.now())]) == 1
    assert enqueue(app, [note("same", "platform", clock.now(), text="changed")]) == 0
    app.dispatcher.dispatch_due()
    app.dispatcher.dispatch_due()
    assert hook.counts == {"same": 1}


def test_two_dispatch_passes_at_once_send_each_message_once(make, hook: WebhookReceiver, clock: ManualClock) -> None:
    app = make(webhook_toml("platform", f"{hook.base_url}/h") + "\n[delivery]\nbatch = 20\n")
    enqueue(app, [note(f"m{i:03}", "platform", clock.now()) for i in range(150)])
    other = make_app(app.loaded.path, clock, worker="second-worker")
    try:
        start = threading.Barrier(2)

        def run(dispatcher) -> None:  # type: ignore[no-untyped-def]
            start.wait()
            dispatcher.dispatch_due()

        threads = [threading.Thread(target=run, args=(d,)) for d in (app.dispatcher, other.dispatcher)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
    finally:
        other.close()
    assert len(hook.counts) == 150 and hook.duplicates == {}
    assert set(status(app).values()) == {Status.SENT}


# Transient failures are retried, then delivered


def test_a_500_is_retried_after_a_backoff_and_then_delivered(make, hook: WebhookReceiver, clock: ManualClock) -> None:
    app = make(webhook_toml("platform", f"{hook.base_url}/h"))
    enqueue(app, [note("n1", "platform", clock.now())])
    hook.script(Answer(500, b"internal error"))
    assert app.dispatcher.dispatch_due() == 0
    row = outbox(app)["n1"]
    assert row.status == Status.FAILED and "HTTP 500" in row.last_error
    assert clock.now() < row.next_attempt_at <= clock.now() + 10 * SECOND
    assert app.dispatcher.dispatch_due() == 0  # not due yet: no request made
    assert len(hook.requests) == 1
    clock.advance(11 * SECOND)
    assert app.dispatcher.dispatch_due() == 1
    assert [a.outcome for a in attempts(app, "n1")] == ["transient", "sent"]


def test_a_timeout_is_retried_and_then_delivered(make, hook: WebhookReceiver, clock: ManualClock) -> None:
    app = make(webhook_toml("platform", f"{hook.base_url}/h", timeout='"300ms"'))
    enqueue(app, [note("n1", "platform", clock.now())])
    hook.script(Hang())
    app.dispatcher.dispatch_due()
    assert outbox(app)["n1"].status == Status.FAILED and "may have arrived" in outbox(app)["n1"].last_error
    clock.advance(11 * SECOND)
    assert app.dispatcher.dispatch_due() == 1


def test_a_connection_reset_is_retried_and_then_delivered(make, hook: WebhookReceiver, clock: ManualClock) -> None:
    app = make(webhook_toml("platform", f"{hook.base_url}/h"))
    enqueue(app, [note("n1", "platform", clock.now())])
    hook.script(RESET)
    app.dispatcher.dispatch_due()
    clock.advance(11 * SECOND)
    assert app.dispatcher.dispatch_due() == 1 and hook.counts == {"n1": 1}


def test_a_refused_connection_is_retried_and_delivered_once_the_receiver_is_up(make, clock: ManualClock) -> None:
    port = unused_port()
    app = make(webhook_toml("platform", f"http://127.0.0.1:{port}/h"))
    enqueue(app, [note("n1", "platform", clock.now())])
    assert app.dispatcher.dispatch_due() == 0
    assert "refused" in outbox(app)["n1"].last_error
    with WebhookReceiver(SECRET, port=port) as receiver:
        clock.advance(11 * SECOND)
        assert app.dispatcher.dispatch_due() == 1
    assert receiver.counts == {"n1": 1}


def test_429_waits_as_long_as_retry_after_says(make, hook: WebhookReceiver, clock: ManualClock) -> None:
    app = make(webhook_toml("platform", f"{hook.base_url}/h"))
    enqueue(app, [note("n1", "platform", clock.now())])
    hook.script(Answer(429, b"slow down", (("Retry-After", "120"),)))
    app.dispatcher.dispatch_due()
    assert outbox(app)["n1"].next_attempt_at >= clock.now() + 120 * SECOND
    clock.advance(119 * SECOND)
    assert app.dispatcher.dispatch_due() == 0
    clock.advance(2 * SECOND)
    assert app.dispatcher.dispatch_due() == 1


def test_a_throttle_errcode_pauses_the_whole_bot_for_the_penalty(make, ding: DingtalkBot, clock: ManualClock) -> None:
    app = make(dingtalk_toml("duty", ding.url))
    enqueue(app, [note(f"d{i}", "duty", clock.now()) for i in range(3)])
    ding.script(Answer.json(DINGTALK_THROTTLED))
    assert app.dispatcher.dispatch_due() == 0
    rows = outbox(app)
    assert rows["d0"].status == Status.FAILED and "130101" in rows["d0"].last_error
    assert [rows["d1"].status, rows["d1"].attempts] == [Status.PENDING, 0]  # released, never tried
    assert len(ding.requests) == 1
    clock.advance(9 * MINUTE)
    assert app.dispatcher.dispatch_due() == 0 and len(ding.requests) == 1
    clock.advance(MINUTE + SECOND)
    assert app.dispatcher.dispatch_due() == 3


# Permanent failures go to dead at once


def test_a_400_goes_to_dead_at_once(make, hook: WebhookReceiver, clock: ManualClock) -> None:
    app = make(webhook_toml("platform", f"{hook.base_url}/h"))
    enqueue(app, [note("n1", "platform", clock.now())])
    hook.script(Answer(400, b'{"error":"bad payload"}'))
    app.dispatcher.dispatch_due()
    row = outbox(app)["n1"]
    assert row.status == Status.DEAD and row.attempts == 1 and "HTTP 400" in row.last_error


def test_a_bad_signature_goes_to_dead_at_once(make, ding: DingtalkBot, clock: ManualClock) -> None:
    app = make(dingtalk_toml("duty", ding.url, secret="SECwrong"))
    enqueue(app, [note("d1", "duty", clock.now())])
    app.dispatcher.dispatch_due()
    row = outbox(app)["d1"]
    assert row.status == Status.DEAD and "310000" in row.last_error and row.attempts == 1


def test_a_message_for_an_unknown_channel_dies_saying_so(make, hook: WebhookReceiver, clock: ManualClock) -> None:
    app = make(webhook_toml("platform", f"{hook.base_url}/h"))
    enqueue(app, [note("n1", "gone", clock.now())])
    app.dispatcher.dispatch_due()
    assert outbox(app)["n1"].status == Status.DEAD and '"gone" is not defined' in outbox(app)["n1"].last_error


def test_a_template_error_dies_without_sending(make, hook: WebhookReceiver, clock: ManualClock) -> None:
    app = make(webhook_toml("platform", f"{hook.base_url}/h"))
    message = note("n1", "platform", clock.now())
    enqueue(app, [type(message)(**{**message.__dict__, "context": {}})])  # the template's variables are missing
    app.dispatcher.dispatch_due()
    assert outbox(app)["n1"].status == Status.DEAD and "template" in outbox(app)["n1"].last_error
    assert hook.requests == []


def test_a_failure_that_outlives_the_maximum_age_goes_to_dead(make, clock: ManualClock) -> None:
    app = make(webhook_toml("platform", f"http://127.0.0.1:{unused_port()}/h")
               + '\n[delivery.retry]\nmax_age = "1m"\n')
    enqueue(app, [note("n1", "platform", clock.now())])
    for _ in range(30):
        app.dispatcher.dispatch_due()
        clock.advance(10 * SECOND)
    row = outbox(app)["n1"]
    assert row.status == Status.DEAD and 1 < row.attempts < 30


# Expiry


def test_a_message_past_its_expiry_is_expired_not_sent(make, hook: WebhookReceiver, clock: ManualClock) -> None:
    app = make(webhook_toml("platform", f"{hook.base_url}/h"))
    enqueue(app, [note("stale", "platform", clock.now(), expires=MINUTE)])
    clock.advance(2 * MINUTE)
    assert app.dispatcher.dispatch_due() == 0
    assert outbox(app)["stale"].status == Status.EXPIRED and hook.requests == []


def test_a_retry_that_would_fall_after_expiry_gives_up(make, hook: WebhookReceiver, clock: ManualClock) -> None:
    app = make(webhook_toml("platform", f"{hook.base_url}/h"))
    enqueue(app, [note("n1", "platform", clock.now(), expires=2 * SECOND)])
    hook.script(Answer(429, b"", (("Retry-After", "60"),)))
    app.dispatcher.dispatch_due()
    row = outbox(app)["n1"]
    assert row.status == Status.DEAD and "expires before the next attempt" in row.last_error


# Rate limits, pauses and one target never stalling the others


def test_a_bots_budget_is_honoured_by_scheduling(make, ding: DingtalkBot, clock: ManualClock) -> None:
    app = make(dingtalk_toml("duty", ding.url))
    enqueue(app, [note(f"d{i:02}", "duty", clock.now()) for i in range(25)])
    assert app.dispatcher.dispatch_due() == 20
    clock.advance(30 * SECOND)
    assert app.dispatcher.dispatch_due() == 0
    clock.advance(31 * SECOND)
    assert app.dispatcher.dispatch_due() == 5
    assert len(ding.messages) == 25


def test_a_bots_per_second_limit_spreads_its_messages_over_seconds(make, clock: ManualClock) -> None:
    with FeishuBot() as bot:
        app = make(f'\n[channels.duty]\ntype = "feishu"\nurl = "{bot.url}"\n')  # 5/s and 100/min
        enqueue(app, [note(f"f{i:02}", "duty", clock.now()) for i in range(12)])
        assert app.dispatcher.dispatch_due() == 5
        clock.advance(SECOND)
        assert app.dispatcher.dispatch_due() == 5
        clock.advance(SECOND)
        assert app.dispatcher.dispatch_due() == 2


@pytest.mark.parametrize(("bot_type", "answer", "penalty"), [
    ("wecom", Answer.json(WECOM_THROTTLED), dt.timedelta(seconds=60)),
    ("feishu", Answer.json(FEISHU_THROTTLED), dt.timedelta(seconds=60)),
    ("feishu", Answer.json({"code": 99991400, "msg": "request trigger frequency limit"}, 429,
                           {"x-ogw-ratelimit-reset": "17"}), dt.timedelta(seconds=17)),
])
def test_each_bots_throttle_answer_pauses_it_for_its_penalty_then_delivers(
        make, clock: ManualClock, bot_type: str, answer: Answer, penalty: dt.timedelta) -> None:
    with {"wecom": WecomBot, "feishu": FeishuBot}[bot_type]() as bot:
        app = make(f'\n[channels.duty]\ntype = "{bot_type}"\nurl = "{bot.url}"\n')
        enqueue(app, [note(f"b{i}", "duty", clock.now()) for i in range(2)])
        bot.script(answer)
        assert app.dispatcher.dispatch_due() == 0
        clock.advance(penalty - SECOND)
        assert app.dispatcher.dispatch_due() == 0 and len(bot.requests) == 1
        clock.advance(2 * SECOND)
        assert app.dispatcher.dispatch_due() == 2


def test_a_long_queue_for_one_target_does_not_hold_up_another(make, hook: WebhookReceiver,
                                                              clock: ManualClock) -> None:
    app = make(webhook_toml("platform", f"{hook.base_url}/h") + "\n[delivery]\nbatch = 10\n")
    enqueue(app, [note(f"c{i:03}", "console", clock.now() - MINUTE) for i in range(100)]
            + [note(f"w{i}", "platform", clock.now()) for i in range(3)])
    assert app.dispatcher.dispatch_due() == 103
    first_round = [a.message_id for a in attempts_in_order(app)][:10]
    webhook_ids = {row.id for key, row in outbox(app).items() if key.startswith("w")}
    assert webhook_ids <= set(first_round)


def test_a_throttled_bot_does_not_hold_up_other_targets(make, ding: DingtalkBot, hook: WebhookReceiver,
                                                        clock: ManualClock) -> None:
    app = make(dingtalk_toml("duty", ding.url) + webhook_toml("platform", f"{hook.base_url}/h"))
    enqueue(app, [note(f"d{i}", "duty", clock.now()) for i in range(3)]
            + [note(f"w{i}", "platform", clock.now()) for i in range(5)])
    ding.script(Answer.json(DINGTALK_THROTTLED))
    assert app.dispatcher.dispatch_due() == 5
    assert len(hook.counts) == 5


def test_a_hanging_target_costs_one_timeout_and_does_not_stall_the_others(make, hook: WebhookReceiver,
                                                                         clock: ManualClock) -> None:
    with HttpStub() as slow:
        app = make(webhook_toml("slow", f"{slow.base_url}/h", timeout='"300ms"')
                   + webhook_toml("platform", f"{hook.base_url}/h"))
        enqueue(app, [note(f"s{i}", "slow", clock.now()) for i in range(5)]
                + [note(f"w{i}", "platform", clock.now()) for i in range(10)])
        slow.script(*[Hang()] * 10)
        assert app.dispatcher.dispatch_due() == 10
        assert app.dispatcher.dispatch_due() == 0  # the slow target is paused, not probed again
        assert len(slow.requests) == 1
    rows = outbox(app)
    assert [rows[f"s{i}"].status for i in range(5)] == [Status.FAILED] + [Status.PENDING] * 4


def test_after_repeated_configuration_errors_a_target_is_unhealthy_and_its_messages_wait(
        make, ding: DingtalkBot, clock: ManualClock) -> None:
    app = make(dingtalk_toml("duty", ding.url, secret="SECwrong"))
    enqueue(app, [note(f"d{i}", "duty", clock.now()) for i in range(5)])
    app.dispatcher.dispatch_due()
    assert sorted(status(app).values()) == [Status.DEAD] * 3 + [Status.PENDING] * 2
    clock.advance(MINUTE)
    app.dispatcher.dispatch_due()
    assert len(ding.requests) == 3  # nothing more is tried while it is unhealthy


def test_a_send_between_configuration_errors_ends_their_run(make, ding: DingtalkBot, clock: ManualClock) -> None:
    app = make(dingtalk_toml("duty", ding.url))
    enqueue(app, [note(f"d{i}", "duty", clock.now()) for i in range(6)])
    bad = Answer.json(DINGTALK_BAD_SIGN)
    ding.script(bad, bad, Answer.json({"errcode": 0, "errmsg": "ok"}), bad, bad)  # 2 errors, a send, 2 errors
    assert app.dispatcher.dispatch_due() == 2  # never 3 in a row: not unhealthy, all six tried
    assert len(ding.requests) == 6
    with app.sessions() as session:
        target = session.get(DeliveryTarget, "duty")
        assert target is not None and target.unhealthy_since is None and target.config_errors == 0


def test_an_unhealthy_target_is_tried_again_once_its_config_changes(tmp_path: Path, ding: DingtalkBot,
                                                                   clock: ManualClock) -> None:
    broken = delivery_app(tmp_path / "p", clock, dingtalk_toml("duty", ding.url, secret="SECwrong"))
    enqueue(broken, [note(f"d{i}", "duty", clock.now()) for i in range(4)])
    broken.dispatcher.dispatch_due()
    broken.close()
    fixed = delivery_app(tmp_path / "p", clock, dingtalk_toml("duty", ding.url))
    try:
        assert fixed.dispatcher.dispatch_due() == 1
    finally:
        fixed.close()


# Recording outcomes


class LostConnection:
    """Fail the first ``times`` writes of delivery attempts (the last statement that records an
    outcome) as a dropped connection does: the driver raises, the transaction is rolled back.
    Faked at the driver: the app's connections are opened again as a sqlite3.Connection whose
    cursors raise, whichever way the statement reaches them (SQLAlchemy or db.DriverStatement)."""

    def __init__(self, app: App, times: int) -> None:
        self.left = times
        self.engine = app.engine
        fault = self

        class Cursor(sqlite3.Cursor):
            def execute(self, sql, parameters=(), /):  # type: ignore[no-untyped-def]
                fault.strike(sql)
                return super().execute(sql, parameters)

            def executemany(self, sql, parameters, /):  # type: ignore[no-untyped-def]
                fault.strike(sql)
                return super().executemany(sql, parameters)

        class Connection(sqlite3.Connection):
            def cursor(self, factory=Cursor):  # type: ignore[no-untyped-def, override]
                return super().cursor(factory)

        self.factory = Connection
        event.listen(self.engine, "do_connect", self.connect)
        self.engine.dispose()  # every connection from now on is made with the faulty factory

    def connect(self, dialect, record, cargs, cparams) -> None:  # type: ignore[no-untyped-def]
        cparams["factory"] = self.factory

    def strike(self, sql: str) -> None:
        if self.left and sql.startswith("INSERT INTO delivery_attempt"):
            self.left -= 1
            raise sqlite3.OperationalError("disk I/O error")

    def close(self) -> None:
        event.remove(self.engine, "do_connect", self.connect)
        self.engine.dispose()


def retrying_dispatcher(app: App, pauses: list[float]) -> Dispatcher:
    d = app.dispatcher
    return Dispatcher(d.sessions, d.channels, d.renderer, d.config, d.clock, "test-worker", pause=pauses.append)


def test_an_outcome_whose_recording_lost_its_connection_is_recorded_again_and_not_resent(
        make, hook: WebhookReceiver, clock: ManualClock) -> None:
    app = make(webhook_toml("platform", f"{hook.base_url}/h"))
    enqueue(app, [note(f"n{i}", "platform", clock.now()) for i in range(3)])
    pauses: list[float] = []
    dispatcher = retrying_dispatcher(app, pauses)
    fault = LostConnection(app, times=4)
    try:
        assert dispatcher.dispatch_due() == 3
    finally:
        fault.close()
    assert pauses == [0.05, 0.1, 0.2, 0.4]  # doubling waits, through the injected pause; no sleep
    assert set(status(app).values()) == {Status.SENT}
    assert [len(attempts(app, f"n{i}")) for i in range(3)] == [1, 1, 1]
    assert dispatcher.dispatch_due() == 0 and hook.counts == {"n0": 1, "n1": 1, "n2": 1}


def test_recording_that_keeps_failing_ends_the_pass_and_the_message_waits_for_its_lease(
        make, hook: WebhookReceiver, clock: ManualClock) -> None:
    app = make(webhook_toml("platform", f"{hook.base_url}/h"))
    enqueue(app, [note(f"n{i}", "platform", clock.now()) for i in range(3)])
    pauses: list[float] = []
    dispatcher = retrying_dispatcher(app, pauses)
    fault = LostConnection(app, times=10)
    try:
        with pytest.raises(OperationalError):
            dispatcher.dispatch_due()
    finally:
        fault.close()
    assert len(pauses) == 9 and max(pauses) == 1.0
    assert hook.counts == {"n0": 1}  # the next message is not sent while the last is unrecorded
    assert status(app) == {"n0": Status.SENDING, "n1": Status.SENDING, "n2": Status.SENDING}
    clock.advance(3 * MINUTE)  # past the lease: sent again, the one repeat this crash-like stop costs
    assert dispatcher.dispatch_due() == 3 and hook.counts == {"n0": 2, "n1": 1, "n2": 1}


# Several replicas on PostgreSQL


@pytest.mark.postgres
def test_two_dispatcher_processes_on_postgresql_send_each_of_1000_keys_exactly_once(
        tmp_path: Path, clock: ManualClock, hook: WebhookReceiver, pg_url: str) -> None:
    import multiprocessing

    from tests.support.workers import report_dispatch

    app = delivery_app(tmp_path / "p", clock, webhook_toml("platform", f"{hook.base_url}/h")
                       + "\n[delivery]\nbatch = 50\n", database=pg_url)
    try:
        enqueue(app, [note(f"pg:{i:04}", "platform", clock.now()) for i in range(1000)])
    finally:
        app.close()
    context = multiprocessing.get_context("spawn")
    start, results = context.Barrier(2), context.Queue()
    workers = [context.Process(target=report_dispatch,
                               args=(str(app.loaded.path), f"replica-{n}", clock.now(), start, results))
               for n in (1, 2)]
    for process in workers:
        process.start()
    sent = [results.get(timeout=240)[1] for _ in workers]
    for process in workers:
        process.join(timeout=30)
    assert sum(sent) == 1000 and all(n > 0 for n in sent)  # both took part
    assert len(hook.counts) == 1000 and hook.duplicates == {}
    again = delivery_app(tmp_path / "p", clock, webhook_toml("platform", f"{hook.base_url}/h"), database=pg_url)
    try:
        rows = outbox(again)
        assert {r.status for r in rows.values()} == {Status.SENT} and {r.attempts for r in rows.values()} == {1}
    finally:
        again.close()


# E-mail through the dispatcher


def mail_toml(port: int, **options: str) -> str:
    options = {"security": '"none"', **options}
    extra = "".join(f"{k} = {v}\n" for k, v in options.items())
    return (f'\n[channels.mail]\ntype = "email"\nhost = "127.0.0.1"\nport = {port}\n'
            f'sender = "safety@wlt.example.gov.cn"\n{extra}')


def test_a_temporary_smtp_failure_is_retried_and_delivered(make, clock: ManualClock) -> None:
    with SmtpSink() as sink:
        app = make(mail_toml(sink.port))
        enqueue(app, [note("m1", "mail", clock.now(), address="a@example.com")])
        sink.script_data("451 4.3.0 Try again later")
        assert app.dispatcher.dispatch_due() == 0
        clock.advance(11 * SECOND)
        assert app.dispatcher.dispatch_due() == 1
    assert [a.outcome for a in attempts(app, "m1")] == ["transient", "sent"] and len(sink.received) == 1


def test_a_refused_mailbox_dies_alone_and_the_rest_of_the_batch_goes(make, clock: ManualClock) -> None:
    with SmtpSink(refuse={"gone@example.com": "550 5.1.1 Mailbox not found"}) as sink:
        app = make(mail_toml(sink.port))
        enqueue(app, [note("m0", "mail", clock.now(), address="gone@example.com")]
                + [note(f"m{i}", "mail", clock.now(), address=f"p{i}@example.com") for i in range(1, 4)])
        assert app.dispatcher.dispatch_due() == 3
    assert status(app)["m0"] == Status.DEAD and "gone@example.com (550" in outbox(app)["m0"].last_error
    assert sink.connections == 1


def test_a_wrong_smtp_password_makes_the_mail_channel_unhealthy(make, clock: ManualClock, tmp_path: Path) -> None:
    from tests.support.certs import make_certificate

    cert = make_certificate(tmp_path / "tls")
    with SmtpSink(security="starttls", cert=cert, login=("safety@wlt.example.gov.cn", "right")) as sink:
        app = make(mail_toml(sink.port, security='"starttls"', username='"safety@wlt.example.gov.cn"',
                             password='"wrong"', ca_file=f'"{cert[0]}"'))
        enqueue(app, [note(f"m{i}", "mail", clock.now(), address=f"p{i}@example.com") for i in range(5)])
        app.dispatcher.dispatch_due()
    assert sorted(status(app).values()) == [Status.DEAD] * 3 + [Status.PENDING] * 2
    assert "535" in outbox(app)["m0"].last_error


@pytest.mark.postgres
def test_a_bots_budget_holds_across_replicas_on_postgresql(tmp_path: Path, clock: ManualClock,
                                                           ding: DingtalkBot, pg_url: str) -> None:
    first = delivery_app(tmp_path / "p", clock, dingtalk_toml("duty", ding.url), database=pg_url)
    second = make_app(first.loaded.path, clock, worker="replica-2")
    try:
        enqueue(first, [note(f"d{i:02}", "duty", clock.now()) for i in range(30)])
        assert first.dispatcher.dispatch_due() == 20
        assert second.dispatcher.dispatch_due() == 0  # the same robot's budget, spent by the first
        clock.advance(MINUTE + SECOND)
        assert second.dispatcher.dispatch_due() == 10
    finally:
        second.close()
        first.close()


# The urgent lane (warnings: planned.URGENT)


def urgent(message: PlannedMessage) -> PlannedMessage:
    return dataclasses.replace(message, priority=URGENT)


def backlog(channel: str, clock: ManualClock, count: int = 5000) -> list[PlannedMessage]:
    return [note(f"{channel}-old{i:05}", channel, clock.now() - MINUTE) for i in range(count)]


def test_urgent_messages_go_ahead_of_a_5000_message_backlog_on_their_target(
        make, hook: WebhookReceiver, clock: ManualClock) -> None:
    app = make(webhook_toml("platform", f"{hook.base_url}/h", rate_per_minute="5"))
    enqueue(app, backlog("platform", clock) + [urgent(note(f"warn{i}", "platform", clock.now())) for i in range(2)])
    assert app.dispatcher.dispatch_due() == 5  # the budget still holds
    ids = {row.id: key for key, row in outbox(app).items()}
    assert [ids[a.message_id] for a in attempts_in_order(app)][:2] == ["warn0", "warn1"]


def test_urgent_messages_to_a_bot_under_a_storm_are_sent_first_and_never_merged(
        make, ding: DingtalkBot, clock: ManualClock) -> None:
    app = make(dingtalk_toml("duty", ding.url))
    enqueue(app, backlog("duty", clock) + [urgent(note(f"warn{i}", "duty", clock.now())) for i in range(3)])
    assert 3 < app.dispatcher.dispatch_due() <= 20
    rows = outbox(app)
    assert all(rows[f"warn{i}"].status == Status.SENT for i in range(3))
    assert not any(key.startswith("merged:") and "warn" in str(row.context) for key, row in rows.items())
    ids = {row.id: key for key, row in rows.items()}
    assert [ids[a.message_id] for a in attempts_in_order(app)][:3] == ["warn0", "warn1", "warn2"]


def test_urgent_messages_on_every_target_are_claimed_before_any_ordinary_backlog(
        make, hook: WebhookReceiver, clock: ManualClock) -> None:
    app = make(webhook_toml("a", f"{hook.base_url}/a", rate_per_minute="5")
               + webhook_toml("b", f"{hook.base_url}/b", rate_per_minute="5") + "\n[delivery]\nbatch = 3\n")
    enqueue(app, backlog("a", clock) + backlog("b", clock)
            + [urgent(note("warn-a", "a", clock.now()))]
            + [urgent(note(f"warn-b{i}", "b", clock.now())) for i in range(2)])
    assert app.dispatcher.dispatch_due() == 10
    ids = {row.id: key for key, row in outbox(app).items()}
    first_round = {ids[a.message_id] for a in attempts_in_order(app)[:3]}
    assert first_round == {"warn-a", "warn-b0", "warn-b1"}


# An alert storm to one bot (issue 18 §2)


def storm_state(app: App) -> tuple[collections.Counter[str], bool, int]:
    """(digests by status, whether anything waits, how many are being sent), each from an index
    (digest keys start "merged:"), so a pass over 100,000 rows costs milliseconds, not a read."""
    table = table_of(OutboxMessage)
    with app.sessions() as session:
        digests = collections.Counter(dict(session.execute(
            select(table.c.status, func.count()).where(table.c.key >= "merged:", table.c.key < "merged;")
            .group_by(table.c.status)).all()))
        waiting = session.scalar(select(table.c.id).where(table.c.status.in_(WAITING)).limit(1)) is not None
        sending = session.scalar(select(func.count()).where(table.c.status == Status.SENDING)) or 0
    return digests, waiting, sending


@pytest.mark.parametrize(("count", "paused"), [(10_000, True), (10_000, False), (100_000, True)])
def test_a_storm_to_a_paused_bot_drains_at_the_bots_rate_and_every_key_is_accounted_for(
        make, ding: DingtalkBot, clock: ManualClock, count: int, paused: bool) -> None:
    app = make(dingtalk_toml("duty", ding.url))
    with app.sessions.begin() as session:
        store.enqueue(session, (note(f"storm{i:06}", "duty", clock.now(), expires=dt.timedelta(days=2))
                                for i in range(count)), clock.now())
    if paused:
        ding.script(Answer.json(DINGTALK_THROTTLED))  # the bot is paused for its penalty first
    sent_per_pass: list[int] = []
    waiting = True
    for _ in range(2000):
        sent_per_pass.append(app.dispatcher.dispatch_due())
        digests, waiting, sending = storm_state(app)
        assert sum(digests[state] for state in WAITING) <= 120  # 20/min within the 5-minute horizon
        assert digests[Status.MERGED] == 0  # flat: a digest is never merged into another
        assert sending == 0
        if not waiting:
            break
        clock.advance(61 * SECOND)
    assert not waiting, "the storm never drained"
    start = next(i for i, n in enumerate(sent_per_pass) if n)  # once the bot's penalty is over
    assert sent_per_pass[:start] == [0] * start and (1 < start) == paused  # paused for several passes
    assert all(n == 20 for n in sent_per_pass[start:-1]) and 0 < sent_per_pass[-1] <= 20  # at the bot's rate
    table = table_of(OutboxMessage)
    with app.sessions() as session:
        rows = {key: (state, kind, note_) for key, state, kind, note_ in session.execute(
            select(table.c.key, table.c.status, table.c.kind, table.c.last_error))}
    assert not [key for key, (state, _, _) in rows.items() if state == Status.EXPIRED]
    digests = {key for key, (state, kind, _) in rows.items() if kind == MERGED_KIND}
    assert all(key.startswith("merged:") for key in digests)  # what storm_state counted them by
    assert all(rows[key][0] == Status.SENT for key in digests)
    assert len(ding.messages) == sum(sent_per_pass)
    for key in (f"storm{i:06}" for i in range(count)):
        state, _, note_ = rows[key]
        assert state == Status.SENT or (state == Status.MERGED and note_.split()[2] in digests), (key, state, note_)
    print(f"storm: messages={count}, passes={len(sent_per_pass)}, digests={len(digests)}, "
          f"sent_individually={sum(1 for state, _, _ in rows.values() if state == Status.SENT) - len(digests)}")
