"""The digest of a channel's settings kept in the database (to notice a fixed config) must not
let anyone who reads the database test guessed secrets against it."""

from __future__ import annotations

import hashlib
from dataclasses import fields
from pathlib import Path

from sqlalchemy import select

from scheduler.config.channels import DingtalkChannelConfig, fingerprint
from scheduler.config.typed import Secret
from scheduler.outbox.targets import DeliveryTarget
from tests.support.bots import DingtalkBot
from tests.support.clock import ManualClock
from tests.support.delivery import delivery_app, enqueue, note

GUESSABLE = "SECsafety2026"


def unkeyed(spec: object, leave_out: str = "") -> str:
    """What an attacker computes for a guess: SHA-256 of every setting, secrets included (the
    digest main stored; ``leave_out`` drops a setting main did not have)."""
    text = "\n".join(f"{f.name}={getattr(spec, f.name)!s}" for f in fields(spec)  # type: ignore[arg-type]
                     if f.name != leave_out)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def test_a_guessed_secret_cannot_be_confirmed_from_the_stored_fingerprint(tmp_path: Path, clock: ManualClock) -> None:
    with DingtalkBot(secret="SECright") as bot:
        app = delivery_app(tmp_path / "p", clock,
                           f'\n[channels.duty]\ntype = "dingtalk"\nurl = "{bot.url}"\nsecret = "{GUESSABLE}"\n')
        try:
            enqueue(app, [note(f"d{i}", "duty", clock.now()) for i in range(3)])
            app.dispatcher.dispatch_due()  # three signature errors: unhealthy, fingerprint stored
            with app.sessions() as session:
                stored = session.scalars(select(DeliveryTarget.fingerprint).where(DeliveryTarget.name == "duty")).one()
            spec = app.config.channels["duty"]
        finally:
            app.close()
    # The right guess "SECsafety2026" cannot be confirmed offline.
    assert stored and stored not in (unkeyed(spec), unkeyed(spec, leave_out="allow_private"))


def test_with_a_key_every_setting_counts_and_the_key_changes_the_digest() -> None:
    a = DingtalkChannelConfig(url=Secret("https://x/robot/send?access_token=a"), secret=Secret("SEC1"))
    b = DingtalkChannelConfig(url=Secret("https://x/robot/send?access_token=a"), secret=Secret("SEC2"))
    assert fingerprint(a, "k1") != fingerprint(b, "k1")
    assert fingerprint(a, "k1") != fingerprint(a, "k2")


def test_without_a_key_the_secrets_are_left_out_but_the_rest_of_the_url_counts() -> None:
    a = DingtalkChannelConfig(url=Secret("https://x/robot/send?access_token=a"), secret=Secret("SEC1"))
    b = DingtalkChannelConfig(url=Secret("https://x/robot/send?access_token=b"), secret=Secret("SEC2"))
    c = DingtalkChannelConfig(url=Secret("https://y/robot/send?access_token=a"), secret=Secret("SEC1"))
    assert fingerprint(a) == fingerprint(b) != fingerprint(c)


def test_check_warns_on_postgresql_without_a_fingerprint_key(tmp_path: Path) -> None:
    from scheduler.checks import run_checks
    from scheduler.config import load_config
    from tests.support.project import make_project

    config = make_project(tmp_path, database="postgresql://nobody@127.0.0.1:9/none")
    warnings = run_checks(load_config(config, environ={})).warnings
    assert any(w.startswith("security.fingerprint_key is not set") for w in warnings)
