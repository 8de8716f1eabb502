"""回执 for bureau staff: the receipt rate per notice, a party's history, a receipt taken by phone,
a supervisor's review of a hazard progress report."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from werkzeug.exceptions import NotFound

from scheduler.accounts.roles import WebRole
from scheduler.people.directory import Directory
from scheduler.receipts import hazard_reports, stats
from scheduler.receipts.fields import HAZARD_PROGRESS, INCIDENT_KINDS, report_form
from scheduler.receipts.models import Entry, Receipt
from scheduler.receipts.store import ReceiptError
from scheduler.receipts.taking import open_key, take
from scheduler.web import handover, receipt_link, zero
from scheduler.web.access import allow, current_account
from scheduler.web.db import reads

bp = Blueprint("receipts", __name__, url_prefix="/receipts")


@bp.app_context_processor
def _roles() -> dict[str, WebRole]:
    return {"supervisor_role": WebRole.SUPERVISOR, "duty_role": WebRole.DUTY}


class EntryForm(FlaskForm):  # type: ignore[misc]
    """A receipt taken by phone or in person; the answer's fields are checked by receipts.fields."""


class ReviewForm(FlaskForm):  # type: ignore[misc]
    """A supervisor's verdict on a hazard progress report (accept / reject, with a note)."""


@bp.get("")
@allow(WebRole.VIEWER)
def index() -> str:
    web = current_app.extensions["safeduty"]
    with reads() as db:
        notices = stats.per_notice(db, web.config)
    return render_template("web/receipts/index.html.j2", notices=notices)


@bp.get("/notice")
@allow(WebRole.VIEWER)
def notice() -> str:
    web = current_app.extensions["safeduty"]
    topic, kind = request.args.get("topic", ""), request.args.get("kind", "")
    with reads() as db:
        found = stats.notice(db, web.config, topic, kind)
        if found is None:
            raise NotFound("没有这个通知的回执记录。")
        directory = Directory.load(db, web.config)
        names = {party: stats.party_label(directory, party) for party in found.tasks.values()}
    rows = sorted(found.tasks.items(), key=lambda item: (item[0] in found.answered, names[item[1]]))
    return render_template("web/receipts/notice.html.j2", notice=found, rows=rows, names=names)


@bp.get("/party/<path:party>")
@allow(WebRole.VIEWER)
def party(party: str) -> str:
    web = current_app.extensions["safeduty"]
    if not party.startswith(("enterprise:", "staff:", "group:")):
        raise NotFound("没有这个单位或人员。")
    with reads() as db:
        history = stats.history(db, web.config, party)
        name = stats.party_label(Directory.load(db, web.config), party)
    return render_template("web/receipts/party.html.j2", party=party, name=name, history=history)


@bp.get("/<int:receipt_id>")
@allow(WebRole.VIEWER)
def show(receipt_id: int) -> Response | str:
    return _receipt_page(receipt_id)


@bp.post("/<int:receipt_id>/review")
@allow(WebRole.SUPERVISOR)
def review(receipt_id: int) -> Response | str:
    web = current_app.extensions["safeduty"]
    ReviewForm().validate_on_submit()
    verdict = request.form.get("verdict", "")
    note = (request.form.get("note") or "").strip()
    if verdict not in ("accept", "reject") or len(note) > 1000 or (verdict == "reject" and not note):
        error = "请选择通过或退回" if verdict not in ("accept", "reject") else \
            "退回时请写明原因" if not note else "说明不超过1000个字"
        return _receipt_page(receipt_id, error=error, status=400)
    account = current_account()
    outcome = problem = ""
    with web.sessions.begin() as db:
        try:
            outcome = hazard_reports.review(db, receipt_id, verdict == "accept", by=account.name if account else "",
                                            note=note, now=web.clock.now())
        except ReceiptError as exc:
            problem = str(exc)
    # The page is read after the transaction (SQLite has one writer).
    if problem:
        return _receipt_page(receipt_id, error=problem, status=409)
    return _receipt_page(receipt_id, outcome=outcome)


def _receipt_page(receipt_id: int, *, error: str = "", outcome: str = "", status: int = 200) -> Response | str:
    web = current_app.extensions["safeduty"]
    with reads() as db:
        directory = Directory.load(db, web.config)
        receipt = db.get(Receipt, receipt_id)
        if receipt is None:
            raise NotFound("没有这条回执。")
        name = stats.party_label(directory, receipt.party)
    body = render_template("web/receipts/show.html.j2", receipt=receipt, name=name, progress=HAZARD_PROGRESS,
                           form=ReviewForm(), error=error, outcome=outcome,
                           reviewable=receipt.mode == "report" and receipt.kind.startswith("hazard/"))
    return (body, status) if status != 200 else body  # type: ignore[return-value]


@bp.route("/enter", methods=["GET", "POST"])
@allow(WebRole.SUPERVISOR)
def enter() -> Response | str:
    """A receipt taken by phone or in person, for the message ``key`` (marked as entered by hand)."""
    web = current_app.extensions["safeduty"]
    key = (request.values.get("key") or "").strip()
    now = web.clock.now()
    form = EntryForm()
    account = current_account()
    with web.sessions.begin() as db:
        try:
            opened = open_key(db, web.config, key, now)
        except ReceiptError as exc:
            chinese = any("\u4e00" <= c <= "\u9fff" for c in str(exc))
            raise NotFound(str(exc) if chinese else "没有这条消息。") from None
        if opened.ask.mode == "zero":
            return redirect(url_for("zero.enter", day=opened.ask.day, party=opened.ask.party))  # type: ignore[return-value]
        kind = report_form(opened.ask.kind) if opened.ask.mode == "report" else "confirm"
        values, errors, status = request.form if request.method == "POST" else {}, {}, 200
        if request.method == "POST" and form.validate_on_submit() and not opened.refusal and not opened.answered:
            taken = take(db, web.config, opened, request.form, entry=Entry.HAND, now=now,
                         entered_by=account.name if account else "")
            if taken.checked.ok:
                return redirect(url_for("receipts.notice", topic=opened.ask.topic, kind=opened.ask.kind,
                                        entered=opened.ask.party))  # type: ignore[return-value]
            errors, status = taken.checked.errors, 400
        body = render_template("web/receipts/enter.html.j2", opened=opened, key=key, kind=kind, values=values,
                               errors=errors, form=form, progress=HAZARD_PROGRESS, incident_kinds=INCIDENT_KINDS)
    return (body, status) if status != 200 else body  # type: ignore[return-value]


BLUEPRINTS = [receipt_link.bp, bp, zero.bp, handover.bp]
