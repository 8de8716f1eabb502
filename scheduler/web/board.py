"""今日值班: the home page, for phones and the wall screen (board token; refreshes itself)."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request
from sqlalchemy import select

from scheduler.accounts.roles import WebRole
from scheduler.receipts.models import Handover
from scheduler.web import cache, fragments, overview
from scheduler.web.access import allow
from scheduler.web.db import reads

bp = Blueprint("board", __name__)

REFRESH_S = 300  # the wall screen reloads itself (no JavaScript): a handover shows within 5 minutes
# The last handover written (receipts.handovers.last) as a plain row: it has no version counter,
# so it is read on every request and its columns are part of the key; the fragment reads them
# by name. (A row costs a third of an object.)
LAST_HANDOVER = select(Handover.__table__).order_by(Handover.day.desc()).limit(1)


@bp.get("/")
@allow(WebRole.VIEWER, tokens=("board",))
def index() -> str:
    web = current_app.extensions["safeduty"]
    now = web.clock.now()
    local = now.astimezone(web.config.service.zone)
    wall = request.args.get("wall") == "1"
    with reads() as db:
        version = cache.versions(db)
        last = db.execute(LAST_HANDOVER).first()
        # The stamp shows the minute: the part is rebuilt once a minute at most, or when a seat,
        # a person, a hazard or the last handover changes.
        key = (local.strftime("%Y-%m-%d %H:%M"), version["roster"], version["hazards"], tuple(last) if last else None)
        main = fragments.main("web/board/_main.html.j2", key, lambda: {
            "board": overview.board(web, db, now), "refresh": REFRESH_S,
            "last_handover": lambda: last})  # (not the template global: it would read again)
    return render_template("web/board/index.html.j2", main=main, refresh=REFRESH_S, wall=wall)
