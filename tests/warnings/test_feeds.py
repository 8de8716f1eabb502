"""Feed polling against a real local HTTP server: validators and 304, lists of links, directory
listings, refused documents beside good ones, failures with backoff, and the admins' reports."""

from __future__ import annotations

import datetime as dt
import socket
from pathlib import Path

import pytest
from sqlalchemy import select

from scheduler.app import App
from scheduler.config.warnings import FeedConfig, WarningsConfig
from scheduler.warnings import feed_state, feeds, store
from scheduler.warnings.fetch import session_for
from scheduler.warnings.tables import FeedSeen
from tests.support.clock import ManualClock
from tests.warnings.feed_server import FeedServer, Route

SAMPLES = Path(__file__).parent / "samples"
RED = (SAMPLES / "red_rainstorm.xml").read_bytes()
MINUTE = dt.timedelta(minutes=1)


def cap(n: int) -> bytes:
    """The red rainstorm sample under an identifier of its own (31 characters, as the profile's)."""
    return RED.replace(b"14000041600000_20260720080000_1", f"14000041600000_202607200800{n:02d}_1".encode())


def atom(*hrefs: str) -> bytes:
    entries = "".join(f'<entry><id>urn:{h}</id><title>预警</title><updated>2026-07-20T00:00:00Z</updated>'
                      f'<link rel="alternate" type="application/cap+xml" href="{h}"/></entry>' for h in hrefs)
    return (f'<?xml version="1.0" encoding="UTF-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
            f'<id>urn:feed</id><title>山西预警</title><updated>2026-07-20T00:00:00Z</updated>{entries}</feed>').encode()


def poll(app: App, server: FeedServer, path: str, *, config: WarningsConfig | None = None,
         feed: FeedConfig | None = None, guarded: bool = False) -> feeds.PollResult:
    feed = feed or FeedConfig(url=server.url(path))  # type: ignore[arg-type]
    return feeds.poll("shanxi", feed, app.sessions, config or WarningsConfig(), app.clock.now(),
                      session_for(feed, guarded=guarded), guarded=guarded)


def identifiers(app: App) -> list[str]:
    with app.sessions() as session:
        return sorted(w.identifier for w in store.versions_since(session, dt.datetime(2000, 1, 1, tzinfo=dt.UTC)))


def state(app: App) -> feed_state.FeedState:
    with app.sessions() as session:
        return feed_state.load(session, "shanxi")


def test_a_single_document_then_304_with_its_etag_and_nothing_taken_twice(
        app: App, clock: ManualClock, feed_server: FeedServer) -> None:
    feed_server.routes["/cap.xml"] = Route(cap(1), etag='"v1"')
    first = poll(app, feed_server, "/cap.xml")
    assert first.status == "ok" and [w.identifier for w in first.taken] == ["14000041600000_20260720080001_1"]
    assert "if-none-match" not in feed_server.hits("/cap.xml")[0]
    clock.advance(MINUTE)  # not due yet: no request at all
    assert poll(app, feed_server, "/cap.xml").status == "not_due" and len(feed_server.hits("/cap.xml")) == 1
    clock.advance(4 * MINUTE)
    second = poll(app, feed_server, "/cap.xml")
    assert second.status == "not_modified" and second.taken == []
    assert feed_server.hits("/cap.xml")[1]["if-none-match"] == '"v1"'
    assert identifiers(app) == ["14000041600000_20260720080001_1"]


def test_last_modified_is_sent_back_as_if_modified_since(app: App, clock: ManualClock,
                                                         feed_server: FeedServer) -> None:
    stamp = "Mon, 20 Jul 2026 00:00:00 GMT"
    feed_server.routes["/cap.xml"] = Route(cap(1), modified=stamp)
    assert poll(app, feed_server, "/cap.xml").status == "ok"
    clock.advance(5 * MINUTE)
    assert poll(app, feed_server, "/cap.xml").status == "not_modified"
    assert feed_server.hits("/cap.xml")[1]["if-modified-since"] == stamp


def test_an_atom_list_fetches_each_new_link_once(app: App, clock: ManualClock, feed_server: FeedServer) -> None:
    for n in (1, 2, 3):
        feed_server.routes[f"/docs/{n}.xml"] = Route(cap(n))
    feed_server.routes["/atom"] = Route(atom("docs/1.xml", "/docs/2.xml"), etag='"a"',
                                        content_type="application/atom+xml")
    assert len(poll(app, feed_server, "/atom").taken) == 2
    feed_server.routes["/atom"] = Route(atom("docs/1.xml", "/docs/2.xml", feed_server.url("/docs/3.xml")),
                                        etag='"b"', content_type="application/atom+xml")
    clock.advance(5 * MINUTE)
    again = poll(app, feed_server, "/atom")
    assert [w.identifier[-5:] for w in again.taken] == ["003_1"]
    assert [len(feed_server.hits(f"/docs/{n}.xml")) for n in (1, 2, 3)] == [1, 1, 1]
    assert len(identifiers(app)) == 3


