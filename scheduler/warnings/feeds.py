"""CAP feeds (``[warnings.feeds.NAME]``): each polled on its interval by the running service.

One poll (``poll``): GET the feed's url with the ETag / Last-Modified it last gave (304: nothing
to do); a CAP document is taken as it is; an Atom, RSS or directory list has each link not fetched
before fetched and taken.  Every document goes through ``intake.take`` as the inbox's files do
(de-duplicated by identifier), one transaction each: a refused document (malformed, too large,
missing elements) is reported to the admins once and never fetched again, and the others in the
same list are still taken.  A link that fails for a while (timeout, 5xx) is tried again at the
next poll; the feed's validators are then not kept, so that poll fetches the list in full.

A feed that fails (connection refused, timeout, 5xx, an answer that is no feed) is polled again
after ``retry_first``, doubling up to ``retry_cap``.  After ``report_after`` failures in a row the
admins get 「预警订阅源中断」 once for the outage (its key names the feed and since when), and
「预警订阅源恢复」 when a poll works again.  The state (``feed_state``) is in the database, so a
restart neither polls early nor reports an outage twice.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from dataclasses import dataclass, field
from typing import Any

import requests
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from scheduler.config.warnings import FeedConfig, WarningsConfig
from scheduler.warnings import cap, feed_state, feedlist, fetch, intake, reports
from scheduler.warnings.fetch import Fetched, FetchError, get
from scheduler.warnings.model import Warning
from scheduler.warnings.reports import Report

log = logging.getLogger(__name__)
TICK = dt.timedelta(seconds=15)  # how often the service looks for a feed that is due
# A link failing like this may work at the next poll; anything else refuses the document for good.
TRANSIENT = ("refused", "connect", "timeout", "http")


@dataclass
class PollResult:
    name: str
    status: str = "not_due"  # "not_due", "not_modified", "ok", "failed"
    taken: list[Warning] = field(default_factory=list)
    refused: dict[str, str] = field(default_factory=dict)  # document url -> reason
    error: FetchError | None = None
    reports: list[Report] = field(default_factory=list)


def backoff(feed: FeedConfig, failures: int) -> dt.timedelta:
    """How long after the ``failures``-th failure in a row the feed is tried again."""
    return min(feed.retry_cap, feed.retry_first * 2 ** min(failures - 1, 30))


def lease(feed: FeedConfig) -> dt.timedelta:
    """How long a poll may take before another may start (a list of links takes several fetches)."""
    return max(feed.interval, 10 * (feed.connect_timeout + feed.timeout))


def poll(name: str, feed: FeedConfig, sessions: sessionmaker[Session], config: WarningsConfig,
         now: dt.datetime, http: requests.Session, *, guarded: bool = False) -> PollResult:
    """Poll feed ``name`` if it is due; the reports to the admins are in the result."""
    result = PollResult(name)
    with sessions() as session:
        # Read first: most ticks find nothing due, and then write nothing (SQLite has one writer).
        due = feed_state.next_poll(session, name)
        if (due is not None and due > now) or not feed_state.claim(session, name, now, now + lease(feed)):
            return result
        session.commit()
        state = feed_state.load(session, name)
    try:
        answer = get(http, feed.url, feed, config.max_bytes, etag=state.etag, modified=state.modified,
                     guarded=guarded)
        complete = True
        if answer.status == 304:
            result.status = "not_modified"
        else:
            result.status = "ok"
            complete = _take_answer(name, feed, sessions, config, now, http, answer, result, guarded)
            state.etag, state.modified = (answer.etag, answer.modified) if complete else ("", "")
    except FetchError as exc:
        result.status, result.error = "failed", exc
        _failed(name, feed, state, exc, now, result)
    else:
        if state.down_since is not None and state.failures >= feed.report_after:
            result.reports += reports.feed_up(name, state.down_kind, state.down_since, now)
        if state.down_since is not None:
            log.info("warning feed %s works again (down since %s)", name, state.down_since.isoformat())
        state.failures, state.down_since, state.down_kind = 0, None, ""
        state.next_poll = now + feed.interval
    with sessions() as session:
        feed_state.save(session, name, state, now)
        session.commit()
    return result


def _failed(name: str, feed: FeedConfig, state: feed_state.FeedState, exc: FetchError, now: dt.datetime,
            result: PollResult) -> None:
    state.failures += 1
    if state.down_since is None:
        state.down_since, state.down_kind = now, exc.kind
    state.next_poll = now + backoff(feed, state.failures)
    log.warning("warning feed %s failed (%d in a row): %s; next try %s", name, state.failures, exc,
                state.next_poll.isoformat())
    if state.failures >= feed.report_after:  # the key names the outage: told once however often
        status = exc.detail if exc.detail.startswith("HTTP ") and exc.kind == state.down_kind else ""
        result.reports += reports.feed_down(name, state.down_kind, state.down_since, state.failures, now, status)


def _take_answer(name: str, feed: FeedConfig, sessions: sessionmaker[Session], config: WarningsConfig,
                 now: dt.datetime, http: requests.Session, answer: Fetched, result: PollResult,
                 guarded: bool) -> bool:
    """Take what the feed answered; False when a link is left for the next poll."""
    try:
        listing = feedlist.read(answer.body, answer.content_type, answer.url or feed.url)
    except feedlist.NotAFeed as exc:
        raise FetchError("unparseable", str(exc)) from None
    if listing.kind == "cap":
        _take(name, sessions, config, now, answer.url or feed.url, answer.body, result)
        return True
    with sessions() as session:
        known = feed_state.seen(session, name, list(listing.links))
    complete = True
    for link in listing.links:
        if link in known:
            continue
        try:
            document = get(http, link, feed, config.max_bytes, guarded=guarded)
        except FetchError as exc:
            if exc.kind in TRANSIENT:
                log.warning("warning feed %s: a linked document failed (%s); trying again at the next poll",
                            name, exc)
                complete = False
                continue
            _refuse(name, sessions, now, link, exc.detail, b"", result)
            continue
        _take(name, sessions, config, now, link, document.body, result)
    with sessions() as session:
        feed_state.forget_unlisted(session, name, list(listing.links))
        session.commit()
    return complete


def _take(name: str, sessions: sessionmaker[Session], config: WarningsConfig, now: dt.datetime, url: str,
          body: bytes, result: PollResult) -> None:
    label = _label(url)
    with sessions() as session:
        try:
            taken = intake.take(session, body, file=label, source=f"feed:{name}:{label}", config=config, now=now)
            feed_state.mark_seen(session, name, url, body, now)
            session.commit()
            result.taken.extend(taken)
            return
        except cap.CapError as exc:
            session.rollback()
            reason = str(exc)
        except IntegrityError:  # the same document stored meanwhile (the inbox, another replica)
            session.rollback()
            feed_state.mark_seen(session, name, url, body, now)
            session.commit()
            return
    _refuse(name, sessions, now, url, reason, body, result)


def _refuse(name: str, sessions: sessionmaker[Session], now: dt.datetime, url: str, reason: str, body: bytes,
            result: PollResult) -> None:
    label = _label(url)
    reason = reason if reason.startswith(label) else f"{label}: {reason}"
    identity = f"feed:{name}:{url}:{hashlib.sha256(body).hexdigest()}"  # another broken version: told again
    with sessions() as session:
        feed_state.mark_seen(session, name, url, body, now)
        session.commit()
    result.refused[label] = reason
    log.warning("warning feed %s: refused %s", name, reason)
    result.reports += reports.refused(f"订阅源 {name}", label, reason, identity, now)


def _label(url: str) -> str:
    """The document's file name as the admins see it (the path's last part; never the query)."""
    path = url.split("?", 1)[0].split("#", 1)[0].rstrip("/")
    return path.rsplit("/", 1)[-1] or "(feed)"


class Poller:
    """The service's feeds pass (``run``, every ``TICK``): poll each due feed, enqueue its reports,
    hand new versions to the relay.  One keep-alive HTTP session per feed."""

    def __init__(self, app: Any) -> None:
        self.app = app
        refuse_private: bool = app.config.security.refuse_private_urls
        self.guarded = {name: fetch.guarded(feed, refuse_private=refuse_private)
                        for name, feed in app.config.warnings.feeds.items()}
        self.http = {name: fetch.session_for(feed, guarded=self.guarded[name])
                     for name, feed in app.config.warnings.feeds.items()}

    def run(self) -> list[PollResult]:
        app = self.app
        config: WarningsConfig = app.config.warnings
        results = []
        for name, feed in sorted(config.feeds.items()):
            try:
                result = poll(name, feed, app.sessions, config, app.clock.now(), self.http[name],
                              guarded=self.guarded[name])
            except Exception:  # one broken feed must not stop the others
                log.exception("warning feed %s: poll failed", name)
                continue
            reports.enqueue(app, result.reports)
            if result.taken:
                with app.sessions() as session:
                    intake.after_taken(app, session, result.taken)
                    session.commit()
            results.append(result)
        return results

    def close(self) -> None:
        for http in self.http.values():
            http.close()
