"""For admins: the accounts and every calendar feed (changes stay with `safeduty user …`,
except revoking a feed, which any admin may need to do at once)."""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, url_for
from werkzeug.exceptions import NotFound
from werkzeug.wrappers import Response

from scheduler.accounts import feeds, users
from scheduler.accounts import roles as web_roles
from scheduler.accounts.roles import WebRole
from scheduler.web.access import allow
from scheduler.web.db import reads
from scheduler.web.forms import ConfirmForm

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.get("/accounts")
@allow(WebRole.ADMIN)
def accounts() -> str:
    with reads() as db:
        found = [(u, s, sorted(web_roles.loaded(u.roles), key=list(WebRole).index)) for u, s in users.listing(db)]
        tokens = feeds.listing(db)
    return render_template("web/admin/accounts.html.j2", accounts=found, tokens=tokens, form=ConfirmForm())


@bp.post("/feeds/<int:token_id>/revoke")
@allow(WebRole.ADMIN)
def revoke_feed(token_id: int) -> Response:
    web = current_app.extensions["safeduty"]
    ConfirmForm().validate_on_submit()
    with web.sessions.begin() as db:
        if token_id not in {t.id for t in feeds.listing(db)}:
            raise NotFound("没有这个订阅地址，或已停用。")
        feeds.revoke(db, str(token_id), now=web.clock.now())
    return redirect(url_for("admin.accounts"))
