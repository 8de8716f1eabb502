"""An admin sends a dead message again from its page; nobody else can."""

from __future__ import annotations

import datetime as dt
import json

from flask import Flask
from sqlalchemy import update

from scheduler.app import App
from scheduler.outbox import store
from scheduler.outbox.models import OutboxMessage, Status
from scheduler.outbox.planned import PlannedMessage, Recipient
from scheduler.rendering import BUILTIN_TEMPLATES
from tests.support.clock import ManualClock
from tests.web.helpers import client_as, csrf_of


def dead_message(app: App, clock: ManualClock) -> int:
    with app.sessions.begin() as session:
        message = PlannedMessage("test:dead", "admin/test", Recipient("staff:S013", "彭亮", "console"),
                                 clock.now() - dt.timedelta(days=2), clock.now() - dt.timedelta(days=1),
                                 json.loads((BUILTIN_TEMPLATES / "admin" / "test.sample.json").read_text("utf-8")))
        store.enqueue(session, [message], clock.now() - dt.timedelta(days=2))
        session.execute(update(OutboxMessage).values(status=Status.DEAD, last_error="permanent: 404 Not Found"))
        return session.query(OutboxMessage.id).scalar()  # type: ignore[no-any-return]


def test_an_admin_retries_a_dead_message_and_the_dispatcher_sends_it(flask_app: Flask, web_app: App,
                                                                     clock: ManualClock) -> None:
    ident = dead_message(web_app, clock)
    admin = client_as(flask_app, "admin")
    page = admin.get(f"/outbox/message/{ident}").text
    assert "permanent: 404 Not Found" in page and "重发" in page
    response = admin.post(f"/outbox/message/{ident}/retry", data={"csrf_token": csrf_of(page)})
    assert response.status_code == 302
    assert "已重新排队" in admin.get(response.headers["Location"]).text
    with web_app.sessions() as session:
        row = session.get(OutboxMessage, ident)
        assert row is not None and row.status == Status.PENDING and row.expires_at > clock.now()
    web_app.dispatcher.dispatch_due()
    with web_app.sessions() as session:
        assert session.get(OutboxMessage, ident).status == Status.SENT  # type: ignore[union-attr]


def test_only_an_admin_may_retry_and_only_what_failed(flask_app: Flask, web_app: App, clock: ManualClock) -> None:
    ident = dead_message(web_app, clock)
    viewer = client_as(flask_app, "supervisor")
    page = viewer.get(f"/outbox/message/{ident}").text
    assert "重发</button>" not in page
    assert viewer.post(f"/outbox/message/{ident}/retry", data={"csrf_token": csrf_of(page)}).status_code == 403
    with web_app.sessions.begin() as session:
        session.execute(update(OutboxMessage).values(status=Status.SENT))
    admin = client_as(flask_app, "admin")
    page = admin.get(f"/outbox/message/{ident}").text
    response = admin.post(f"/outbox/message/{ident}/retry", data={"csrf_token": csrf_of(page)})
    assert response.status_code == 409 and "已发送" in response.text


def test_an_admin_sees_the_accounts_and_revokes_a_feed(flask_app: Flask, web_app: App, clock: ManualClock) -> None:
    from scheduler.accounts import feeds

    with web_app.sessions.begin() as session:
        issued = feeds.issue(session, staff_code="S004", now=clock.now(), by="test")
    admin = client_as(flask_app, "admin")
    page = admin.get("/admin/accounts").text
    assert "彭亮" in page and "管理员" in page and issued.row.prefix in page and issued.token not in page
    assert 'href="/admin/accounts"' in page  # in the admin's menu
    assert 'href="/admin/accounts"' not in client_as(flask_app, "viewer").get("/").text
    response = admin.post(f"/admin/feeds/{issued.row.id}/revoke", data={"csrf_token": csrf_of(page)})
    assert response.status_code == 302
    assert flask_app.test_client().get(f"/ics/{issued.token}.ics").status_code == 404
