"""/healthz (the process answers) and /readyz (the service can do its work), for probes."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify
from werkzeug.wrappers import Response

from scheduler import health
from scheduler.web.access import PUBLIC, allow
from scheduler.web.db import KEY

bp = Blueprint("health", __name__)


@bp.get("/healthz")
@allow(PUBLIC)
def healthz() -> Response:
    return jsonify(status="ok")


@bp.get("/readyz")
@allow(PUBLIC)
def readyz() -> Response:
    web = current_app.extensions["safeduty"]
    result = health.readiness(current_app.extensions[KEY], web.clock.now(), tick_age=web.config.web.ready_tick_age,
                              due_age=web.config.web.ready_due_age)
    response = jsonify(status="ready" if result.ready else "not ready", reasons=result.reasons,
                       **result.figures)
    response.status_code = 200 if result.ready else 503
    return response
