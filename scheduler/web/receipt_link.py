"""The receipt link, ``/r/<token>``: open to anyone holding the link, no account needed.

GET (and HEAD, and any prefetch or scanner) only shows what is asked and a form; nothing is
ever recorded by opening the link (mail security scanners open every link: RFC 8058's lesson).
Only the form's POST records, and it must carry the nonce its GET rendered (the token and the
nonce protect it instead of a session's CSRF token: the person has no session).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import (
    Blueprint,
    Response,
    current_app,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.blueprints import BlueprintSetupState
from flask_wtf import FlaskForm
from wtforms import HiddenField

from scheduler.receipts import tokens
from scheduler.receipts.fields import HAZARD_PROGRESS, INCIDENT_KINDS, report_form
from scheduler.receipts.links import keyring, prepare
from scheduler.receipts.models import Entry
from scheduler.receipts.store import ReceiptError
from scheduler.receipts.taking import Opened, open_link, take
from scheduler.web.access import PUBLIC, allow
from scheduler.web.db import reads

bp = Blueprint("receipt_link", __name__)

PROBLEMS = {
    tokens.Verdict.MALFORMED: (403, "链接无效", "这个链接不完整或已被改动，无法确认。请使用短信、邮件或群消息中的原始链接，"
                                                "或直接联系值班室。"),
    tokens.Verdict.FORGED: (403, "链接无效", "这个链接不完整或已被改动，无法确认。请使用短信、邮件或群消息中的原始链接，"
                                             "或直接联系值班室。"),
    tokens.Verdict.EXPIRED: (410, "链接已过期", "该事项已经结束，回执链接已失效，未作任何记录。如需补报，请直接联系值班室。"),
}


class LinkForm(FlaskForm):  # type: ignore[misc]
    """The answer to a link; the fields shown depend on what is asked (see fields.answer)."""

    class Meta:
        csrf = False  # no session here: the signed token and the form's nonce stand in for it

    nonce = HiddenField()


@bp.record_once
def _setup(state: BlueprintSetupState) -> None:
    prepare(state.app.extensions["safeduty"].loaded)  # the signing key, as the dispatcher has it
    state.app.extensions["csrf"].exempt(answer)


@bp.get("/r/<token>")
@allow(PUBLIC)
def show(token: str) -> Response:
    web = current_app.extensions["safeduty"]
    now = web.clock.now()
    with reads() as db:
        try:
            opened = open_link(db, web.config, token, now)
        except tokens.TokenError as exc:
            return _problem(*PROBLEMS[exc.verdict])
        except ReceiptError as exc:
            return _problem(404, "无需回执", str(exc))
        return _page(opened, token, now)


@bp.post("/r/<token>")
@allow(PUBLIC)
def answer(token: str) -> Response:
    web = current_app.extensions["safeduty"]
    now = web.clock.now()
    with web.sessions.begin() as db:
        try:
            opened = open_link(db, web.config, token, now)
        except tokens.TokenError as exc:
            return _problem(*PROBLEMS[exc.verdict])
        except ReceiptError as exc:
            return _problem(404, "无需回执", str(exc))
        keys = keyring(web.config)
        form = LinkForm()
        if keys is None or not tokens.nonce_ok(keys, token, form.nonce.data or "", now):
            return _problem(400, "表单已过期", "页面打开太久或不是从回执链接打开的，未作任何记录。请重新打开链接后再提交。")
        if opened.refusal:
            return _page(opened, token, now, status=410)
        if opened.answered:
            return redirect(url_for("receipt_link.show", token=token))  # type: ignore[return-value]
        try:
            taken = take(db, web.config, opened, request.form, entry=Entry.LINK, now=now,
                         user_agent=request.headers.get("User-Agent", ""), address=request.remote_addr or "")
        except ReceiptError as exc:
            return _problem(410, "无法回执", str(exc))
        if not taken.checked.ok:
            return _page(opened, token, now, values=request.form, errors=taken.checked.errors, status=400)
    return redirect(url_for("receipt_link.show", token=token, done=1))  # type: ignore[return-value]


def _page(opened: Opened, token: str, now: dt.datetime, *, values: Any = None, errors: dict[str, str] | None = None,
          status: int = 200) -> Response:
    web = current_app.extensions["safeduty"]
    keys = keyring(web.config)
    form = "zero" if opened.ask.mode == "zero" else report_form(opened.ask.kind) if opened.ask.mode == "report" \
        else "confirm"
    body = render_template(
        "web/receipts/link.html.j2", opened=opened, ask=opened.ask, row=opened.row, form=form,
        nonce=tokens.form_nonce(keys, token, now) if keys is not None else "", values=values or {},
        errors=errors or {}, deadline=_deadline(opened, web.config.service.zone), progress=HAZARD_PROGRESS,
        incident_kinds=INCIDENT_KINDS, done=request.args.get("done") == "1", phone=web.config.roster.duty_phone,
        clocks=web.config.receipts.zero_report.clocks)
    response = make_response(body, status)
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _deadline(opened: Opened, zone: Any) -> str:
    deadline = opened.ask.deadline
    if deadline is None:
        return ""
    local = deadline.astimezone(zone)
    if local.time() == dt.time(0):  # the end of a day: "by 11 February"
        day = local.date() - dt.timedelta(days=1)
        return f"{day.year}年{day.month}月{day.day}日前"
    return f"{local.year}年{local.month}月{local.day}日 {local.hour:02d}:{local.minute:02d}前"


def _problem(status: int, title: str, message: str) -> Response:
    web = current_app.extensions["safeduty"]
    response = make_response(render_template("web/receipts/problem.html.j2", status=status, title=title,
                                             message=message, phone=web.config.roster.duty_phone), status)
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response
