"""Headers, error pages and bad input: a clear Chinese page with the right status, nothing internal."""

from __future__ import annotations

from flask import Flask

from scheduler.web import create_app
from tests.web.helpers import client_as


def test_every_page_carries_the_security_headers(flask_app: Flask) -> None:
    client = client_as(flask_app, "viewer")
    for path in ("/", "/login", "/healthz", "/no-such-page"):
        headers = client.get(path).headers
        assert "script-src" not in headers["Content-Security-Policy"]  # default-src 'none': no script at all
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "no-referrer"
        assert headers["Cache-Control"] == "no-store"


def test_pages_contain_no_inline_script_or_style(flask_app: Flask) -> None:
    client = client_as(flask_app, "admin")
    for path in ("/", "/login"):
        html = client.get(path).text
        assert "<script" not in html and "style=" not in html and "<style" not in html


def test_an_unknown_page_is_a_chinese_404(flask_app: Flask) -> None:
    response = client_as(flask_app, "viewer").get("/no/such/page")
    assert response.status_code == 404
    assert "页面不存在" in response.text and "Not Found" not in response.text


def test_a_wrong_method_is_a_chinese_405_with_allow(flask_app: Flask) -> None:
    response = flask_app.test_client().delete("/login")
    assert response.status_code == 405
    assert "不支持" in response.text and "GET" in response.headers["Allow"]


def test_an_oversized_body_is_refused_with_413(flask_app: Flask) -> None:
    response = flask_app.test_client().post("/login", data={"code": "x" * 2_000_000, "password": "y"})
    assert response.status_code == 413
    assert "提交的内容超过" in response.text


def test_a_crash_shows_no_traceback_and_no_secret(web_app, caplog) -> None:  # type: ignore[no-untyped-def]
    flask_app = create_app(web_app)
    secret = flask_app.config["SECRET_KEY"]

    def broken() -> str:
        raise RuntimeError(f"database password hunter2 and key {secret}")

    broken.access = type(flask_app.view_functions["board.index"].access)(None)  # type: ignore[attr-defined]
    flask_app.add_url_rule("/broken", "broken", broken)
    response = flask_app.test_client().get("/broken")
    assert response.status_code == 500
    assert "系统内部错误" in response.text
    for leak in ("Traceback", "RuntimeError", "hunter2", secret):
        assert leak not in response.text
    assert "unhandled error in GET /broken" in caplog.text  # the server's log has it


def test_static_files_are_cached_and_pages_are_not(flask_app: Flask) -> None:
    client = flask_app.test_client()
    css = client.get("/static/site.css")
    assert css.status_code == 200 and "max-age=3600" in css.headers["Cache-Control"]
    assert client.get("/static/../config.toml").status_code == 404
