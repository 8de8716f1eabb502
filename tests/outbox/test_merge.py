from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from scheduler.app import App
from scheduler.outbox.merge import MERGED_KIND
from scheduler.outbox.models import Status
from scheduler.outbox.planned import Mention
from tests.support.bots import DINGTALK_THROTTLED, DingtalkBot, WecomBot
from tests.support.clock import ManualClock
from tests.support.delivery import delivery_app, enqueue, note, outbox
from tests.support.servers import Answer


@pytest.fixture
def ding() -> Iterator[DingtalkBot]:
    with DingtalkBot() as bot:
        yield bot


def app_for(tmp_path: Path, clock: ManualClock, kind: str, url: str, horizon: str = "1m") -> App:
    return delivery_app(tmp_path / "p", clock, f'\n[delivery]\nmerge_horizon = "{horizon}"\n'
                        f'\n[channels.duty]\ntype = "{kind}"\nurl = "{url}"\n')


def test_a_backlog_beyond_what_the_bot_may_take_soon_goes_as_one_digest(tmp_path: Path, clock: ManualClock,
                                                                          ding: DingtalkBot) -> None:
    app = app_for(tmp_path, clock, "dingtalk", ding.url)  # 20/min: 40 within the minute's horizon
    try:
        enqueue(app, [note(f"d{i:02}", "duty", clock.now(), subject=f"【提醒】第{i}条",
                           mentions=[Mention("高峰", "13800000004")]) for i in range(60)])
        assert app.dispatcher.dispatch_due() == 1
        rows = outbox(app)
    finally:
        app.close()
    originals = [r for r in rows.values() if r.kind != MERGED_KIND]
    (digest,) = [r for r in rows.values() if r.kind == MERGED_KIND]
    assert {r.status for r in originals} == {Status.MERGED}
    assert all(digest.key in r.last_error for r in originals)
    assert originals[0].subject == "【提醒】第0条"  # what each said is kept
    assert digest.status == Status.SENT
    (sent,) = ding.messages
    text = sent["markdown"]["text"]
    assert "60 条提醒合并发送" in text and "【提醒】第59条" in text
    assert sent["at"]["atMobiles"] == ["13800000004"] and "@13800000004" in text


def test_a_backlog_the_bot_can_take_soon_is_sent_as_it_is(tmp_path: Path, clock: ManualClock,
                                                          ding: DingtalkBot) -> None:
    app = app_for(tmp_path, clock, "dingtalk", ding.url, horizon="5m")
    try:
        enqueue(app, [note(f"d{i:02}", "duty", clock.now()) for i in range(30)])
        assert app.dispatcher.dispatch_due() == 20
    finally:
        app.close()
    assert all(m["markdown"]["title"] == "【值班提醒】测试消息" for m in ding.messages)


def test_a_digest_too_big_for_one_message_is_split_within_the_budget(tmp_path: Path, clock: ManualClock) -> None:
    with WecomBot() as bot:  # 4096-byte markdown: a few items per digest
        app = app_for(tmp_path, clock, "wecom", bot.url)
        try:
            enqueue(app, [note(f"w{i:02}", "duty", clock.now(), text="请各单位落实节前安全检查。" * 8)
                          for i in range(50)])
            sent = app.dispatcher.dispatch_due()
            rows = outbox(app)
        finally:
            app.close()
    digests = [r for r in rows.values() if r.kind == MERGED_KIND]
    assert 1 < len(digests) <= 40 and sent == len(digests)
    assert sum(r.context["count"] for r in digests) == 50
    assert all(len(m["markdown"]["content"].encode()) <= 4096 for m in bot.messages)


def test_a_paused_bots_backlog_is_merged_to_wait_as_one(tmp_path: Path, clock: ManualClock,
                                                        ding: DingtalkBot) -> None:
    app = app_for(tmp_path, clock, "dingtalk", ding.url)
    try:
        enqueue(app, [note("first", "duty", clock.now())])
        ding.script(Answer.json(DINGTALK_THROTTLED))
        app.dispatcher.dispatch_due()  # paused for 10 minutes
        enqueue(app, [note(f"d{i}", "duty", clock.now()) for i in range(5)])
        app.dispatcher.dispatch_due()
        assert sum(r.status == Status.MERGED for r in outbox(app).values()) == 5
        clock.advance(dt.timedelta(minutes=11))
        assert app.dispatcher.dispatch_due() == 2  # the first message, and one digest of the rest
    finally:
        app.close()
