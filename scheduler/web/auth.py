"""Signing in and out. Accounts are the imported staff (`safeduty user set-password 工号`)."""

from __future__ import annotations

from flask import Blueprint, current_app, g, redirect, render_template, request, session, url_for
from flask_wtf import FlaskForm
from werkzeug.exceptions import TooManyRequests
from werkzeug.wrappers import Response
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from scheduler.accounts import users
from scheduler.accounts.roles import WebRole
from scheduler.web.access import PUBLIC, allow, current_account
from scheduler.web.forms import ConfirmForm

bp = Blueprint("auth", __name__)


class LoginForm(FlaskForm):  # type: ignore[misc]
    code = StringField("工号", validators=[DataRequired("请输入工号"), Length(max=64)])
    password = PasswordField("密码", validators=[DataRequired("请输入密码"), Length(max=200)])


def _next_path() -> str:
    """Where to go after signing in: only a path on this site (never another host)."""
    wanted = request.args.get("next", "")
    return wanted if wanted.startswith("/") and not wanted.startswith("//") and "\\" not in wanted else "/"


@bp.route("/login", methods=["GET", "POST"])
@allow(PUBLIC)
def login() -> Response | str:
    web = current_app.extensions["safeduty"]
    form = LoginForm()
    error, status = "", 200
    if form.validate_on_submit():
        with web.sessions.begin() as db:
            result = users.sign_in(db, form.code.data or "", form.password.data or "",
                                   request.remote_addr or "", now=web.clock.now(), config=web.config.web)
        if result.outcome is users.Outcome.LIMITED:
            minutes = max(1, round(result.retry_after.total_seconds() / 60))
            raise TooManyRequests(f"登录失败次数过多，请约{minutes}分钟后再试。",
                                  retry_after=int(result.retry_after.total_seconds()))
        if result.outcome is users.Outcome.OK and result.account is not None:
            session.clear()  # a fresh session (and CSRF secret) for the signed-in account
            session.permanent = True
            session.update(uid=result.account.id, v=result.account.version, t=int(web.clock.now().timestamp()))
            return redirect(_next_path())
        error, status = "工号或密码不正确，或账号已停用。", 401
    elif request.method == "POST":
        error, status = "请填写工号和密码。", 400
    expired = g.get("session_expired", False) or request.args.get("expired") == "1"
    return render_template("web/auth/login.html.j2", form=form, error=error, expired=expired), status  # type: ignore[return-value]


@bp.post("/logout")
@allow(WebRole.VIEWER)
def logout() -> Response:
    form = ConfirmForm()
    form.validate_on_submit()  # CSRF is checked for every POST before the view runs
    account = current_account()
    web = current_app.extensions["safeduty"]
    if account is not None:
        with web.sessions.begin() as db:
            users.end_sessions(db, account.id)
    session.clear()
    return redirect(url_for("auth.login"))
