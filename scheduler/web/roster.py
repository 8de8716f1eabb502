"""值班表: the month grid, a person's duties and load, the year's fairness chart, feed tokens."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, current_app, redirect, render_template, url_for
from werkzeug.exceptions import Forbidden, NotFound
from werkzeug.wrappers import Response

from rosters.model import DUTY_ROLES
from rosters.stats import tally
from scheduler.accounts import feeds
from scheduler.accounts.roles import WebRole
from scheduler.web import cache, chart, fragments, overview, params
from scheduler.web.access import allow, current_account
from scheduler.web.db import reads
from scheduler.web.forms import ConfirmForm

bp = Blueprint("roster", __name__, url_prefix="/roster")
ONE_DAY = dt.timedelta(days=1)


def _today() -> dt.date:
    web = current_app.extensions["safeduty"]
    return web.clock.now().astimezone(web.config.service.zone).date()


def _month_end(first: dt.date) -> dt.date:
    return (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - ONE_DAY


@bp.get("")
@allow(WebRole.VIEWER)
def month() -> str:
    first = params.month("month", _today())
    today = _today()
    with reads() as db:
        key = (first, today, cache.versions(db)["roster"])  # any seat or staff change bumps it
        main = fragments.main("web/roster/_month.html.j2", key, lambda: _month(db, first, today))
    return render_template("web/roster/month.html.j2", main=main, first=first)


def _month(db, first: dt.date, today: dt.date) -> dict[str, object]:  # type: ignore[no-untyped-def]
    web = current_app.extensions["safeduty"]
    last = _month_end(first)
    days = overview.days(overview.book(web, db), first, last)
    adjusted = set(web.calendar.adjusted_workdays(first.year))
    spans = overview.periods_between(web, first, last)
    periods = {d.date: [p for p in spans if p.start <= d.date <= p.end] for d in days}
    lead = [None] * first.weekday()
    cells = lead + days + [None] * (-(len(lead) + len(days)) % 7)
    summary = {"published": sum(d.published for d in days),
               "draft": sum(d.generated and not d.published for d in days),
               "empty": sum(not d.row.complete for d in days)}
    return {"first": first, "cells": cells, "adjusted": adjusted, "periods": periods, "summary": summary,
            "today": today, "handover": web.config.roster.handover,
            "person_base": url_for("roster.person", code="~")[:-1],
            "previous": (first - ONE_DAY).strftime("%Y-%m"), "following": (last + ONE_DAY).strftime("%Y-%m")}


def _may_manage_feeds(code: str) -> bool:
    account = current_account()
    return account is not None and (account.may(WebRole.ADMIN) or (account.code == code and account.may(WebRole.DUTY)))


def _person_page(code: str, issued: feeds.Issued | None = None) -> str:
    web = current_app.extensions["safeduty"]
    today = _today()
    year = params.year("year", today.year)
    with reads() as db:
        book = overview.book(web, db)
        staff = book.staff().get(code)
        if staff is None:
            raise NotFound(f"没有工号为「{code}」的工作人员。")
        seats = book.seats(dt.date(year, 1, 1), dt.date(year, 12, 31))
        names = {c: s.name for c, s in book.staff().items()}
        people, _ = tally(((s.date, s.role, c) for s, c in seats.items()), book.people(), book.day, names)
        mine = sorted((s for s, c in seats.items() if c == code), key=lambda s: s.sort_key)
        duties = [(slot, book.day(slot.date)) for slot in mine]
        tokens = feeds.listing(db, staff_code=code) if _may_manage_feeds(code) else []
    stats = next((p for p in people if p.code == code), None)
    pool = [p for p in people if stats and set(p.roles) & set(stats.roles)]
    mean = sum(p.load for p in pool) / len(pool) if pool else 0.0
    return render_template("web/roster/person.html.j2", staff=staff, year=year, stats=stats, mean=mean,
                           duties=duties, upcoming=[d for d in duties if d[0].date >= today], today=today,
                           tokens=tokens, manage=_may_manage_feeds(code), issued=issued, form=ConfirmForm(),
                           feed_root=web.config.web.root, feeds_on=web.config.web.feeds)


@bp.get("/person/<code>")
@allow(WebRole.VIEWER)
def person(code: str) -> str:
    return _person_page(code)


@bp.post("/person/<code>/feeds")
@allow(WebRole.DUTY)
def issue_feed(code: str) -> str:
    """A new personal calendar feed; its address is shown on this one page only."""
    if not _may_manage_feeds(code):
        raise Forbidden("只能为自己的值班日历生成订阅地址（管理员可为任何人生成）。")
    web = current_app.extensions["safeduty"]
    if not web.config.web.feeds:
        raise NotFound("日历订阅未开启（[web] feeds = false）。")
    ConfirmForm().validate_on_submit()
    account = current_account()
    with web.sessions.begin() as db:
        try:
            issued = feeds.issue(db, staff_code=code, now=web.clock.now(), by=account.code if account else "")
        except feeds.FeedError as exc:
            raise NotFound(f"没有工号为「{code}」的在职人员。") from exc
    return _person_page(code, issued)


@bp.post("/person/<code>/feeds/<int:token_id>/revoke")
@allow(WebRole.DUTY)
def revoke_feed(code: str, token_id: int) -> Response:
    if not _may_manage_feeds(code):
        raise Forbidden("只能停用自己的日历订阅地址（管理员可停用任何人的）。")
    web = current_app.extensions["safeduty"]
    ConfirmForm().validate_on_submit()
    with web.sessions.begin() as db:
        live = {t.id for t in feeds.listing(db, staff_code=code)}
        if token_id not in live:
            raise NotFound("没有这个订阅地址，或已停用。")
        feeds.revoke(db, str(token_id), now=web.clock.now())
    return redirect(url_for("roster.person", code=code))


@bp.get("/fairness")
@allow(WebRole.VIEWER)
def fairness() -> str:
    web = current_app.extensions["safeduty"]
    year = params.year("year", _today().year)
    with reads() as db:
        book = overview.book(web, db)
        seats = book.seats(dt.date(year, 1, 1), dt.date(year, 12, 31))
        names = {c: s.name for c, s in book.staff().items()}
        people, spreads = tally(((s.date, s.role, c) for s, c in seats.items()), book.people(), book.day, names)
    # One chart per duty role (a person eligible for both is shown under the first): loads are
    # compared within a pool, where the ledger evens them out.
    charts = []
    for role in DUTY_ROLES:
        pool = sorted((p for p in people if p.roles and p.roles[0] is role), key=lambda p: (-p.load, p.code))
        if pool:
            spread = next((s for s in spreads if s.role is role), None)
            items = [(p.name, "、".join(r.label for r in p.roles), p.load, role.value) for p in pool]
            charts.append((role, chart.bars(items), spread))
    return render_template("web/roster/fairness.html.j2", year=year, people=people, charts=charts)
