"""交接班 on the web: the outgoing officer writes the handover, the incoming officer confirms it;
the month's log, and a fragment the board shows (the last handover)."""

from __future__ import annotations

import datetime as dt

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
from werkzeug.exceptions import BadRequest, Forbidden

from rosters.book import RosterBook
from scheduler.accounts.roles import WebRole
from scheduler.receipts import fields, handovers, sheets
from scheduler.receipts.models import Handover
from scheduler.receipts.store import ReceiptError
from scheduler.web import params
from scheduler.web.access import allow, current_account
from scheduler.web.db import reads

bp = Blueprint("handover", __name__, url_prefix="/handover")


class WriteForm(FlaskForm):  # type: ignore[misc]
    """The outgoing officer's handover (events, calls, pending matters, a note: receipts.fields.handover)."""


class TakeOverForm(FlaskForm):  # type: ignore[misc]
    """The incoming officer confirms taking over."""


@bp.record_once
def _setup(state: BlueprintSetupState) -> None:
    def last_handover() -> Handover | None:
        """The last handover written, for the board's fragment (web/handover/_last.html.j2)."""
        with reads() as db:
            record = handovers.last(db)
            if record is not None:
                db.expunge(record)
            return record

    state.app.jinja_env.globals["last_handover"] = last_handover


def _book(db) -> RosterBook:  # type: ignore[no-untyped-def]
    web = current_app.extensions["safeduty"]
    return RosterBook(db, web.config.roster, web.calendar, web.config.service.zone)


def _page(day: dt.date | None = None, *, values: object = None, errors: dict[str, str] | None = None,
          problem: str = "", status: int = 200) -> Response | str:
    web = current_app.extensions["safeduty"]
    with reads() as db:
        turn = handovers.turn(db, _book(db), web.clock.now(), day)
        recent = handovers.recent(db)
    account = current_account()
    code = account.code if account else ""
    admin = bool(account and account.may(WebRole.ADMIN))
    body = render_template(
        "web/handover/index.html.j2", turn=turn, recent=recent, values=values or _values(turn.record),
        errors=errors or {}, problem=problem, write_form=WriteForm(), confirm_form=TakeOverForm(),
        may_write=bool(account and account.may(WebRole.DUTY)) and (turn.may_write(code) or admin),
        may_confirm=bool(account and account.may(WebRole.DUTY)) and (turn.may_confirm(code) or admin))
    return (body, status) if status != 200 else body  # type: ignore[return-value]


def _values(record: Handover | None) -> dict[str, str]:
    if record is None:
        return {}
    return {"events": record.events, "calls": record.calls, "pending": record.pending, "note": record.note}


@bp.get("")
@allow(WebRole.VIEWER)
def index() -> Response | str:
    return _page(params.date("day"))


def _day_field() -> dt.date:
    try:
        return dt.date.fromisoformat(request.form.get("day", ""))
    except ValueError:
        raise BadRequest("交接班日期无效。") from None


@bp.post("/write")
@allow(WebRole.DUTY)
def write() -> Response | str:
    web = current_app.extensions["safeduty"]
    WriteForm().validate_on_submit()
    day = _day_field()
    account = current_account()
    assert account is not None
    checked = fields.handover(request.form)
    problem = ""
    with web.sessions.begin() as db:
        turn = handovers.turn(db, _book(db), web.clock.now(), day)
        if not (turn.may_write(account.code) or account.may(WebRole.ADMIN)):
            raise Forbidden("只有交班的值班人员可以填写交接班记录。")
        if checked.ok:
            text = handovers.Written(checked.values["events"], checked.values["calls"], checked.values["pending"],
                                     checked.values["note"])
            try:
                handovers.write(db, day, account.code, account.name, text, web.clock.now())
            except ReceiptError as exc:
                problem = str(exc)
    # Pages are rendered after the transaction: SQLite has one writer, and the page reads.
    if not checked.ok:
        return _page(day, values=request.form, errors=checked.errors, status=400)
    if problem:
        return _page(day, values=request.form, problem=problem, status=409)
    return redirect(url_for("handover.index", day=day.isoformat()))  # type: ignore[return-value]


@bp.post("/confirm")
@allow(WebRole.DUTY)
def confirm() -> Response | str:
    web = current_app.extensions["safeduty"]
    TakeOverForm().validate_on_submit()
    day = _day_field()
    account = current_account()
    assert account is not None
    note = (request.form.get("confirm_note") or "").strip()
    problem = ""
    with web.sessions.begin() as db:
        turn = handovers.turn(db, _book(db), web.clock.now(), day)
        if not (turn.may_confirm(account.code) or account.may(WebRole.ADMIN)):
            raise Forbidden("只有接班的值班人员可以确认接班。")
        if len(note) <= fields.NOTE_MAX:
            try:
                handovers.confirm(db, day, account.code, account.name, note, web.clock.now())
            except ReceiptError as exc:
                problem = str(exc)
    if len(note) > fields.NOTE_MAX:
        return _page(day, errors={"confirm_note": f"备注不超过{fields.NOTE_MAX}个字"}, status=400)
    if problem:
        return _page(day, problem=problem, status=409)
    return redirect(url_for("handover.index", day=day.isoformat()))  # type: ignore[return-value]


@bp.get("/log")
@allow(WebRole.VIEWER)
def log() -> str:
    web = current_app.extensions["safeduty"]
    today = web.clock.now().astimezone(web.config.service.zone).date()
    month = params.month("month", today)
    with reads() as db:
        records = handovers.month(db, month.year, month.month)
    return render_template("web/handover/log.html.j2", month=month, records=records)


@bp.get("/export")
@allow(WebRole.VIEWER)
def export() -> Response:
    web = current_app.extensions["safeduty"]
    today = web.clock.now().astimezone(web.config.service.zone).date()
    month = params.month("month", today)
    fmt = params.choice("format", ["xlsx", "csv"]) or "xlsx"
    with reads() as db:
        table = handovers.rows(handovers.month(db, month.year, month.month), web.config.service.zone)
    if fmt == "csv":
        data, mime = sheets.to_csv(handovers.HEADINGS, table), "text/csv; charset=utf-8"
    else:
        title = f"{web.config.service.bureau}交接班记录（{month.year}年{month.month}月）"
        data = sheets.to_xlsx(title, handovers.HEADINGS, table, handovers.WIDTHS, "交接班")
        mime = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    response = make_response(data)
    response.headers["Content-Type"] = mime
    response.headers["Content-Disposition"] = f"attachment; filename*=UTF-8''handover-{month:%Y-%m}.{fmt}"
    return response
