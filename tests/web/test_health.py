"""/healthz and /readyz."""

from __future__ import annotations

import datetime as dt

from flask import Flask

from scheduler.app import App
from scheduler.outbox import store
from scheduler.outbox.planned import PlannedMessage, Recipient
from tests.support.clock import ManualClock


def test_healthz_answers_without_signing_in(flask_app: Flask) -> None:
    response = flask_app.test_client().get("/healthz")
    assert response.status_code == 200 and response.json == {"status": "ok"}


def test_readyz_is_503_until_the_planners_have_ticked(flask_app: Flask, web_app: App) -> None:
    client = flask_app.test_client()
    response = client.get("/readyz")
    assert response.status_code == 503
    assert "no planning tick" in response.json["reasons"][0]
    web_app.service.run_once()  # plans, and sends what was due
    assert client.get("/readyz").status_code == 200, client.get("/readyz").json


def test_readyz_names_an_old_tick_and_a_message_waiting_too_long(flask_app: Flask, web_app: App,
                                                               clock: ManualClock) -> None:
    web_app.service.run_once()
    with web_app.sessions.begin() as session:
        message = PlannedMessage("test:stuck", "admin/test", Recipient("staff:S013", "彭亮", "console"),
                                 clock.now(), clock.now() + dt.timedelta(days=1), {})
        store.enqueue(session, [message], clock.now())
    clock.advance(dt.timedelta(minutes=20))
    response = flask_app.test_client().get("/readyz")
    assert response.status_code == 503
    reasons = " | ".join(response.json["reasons"])
    assert "last planning tick 20m ago (limit 5m)" in reasons
    assert "a due message has waited" in reasons


def test_readyz_says_when_the_database_is_unreachable_without_its_address(flask_app: Flask, web_app: App) -> None:
    from sqlalchemy import create_engine
    from sqlalchemy.orm import sessionmaker

    # Port 1 on the loopback: the connection is refused at once.
    unreachable = create_engine("postgresql+psycopg://nobody:hunter2@127.0.0.1:1/safeduty")
    flask_app.extensions["safeduty.reads"] = sessionmaker(unreachable)
    response = flask_app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.json["reasons"][0].startswith("database unreachable")
    assert "hunter2" not in response.text and "127.0.0.1" not in response.text
