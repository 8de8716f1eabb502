"""Signing in and out: passwords, limits, session cookies, the idle timeout, CSRF."""

from __future__ import annotations

import datetime as dt

from flask import Flask
from sqlalchemy import select

from scheduler.accounts import users
from scheduler.accounts.models import WebUser
from scheduler.app import App
from tests.support.clock import ManualClock
from tests.web.helpers import ACCOUNTS, PASSWORD, client_as, csrf_of, sign_in

ADMIN = ACCOUNTS["admin"][0]


def test_signing_in_with_the_password_set_opens_the_board_with_the_account_name(flask_app: Flask) -> None:
    client = flask_app.test_client()
    response = sign_in(client, ADMIN, follow=True)
    assert response.status_code == 200
    assert "彭亮" in response.text and "今日值班" in response.text


def test_a_wrong_password_and_an_unknown_account_get_the_same_answer(flask_app: Flask) -> None:
    wrong = sign_in(flask_app.test_client(), ADMIN, "not the password")
    unknown = sign_in(flask_app.test_client(), "S999", "not the password")
    assert wrong.status_code == unknown.status_code == 401
    assert "工号或密码不正确" in wrong.text and "工号或密码不正确" in unknown.text
    assert "safeduty_session" not in wrong.headers.get("Set-Cookie", "") or "uid" not in wrong.text


def test_an_account_is_paused_after_too_many_failures_even_with_the_right_password(
        flask_app: Flask, clock: ManualClock) -> None:
    client = flask_app.test_client()
    for _ in range(3):  # login_per_account = 3 in the test config
        assert sign_in(client, ADMIN, "guess").status_code == 401
    refused = sign_in(client, ADMIN)
    assert refused.status_code == 429
    assert "登录失败次数过多" in refused.text and int(refused.headers["Retry-After"]) > 0
    clock.advance(dt.timedelta(minutes=16))  # the window (15m) has passed
    assert sign_in(client, ADMIN).status_code == 302


def test_one_address_trying_many_accounts_is_paused(flask_app: Flask) -> None:
    client = flask_app.test_client()
    for number in range(6):  # login_per_address = 6
        sign_in(client, f"S9{number:02d}", "guess")
    assert sign_in(client, ACCOUNTS["viewer"][0]).status_code == 429
    other = flask_app.test_client()
    other_page = other.get("/login")
    response = other.post("/login", data={"code": ACCOUNTS["viewer"][0], "password": PASSWORD,
                                          "csrf_token": csrf_of(other_page.text)},
                          environ_base={"REMOTE_ADDR": "127.0.0.9"})
    assert response.status_code == 302  # another address is not affected


def test_logout_ends_the_session_so_a_copied_cookie_no_longer_works(flask_app: Flask) -> None:
    client = client_as(flask_app, "viewer")
    cookie = client.get_cookie("safeduty_session")
    assert cookie is not None
    stolen = flask_app.test_client()
    stolen.set_cookie("safeduty_session", cookie.value)
    assert stolen.get("/").status_code == 200
    token = csrf_of(client.get("/").text)
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/").status_code == 302
    response = stolen.get("/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_session_idle_longer_than_the_limit_is_signed_out(flask_app: Flask, clock: ManualClock) -> None:
    client = client_as(flask_app, "viewer")
    clock.advance(dt.timedelta(hours=7, minutes=59))
    assert client.get("/").status_code == 200  # a request renews it
    clock.advance(dt.timedelta(hours=8, minutes=1))
    response = client.get("/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert "登录已超时" in client.get(response.headers["Location"]).text


def test_the_session_cookie_is_signed_httponly_and_samesite(flask_app: Flask) -> None:
    client = flask_app.test_client()
    response = sign_in(client, ADMIN)
    header = response.headers["Set-Cookie"]
    assert "HttpOnly" in header and "SameSite=Lax" in header
    assert "Secure" not in header  # base_url is http:// in the test config


def test_a_forged_session_cookie_is_treated_as_signed_out(flask_app: Flask, web_app: App) -> None:
    with web_app.sessions() as session:
        admin = session.scalar(select(WebUser).where(WebUser.staff_code == ADMIN))
        assert admin is not None
    from itsdangerous import URLSafeTimedSerializer

    forged = URLSafeTimedSerializer("not the secret key", salt="cookie-session").dumps(
        {"uid": admin.id, "v": admin.session_version, "t": 2_000_000_000})
    client = flask_app.test_client()
    client.set_cookie("safeduty_session", forged)
    response = client.get("/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_post_without_its_csrf_token_is_refused_and_changes_nothing(flask_app: Flask, web_app: App) -> None:
    client = client_as(flask_app, "viewer")
    response = client.post("/logout")
    assert response.status_code == 400
    assert "安全令牌" in response.text
    assert client.get("/").status_code == 200  # still signed in


def test_signing_in_without_a_csrf_token_is_refused(flask_app: Flask) -> None:
    response = flask_app.test_client().post("/login", data={"code": ADMIN, "password": PASSWORD})
    assert response.status_code == 400


def test_after_signing_in_the_page_asked_for_opens_but_never_another_site(flask_app: Flask) -> None:
    client = flask_app.test_client()
    page = client.get("/login?next=/healthz")
    response = client.post("/login?next=/healthz", data={"code": ADMIN, "password": PASSWORD,
                                                         "csrf_token": csrf_of(page.text)})
    assert response.headers["Location"] == "/healthz"
    client = flask_app.test_client()
    page = client.get("/login")
    response = client.post("/login?next=//evil.example/x", data={"code": ADMIN, "password": PASSWORD,
                                                                 "csrf_token": csrf_of(page.text)})
    assert response.headers["Location"] == "/"


def test_a_disabled_account_is_signed_out_at_once(flask_app: Flask, web_app: App, clock: ManualClock) -> None:
    client = client_as(flask_app, "viewer")
    with web_app.sessions.begin() as session:
        users.set_disabled(session, ACCOUNTS["viewer"][0], True, now=clock.now())
    assert client.get("/").status_code == 302
    assert sign_in(flask_app.test_client(), ACCOUNTS["viewer"][0]).status_code == 401


def test_a_password_is_stored_only_as_a_salted_scrypt_hash(web_app: App) -> None:
    with web_app.sessions() as session:
        hashes = list(session.scalars(select(WebUser.password_hash)))
    assert hashes and all(h.startswith("scrypt:") and PASSWORD not in h for h in hashes)
    assert len(set(hashes)) == len(hashes)  # same password, different salts
    assert users.HASH_METHOD == "scrypt:32768:8:1"
