"""A web project: the example data, a March 2026 roster (1–20 published), the example hazards and
one account per role (cheap password hashes: the cost is the stored hash's, read back on login)."""

from __future__ import annotations

import datetime as dt
import re

from flask import Flask
from flask.testing import FlaskClient

from rosters.book import RosterBook
from scheduler.accounts import roles, users
from scheduler.app import App
from scheduler.hazards.imports import import_hazards
from tests.support.project import EXAMPLES

WEB_TOML = """
[roster]
duty_phone = "0351-1234567"

[web]
enabled = true
listen = "127.0.0.1:0"
base_url = "http://duty.example.test"
feeds = true
board_token = "board-token-for-tests-0123456789"
api_token = "api-token-for-tests-0123456789"
metrics_token = "metrics-token-for-tests-0123456789"
login_per_account = 3
login_per_address = 6
"""

FAST_HASH = "scrypt:1024:8:1"
PASSWORD = "correct horse battery"
# One account per web role (工号 from examples/staff.csv): who signs in as what.
ACCOUNTS = {
    "viewer": ("S009", ()),  # 许婷, an officer, given viewer only
    "duty": ("S006", ("duty",)),  # 梁宇
    "supervisor": ("S008", ("supervisor",)),  # 唐磊
    "admin": ("S013", ("admin",)),  # 彭亮
}


def seed(app: App) -> None:
    """Staff and enterprises, the example hazards, March 2026 generated (1–20 published), accounts."""
    app.service.sync_data()
    now = app.clock.now()
    with app.sessions.begin() as session:
        book = RosterBook(session, app.config.roster, app.calendar, app.config.service.zone)
        book.generate(dt.date(2026, 3, 1), dt.date(2026, 3, 31), now=now, actor="王文书")
        book.publish(dt.date(2026, 3, 1), dt.date(2026, 3, 20), now=now, actor="王文书")
        import_hazards(session, EXAMPLES / "hazards.csv", zone=app.config.service.zone, now=now, actor="王文书",
                       general_deadline_days=0)
        for code, held in ACCOUNTS.values():
            users.set_password(session, code, PASSWORD, now=now, method=FAST_HASH)
            users.set_roles(session, code, roles.parse_roles(held), now=now)


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', html)
    assert found, "no CSRF token in the page"
    return found[1]


def sign_in(client: FlaskClient, code: str, password: str = PASSWORD, *, follow: bool = False):  # type: ignore[no-untyped-def]
    page = client.get("/login")
    return client.post("/login", data={"code": code, "password": password, "csrf_token": csrf_of(page.text)},
                       follow_redirects=follow)


def client_as(flask_app: Flask, role: str | None) -> FlaskClient:
    client = flask_app.test_client()
    if role is not None:
        response = sign_in(client, ACCOUNTS[role][0])
        assert response.status_code == 302, response.text
    return client


