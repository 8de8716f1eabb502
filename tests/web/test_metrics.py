"""/metrics on the web interface: the Prometheus exposition, for the metrics token or an admin."""

from __future__ import annotations

from flask import Flask

from tests.web.helpers import client_as

TOKEN = "metrics-token-for-tests-0123456789"


def test_the_metrics_token_opens_the_exposition(flask_app: Flask) -> None:
    response = flask_app.test_client().get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200
    assert response.content_type.startswith("text/plain; version=0.0.4")
    assert response.headers["Cache-Control"] == "no-store"
    text = response.text
    assert "safeduty_database_up 1.0" in text
    assert 'safeduty_target_unhealthy{target="console"} 0.0' in text
    assert "# TYPE safeduty_sends_total counter" in text and "process_start_time_seconds" in text


def test_without_the_right_token_it_is_401_and_shows_nothing(flask_app: Flask) -> None:
    client = flask_app.test_client()
    for headers, query in (({}, ""), ({"Authorization": "Bearer wrong"}, ""),
                           ({"Authorization": "Bearer board-token-for-tests-0123456789"}, ""),
                           ({"Authorization": "Bearer api-token-for-tests-0123456789"}, ""),
                           ({}, f"?token={TOKEN}")):
        response = client.get(f"/metrics{query}", headers=headers)
        assert response.status_code == 401, (headers, query)
        assert response.headers["WWW-Authenticate"] == "Bearer"
        assert "safeduty_" not in response.text


def test_a_signed_in_admin_may_look_and_a_viewer_may_not(flask_app: Flask) -> None:
    assert client_as(flask_app, "admin").get("/metrics").status_code == 200
    response = client_as(flask_app, "viewer").get("/metrics")
    assert response.status_code == 403 and "safeduty_" not in response.text


def test_a_scrape_reads_beside_the_schedulers_write_lock_without_waiting_for_it(flask_app: Flask) -> None:
    import sqlite3

    app = flask_app.extensions["safeduty"]
    writer = sqlite3.connect(app.loaded.database_url.removeprefix("sqlite:///"), isolation_level=None, timeout=5)
    writer.execute("BEGIN IMMEDIATE")  # as the scheduler holds it while it records a round
    try:
        response = flask_app.test_client().get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    assert response.status_code == 200 and "safeduty_database_up 1.0" in response.text
