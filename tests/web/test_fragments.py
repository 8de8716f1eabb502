"""A page's main part is cached per data version and audience, its frame rendered per request:
one account never sees another's name or CSRF token, one audience never another's content."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from flask import Flask, g
from jinja2 import ChoiceLoader, DictLoader
from jinja2.exceptions import UndefinedError
from sqlalchemy import update

from scheduler.accounts import roles, users
from scheduler.accounts.roles import WebRole
from scheduler.accounts.users import Account
from scheduler.app import App
from scheduler.receipts.models import Handover
from scheduler.web import fragments
from scheduler.web.cache import KEY
from tests.support.clock import ManualClock
from tests.web.helpers import FAST_HASH, PASSWORD, client_as, csrf_of, sign_in

BOARD_TOKEN = "board-token-for-tests-0123456789"
HAZARDS_LINK = "/hazards?overdue=1&amp;level=major"


def who(html: str) -> str:
    """The signed-in name the frame shows (the sign-out form)."""
    found = re.search(r'<form class="who"[^>]*>.*?<span>([^<]*)</span>', html, re.S)
    assert found is not None
    return found[1]


@pytest.mark.parametrize("path", ["/", "/roster?month=2026-03", "/hazards"])
def test_a_second_account_gets_the_cached_part_in_its_own_frame(flask_app: Flask, web_app: App, path: str) -> None:
    with web_app.sessions.begin() as session:  # a second viewer: 冯雪
        users.set_password(session, "S011", PASSWORD, now=web_app.clock.now(), method=FAST_HASH)
        users.set_roles(session, "S011", roles.parse_roles(()), now=web_app.clock.now())
    first = client_as(flask_app, "viewer")  # 许婷
    second = flask_app.test_client()
    assert sign_in(second, "S011").status_code == 302
    mine = first.get(path).text
    store = flask_app.extensions[KEY]
    hits = store.hits
    theirs = second.get(path).text
    assert store.hits > hits  # the main part came from the cache...
    assert who(mine) == "许婷" and who(theirs) == "冯雪"  # ...in each account's own frame
    assert csrf_of(mine) != csrf_of(theirs)
    # Each token works for its own session only: signing out with the other's is refused.
    assert second.post("/logout", data={"csrf_token": csrf_of(mine)}).status_code == 400
    assert second.post("/logout", data={"csrf_token": csrf_of(theirs)}).status_code == 302


@pytest.mark.parametrize("signed_in_first", [True, False])
def test_the_wall_screen_and_a_signed_in_account_never_share_the_board(flask_app: Flask, signed_in_first: bool) -> None:
    """Signed in, the board links to the overdue major hazards; opened by the board token, not."""
    viewer, wall = client_as(flask_app, "viewer"), flask_app.test_client()

    if signed_in_first:
        signed, screen = viewer.get("/").text, wall.get(f"/?token={BOARD_TOKEN}&wall=1").text
    else:
        screen, signed = wall.get(f"/?token={BOARD_TOKEN}&wall=1").text, viewer.get("/").text
    assert HAZARDS_LINK in signed and HAZARDS_LINK not in screen
    assert 'class="who"' in signed and 'class="who"' not in screen and "csrf_token" not in screen


PARTS = {"web/test/_part.html.j2": "{{ n }}{% if account.may(admin) %} 仅管理员{% endif %}",
         "web/test/_name.html.j2": "{{ account.name }}",
         "web/test/_form.html.j2": "{{ csrf_token() }}"}


@pytest.fixture
def parts(flask_app: Flask) -> Flask:
    flask_app.jinja_env.loader = ChoiceLoader([DictLoader(PARTS), flask_app.jinja_env.loader])
    return flask_app


def render_as(flask_app: Flask, held: tuple[str, ...] | None, template: str = "web/test/_part.html.j2") -> str:
    built = []
    with flask_app.test_request_context("/"):
        g.account = None if held is None else Account(1, "S009", "许婷", roles.parse_roles(held), 0)
        part = fragments.main(template, "same key", lambda: built.append(1) or {"n": len(built), "admin": WebRole.ADMIN})
    return str(part)


def test_a_role_s_content_is_cached_for_that_role_only(parts: Flask) -> None:
    assert render_as(parts, ("admin",)) == "1 仅管理员"
    assert render_as(parts, ()) == "1" and render_as(parts, ("duty",)) == "1"  # built for each: never the admin's
    assert render_as(parts, None) == "1"
    assert render_as(parts, ("admin",)) == "1 仅管理员" and parts.extensions[KEY].hits == 1


def test_a_cached_part_cannot_show_the_account_or_carry_its_csrf_token(parts: Flask) -> None:
    with pytest.raises(UndefinedError):  # only the audience is there: signed in, and its roles
        render_as(parts, ("admin",), "web/test/_name.html.j2")
    with pytest.raises(RuntimeError, match="CSRF"):
        render_as(parts, ("admin",), "web/test/_form.html.j2")


def test_the_board_shows_a_new_handover_an_edit_and_the_minute_on_the_next_request(
        flask_app: Flask, web_app: App, clock: ManualClock) -> None:
    client = client_as(flask_app, "viewer")
    assert "上一次交接班" not in client.get("/").text
    with web_app.sessions.begin() as session:
        session.add(Handover(day=dt.date(2026, 3, 9), outgoing_code="S006", outgoing_name="梁宇",
                             written_at=clock.now(), events="夜间巡查正常"))
    assert "夜间巡查正常" in client.get("/").text
    with web_app.sessions.begin() as session:
        session.execute(update(Handover).values(events="接到景区来电一次"))
    assert "接到景区来电一次" in client.get("/").text
    assert "更新于 2026-03-10 10:00" in client.get("/").text
    clock.advance(dt.timedelta(minutes=1))
    assert "更新于 2026-03-10 10:01" in client.get("/").text


def test_the_menu_and_the_cached_part_follow_the_mount_point(flask_app: Flask) -> None:
    """Addresses are built once per mount point (behind a proxy under /duty/, say)."""
    client = client_as(flask_app, "viewer")
    page = client.get("/hazards").text
    assert 'href="/roster"' in page and 'href="/hazards/HZ-2026-0001"' in page
    mounted = client.get("/hazards", base_url="http://localhost/duty").text
    assert 'href="/duty/roster"' in mounted and 'href="/roster"' not in mounted  # the menu
    assert 'href="/duty/hazards/HZ-2026-0001"' in mounted and 'href="/hazards/' not in mounted  # the part
    again = client.get("/hazards").text
    assert 'href="/roster"' in again and 'href="/hazards/HZ-2026-0001"' in again