def test_an_rss_list_takes_enclosures_and_links(app: App, feed_server: FeedServer) -> None:
    feed_server.routes["/a.xml"] = Route(cap(1))
    feed_server.routes["/b.xml"] = Route(cap(2))
    feed_server.routes["/rss"] = Route(
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>'
        b'<item><title>x</title><enclosure url="/a.xml" type="application/cap+xml" length="1"/></item>'
        b'<item><title>y</title><link>' + feed_server.url("/b.xml").encode() + b'</link></item>'
        b'</channel></rss>', content_type="application/rss+xml")
    assert len(poll(app, feed_server, "/rss").taken) == 2


def test_a_directory_listing_takes_the_xml_files_it_links(app: App, feed_server: FeedServer) -> None:
    feed_server.routes["/dir/a.xml"] = Route(cap(1))
    feed_server.routes["/dir/b.cap"] = Route(cap(2))
    feed_server.routes["/dir/"] = Route(
        b'<!DOCTYPE html><html><body><h1>Index of /dir</h1><a href="../">../</a><a href="a.xml">a.xml</a>'
        b'<a href="b.cap">b.cap</a><a href="readme.txt">readme.txt</a></body></html>',
        content_type="text/html")
    result = poll(app, feed_server, "/dir/")
    assert result.status == "ok" and len(result.taken) == 2
    assert [p for p, _ in feed_server.requests] == ["/dir/", "/dir/a.xml", "/dir/b.cap"]


def test_an_oversized_and_a_malformed_document_are_refused_and_the_others_taken(
        app: App, clock: ManualClock, feed_server: FeedServer) -> None:
    feed_server.routes["/docs/good.xml"] = Route(cap(1))
    feed_server.routes["/docs/big.xml"] = Route(cap(2) + b"<!--" + b"x" * 5000 + b"-->")
    feed_server.routes["/docs/broken.xml"] = Route((SAMPLES / "bad" / "missing_sender.xml").read_bytes())
    feed_server.routes["/docs/good2.xml"] = Route(cap(3))
    feed_server.routes["/atom"] = Route(atom("docs/big.xml", "docs/broken.xml", "docs/good.xml", "docs/good2.xml"))
    result = poll(app, feed_server, "/atom", config=WarningsConfig(max_bytes=4000))
    assert result.status == "ok" and len(result.taken) == 2
    assert sorted(result.refused) == ["big.xml", "broken.xml"]
    assert "max_bytes" in result.refused["big.xml"]
    assert result.refused["broken.xml"].startswith("broken.xml: alert/sender")
    assert sorted(r.kind for r in result.reports) == ["admin/warning_refused"] * 2
    clock.advance(5 * MINUTE)  # the refused ones are not fetched again
    assert poll(app, feed_server, "/atom", config=WarningsConfig(max_bytes=4000)).reports == []
    assert len(feed_server.hits("/docs/broken.xml")) == 1 and len(feed_server.hits("/docs/big.xml")) == 1


def test_a_link_that_fails_for_a_while_is_tried_again_and_the_list_fetched_in_full(
        app: App, clock: ManualClock, feed_server: FeedServer) -> None:
    feed_server.routes["/docs/a.xml"] = Route(status=503)
    feed_server.routes["/atom"] = Route(atom("docs/a.xml"), etag='"x"')
    assert poll(app, feed_server, "/atom").taken == []
    feed_server.routes["/docs/a.xml"] = Route(cap(1))
    clock.advance(5 * MINUTE)
    result = poll(app, feed_server, "/atom")
    assert "if-none-match" not in feed_server.hits("/atom")[1] and len(result.taken) == 1


