"""隐患: the register (overdue major hazards first, filters) and one hazard's page."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request, url_for
from werkzeug.exceptions import NotFound

from scheduler.accounts.roles import WebRole
from scheduler.hazards import browse, export, queries
from scheduler.hazards.completeness import FIVE_ITEMS, missing_items
from scheduler.hazards.vocab import HazardLevel, HazardStatus
from scheduler.outbox import queries as outbox_queries
from scheduler.web import cache, fragments, params
from scheduler.web.access import allow
from scheduler.web.db import reads

bp = Blueprint("hazards", __name__, url_prefix="/hazards")
LEVELS = {level.value: level.label for level in HazardLevel}
STATUSES = {status.value: status.label for status in HazardStatus}


@bp.get("")
@allow(WebRole.VIEWER)
def index() -> str:
    web = current_app.extensions["safeduty"]
    zone = web.config.service.zone
    today = web.clock.now().astimezone(zone).date()
    level = params.choice("level", LEVELS)
    wanted = browse.Browse(
        today=today, level=HazardLevel(level) if level else None, status=params.choice("status", STATUSES),
        enterprise=params.text("enterprise"), region=params.text("region"),
        supervisor=params.text("supervisor", 64), overdue=params.flag("overdue"), page=params.page())
    query = {k: v for k, v in request.args.items() if k != "page"}
    with reads() as db:
        # Built once per (filters, day, hazards version): any write to hazards, enterprises or
        # staff bumps the version, so the next request reads afresh.
        key = (wanted, tuple(sorted(query.items())), cache.versions(db)["hazards"])
        main = fragments.main("web/hazards/_index.html.j2", key, lambda: _register(db, wanted, today, query))
    return render_template("web/hazards/index.html.j2", main=main)


def _register(db, wanted: browse.Browse, today, query: dict[str, str]) -> dict[str, object]:  # type: ignore[no-untyped-def]
    """The page's rows, the match count and the filters' choices."""
    web = current_app.extensions["safeduty"]
    hazards, total = browse.browse(db, wanted)
    rows = [(h, browse.lateness(h, today, web.calendar, web.config.hazards),
             missing_items(h) if h.level == HazardLevel.MAJOR.value else []) for h in hazards]
    return {"rows": rows, "total": total, "browse": wanted, "levels": LEVELS, "statuses": STATUSES,
            "regions": browse.regions(db), "supervisors": browse.supervisors(db),
            "pages": max(1, -(-total // browse.PAGE_SIZE)), "five": FIVE_ITEMS,
            "page_link": lambda n: url_for("hazards.index", **{**query, "page": n})}


@bp.get("/<code>")
@allow(WebRole.VIEWER)
def show(code: str) -> str:
    web = current_app.extensions["safeduty"]
    zone = web.config.service.zone
    today = web.clock.now().astimezone(zone).date()
    with reads() as db:
        hazard = queries.by_code(db, code)
        if hazard is None:
            raise NotFound(f"没有编号为「{code}」的隐患。")
        fields = export.row(hazard, zone)
        history = export.history(hazard, zone)
        late = browse.lateness(hazard, today, web.calendar, web.config.hazards)
        missing = missing_items(hazard) if hazard.level == HazardLevel.MAJOR.value else []
        messages = outbox_queries.about(db, hazard.topic)
        enterprise = hazard.enterprise
    return render_template("web/hazards/show.html.j2", hazard=hazard, fields=fields, history=history, late=late,
                           missing=missing, messages=messages, enterprise=enterprise,
                           headers=export.HISTORY_HEADERS)
