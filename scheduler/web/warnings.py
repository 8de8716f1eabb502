"""预警: warnings taken in (in force first, then the rest) and one version with its thread and
the original document as it arrived."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template
from werkzeug.exceptions import NotFound

from scheduler.accounts.roles import WebRole
from scheduler.warnings import store
from scheduler.web.access import allow
from scheduler.web.db import reads

bp = Blueprint("warnings", __name__, url_prefix="/warnings")
STATUS_LABELS = {"Actual": "", "Exercise": "演练", "Test": "测试（不发送）"}
TYPE_LABELS = {"Alert": "发布", "Update": "更新", "Cancel": "解除"}


@bp.get("")
@allow(WebRole.VIEWER)
def index() -> str:
    web = current_app.extensions["safeduty"]
    now = web.clock.now()
    with reads() as db:
        in_force = store.in_force(db, now)
        live = {w.thread for w in in_force}
        others = [store.to_warning(r) for r in store.recent(db, 100) if r.thread not in live]
    return render_template("web/warnings/index.html.j2", in_force=in_force, others=others,
                           zone=web.config.service.zone, statuses=STATUS_LABELS, types=TYPE_LABELS)


@bp.get("/<int:warning_id>")
@allow(WebRole.VIEWER)
def show(warning_id: int) -> str:
    web = current_app.extensions["safeduty"]
    with reads() as db:
        row = store.get(db, warning_id)
        if row is None:
            raise NotFound(f"没有编号为 {warning_id} 的预警。")
        warning = store.to_warning(row)
        versions = store.thread(db, warning.thread)
        original = row.original
    return render_template("web/warnings/show.html.j2", w=warning, versions=versions, original=original,
                           zone=web.config.service.zone, statuses=STATUS_LABELS, types=TYPE_LABELS)
