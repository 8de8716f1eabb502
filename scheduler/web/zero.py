"""零报告 for the duty office: the day's reports and who is missing, a report taken by phone,
an incident marked as reported upward, the day's XLSX/CSV for reporting upward."""

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
from flask_wtf import FlaskForm
from werkzeug.exceptions import BadRequest, NotFound

from rosters.book import RosterBook
from scheduler.accounts.roles import WebRole
from scheduler.people.directory import Directory
from scheduler.receipts import sheets, zero_reports
from scheduler.receipts.fields import INCIDENT_KINDS
from scheduler.receipts.store import ReceiptError
from scheduler.web import params
from scheduler.web.access import allow, current_account
from scheduler.web.db import reads

bp = Blueprint("zero", __name__, url_prefix="/zero")


class ZeroEntryForm(FlaskForm):  # type: ignore[misc]
    """A 零报告 taken by phone; its fields are checked by receipts.fields.zero_report."""


class UpwardForm(FlaskForm):  # type: ignore[misc]
    """Mark an incident as reported to the upper level."""


def _today() -> dt.date:
    web = current_app.extensions["safeduty"]
    return web.clock.now().astimezone(web.config.service.zone).date()


def _view(db, day: dt.date) -> zero_reports.DayView:  # type: ignore[no-untyped-def]
    web = current_app.extensions["safeduty"]
    book = RosterBook(db, web.config.roster, web.calendar, web.config.service.zone)
    return zero_reports.day_view(web.config, web.calendar, Directory.load(db, web.config), book, db, day)


@bp.get("")
@allow(WebRole.VIEWER)
def day() -> str:
    web = current_app.extensions["safeduty"]
    chosen = params.date("day", _today()) or _today()
    with reads() as db:
        view = _view(db, chosen)
    moments = ("occurred_at", "received_at", "enterprise_due", "upward_due")
    incidents = [{**(c := zero_reports.incident_context(web.config, r)),
                  **{k: dt.datetime.fromisoformat(c[k]) for k in moments},
                  "reported_up_at": r.reported_up_at, "reported_up_by": r.reported_up_by} for r in view.incidents]
    return render_template("web/zero/day.html.j2", view=view, incidents=incidents, form=UpwardForm(),
                           previous=chosen - dt.timedelta(days=1), following=chosen + dt.timedelta(days=1))


@bp.get("/export")
@allow(WebRole.VIEWER)
def export() -> Response:
    web = current_app.extensions["safeduty"]
    chosen = params.date("day", _today()) or _today()
    fmt = params.choice("format", ["xlsx", "csv"]) or "xlsx"
    with reads() as db:
        view = _view(db, chosen)
        rows = zero_reports.day_rows([p for p, _ in view.rows if p is not None],
                                     {r.party: r for _, r in view.rows if r is not None}, web.config)
    if fmt == "csv":
        data, mime = sheets.to_csv(zero_reports.HEADINGS, rows), "text/csv; charset=utf-8"
    else:
        title = f"{web.config.service.bureau}零报告（{chosen.year}年{chosen.month}月{chosen.day}日" \
                f"{('，' + view.reason) if view.reason else ''}）"
        data = sheets.to_xlsx(title, zero_reports.HEADINGS, rows, zero_reports.WIDTHS, "零报告")
        mime = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    response = make_response(data)
    response.headers["Content-Type"] = mime
    response.headers["Content-Disposition"] = f"attachment; filename*=UTF-8''zero-{chosen}.{fmt}"
    return response


@bp.route("/enter", methods=["GET", "POST"])
@allow(WebRole.DUTY)
def enter() -> Response | str:
    web = current_app.extensions["safeduty"]
    chosen = params.date("day", _today()) or _today()
    key = (request.values.get("party") or "").strip()
    form = ZeroEntryForm()
    now = web.clock.now()
    with web.sessions.begin() as db:
        book = RosterBook(db, web.config.roster, web.calendar, web.config.service.zone)
        party = zero_reports.party_of_day(web.config, Directory.load(db, web.config), book, chosen, key)
        if party is None:
            raise NotFound("该日没有这个报送单位。")
        existing = zero_reports.of_day(db, chosen).get(key)
        values, errors, status = (request.form if request.method == "POST" else {}), {}, 200
        if request.method == "POST" and form.validate_on_submit():
            account = current_account()
            checked, report = zero_reports.enter_by_hand(db, web.config, party, chosen, request.form,
                                                         entered_by=account.name if account else "", now=now)
            if report is not None:
                return redirect(url_for("zero.day", day=chosen.isoformat()))  # type: ignore[return-value]
            errors, status = checked.errors, 400
        body = render_template("web/zero/enter.html.j2", party=party, day=chosen, existing=existing, form=form,
                               values=values, errors=errors, incident_kinds=INCIDENT_KINDS)
    return (body, status) if status != 200 else body  # type: ignore[return-value]


@bp.post("/incident/<int:report_id>/upward")
@allow(WebRole.DUTY)
def upward(report_id: int) -> Response:
    web = current_app.extensions["safeduty"]
    UpwardForm().validate_on_submit()
    account = current_account()
    with web.sessions.begin() as db:
        try:
            report = zero_reports.mark_reported_up(db, report_id, account.name if account else "", web.clock.now())
        except ReceiptError as exc:
            raise NotFound(str(exc)) from None
        day_of = report.day
    if not isinstance(day_of, dt.date):
        raise BadRequest("报告日期无效。")
    return redirect(url_for("zero.day", day=day_of.isoformat()))  # type: ignore[return-value]
