"""The web interface: a Flask application built around an already-wired ``scheduler.app.App``.

    from scheduler.web import create_app
    flask_app = create_app(app)     # then serve it (``scheduler.web.serving``) or test_client()

One blueprint per area (board, roster, hazards, outbox, calendar, people, feeds, api, auth,
health); each view is a short function over the domain code, declares who may open it
(``access.allow``) and renders one template from ``templates/web/<area>/``. No view sends a
message: a request writes a record, the planners and the dispatcher do the rest.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from scheduler import keys
from scheduler.rendering import BUILTIN_TEMPLATES

if TYPE_CHECKING:
    from flask import Flask

    from scheduler.app import App


def create_app(app: App) -> Flask:
    # Flask and the views are imported here, not with the package: `safeduty check` imports
    # scheduler.web.checks and would otherwise pay 0.3 s for Flask, Werkzeug and the App.
    from flask import Flask
    from flask_wtf import CSRFProtect
    from jinja2 import StrictUndefined
    from werkzeug.middleware.proxy_fix import ProxyFix

    from scheduler.web import access, cache, db, errors, filters, security

    class _Flask(Flask):
        def select_jinja_autoescape(self, filename: str | None) -> bool:
            return True  # every web template is HTML; ".html.j2" is not among Flask's own extensions

    config = app.config
    web = config.web
    flask_app = _Flask("scheduler.web", template_folder=str(BUILTIN_TEMPLATES), static_folder=None)
    flask_app.config.update(
        SECRET_KEY=keys.secret(app.loaded, "web.secret_key", web.secret_key),
        SESSION_COOKIE_NAME="safeduty_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",  # Lax: a link from a chat message still arrives signed in
        SESSION_COOKIE_SECURE=web.secure_cookies,
        PERMANENT_SESSION_LIFETIME=web.session_idle,
        MAX_CONTENT_LENGTH=web.max_body,
        MAX_FORM_MEMORY_SIZE=web.max_body,
        WTF_CSRF_TIME_LIMIT=None,  # a form lives as long as its session (session_idle)
        WTF_CSRF_SSL_STRICT=web.secure_cookies,
        TEMPLATES_AUTO_RELOAD=False,
        JSON_AS_ASCII=False,
    )
    flask_app.json.ensure_ascii = False  # type: ignore[attr-defined]
    flask_app.jinja_env.undefined = StrictUndefined
    flask_app.jinja_env.trim_blocks = True
    flask_app.jinja_env.lstrip_blocks = True
    flask_app.extensions["safeduty"] = app
    flask_app.extensions[db.KEY] = db.read_sessions(app)
    flask_app.extensions[cache.KEY] = cache.Cache()
    CSRFProtect(flask_app)
    filters.register(flask_app, config.service.zone)
    flask_app.before_request(access.load_account)
    flask_app.before_request(access.enforce)
    security.register(flask_app)
    errors.register(flask_app)
    for blueprint in _blueprints():
        flask_app.register_blueprint(blueprint)
    if web.proxy_hops:
        flask_app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            flask_app.wsgi_app, x_for=web.proxy_hops, x_proto=web.proxy_hops, x_host=web.proxy_hops)
    return flask_app


def _blueprints() -> list[Any]:
    from scheduler.web import (
        admin,
        api,
        auth,
        board,
        calendar,
        feeds,
        hazards,
        health,
        metrics,
        outbox,
        people,
        roster,
        static,
        warnings,
    )
    from scheduler.web.receipts import (
        BLUEPRINTS as RECEIPTS,  # 回执, 零报告, 交接班 (receipts area)
    )

    return [static.bp, health.bp, auth.bp, board.bp, roster.bp, hazards.bp, outbox.bp, calendar.bp, people.bp,
            feeds.bp, api.bp, admin.bp, metrics.bp, *RECEIPTS, warnings.bp]
