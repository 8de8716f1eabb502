"""预警: warnings taken in (in force first, then the rest) and one version with its thread and
the original document as it arrived."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from werkzeug.exceptions import NotFound
from werkzeug.wrappers import Response

from scheduler.accounts.roles import WebRole
from scheduler.warnings import cap, intake, store
from scheduler.warnings.model import LEVELS
from scheduler.web.access import allow, current_account
from scheduler.web.db import reads


class AddForm(FlaskForm):  # type: ignore[misc]
    """录入预警: the fields are read from request.form (CSRF checked by CSRFProtect)."""


FIELDS = ("event", "level", "area", "area_desc", "onset", "expires", "text", "instruction", "sender_name")

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
                           zone=web.config.service.zone, statuses=STATUS_LABELS, types=TYPE_LABELS,
                           supervisor=WebRole.SUPERVISOR)


@bp.get("/<int:warning_id>")
@allow(WebRole.VIEWER)
def show(warning_id: int) -> str:
    web = current_app.extensions["safeduty"]
    with reads() as db:
        found = store.detail(db, warning_id)
    if found is None:
        raise NotFound(f"没有编号为 {warning_id} 的预警。")
    warning, versions, original = found
    return render_template("web/warnings/show.html.j2", w=warning, versions=versions, original=original,
                           zone=web.config.service.zone, statuses=STATUS_LABELS, types=TYPE_LABELS)


def _add_page(values: object = None, errors: dict[str, str] | None = None, status: int = 200) -> tuple[str, int]:
    web = current_app.extensions["safeduty"]
    return render_template("web/warnings/add.html.j2", form=AddForm(), values=values or {}, errors=errors or {},
                           events=list(cap.EVENTS), levels=LEVELS, bureau_name=web.config.service.bureau), status


@bp.get("/add")
@allow(WebRole.SUPERVISOR)
def add_form() -> tuple[str, int]:
    return _add_page()


@bp.post("/add")
@allow(WebRole.SUPERVISOR)
def add() -> Response | tuple[str, int]:
    from scheduler.cli.warning import hand_alert

    web = current_app.extensions["safeduty"]
    account = current_account()
    assert account is not None
    zone = web.config.service.zone
    form = {k: (request.form.get(k) or "").strip() for k in FIELDS}
    errors: dict[str, str] = {}
    times: dict[str, dt.datetime] = {}
    for key in ("onset", "expires"):
        try:
            times[key] = dt.datetime.fromisoformat(form[key]).replace(tzinfo=zone)
        except ValueError:
            errors[key] = "请填写日期和时间"
    if not errors:
        try:
            alert = hand_alert(web.config, event=form["event"], level=form["level"], area=form["area"],
                               area_desc=form["area_desc"], onset=times["onset"], expires=times["expires"],
                               text=form["text"], instruction=form["instruction"], sender_name=form["sender_name"],
                               exercise=request.form.get("exercise") == "on", actor=account.code,
                               now=web.clock.now())
        except ValueError as exc:
            key = str(exc).split(":", 1)[0].lstrip("-").replace("-", "_")
            errors[key if key in FIELDS else "text"] = str(exc).split(":", 1)[-1].strip()
    if errors:
        return _add_page(request.form, errors, 400)
    with web.sessions() as db:
        try:
            [w] = intake.take_alert(db, alert, file="web", source=f"hand:{account.code}", config=web.config.warnings,
                                    now=web.clock.now())
        except cap.CapError as exc:
            return _add_page(request.form, {"text": str(exc)}, 400)
        db.commit()
        intake.after_taken(web, db, [w])
        db.commit()
    return redirect(url_for("warnings.show", warning_id=w.id))  # type: ignore[return-value]
