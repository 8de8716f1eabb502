"""/metrics: the Prometheus exposition (scheduler/metrics.py), for the [web] metrics token
(``Authorization: Bearer …``) or a signed-in admin. Every replica serves its own; a reverse
proxy's public address does not (deploy/nginx-safeduty.conf)."""

from __future__ import annotations

from flask import Blueprint, Response, current_app
from flask.blueprints import BlueprintSetupState

from scheduler import metrics
from scheduler.accounts.roles import WebRole
from scheduler.web import db
from scheduler.web.access import allow

bp = Blueprint("metrics", __name__)
REGISTRY = "safeduty.metrics"


@bp.record_once
def _registry(state: BlueprintSetupState) -> None:
    # The pages' read-only sessions: a scrape never takes SQLite's write lock from the scheduler.
    app = state.app.extensions["safeduty"]
    state.app.extensions[REGISTRY] = metrics.registry(state.app.extensions[db.KEY], app.config, app.clock)


@bp.get("/metrics")
@allow(WebRole.ADMIN, tokens=("metrics",))
def exposition() -> Response:
    body = metrics.exposition(current_app.extensions[REGISTRY])
    return Response(body, content_type=metrics.CONTENT_TYPE, headers={"Cache-Control": "no-store"})
