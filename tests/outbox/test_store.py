from __future__ import annotations

import datetime as dt

from scheduler.app import App
from scheduler.outbox import store
from scheduler.outbox.models import Status
from scheduler.outbox.store import Settlement
from tests.support.clock import ManualClock
from tests.support.delivery import enqueue, note, outbox

LEASE = dt.timedelta(minutes=2)


def claim(app: App, worker: str, limit: int = 10, **kwargs: object) -> list:  # type: ignore[type-arg]
    with app.sessions.begin() as session:
        rows = store.claim(session, app.clock.now(), worker, LEASE, limit, **kwargs)  # type: ignore[arg-type]
        session.expunge_all()
    return rows


def settle(app: App, worker: str, settlements: list[Settlement]) -> list[Settlement]:
    with app.sessions.begin() as session:
        return store.settle(session, worker, app.clock.now(), settlements)


def test_a_key_enqueued_twice_is_one_row(app: App, clock: ManualClock) -> None:
    assert enqueue(app, [note("k", "console", clock.now())]) == 1
    assert enqueue(app, [note("k", "console", clock.now())]) == 0
    assert list(outbox(app)) == ["k"]


def test_a_message_planned_after_its_expiry_is_recorded_as_expired(app: App, clock: ManualClock) -> None:
    enqueue(app, [note("old", "console", clock.now() - dt.timedelta(hours=13))])
    assert outbox(app)["old"].status == Status.EXPIRED


def test_a_claimed_row_is_not_claimed_again(app: App, clock: ManualClock) -> None:
    enqueue(app, [note("k", "console", clock.now())])
    assert len(claim(app, "a")) == 1
    assert claim(app, "b") == []


def test_claims_can_be_limited_to_or_exclude_channels(app: App, clock: ManualClock) -> None:
    enqueue(app, [note("a", "console", clock.now()), note("b", "bot", clock.now())])
    assert [m.key for m in claim(app, "w", exclude=["bot"])] == ["a"]
    assert [m.key for m in claim(app, "w", channels=["bot"])] == ["b"]


def test_a_worker_whose_lease_ran_out_cannot_overwrite_the_outcome_of_the_one_that_took_over(
        app: App, clock: ManualClock) -> None:
    enqueue(app, [note("k", "console", clock.now())])
    (stale,) = claim(app, "a")
    clock.advance(LEASE + dt.timedelta(seconds=1))
    with app.sessions.begin() as session:
        assert store.release_stale_claims(session, clock.now()) == 1
    (fresh,) = claim(app, "b")
    assert settle(app, "b", [Settlement(fresh, Status.SENT, clock.now(), "sent", "ok")])
    assert settle(app, "a", [Settlement(stale, Status.DEAD, clock.now(), "permanent", "late news")]) == []
    row = outbox(app)["k"]
    assert row.status == Status.SENT and row.attempts == 2


def test_a_release_gives_back_the_attempt_and_records_none(app: App, clock: ManualClock) -> None:
    enqueue(app, [note("k", "console", clock.now())])
    (message,) = claim(app, "a")
    settle(app, "a", [Settlement(message, Status.PENDING)])
    row = outbox(app)["k"]
    assert row.status == Status.PENDING and row.attempts == 0 and row.claimed_by == ""
    assert claim(app, "b")[0].key == "k"


def test_due_counts_per_channel(app: App, clock: ManualClock) -> None:
    enqueue(app, [note(f"a{i}", "bot", clock.now()) for i in range(3)]
            + [note("later", "bot", clock.now() + dt.timedelta(hours=1)), note("c", "console", clock.now())])
    with app.sessions() as session:
        assert store.due_counts(session, clock.now()) == {"bot": 3, "console": 1}
