"""The settlement fence, one half at a time (issue 17 §6: dropping either half alone passed the
whole suite). ``store.settle`` writes a row only while the claim it settles still stands: the
same worker, the same attempt number, the row still sending. Each test below breaks exactly one
of the three and leaves the other two true, so it fails when that one comparison is removed.

Each refusal is checked on the row (unchanged, still the current claimant's) and on
``delivery_attempt`` (nothing recorded), and the claim that does stand is then settled, so the
refusal is the fence's and not a settlement that could never have been written.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import update

from scheduler.app import App
from scheduler.outbox import store
from scheduler.outbox.models import OutboxMessage, Status
from scheduler.outbox.store import Settlement
from tests.support.clock import ManualClock
from tests.support.delivery import attempts, enqueue, note, outbox

LEASE = dt.timedelta(minutes=2)


def claim(app: App, worker: str) -> OutboxMessage:
    with app.sessions.begin() as session:
        (row,) = store.claim(session, app.clock.now(), worker, LEASE, 1)
        session.expunge_all()
    return row


def settle(app: App, worker: str, message: OutboxMessage, status: Status = Status.SENT) -> list[Settlement]:
    now = app.clock.now()
    with app.sessions.begin() as session:
        return store.settle(session, worker, now, [Settlement(message, status, now, str(status), "ok")])


def test_another_worker_cannot_settle_a_claim_that_is_still_sending_at_the_same_attempt(
        app: App, clock: ManualClock) -> None:
    enqueue(app, [note("k", "console", clock.now())])
    mine = claim(app, "a")
    # Worker b holds a copy of the very row: same id, same attempt, the row still sending.
    assert settle(app, "b", mine, Status.DEAD) == []
    row = outbox(app)["k"]
    assert (row.status, row.claimed_by, row.attempts) == (Status.SENDING, "a", 1) and attempts(app, "k") == []
    assert settle(app, "a", mine)
    assert outbox(app)["k"].status == Status.SENT and [a.worker for a in attempts(app, "k")] == ["a"]


def test_the_same_worker_cannot_settle_an_earlier_attempt_of_a_row_it_claimed_again(
        app: App, clock: ManualClock) -> None:
    enqueue(app, [note("k", "console", clock.now())])
    first = claim(app, "a")
    clock.advance(LEASE + dt.timedelta(seconds=1))  # attempt 1 outlived its lease (a frozen thread) …
    with app.sessions.begin() as session:
        assert store.release_stale_claims(session, clock.now()) == 1
    second = claim(app, "a")  # … and the same worker name claimed the row again: attempt 2
    assert (second.claimed_by, second.attempts, first.attempts) == ("a", 2, 1)
    assert settle(app, "a", first, Status.DEAD) == []
    row = outbox(app)["k"]
    assert (row.status, row.claimed_by, row.attempts) == (Status.SENDING, "a", 2) and attempts(app, "k") == []
    assert settle(app, "a", second)
    assert outbox(app)["k"].status == Status.SENT and [a.number for a in attempts(app, "k")] == [2]


def test_the_claimant_cannot_settle_a_row_that_is_no_longer_sending(app: App, clock: ManualClock) -> None:
    enqueue(app, [note("k", "console", clock.now()), note("other", "console", clock.now())])
    mine = claim(app, "a")
    # Every path in the code that ends a claim also clears claimed_by, so this state (the claimant
    # and the attempt still on the row, the row no longer sending) is made by hand: the third half
    # stands for the next path that forgets to.
    with app.sessions.begin() as session:
        session.execute(update(OutboxMessage).where(OutboxMessage.key == "k").values(status=Status.CANCELLED))
    assert settle(app, "a", mine) == []
    row = outbox(app)["k"]
    assert (row.status, row.claimed_by, row.attempts) == (Status.CANCELLED, "a", 1) and attempts(app, "k") == []
    assert row.sent_at is None
    assert settle(app, "a", claim(app, "a"))  # the same worker's standing claim on another row
    assert outbox(app)["other"].status == Status.SENT
