"""待发消息 (the next 14 days, from the planners, as `simulate` shows them) and 投递 (the outbox:
counts per channel and status, failures with their reasons, paused or unhealthy channels)."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from werkzeug.exceptions import Conflict, NotFound
from werkzeug.wrappers import Response

from scheduler.accounts.roles import WebRole
from scheduler.channels.base import DeliveryError, Rendered
from scheduler.dispatch import Dispatcher
from scheduler.outbox import manual, queries
from scheduler.outbox import targets as target_state
from scheduler.outbox.manual import RETRYABLE_BY_HAND
from scheduler.outbox.models import Status
from scheduler.outbox.planned import short_ref
from scheduler.outbox.targets import Limits
from scheduler.web import params
from scheduler.web.access import allow, current_account
from scheduler.web.db import reads
from scheduler.web.filters import STATUS_LABELS
from scheduler.web.forms import ConfirmForm

log = logging.getLogger("safeduty.web")
bp = Blueprint("outbox", __name__, url_prefix="/outbox")
HORIZON = dt.timedelta(days=14)
SHOWN = 300


def _subjects() -> Dispatcher:
    """A dispatcher that renders subjects only (as `simulate` does), kept for the app's life."""
    from scheduler.cli.simulate import SubjectRenderer

    found = current_app.extensions.get("safeduty.subjects")
    if found is None:
        web = current_app.extensions["safeduty"]
        service = web.config.service
        override = web.loaded.resolve(service.templates) if service.templates else None
        found = Dispatcher(web.sessions, {}, SubjectRenderer(service.zone, override), web.config, web.clock,
                           worker="web")
        current_app.extensions["safeduty.subjects"] = found
    return found  # type: ignore[no-any-return]


@bp.get("/upcoming")
@allow(WebRole.VIEWER)
def upcoming() -> str:
    from scheduler.cli.simulate import render_planned, subject_of

    web = current_app.extensions["safeduty"]
    messages = web.service.upcoming(HORIZON, SHOWN)
    subjects = _subjects()
    titled = [(m, subject_of(subjects, m)) for m in messages]
    wanted = params.text("show", 255)
    shown: tuple[Any, Rendered | None, str] | None = None
    if wanted:
        found = next((m for m in messages if m.key == wanted), None)
        if found is None:
            raise NotFound("未来14天内没有这条消息（可能已发出，或计划已变）。")
        try:
            shown = (found, render_planned(web.dispatcher, found), "")
        except DeliveryError as exc:
            shown = (found, None, exc.reason)
    return render_template("web/outbox/upcoming.html.j2", messages=titled, shown=shown, limit=SHOWN,
                           horizon=HORIZON.days, ref=short_ref)


@bp.get("")
@allow(WebRole.VIEWER)
def delivery() -> str:
    web = current_app.extensions["safeduty"]
    now = web.clock.now()
    channels = web.config.channels
    with reads() as db:
        counts = queries.counts(db)
        failures = queries.recent_failures(db)
        failed_messages = queries.by_ids(db, sorted({a.message_id for a in failures}))
        dead = queries.in_status(db, (Status.DEAD, Status.EXPIRED))
        states = target_state.load(db, channels)
        waiting = queries.waiting_since(db, now)
    targets = []
    for name, spec in sorted(channels.items()):
        state = states.get(name)
        limits = Limits.of(spec)
        targets.append({"name": name, "type": spec.type,
                        "limit": "/".join(p for p in (limits.per_minute and f"{limits.per_minute}/分钟",
                                                      limits.per_second and f"{limits.per_second}/秒") if p) or "不限",
                        "paused_until": state.paused_until if state and state.paused(now) else None,
                        "unhealthy_since": state.unhealthy_since if state else None,
                        "error": (state.pause_reason or state.last_error) if state else ""})
    statuses = [s.value for s in Status]
    return render_template("web/outbox/delivery.html.j2", counts=counts, statuses=statuses, failures=failures,
                           failed_messages=failed_messages, dead=dead, targets=targets, waiting=waiting)


@bp.get("/message/<int:message_id>")
@allow(WebRole.VIEWER)
def message(message_id: int) -> str:
    with reads() as db:
        row = queries.message(db, message_id)
        if row is None:
            raise NotFound("没有这条消息。")
        tries = queries.attempts(db, message_id)
    account = current_account()
    may_retry = bool(account and account.may(WebRole.ADMIN)) and row.status in RETRYABLE_BY_HAND
    return render_template("web/outbox/message.html.j2", m=row, attempts=tries, ref=short_ref(row.key),
                           may_retry=may_retry, form=ConfirmForm(), queued=request.args.get("queued") == "1")


@bp.post("/message/<int:message_id>/retry")
@allow(WebRole.ADMIN)
def retry(message_id: int) -> Response:
    """Send a dead, expired or failed message again (as `safeduty outbox retry KEY`): the request
    only marks it; the dispatcher sends it on its next pass."""
    web = current_app.extensions["safeduty"]
    ConfirmForm().validate_on_submit()
    with web.sessions.begin() as db:
        row = queries.message(db, message_id)
        if row is None:
            raise NotFound("没有这条消息。")
        if row.status not in RETRYABLE_BY_HAND:
            raise Conflict(f"这条消息的状态是「{STATUS_LABELS.get(row.status, row.status)}」，只有失败、过期或重试中的消息可以重发。")
        manual.retry(db, [row.id], now=web.clock.now(), max_age=web.config.delivery.retry.max_age)
    log.info("outbox: %s queued to be sent again by %s (web)", row.key, current_account().code)  # type: ignore[union-attr]
    return redirect(url_for("outbox.message", message_id=message_id, queued=1))
