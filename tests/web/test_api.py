"""The read-only JSON API, behind a bearer token."""

from __future__ import annotations

from flask import Flask

from tests.web.helpers import client_as

TOKEN = {"Authorization": "Bearer api-token-for-tests-0123456789"}


def test_today_gives_the_duty_in_force_with_mobiles(flask_app: Flask) -> None:
    response = flask_app.test_client().get("/api/v1/today", headers=TOKEN)
    assert response.status_code == 200
    body = response.json
    assert body["duty"]["date"] == "2026-03-10" and body["duty"]["published"] is True
    assert body["duty"]["leaders"][0]["mobile"].startswith("138")
    assert body["next"]["date"] == "2026-03-11" and body["overdue_major_hazards"] == 2
    assert "张" not in response.headers.get("Content-Type", "") and response.is_json


def test_without_or_with_a_wrong_token_the_api_answers_401(flask_app: Flask) -> None:
    client = flask_app.test_client()
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": "Basic abc"}):
        response = client.get("/api/v1/today", headers=headers)
        assert response.status_code == 401 and response.headers["WWW-Authenticate"] == "Bearer"
        assert "13800" not in response.text
    assert client.get("/api/v1/today?token=api-token-for-tests-0123456789").status_code == 401  # header only
    board = {"Authorization": "Bearer board-token-for-tests-0123456789"}
    assert client.get("/api/v1/today", headers=board).status_code == 401


def test_the_roster_range_and_its_limits(flask_app: Flask) -> None:
    client = flask_app.test_client()
    days = client.get("/api/v1/roster?from=2026-03-01&to=2026-03-31", headers=TOKEN).json["days"]
    assert len(days) == 31 and days[0]["published"] and not days[-1]["published"]
    assert len(client.get("/api/v1/roster", headers=TOKEN).json["days"]) == 7
    for query, words in (("from=2026-3-1", "参数「from」"), ("from=2026-03-05&to=2026-03-01", "早于"),
                         ("from=2026-01-01&to=2027-06-01", "最多")):
        response = client.get(f"/api/v1/roster?{query}", headers=TOKEN)
        assert response.status_code == 400 and words in response.json["message"]


def test_overdue_hazards_with_days_and_the_step_reached(flask_app: Flask) -> None:
    body = flask_app.test_client().get("/api/v1/hazards/overdue", headers=TOKEN).json
    codes = [h["code"] for h in body["hazards"]]
    assert "HZ-2026-0001" in codes
    first = next(h for h in body["hazards"] if h["code"] == "HZ-2026-0001")
    assert first["days_overdue"] == 4 and first["working_days_overdue"] == 2
    assert first["step"]["label"] == "到期当日"


def test_a_signed_in_account_may_read_the_api_too(flask_app: Flask) -> None:
    assert client_as(flask_app, "viewer").get("/api/v1/today").status_code == 200
