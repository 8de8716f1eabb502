"""Calendar feeds: ``GET /ics/<token>.ics``, one person's duties or the whole team's roster,
through the roster's ICS export. An unknown or revoked token is a plain 404."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, Response, current_app
from werkzeug.exceptions import NotFound

from rosters.exports.ics import to_ics
from scheduler.accounts import feeds
from scheduler.web import overview
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
        book = overview.book(web, db)
        staff = book.staff().get(person) if person else None
        if person and (staff is None or not staff.active):
            raise NotFound()  # someone who has left the staff list: their feed ends with them
        rows, stamps = overview.feed_rows(book, today - BEHIND, today + AHEAD, person)
        name = f"值班 · {subscription.label}" if person else f"{web.config.service.bureau}值班表"
    roster = web.config.roster
    body = to_ics(rows, stamps, name=name, zone=zone, alarm=roster.ics_alarm, phone=roster.duty_phone,
                  person=person)
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Disposition"] = 'inline; filename="duty.ics"'
    return response
