"""A page's main part rendered once per data version and audience, apart from its frame.

A page template (``web/board/index.html.j2``) is the frame: it extends the base (header, menu,
the signed-in account's name and the sign-out form's CSRF token, rendered on every request) and
puts ``main`` in its main block. ``main`` is the page's ``_main`` template, rendered by
``fragments.main`` at most once per key:

    main = fragments.main("web/board/_main.html.j2", (date, versions["roster"], …),
                          lambda: {"board": overview.board(…), …})   # called on a miss only
    return render_template("web/board/index.html.j2", main=main, …)

The key must hold everything the part shows: the data versions it is read from, and what else
it depends on (the day, the filters, the minute of a time stamp). The audience (signed in or not, the roles held, the
token opening the page) is added to every key, and the part is rendered for that audience, never
for the account: ``account`` in a ``_main`` template is an ``Audience`` (truthy when signed in,
``may(role)``, nothing else), and ``csrf_token()`` refuses. So one account's name or token never
reaches another through the cache, and what one role may see never reaches another role.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any

from flask import current_app, g, render_template, request
from markupsafe import Markup

from scheduler.accounts.roles import WebRole, allows
from scheduler.web import cache
from scheduler.web.access import current_account


@dataclass(frozen=True)
class Audience:
    """Whom a cached part is rendered for: what pages may show differently, never who it is."""

    signed_in: bool
    roles: frozenset[WebRole]
    token: str | None  # the [web] token kind that opened the page, if any

    def __bool__(self) -> bool:
        return self.signed_in

    def may(self, role: WebRole) -> bool:
        return self.signed_in and allows(self.roles, role)


def audience() -> Audience:
    account = current_account()
    return Audience(account is not None, account.roles if account else frozenset(), g.get("token"))


def _no_csrf_token() -> str:
    raise RuntimeError("a cached part of a page carries no CSRF token: put the form in the page's frame")


def main(template: str, key: Hashable, context: Callable[[], dict[str, Any]]) -> Markup:
    """``template`` rendered with ``context()`` for this request's audience, once per (key, audience)."""
    seen = audience()

    def build() -> Markup:
        return Markup(render_template(template, **{**context(), "account": seen, "csrf_token": _no_csrf_token}))

    # (The mount point too: the part's links carry it.)
    return current_app.extensions[cache.KEY].get(("main", template, key, seen, request.script_root), build)
