"""今日值班: the home page, for phones and the wall screen (board token; refreshes itself)."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request

from scheduler.accounts.roles import WebRole
from scheduler.receipts import handovers
from scheduler.web import cache, fragments, overview
from scheduler.web.access import allow
from scheduler.web.db import reads

bp = Blueprint("board", __name__)

REFRESH_S = 300  # the wall screen reloads itself (no JavaScript): a handover shows within 5 minutes


@bp.get("/")
@allow(WebRole.VIEWER, tokens=("board",))
def index() -> str:
    web = current_app.extensions["safeduty"]
    now = web.clock.now()
    local = now.astimezone(web.config.service.zone)
    wall = request.args.get("wall") == "1"
    with reads() as db:
        version = cache.versions(db)
        last = handovers.last(db)  # (no version counter of its own: read each time, a part of the key)
        shown = tuple(getattr(last, c.key) for c in last.__table__.columns) if last else None
        # The stamp shows the minute: the part is rebuilt once a minute at most, or when a seat,
        # a person, a hazard or the last handover changes.
        key = (local.strftime("%Y-%m-%d %H:%M"), version["roster"], version["hazards"], shown)
        main = fragments.main("web/board/_main.html.j2", key, lambda: {
            "board": overview.board(web, db, now), "refresh": REFRESH_S,
            "last_handover": lambda: last})  # (the template global of scheduler/web/handover.py reads it again)
    return render_template("web/board/index.html.j2", main=main, refresh=REFRESH_S, wall=wall)
