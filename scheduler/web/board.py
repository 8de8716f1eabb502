"""今日值班: the home page, for phones and the wall screen (board token; refreshes itself)."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request

from scheduler.accounts.roles import WebRole
from scheduler.web import cache, overview
from scheduler.web.access import allow
from scheduler.web.db import reads

bp = Blueprint("board", __name__)

REFRESH_S = 300  # the wall screen reloads itself (no JavaScript): a handover shows within 5 minutes


@bp.get("/")
@allow(WebRole.VIEWER, tokens=("board",))
def index() -> str:
    web = current_app.extensions["safeduty"]
    with reads() as db:
        board = overview.board(web, db, web.clock.now(), current_app.extensions[cache.KEY])
    return render_template("web/board/index.html.j2", board=board, refresh=REFRESH_S,
                           wall=request.args.get("wall") == "1")
