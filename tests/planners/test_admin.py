from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from scheduler.app import App
from scheduler.outbox.models import Status
from tests.support.bots import DingtalkBot
from tests.support.clock import ManualClock
from tests.support.delivery import delivery_app, enqueue, note, outbox
from tests.support.servers import Answer, WebhookReceiver

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"


@pytest.fixture
def hook() -> Iterator[WebhookReceiver]:
    with WebhookReceiver(SECRET) as receiver:
        yield receiver


def console_lines(app: App) -> list[dict]:  # type: ignore[type-arg]
    path = app.loaded.root / "var" / "console.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()] if path.exists() else []


def admin_rows(app: App, kind: str) -> list:  # type: ignore[type-arg]
    return [r for r in outbox(app).values() if r.kind == kind]


def settle_everything(app: App, clock: ManualClock) -> None:
    """One planning tick and enough dispatching for what it planned (its due times carry jitter)."""
    app.service.plan_due()
    clock.advance(dt.timedelta(minutes=2))
    app.dispatcher.dispatch_due()


def test_dead_and_expired_messages_reach_the_admins_in_one_digest_once(tmp_path: Path, clock: ManualClock,
                                                                       hook: WebhookReceiver) -> None:
    app = delivery_app(tmp_path / "p", clock, f'\n[channels.platform]\ntype = "webhook"\n'
                                            f'url = "{hook.base_url}/h"\nsecret = "{SECRET}"\n')
    try:
        app.service.sync_data()
        enqueue(app, [note("a", "platform", clock.now(), subject="【节前提醒】甲"),
                      note("b", "platform", clock.now(), subject="【节前提醒】乙"),
                      note("gone", "platform", clock.now() - dt.timedelta(days=1))])
        hook.script(Answer(400, b"bad"), Answer(400, b"bad"))
        app.dispatcher.dispatch_due()
        settle_everything(app, clock)
        (digest,) = admin_rows(app, "admin/digest")
        assert digest.status == Status.SENT and digest.recipient_name == "彭亮"
        assert digest.context["dead"] == 2 and digest.context["expired"] == 1
        assert all(outbox(app)[k].reported for k in ("a", "b", "gone"))
        (line,) = [entry for entry in console_lines(app) if entry["kind"] == "admin/digest"]
        assert "【节前提醒】甲" in line["text"] and "HTTP 400" in line["text"]
        settle_everything(app, clock)
        assert len(admin_rows(app, "admin/digest")) == 1  # nothing new to report
    finally:
        app.close()


def test_a_digest_not_yet_sent_keeps_what_it_reports_out_of_the_next(tmp_path: Path, clock: ManualClock,
                                                                     hook: WebhookReceiver) -> None:
    app = delivery_app(tmp_path / "p", clock, f'\n[channels.platform]\ntype = "webhook"\n'
                                            f'url = "{hook.base_url}/h"\nsecret = "{SECRET}"\n')
    try:
        app.service.sync_data()
        enqueue(app, [note("a", "platform", clock.now())])
        hook.script(Answer(400, b"bad"), Answer(400, b"bad"))
        app.dispatcher.dispatch_due()
        app.service.plan_due()  # digest 1 (for "a") planned, not yet sent
        enqueue(app, [note("b", "platform", clock.now())])
        app.dispatcher.dispatch_due()
        clock.advance(dt.timedelta(seconds=1))
        app.service.plan_due()
        digests = admin_rows(app, "admin/digest")
        assert sorted(len(d.context["reports"]) for d in digests) == [1, 1]
    finally:
        app.close()


def test_an_unhealthy_target_is_announced_through_another_channel(tmp_path: Path, clock: ManualClock) -> None:
    with DingtalkBot(secret="SECright") as bot:
        app = delivery_app(tmp_path / "p", clock, f'\n[channels.duty]\ntype = "dingtalk"\n'
                                                f'url = "{bot.url}"\nsecret = "SECwrong"\n')
        try:
            app.service.sync_data()
            enqueue(app, [note(f"d{i}", "duty", clock.now()) for i in range(3)])
            app.dispatcher.dispatch_due()
            settle_everything(app, clock)
            (notice,) = admin_rows(app, "admin/unhealthy")
            assert notice.channel == "console" and notice.status == Status.SENT
            assert "310000" in notice.context["error"]
            assert any("duty" in entry["subject"] for entry in console_lines(app) if entry["kind"] == "admin/unhealthy")
            settle_everything(app, clock)
            assert len(admin_rows(app, "admin/unhealthy")) == 1
        finally:
            app.close()


def test_no_notice_goes_through_the_broken_channel_itself(tmp_path: Path, clock: ManualClock) -> None:
    with DingtalkBot(secret="SECright") as bot:
        app = delivery_app(tmp_path / "p", clock, f'\n[delivery]\nperson_channel = "duty"\n'
                                                f'\n[channels.duty]\ntype = "dingtalk"\nurl = "{bot.url}"\n'
                                                'secret = "SECwrong"\n')
        try:
            app.service.sync_data()
            enqueue(app, [note(f"d{i}", "duty", clock.now()) for i in range(3)])
            app.dispatcher.dispatch_due()
            app.service.plan_due()
            assert admin_rows(app, "admin/unhealthy") == []
        finally:
            app.close()


def test_the_digest_says_why_in_chinese_and_names_the_command_for_each_status(tmp_path: Path, clock: ManualClock,
                                                                             hook: WebhookReceiver) -> None:
    app = delivery_app(tmp_path / "p", clock, f'\n[channels.platform]\ntype = "webhook"\n'
                                            f'url = "{hook.base_url}/h"\nsecret = "{SECRET}"\n')
    try:
        app.service.sync_data()
        enqueue(app, [note("a", "platform", clock.now(), subject="【节前提醒】甲"),
                      note("gone", "platform", clock.now() - dt.timedelta(days=1))])
        hook.script(Answer(404, b"no such hook"))
        app.dispatcher.dispatch_due()
        settle_everything(app, clock)
        (line,) = [entry for entry in console_lines(app) if entry["kind"] == "admin/digest"]
        text = line["text"]
    finally:
        app.close()
    assert "原因：地址不存在（请检查 url）（原文：HTTP 404" in text
    assert "原因：超过有效期仍未发出" in text and "not sent before it expired" not in text
    assert "safeduty outbox list --status expired" in text  # not --status dead for the expired one
    assert "safeduty outbox list --status dead" in text and "safeduty outbox retry a" in text
    assert "[过期]" in text and "消息" in text
