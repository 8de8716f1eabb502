"""Who may open what: every view declares it with ``@allow`` and one hook enforces it.

    @bp.get("/")
    @allow(WebRole.VIEWER, tokens=("board",))   # signed in, or the wall screen's board token
    def board(): ...

    @allow(PUBLIC)                              # /healthz, the sign-in page, static files

A view without a declaration is refused (403) and logged: a route added without thinking about
access fails closed, and a test walks every route to make sure none is missing.
Tokens: ``board`` (``?token=`` or a bearer header: a wall screen cannot set headers), ``api``
and ``metrics`` (``Authorization: Bearer …`` only). Tokens come from [web] in config.toml.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from flask import Response, current_app, g, jsonify, redirect, request, session, url_for
from werkzeug.exceptions import Forbidden

from scheduler.accounts import users
from scheduler.accounts.roles import WebRole
from scheduler.accounts.users import Account
from scheduler.web.db import reads

log = logging.getLogger("safeduty.web")

View = TypeVar("View", bound=Callable[..., Any])
PUBLIC = None
TOKEN_KINDS = ("board", "api", "metrics")
# Public areas that never show who is signed in: probes, static files and calendar feeds are
# answered without reading the account (no database round trip for a load balancer's probe).
ANONYMOUS_AREAS = frozenset({"health", "static", "feeds"})


@dataclass(frozen=True)
class Access:
    role: WebRole | None  # None: anyone
    tokens: tuple[str, ...] = ()


def allow(role: WebRole | None, *, tokens: tuple[str, ...] = ()) -> Callable[[View], View]:
    """Declare who may open a view: ``PUBLIC``, or a role (every signed-in account holds viewer),
    optionally also opened by one of the [web] tokens."""
    unknown = set(tokens) - set(TOKEN_KINDS)
    if unknown:
        raise ValueError(f"unknown token kinds {sorted(unknown)}")

    def mark(view: View) -> View:
        view.access = Access(role, tokens)  # type: ignore[attr-defined]
        return view

    return mark


def access_of(endpoint: str | None) -> Access | None:
    view = current_app.view_functions.get(endpoint or "")
    return getattr(view, "access", None)


def current_account() -> Account | None:
    return g.get("account")


def _token_given(kind: str) -> str:
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        return header[len("Bearer "):].strip()
    if kind == "board":
        return request.args.get("token", "")
    return ""


def _token_matches(kind: str) -> bool:
    configured = str(getattr(current_app.extensions["safeduty"].config.web, f"{kind}_token"))
    given = _token_given(kind)
    if not configured or not given:
        return False
    # Several tokens, separated by spaces, while one is being replaced by another.
    return any(hmac.compare_digest(given.encode(), option.encode()) for option in configured.split())


def load_account() -> None:
    """Before every request: the signed-in account from the session cookie, if still valid."""
    web = current_app.extensions["safeduty"]
    g.account = None
    if "uid" not in session or (request.blueprint or "") in ANONYMOUS_AREAS:
        return
    now = web.clock.now().timestamp()
    seen = session.get("t", 0)
    if not isinstance(seen, int | float) or now - seen > web.config.web.session_idle.total_seconds():
        session.clear()
        g.session_expired = True
        return
    with reads() as db:
        account = users.current(db, int(session["uid"]), int(session.get("v", -1)))
    if account is None:
        session.clear()
        g.session_expired = True
        return
    session["t"] = int(now)
    g.account = account


def enforce() -> Response | None:
    """Before every request, after ``load_account``: refuse what the view's declaration does not allow."""
    if request.endpoint is None:
        return None  # no route matched: the 404/405 handlers answer
    access = access_of(request.endpoint)
    if access is None:
        log.error("route %s (%s) declares no access (@allow); refused", request.endpoint, request.path)
        raise Forbidden("此页面未声明访问权限，已拒绝。")
    if access.role is None:
        return None
    g.token = next((kind for kind in access.tokens if _token_matches(kind)), None)
    if g.token is not None:
        return None
    account = current_account()
    if account is None:
        if request.path.startswith(("/api/", "/metrics")) or "api" in access.tokens:
            response = jsonify(error="unauthorized", message="需要有效的访问令牌（Authorization: Bearer …）")
            response.status_code = 401
            response.headers["WWW-Authenticate"] = "Bearer"
            return response
        target = url_for("auth.login", next=_local_path())
        if g.get("session_expired"):
            target += "&expired=1"
        return redirect(target)  # type: ignore[return-value]
    if not account.may(access.role):
        raise Forbidden(f"此页面需要「{access.role.label}」权限，当前账号没有。")
    return None


def _local_path() -> str:
    path = request.full_path if request.query_string else request.path
    return path if path.startswith("/") and not path.startswith("//") else "/"
