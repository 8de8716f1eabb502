"""A small read-only JSON API for the bureau's other systems (``Authorization: Bearer`` with
[web] api_token, or a signed-in session). Examples in docs/web.md."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, Response, current_app, jsonify
from werkzeug.exceptions import BadRequest

from scheduler.accounts.roles import WebRole
from scheduler.hazards import browse, export, queries
from scheduler.web import overview, params
from scheduler.web.access import allow
from scheduler.web.db import reads

bp = Blueprint("api", __name__, url_prefix="/api/v1")
MAX_DAYS = 366


def _day_json(day: overview.DayView) -> dict[str, object]:
    return {**day.row.as_dict(), "published": day.published}


@bp.get("/today")
@allow(WebRole.VIEWER, tokens=("api",))
def today() -> Response:
    """The duty day in force now, the next one, and the overdue major hazards count."""
    web = current_app.extensions["safeduty"]
    with reads() as db:
        board = overview.board(web, db, web.clock.now())
    return jsonify(duty=_day_json(board.today), next=_day_json(board.following),
                   periods=[{"name": p.name, "start": p.start.isoformat(), "end": p.end.isoformat(), "kind": p.kind}
                            for p in board.periods],
                   overdue_major_hazards=board.overdue_major, duty_phone=board.phone)


@bp.get("/roster")
@allow(WebRole.VIEWER, tokens=("api",))
def roster() -> Response:
    """?from=2026-03-01&to=2026-03-31 (default: the next 7 days), at most 366 days."""
    web = current_app.extensions["safeduty"]
    start = params.date("from") or overview.duty_date(web.clock.now(), web.config.roster.handover,
                                                      web.config.service.zone)
    end = params.date("to") or start + dt.timedelta(days=6)
    if end < start:
        raise BadRequest("参数「to」早于「from」。")
    if (end - start).days >= MAX_DAYS:
        raise BadRequest(f"一次最多查询{MAX_DAYS}天。")
    with reads() as db:
        days = overview.days(overview.book(web, db), start, end)
    return jsonify(start=start.isoformat(), end=end.isoformat(), days=[_day_json(d) for d in days])


@bp.get("/hazards/overdue")
@allow(WebRole.VIEWER, tokens=("api",))
def overdue_hazards() -> Response:
    """Open hazards past their deadline today, with days overdue and the escalation step reached."""
    web = current_app.extensions["safeduty"]
    zone = web.config.service.zone
    today = web.clock.now().astimezone(zone).date()
    with reads() as db:
        found = []
        for hazard in queries.overdue(db, today):
            late = browse.lateness(hazard, today, web.calendar, web.config.hazards)
            item = export.as_json(hazard, zone)
            item.update(days_overdue=late.days if late else None, working_days_overdue=late.working_days if late else None,
                        step=({"index": late.step.index, "label": late.step.label} if late and late.step else None))
            found.append(item)
    return jsonify(day=today.isoformat(), count=len(found), hazards=found)
