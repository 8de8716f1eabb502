"""Every route × every role: each view declares who may open it, and the declaration holds."""

from __future__ import annotations

import pytest
from flask import Flask

from scheduler.accounts.roles import WebRole, allows
from scheduler.web import create_app
from tests.web.helpers import ACCOUNTS, client_as, csrf_of

ROLES = [None, *ACCOUNTS]  # None: not signed in
# Sample arguments for routes with parameters (a new route with parameters must be added here).
SAMPLES: dict[str, dict[str, object]] = {
    "static.file": {"filename": "site.css"},
    "roster.person": {"code": "S006"},
    "roster.issue_feed": {"code": "S006"},
    "roster.revoke_feed": {"code": "S006", "token_id": 1},
    "hazards.show": {"code": "HZ-2026-0001"},
    "outbox.message": {"message_id": 1},
    "outbox.retry": {"message_id": 1},
    "admin.revoke_feed": {"token_id": 1},
    "feeds.feed": {"token": "no-such-token"},
    # receipts area
    "receipt_link.show": {"token": "not-a-token"},
    "receipt_link.answer": {"token": "not-a-token"},
    "receipts.party": {"party": "enterprise:91140100EX0000001A"},
    "receipts.show": {"receipt_id": 1},
    "receipts.review": {"receipt_id": 1},
    "zero.upward": {"report_id": 1},
    "warnings.show": {"warning_id": 1},
}
# What a permitted request answers besides 200 (readyz: 503 until a planning tick is recorded).
PERMITTED = {
    "health.readyz": {200, 503},
    "auth.logout": {302},
    "auth.login": {200, 400},
    "feeds.feed": {404},  # an unknown token: a plain 404
    "outbox.message": {200, 404},
    "warnings.show": {200, 404},
    "warnings.add": {400},  # an empty form: the fields are named
    "outbox.retry": {302, 404, 409},
    "admin.revoke_feed": {302, 404},
    # Only the person themselves (S006 is the duty account) or an admin; others get 403 below.
    "roster.issue_feed": {200, 403},
    "roster.revoke_feed": {302, 403, 404},
    # receipts area: links are public; a token that is not one gets the "链接无效" page
    "receipt_link.show": {403},
    "receipt_link.answer": {403},
    "receipts.notice": {404},  # no topic given
    "receipts.show": {404},  # no receipts in the seed
    "receipts.review": {404},
    "receipts.enter": {404},  # no message key given
    "zero.enter": {404},  # no party given
    "zero.upward": {404},
    "handover.write": {400},  # no day given
    "handover.confirm": {400},
}


def endpoints(flask_app: Flask) -> list[tuple[str, str, str]]:
    found = []
    for rule in flask_app.url_map.iter_rules():
        missing = set(rule.arguments) - set(SAMPLES.get(rule.endpoint, {}))
        assert not missing, f"add sample arguments {sorted(missing)} for {rule.endpoint} to SAMPLES"
        path = rule.build(SAMPLES.get(rule.endpoint, {}))[1]
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            found.append((rule.endpoint, method, path))
    return found


def test_every_route_declares_who_may_open_it(flask_app: Flask) -> None:
    undeclared = [e for e, _, _ in endpoints(flask_app)
                  if getattr(flask_app.view_functions[e], "access", None) is None]
    assert undeclared == []


def test_a_route_without_a_declaration_is_refused_even_to_an_admin(web_app) -> None:  # type: ignore[no-untyped-def]
    flask_app = create_app(web_app)
    flask_app.add_url_rule("/forgotten", "forgotten", lambda: "internal figures")
    client = client_as(flask_app, "admin")
    response = client.get("/forgotten")
    assert response.status_code == 403
    assert "internal figures" not in response.text and "未声明访问权限" in response.text


@pytest.mark.parametrize("role", ROLES, ids=[r or "anonymous" for r in ROLES])
def test_each_route_answers_each_role_as_its_declaration_says(flask_app: Flask, role: str | None) -> None:
    client = client_as(flask_app, role)
    held = None if role is None else {WebRole.VIEWER, *(WebRole(r) for r in ACCOUNTS[role][1])}
    checked = 0
    for endpoint, method, path in endpoints(flask_app):
        access = flask_app.view_functions[endpoint].access
        data = {}
        if method == "POST":
            data["csrf_token"] = csrf_of(client.get("/login" if role is None else "/").text)
        response = client.open(path, method=method, data=data)
        where = f"{method} {path} as {role or 'anonymous'}"
        if access.role is None or (held is not None and allows(held, access.role)):
            assert response.status_code in PERMITTED.get(endpoint, {200}), f"{where}: {response.status_code}"
        elif held is None:
            if path.startswith(("/api/", "/metrics")):
                assert response.status_code == 401, where
            else:
                assert response.status_code == 302 and "/login" in response.headers["Location"], where
        else:
            assert response.status_code == 403, f"{where}: {response.status_code}"
            assert "权限" in response.text
        checked += 1
        if endpoint == "auth.logout" and role is not None:
            client = client_as(flask_app, role)  # signed out by the walk: sign in again
    assert checked >= len(endpoints(flask_app))


def test_the_board_token_opens_the_board_and_nothing_else(flask_app: Flask) -> None:
    client = flask_app.test_client()
    token = "board-token-for-tests-0123456789"
    board = client.get(f"/?token={token}")
    assert board.status_code == 200 and "今日值班" in board.text and "13800000004" in board.text
    assert client.get("/?token=wrong-token").status_code == 302
    for endpoint, method, path in endpoints(flask_app):
        access = flask_app.view_functions[endpoint].access
        if method == "GET" and access.role is not None and "board" not in access.tokens:
            separator = "&" if "?" in path else "?"
            response = client.get(f"{path}{separator}token={token}")
            assert response.status_code in (302, 401), f"{path} opened by the board token"
