"""Calendar feeds: ``GET /ics/<token>.ics``, one person's duties or the whole team's roster,
through the roster's ICS export. An unknown or revoked token is a plain 404."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, Response, current_app, request
from werkzeug.exceptions import NotFound

from rosters.exports.ics import to_ics
from scheduler.accounts import feeds
from scheduler.web import cache, overview
from scheduler.web.access import PUBLIC, allow

bp = Blueprint("feeds", __name__)
BEHIND = dt.timedelta(days=31)  # recent duties stay visible for a month
AHEAD = dt.timedelta(days=366)  # a year ahead, so the 春节 and 国庆 rosters show early


@bp.get("/ics/<token>.ics")
@allow(PUBLIC)  # the token is the key; it is checked below
def feed(token: str) -> Response:
    web = current_app.extensions["safeduty"]
    if not web.config.web.feeds:
        raise NotFound()
    now = web.clock.now()
    zone = web.config.service.zone
    with web.sessions.begin() as db:
        subscription = feeds.resolve(db, token, now=now)
        if subscription is None:
            raise NotFound()
        today = now.astimezone(zone).date()
        person = subscription.staff_code or None
        name = f"值班 · {subscription.label}" if person else f"{web.config.service.bureau}值班表"
        # Built once per (feed, day, roster version): a change to seats or staff bumps the version
        key = ("ics", person, name, today, cache.versions(db)["roster"])
        built = current_app.extensions[cache.KEY].get(key, lambda: _build(web, db, today, person, name))
    if built is None:
        raise NotFound()  # someone who has left the staff list: their feed ends with them
    body, tag = built
    if request.if_none_match.contains(tag):
        response = Response(status=304)
    else:
        response = Response(body, mimetype="text/calendar")
        response.headers["Content-Disposition"] = 'inline; filename="duty.ics"'
    response.set_etag(tag)
    response.headers["Cache-Control"] = "private, no-cache"  # always revalidated: a 304 costs little
    return response


def _build(web, db, today: dt.date, person: str | None, name: str) -> tuple[bytes, str] | None:  # type: ignore[no-untyped-def]
    book = overview.book(web, db)
    staff = book.staff().get(person) if person else None
    if person and (staff is None or not staff.active):
        return None
    rows, stamps = overview.feed_rows(book, today - BEHIND, today + AHEAD, person)
    roster = web.config.roster
    body = to_ics(rows, stamps, name=name, zone=web.config.service.zone, alarm=roster.ics_alarm,
                  phone=roster.duty_phone, person=person)
    data = body if isinstance(body, bytes) else body.encode()
    return data, cache.etag(data)