def test_a_failing_feed_backs_off_is_reported_once_and_its_recovery_too(
        app: App, clock: ManualClock, feed_server: FeedServer) -> None:
    feed_server.routes["/cap.xml"] = Route(status=500)
    waits, reports = [], []
    for _ in range(7):
        result = poll(app, feed_server, "/cap.xml")
        assert result.status == "failed" and result.error is not None and result.error.kind == "http"
        reports += result.reports
        nxt = state(app).next_poll
        assert nxt is not None
        waits.append(nxt - clock.now())
        clock.set(nxt)
    assert [w.total_seconds() for w in waits] == [30, 60, 120, 240, 480, 960, 1800]  # capped at retry_cap
    assert {r.key for r in reports} == {reports[0].key} and reports[0].kind == "admin/feed_down"
    assert len(reports) == 5  # failures 3..7: one key, so the outbox keeps one message
    assert reports[0].context["failures"] == 3 and reports[0].context["kind"] == "http"
    assert reports[0].context["what"] == "服务器返回错误状态（HTTP 500）"
    feed_server.routes["/cap.xml"] = Route(cap(1))
    back = poll(app, feed_server, "/cap.xml")
    assert back.status == "ok" and [r.kind for r in back.reports] == ["admin/feed_up"]
    assert back.reports[0].context["since"] == reports[0].context["since"]
    assert state(app).failures == 0 and state(app).down_since is None


def test_a_short_outage_is_not_reported(app: App, clock: ManualClock, feed_server: FeedServer) -> None:
    feed_server.routes["/cap.xml"] = Route(status=502)
    assert poll(app, feed_server, "/cap.xml").reports == []
    clock.advance(MINUTE)
    feed_server.routes["/cap.xml"] = Route(cap(1))
    assert poll(app, feed_server, "/cap.xml").reports == []


def test_a_slow_server_hits_the_read_timeout_and_counts_as_a_failure(app: App, feed_server: FeedServer) -> None:
    feed_server.routes["/cap.xml"] = Route(cap(1), hold=True)
    feed = FeedConfig(url=feed_server.url("/cap.xml"), timeout=dt.timedelta(seconds=0.3))  # type: ignore[arg-type]
    result = poll(app, feed_server, "/cap.xml", feed=feed)
    assert result.status == "failed" and result.error is not None and result.error.kind == "timeout"
    assert state(app).failures == 1


def test_connection_refused_and_an_answer_that_is_no_feed(app: App, clock: ManualClock,
                                                          feed_server: FeedServer) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed when the block ends: nothing listens there
    closed = FeedConfig(url=f"http://127.0.0.1:{port}/cap.xml")  # type: ignore[arg-type]
    result = poll(app, feed_server, "", feed=closed)
    assert result.error is not None and result.error.kind == "refused"
    clock.advance(dt.timedelta(hours=1))
    feed_server.routes["/page"] = Route(b"just some text", content_type="text/plain")
    result = poll(app, feed_server, "/page")
    assert result.error is not None and result.error.kind == "unparseable"


def test_the_private_address_policy_applies_to_feeds(app: App, feed_server: FeedServer) -> None:
    feed_server.routes["/cap.xml"] = Route(cap(1))
    result = poll(app, feed_server, "/cap.xml", guarded=True)
    assert result.error is not None and result.error.kind == "address"
    assert feed_server.requests == []
    assert "127.0.0.1" in result.error.detail and "/cap.xml" not in result.error.detail


def test_the_state_survives_a_restart(project: Path, clock: ManualClock, feed_server: FeedServer) -> None:
    from tests.support.project import make_app

    feed_server.routes["/cap.xml"] = Route(status=500)
    first = make_app(project, clock)
    try:
        for _ in range(3):
            poll(first, feed_server, "/cap.xml")
            clock.set(state(first).next_poll)  # type: ignore[arg-type]
    finally:
        first.close()
    again = make_app(project, clock)
    try:
        saved = state(again)
        assert saved.failures == 3 and saved.down_kind == "http" and saved.next_poll == clock.now()
        result = poll(again, feed_server, "/cap.xml")
        since = saved.down_since.strftime("%Y%m%dT%H%M%S")  # type: ignore[union-attr]
        assert result.reports[0].key == f"admin:feed-down:shanxi:{since}"
    finally:
        again.close()


def test_reports_reach_each_admin_once_per_outage(app: App, clock: ManualClock, feed_server: FeedServer) -> None:
    from scheduler.outbox.models import OutboxMessage
    from scheduler.warnings import reports

    app.service.sync_data()  # the staff file names the admin (彭亮, 系统管理员)
    feed_server.routes["/cap.xml"] = Route(status=500)
    for _ in range(5):
        reports.enqueue(app, poll(app, feed_server, "/cap.xml").reports)
        clock.set(state(app).next_poll)  # type: ignore[arg-type]
    with app.sessions() as session:
        admins = session.scalars(select(OutboxMessage.recipient_key).where(
            OutboxMessage.kind == "admin/feed_down")).all()
    assert admins == ["staff:S013"]


