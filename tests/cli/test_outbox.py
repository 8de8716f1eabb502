from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from scheduler.app import App
from scheduler.cli import main
from scheduler.outbox.models import Status
from tests.support.clock import ManualClock
from tests.support.delivery import delivery_app, enqueue, note, outbox
from tests.support.servers import Answer, WebhookReceiver
from tests.support.smtp import SmtpSink

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"


@pytest.fixture
def hook() -> Iterator[WebhookReceiver]:
    with WebhookReceiver(SECRET) as receiver:
        yield receiver


@pytest.fixture
def app(tmp_path: Path, clock: ManualClock, hook: WebhookReceiver) -> Iterator[App]:
    application = delivery_app(tmp_path / "p", clock, f'\n[channels.platform]\ntype = "webhook"\n'
                                                      f'url = "{hook.base_url}/h"\nsecret = "{SECRET}"\n')
    yield application
    application.close()


def run(app: App, *args: str) -> Result:
    return CliRunner().invoke(main, ["--config", str(app.loaded.path), *args], catch_exceptions=False)


@pytest.fixture
def failed_twice(app: App, hook: WebhookReceiver, clock: ManualClock) -> App:
    enqueue(app, [note("ok", "platform", clock.now(), subject="【值班提醒】甲"),
                  note("bad", "platform", clock.now(), subject="【值班提醒】乙")])
    hook.script(Answer(200), Answer(400, b'{"error":"no such group"}'))
    app.dispatcher.dispatch_due()
    return app


def test_list_shows_messages_with_their_state(failed_twice: App) -> None:
    result = run(failed_twice, "outbox", "list")
    assert result.exit_code == 0
    assert "ok" in result.output and "bad" in result.output and "HTTP 400" in result.output


def test_list_filters_by_status_as_json(failed_twice: App) -> None:
    result = run(failed_twice, "outbox", "list", "--status", "dead", "--format", "json")
    (row,) = json.loads(result.stdout)
    assert row["key"] == "bad" and row["status"] == "dead" and row["attempts"] == 1


def test_show_lists_every_attempt_with_its_error_and_what_was_sent(failed_twice: App) -> None:
    result = run(failed_twice, "outbox", "show", "bad")
    assert result.exit_code == 0
    assert "#1" in result.output and "permanent" in result.output and "no such group" in result.output
    assert "【值班提醒】乙" in result.output


def test_show_of_an_unknown_key_exits_2_naming_it(app: App) -> None:
    result = run(app, "outbox", "show", "nope")
    assert result.exit_code == 2 and "'nope'" in result.output


def test_retry_queues_a_dead_message_again_and_it_is_sent(failed_twice: App, hook: WebhookReceiver,
                                                         clock: ManualClock) -> None:
    result = run(failed_twice, "outbox", "retry", "bad")  # the command runs on the real clock
    assert result.exit_code == 0 and "1 message(s)" in result.output
    row = outbox(failed_twice)["bad"]
    assert row.status == Status.PENDING and not row.reported and row.expires_at > row.next_attempt_at
    clock.set(row.next_attempt_at)
    failed_twice.dispatcher.dispatch_due()
    assert outbox(failed_twice)["bad"].status == Status.SENT and hook.counts["bad"] == 1


def test_retry_dead_queues_every_dead_message(failed_twice: App) -> None:
    result = run(failed_twice, "outbox", "retry", "--dead")
    assert result.exit_code == 0 and "1 message(s)" in result.output


def test_retry_refuses_a_sent_message(failed_twice: App) -> None:
    result = run(failed_twice, "outbox", "retry", "ok")
    assert result.exit_code == 2 and "sent" in result.output


def test_retry_needs_exactly_one_of_key_or_dead(app: App) -> None:
    assert run(app, "outbox", "retry").exit_code == 2


def test_targets_shows_budgets_and_reset_clears_an_unhealthy_mark(app: App, clock: ManualClock) -> None:
    app.dispatcher.dispatch_due()  # creates the target rows
    with app.sessions.begin() as session:
        from scheduler.outbox.targets import load

        load(session, ["platform"])["platform"].unhealthy_since = clock.now()
    listed = json.loads(run(app, "outbox", "targets", "--format", "json").stdout)
    assert {r["channel"] for r in listed} == {"console", "platform"}
    assert next(r for r in listed if r["channel"] == "platform")["unhealthy_since"]
    assert run(app, "outbox", "targets", "--reset", "platform").exit_code == 0
    listed = json.loads(run(app, "outbox", "targets", "--format", "json").stdout)
    assert next(r for r in listed if r["channel"] == "platform")["unhealthy_since"] is None


def test_send_test_goes_through_the_channel_and_prints_the_reference(app: App, hook: WebhookReceiver) -> None:
    result = run(app, "send-test", "platform")
    assert result.exit_code == 0 and "sent (HTTP 204)" in result.output
    (payload,) = hook.payloads
    assert payload["data"]["kind"] == "admin/test" and "测试消息" in payload["data"]["text"]


def test_send_test_reports_a_failure_with_exit_2(app: App, hook: WebhookReceiver) -> None:
    hook.script(Answer(404, b"gone"))
    result = run(app, "send-test", "platform")
    assert result.exit_code == 2 and "config" in result.output and "404" in result.output


def test_send_test_to_an_unknown_channel_names_the_known_ones(app: App) -> None:
    result = run(app, "send-test", "nope")
    assert result.exit_code == 2 and "console" in result.output and "platform" in result.output


def test_send_test_by_email_needs_an_address_and_delivers(tmp_path: Path, clock: ManualClock) -> None:
    with SmtpSink() as sink:
        app = delivery_app(tmp_path / "m", clock, f'\n[channels.mail]\ntype = "email"\nhost = "127.0.0.1"\n'
                                                  f'port = {sink.port}\nsecurity = "none"\n'
                                                  'sender = "safety@wlt.example.gov.cn"\n')
        try:
            assert run(app, "send-test", "mail").exit_code == 2
            assert run(app, "send-test", "mail", "--to", "pengl@wlt.example.gov.cn").exit_code == 0
        finally:
            app.close()
    (mail,) = sink.received
    assert mail.rcpt_tos == ["pengl@wlt.example.gov.cn"] and "测试" in mail.message["Subject"]


def test_targets_counts_the_requests_of_the_last_minute_whatever_the_limits(tmp_path: Path,
                                                                             clock: ManualClock) -> None:
    import time_machine

    from scheduler.outbox.targets import ensure, record_claims

    app = delivery_app(tmp_path / "f", clock, '\n[channels.team_feishu]\ntype = "feishu"\n'
                                              'url = "http://127.0.0.1:9/open-apis/bot/v2/hook/x"\n'
                                              'rate_per_minute = 100\nrate_per_second = 5\n')
    try:
        with app.sessions.begin() as session:
            record_claims(ensure(session, ["team_feishu"], {})["team_feishu"], 1, clock.now())
        with time_machine.travel(clock.now(), tick=False):
            listed = json.loads(run(app, "outbox", "targets", "--format", "json").stdout)
            table = run(app, "outbox", "targets").stdout
    finally:
        app.close()
    feishu = next(r for r in listed if r["channel"] == "team_feishu")
    assert feishu["limit"] == "100/min/5/s" and feishu["used_last_minute"] == 1  # main said 96
    assert [line.split()[3] for line in table.splitlines() if line.startswith("team_feishu")] == ["1"]
