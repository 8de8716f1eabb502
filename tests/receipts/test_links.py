"""The receipt link in messages: made at send time, from the outbox row alone."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from scheduler.app import App
from scheduler.receipts import tokens
from scheduler.receipts.links import keyring
from tests.receipts.helpers import KEY, plan_until, rows, web_project
from tests.support.clock import ManualClock, local
from tests.support.project import make_app

LINK = re.compile(r"http://duty\.example\.test/r/([0-9a-z]+\.[0-9a-z]+\.[A-Za-z0-9_-]{22})")


@pytest.fixture
def sent(tmp_path: Path, clock: ManualClock) -> Iterator[App]:
    """The T-14 notices of 春节 2026, planned and sent through the console channel."""
    app = make_app(web_project(tmp_path / "project"), clock)
    plan_until(app, local(2026, 1, 30, 9, 5))
    assert app.dispatcher.dispatch_due() > 0
    yield app
    app.close()


def test_a_message_asking_for_a_receipt_carries_a_link_that_verifies_for_its_own_row(sent: App) -> None:
    t14 = rows(sent, "preholiday/self_inspection")
    assert t14 and all(m.status == "sent" for m in t14)
    for message in t14:
        found = LINK.findall(message.body_text)
        assert len(found) == 1, message.body_text
        claims = tokens.verify(keyring(sent.config), found[0], message.key, message.recipient_key, sent.clock.now())
        assert claims.message_id == message.id
        assert claims.expires == local(2026, 2, 25, 0, 0)  # the holiday's end, plus the grace day
        assert "完成自查后，请点击链接填报自查结果" in message.body_text


def test_nothing_secret_is_stored_in_a_messages_context(sent: App) -> None:
    for message in rows(sent):
        stored = json.dumps(message.context, ensure_ascii=False)
        assert "/r/" not in stored and KEY not in stored


def test_a_message_that_asks_nothing_has_no_link(sent: App) -> None:
    others = [m for m in rows(sent) if m.kind != "preholiday/self_inspection" and m.status == "sent"]
    assert others
    assert not any(LINK.search(m.body_text) for m in others)


def test_the_link_is_the_same_when_the_row_is_rendered_again(sent: App) -> None:
    message = rows(sent, "preholiday/self_inspection")[0]
    again = sent.dispatcher.render(message, late=False)
    assert LINK.findall(again.text) == LINK.findall(message.body_text)


def test_without_a_public_address_no_link_is_made(tmp_path: Path, clock: ManualClock) -> None:
    app = make_app(web_project(tmp_path / "project", base_url=""), clock)
    plan_until(app, local(2026, 1, 30, 9, 5))
    app.dispatcher.dispatch_due()
    t14 = rows(app, "preholiday/self_inspection")
    assert t14 and not any("/r/" in m.body_text for m in t14)
    assert "完成自查后" not in t14[0].body_text
    app.close()


def test_a_generated_key_file_signs_when_no_key_is_configured(tmp_path: Path, clock: ManualClock) -> None:
    config = web_project(tmp_path / "project")
    config.write_text(config.read_text(encoding="utf-8").replace(f'key = "{KEY}"', 'key = ""'), encoding="utf-8")
    app = make_app(config, clock)
    plan_until(app, local(2026, 1, 30, 9, 5))
    app.dispatcher.dispatch_due()
    key_file = config.parent / "var" / "receipts-key.key"
    assert key_file.exists() and key_file.stat().st_mode & 0o077 == 0
    assert all(LINK.search(m.body_text) for m in rows(app, "preholiday/self_inspection"))
    app.close()
