"""Issue 14's Done-when, relay side: a red 暴雨 warning for 140100 dropped into the inbox reaches
the example venues in that city, the duty officer and the duty leader at once, with receipt
links, through a local channel (the console channel's file); an Update and a Cancel follow.

The last test does it with real local receivers (an SMTP server and a DingTalk bot stand-in)
and a 5,000-message backlog due before the warning came in."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import delete, func, select

from scheduler.app import App
from scheduler.outbox.models import OutboxMessage
from scheduler.warnings import inbox
from tests.receipts.helpers import web_project
from tests.rosters.conftest import generate
from tests.support.clock import ManualClock, local
from tests.support.delivery import enqueue
from tests.support.project import make_app
from tests.support.reminders import planned
from tests.support.smtp import SmtpSink

SAMPLES = Path(__file__).parent / "samples"
T0 = local(2026, 7, 20, 8, 5)
TAIYUAN_VENUES = {"91140100EX0000001A", "91140100EX0000006F"}  # 晋祠 (scenic, 漂流…), 并州大剧院 (performance)


@pytest.fixture
def live(tmp_path: Path) -> Iterator[App]:
    clock = ManualClock(T0 - dt.timedelta(days=1))
    application = make_app(web_project(tmp_path / "project", '[warnings]\ninbox = "inbox"\n'), clock)
    application.service.sync_data()
    generate(application, dt.date(2026, 7, 19), dt.date(2026, 7, 31))
    application.service.run_once()
    yield application
    application.close()


def _drop(app: App, name: str) -> None:
    box = app.loaded.resolve("inbox")
    box.mkdir(exist_ok=True)
    target = box / name
    shutil.copy(SAMPLES / name, target)
    old = app.clock.now().timestamp() - 3600
    os.utime(target, (old, old))  # settled: written an hour ago


def _sent(app: App) -> list[dict]:
    path = app.loaded.resolve("var/console.jsonl")
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _warning_lines(app: App, word: str) -> list[dict]:
    return [m for m in _sent(app) if word in json.dumps(m, ensure_ascii=False)]


def test_red_rainstorm_dropped_in_the_inbox_reaches_taiyuan_venues_and_the_duty_office(live: App) -> None:
    live.clock.set(T0)  # type: ignore[attr-defined]
    _drop(live, "red_rainstorm.xml")
    result = inbox.scan_app(live)  # the service's inbox pass; intake then calls the relay at once
    assert result.done == ["red_rainstorm.xml"]
    alerts = [m for m in _sent(live) if m["key"].startswith("warning:") and ":v1:" in m["key"]]
    keys = {m["key"].split(":v1:", 1)[1] for m in alerts}
    venues = {k.split(":")[1] for k in keys if k.startswith("enterprise:")}
    assert TAIYUAN_VENUES <= venues  # and 晋中's venues too: the sample covers 140700 as well
    assert "91140200EX0000002B" not in venues and "91140800EX0000007G" not in venues  # 大同, 运城
    staff = {k for k in keys if k.startswith("staff:")}
    assert len(staff) >= 2, staff  # the duty officer and leader of 20 July (+ the section head)
    enterprise_texts = [json.dumps(m, ensure_ascii=False) for m in alerts if ":enterprise:" in m["key"]]
    assert enterprise_texts and all("/r/" in t for t in enterprise_texts)
    assert all("红色预警" in json.dumps(m, ensure_ascii=False) for m in alerts)

    live.clock.set(local(2026, 7, 20, 11, 5))  # type: ignore[attr-defined]
    _drop(live, "update_yellow.xml")
    inbox.scan_app(live)
    updates = [m for m in _sent(live) if ":v2:" in m["key"]]
    assert {m["key"].split(":v2:", 1)[1].split(":")[1] for m in updates if ":enterprise:" in m["key"]} >= TAIYUAN_VENUES
    assert all("预警更新" in json.dumps(m, ensure_ascii=False) for m in updates)

    live.clock.set(local(2026, 7, 20, 15, 5))  # type: ignore[attr-defined]
    _drop(live, "cancel.xml")
    inbox.scan_app(live)
    cancels = [m for m in _sent(live) if ":v3:" in m["key"]]
    assert {m["key"].split(":v3:", 1)[1].split(":")[1] for m in cancels if ":enterprise:" in m["key"]} >= TAIYUAN_VENUES
    assert all("预警解除" in json.dumps(m, ensure_ascii=False) for m in cancels)


def test_a_red_warning_reaches_real_receivers_before_a_5000_message_backlog(tmp_path: Path) -> None:
    """The Done-when with a real local receiver: e-mail through an SMTP server (aiosmtpd) to the
    venues' 预警联系人 and the duty office's officer, leader and section head. 5,000 ordinary messages were due on the same mail channel
    before the warning came in; the channel may send 300 a minute, so one pass sends a fifth of
    what waits: the warning's messages are the first the server receives, every one of them."""
    with SmtpSink() as sink:
        extra = (f'[warnings]\ninbox = "inbox"\n[delivery]\nperson_channel = "mail"\n'
                 f'[channels.mail]\ntype = "email"\nhost = "127.0.0.1"\nport = {sink.port}\nsecurity = "none"\n'
                 f'sender = "safety@wlt.example.gov.cn"\nrate_per_minute = 300\n')
        config = web_project(tmp_path / "project", extra)
        clock = ManualClock(T0 - dt.timedelta(days=1))
        app = make_app(config, clock)
        try:
            app.service.sync_data()
            generate(app, dt.date(2026, 7, 19), dt.date(2026, 7, 31))
            clock.set(T0 - dt.timedelta(minutes=5))
            with app.sessions.begin() as session:
                session.execute(delete(OutboxMessage))  # only the backlog and the warning below
            ordinary = next(m for m in planned(app, T0 - dt.timedelta(days=60), T0)
                            if m.recipient.key.startswith("enterprise:"))  # a real reminder, copied
            enqueue(app, [replace(ordinary, key=f"backlog:{i}", due_at=clock.now(), expires_at=T0 + dt.timedelta(hours=12),
                                  recipient=replace(ordinary.recipient, key=f"backlog:{i}", channel="mail",
                                                    address=f"clerk{i}@example.test")) for i in range(5000)])
            clock.set(T0)
            _drop(app, "red_rainstorm.xml")
            assert inbox.scan_app(app).done == ["red_rainstorm.xml"]
            with app.sessions() as session:
                warning_mail = session.scalar(select(func.count()).select_from(OutboxMessage).where(
                    OutboxMessage.kind.like("warnings/%"), OutboxMessage.channel == "mail"))
            assert warning_mail and warning_mail < 300

            app.dispatcher.dispatch_due()

            subjects = [str(r.message["Subject"]) for r in sink.received]
            assert len(subjects) == 300  # the minute's budget, then the pass stops
            first = subjects[:warning_mail]
            assert all("红色预警" in s for s in first), first
            assert not any("红色预警" in s for s in subjects[warning_mail:])
            to = {a for r in sink.received[:warning_mail] for a in r.rcpt_tos}
            assert {"yujing@jinci.example.com"} <= to  # 晋祠's 预警联系人
            assert any(a.endswith("@wlt.example.gov.cn") for a in to)  # the duty office by e-mail
            bodies = [r.message.get_body(("plain",)).get_content() for r in sink.received[:warning_mail]]
            assert all("/r/" in b for b in bodies if "jinci" in b or "yujing" in b) and any("/r/" in b for b in bodies)
        finally:
            app.close()