def test_safeduty_check_exits_2_naming_the_feed_key_and_not_the_url(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from scheduler.cli import main
    from tests.support.project import make_project

    config = make_project(tmp_path / "p", '\n[warnings.feeds.shanxi]\nurl = "ftp://mirror/cap?token=s3cret"\n')
    result = CliRunner().invoke(main, ["--config", str(config), "check"])
    assert result.exit_code == 2
    assert "warnings.feeds.shanxi: url must start with https://" in result.output
    assert "s3cret" not in result.output


@pytest.mark.parametrize(("extra", "words"), [
    ('url = "ftp://127.0.0.1/x"', "warnings.feeds.shanxi: url must start with https://"),
    ('url = "http://127.0.0.1/x"\ninterval = "5s"', "warnings.feeds.shanxi: interval"),
    ('url = "http://127.0.0.1/x"\ncolour = 1', "warnings.feeds.shanxi.colour: unknown key"),
])
def test_a_bad_feed_is_refused_at_load_naming_the_key(tmp_path: Path, extra: str, words: str) -> None:
    from scheduler.config import load_config
    from tests.support.project import make_project

    config = make_project(tmp_path / "p", f"\n[warnings.feeds.shanxi]\n{extra}\n")
    with pytest.raises(Exception, match=words.replace(".", r"\.")):
        load_config(config, environ={})


def test_the_service_pass_polls_each_feed_relays_what_it_took_and_reports(
        tmp_path: Path, clock: ManualClock, feed_server: FeedServer) -> None:
    from scheduler.outbox.models import OutboxMessage
    from tests.support.project import make_app, make_project

    feed_server.routes["/cap.xml"] = Route(cap(1))
    feed_server.routes["/down"] = Route(status=503)
    config = make_project(tmp_path / "p", f'\n[warnings.feeds.shanxi]\nurl = "{feed_server.url("/cap.xml")}"\n'
                                          f'[warnings.feeds.down]\nurl = "{feed_server.url("/down")}"\n'
                                          f'report_after = 1\n')
    app = make_app(config, clock)
    try:
        app.service.sync_data()
        poller = feeds.Poller(app)
        results = {r.name: r for r in poller.run()}
        assert results["shanxi"].status == "ok" and results["down"].status == "failed"
        assert poller.run() == [feeds.PollResult("down"), feeds.PollResult("shanxi")]  # neither due yet
        poller.close()
        with app.sessions() as session:
            kinds = session.scalars(select(OutboxMessage.kind)).all()
        assert "admin/feed_down" in kinds and "warnings/alert" in kinds
    finally:
        app.close()


def test_the_commented_example_in_config_toml_loads_once_uncommented(tmp_path: Path) -> None:
    from scheduler.config import load_config
    from tests.support.project import make_project

    lines = (Path(__file__).resolve().parents[2] / "config.toml").read_text("utf-8").splitlines()
    start = lines.index("# [warnings.feeds.shanxi]")
    block = []
    for line in lines[start:]:
        if not line.startswith("# ") or line.startswith("# ---"):
            break
        block.append(line[2:])
    config = make_project(tmp_path / "p", "\n" + "\n".join(block) + "\n")
    feed = load_config(config, environ={}).config.warnings.feeds["shanxi"]
    assert feed.url.startswith("http://127.0.0.1") and feed.interval == 5 * MINUTE and feed.allow_private


def test_of_two_replicas_polling_at_once_one_polls_and_a_poll_that_died_is_retried_after_its_lease(
        app: App, clock: ManualClock, feed_server: FeedServer) -> None:
    feed = FeedConfig(url=feed_server.url("/cap.xml"))  # type: ignore[arg-type]
    now = clock.now()
    with app.sessions() as session:
        assert feed_state.claim(session, "shanxi", now, now + feeds.lease(feed))
        assert not feed_state.claim(session, "shanxi", now, now + feeds.lease(feed))  # the other replica
        session.commit()
    # the first replica died before saving: nothing polls until the lease runs out
    feed_server.routes["/cap.xml"] = Route(cap(1))
    assert poll(app, feed_server, "/cap.xml").status == "not_due" and feed_server.requests == []
    clock.advance(feeds.lease(feed))
    assert poll(app, feed_server, "/cap.xml").status == "ok"


@pytest.mark.postgres
def test_the_poll_claim_and_the_state_on_postgresql(tmp_path: Path, clock: ManualClock, pg_url: str,
                                                    feed_server: FeedServer) -> None:
    from tests.support.project import make_app, make_project

    app = make_app(make_project(tmp_path / "p", database=pg_url), clock)
    try:
        etag = '"' + "e" * 400 + '"'  # kept (feed_state.etag holds 500 characters)
        feed_server.routes["/cap.xml"] = Route(cap(1), etag=etag)
        assert len(poll(app, feed_server, "/cap.xml").taken) == 1
        assert state(app).etag == etag and state(app).next_poll == clock.now() + 5 * MINUTE
        assert poll(app, feed_server, "/cap.xml").status == "not_due"
        now = clock.now()
        with app.sessions() as session:  # the other replica, while this one's poll is not due
            assert not feed_state.claim(session, "shanxi", now, now + MINUTE)
        clock.advance(5 * MINUTE)
        assert poll(app, feed_server, "/cap.xml").status == "not_modified"
        assert feed_server.hits("/cap.xml")[1]["if-none-match"] == etag
        assert identifiers(app) == ["14000041600000_20260720080001_1"]
    finally:
        app.close()


def test_an_etag_too_long_to_keep_is_dropped_and_the_next_poll_fetches_in_full(
        app: App, clock: ManualClock, feed_server: FeedServer) -> None:
    feed_server.routes["/cap.xml"] = Route(cap(1), etag='"' + "e" * 500 + '"')  # 502 characters
    assert len(poll(app, feed_server, "/cap.xml").taken) == 1
    assert state(app).etag == ""
    clock.advance(5 * MINUTE)
    assert poll(app, feed_server, "/cap.xml").status == "ok"  # fetched in full, taken once
    assert "if-none-match" not in feed_server.hits("/cap.xml")[1]
    assert identifiers(app) == ["14000041600000_20260720080001_1"]


def test_links_the_feed_no_longer_lists_are_forgotten(app: App, clock: ManualClock, feed_server: FeedServer) -> None:
    for n in (1, 2):
        feed_server.routes[f"/docs/{n}.xml"] = Route(cap(n))
    feed_server.routes["/atom"] = Route(atom("docs/1.xml", "docs/2.xml"))
    poll(app, feed_server, "/atom")
    feed_server.routes["/atom"] = Route(atom("docs/2.xml"))
    clock.advance(5 * MINUTE)
    poll(app, feed_server, "/atom")
    with app.sessions() as session:
        assert feed_state.seen(session, "shanxi", [feed_server.url(f"/docs/{n}.xml") for n in (1, 2)]) == {
            feed_server.url("/docs/2.xml")}
        assert session.scalars(select(FeedSeen.digest).where(FeedSeen.feed == "shanxi")).all() == [
            feed_state.link_digest(feed_server.url("/docs/2.xml"))]  # one row left


def test_a_feed_name_that_could_not_key_its_state_is_refused(tmp_path: Path) -> None:
    from scheduler.config import load_config
    from tests.support.project import make_project

    config = make_project(tmp_path / "p", '\n[warnings.feeds."a:seen"]\nurl = "http://127.0.0.1/x"\n')
    with pytest.raises(Exception, match=r"warnings: feeds\.a:seen: a feed's name is letters"):
        load_config(config, environ={})


def test_a_server_trickling_its_answer_is_cut_off_as_a_timeout(app: App, feed_server: FeedServer) -> None:
    feed_server.routes["/cap.xml"] = Route(cap(1), trickle=0.05)
    feed = FeedConfig(url=feed_server.url("/cap.xml"), timeout=dt.timedelta(seconds=0.25))  # type: ignore[arg-type]
    result = poll(app, feed_server, "/cap.xml", feed=feed)
    assert result.error is not None and result.error.kind == "timeout" and "took longer" in result.error.detail


def test_a_document_stored_meanwhile_by_another_path_is_not_an_error(app: App, feed_server: FeedServer,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    from scheduler.warnings import intake

    feed_server.routes["/cap.xml"] = Route(cap(1))
    real_take = intake.take

    def race(session, data, **kw):  # noqa: ANN001, ANN003, ANN202
        # another replica stores the same document between our look-up and our insert
        with app.sessions() as other:
            real_take(other, data, **kw)
            other.commit()
        monkeypatch.setattr(intake.store, "find", lambda *a: None)
        return real_take(session, data, **kw)

    monkeypatch.setattr(intake, "take", race)
    result = poll(app, feed_server, "/cap.xml")
    assert result.status == "ok" and result.taken == [] and result.refused == {}
    assert identifiers(app) == ["14000041600000_20260720080001_1"]


def test_a_server_stalling_in_the_middle_of_its_answer_is_a_timeout(app: App, feed_server: FeedServer) -> None:
    feed_server.routes["/cap.xml"] = Route(cap(1), stall=True)
    feed = FeedConfig(url=feed_server.url("/cap.xml"), timeout=dt.timedelta(seconds=0.3))  # type: ignore[arg-type]
    result = poll(app, feed_server, "/cap.xml", feed=feed)
    assert result.error is not None and result.error.kind == "timeout"
    assert state(app).failures == 1
