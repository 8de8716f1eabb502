"""A target so slow that its claimed messages would outlive their lease: the dispatcher stops
sending to it at half the lease and gives the rest back unattempted, to be sent by the next pass
(issue 17 §6: this cutoff was reached only by a PostgreSQL reliability test, with SIGSTOP).

On SQLite, with the injected clock: the webhook stand-in moves the clock on by 25 s per request,
so with the shipped 2-minute lease the third message starts at 50 s and the fourth would start at
75 s, past the 60 s cutoff.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from scheduler.outbox.models import Status
from tests.support.clock import ManualClock
from tests.support.delivery import attempts, delivery_app, enqueue, note, outbox
from tests.support.servers import Answer, Request, WebhookReceiver

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
PER_REQUEST = dt.timedelta(seconds=25)


class SlowReceiver(WebhookReceiver):
    """Takes 25 s of the injected clock to answer each request."""

    def __init__(self, clock: ManualClock) -> None:
        super().__init__(SECRET)
        self.clock = clock

    def handle(self, request: Request) -> Answer:
        answer = super().handle(request)
        self.clock.advance(PER_REQUEST)
        return answer


@pytest.fixture
def slow(clock: ManualClock) -> Iterator[SlowReceiver]:
    with SlowReceiver(clock) as receiver:
        yield receiver


def test_a_target_slower_than_half_the_lease_gets_no_more_of_the_round_and_the_rest_goes_next_pass(
        tmp_path: Path, clock: ManualClock, slow: SlowReceiver) -> None:
    toml = f'\n[channels.hook]\ntype = "webhook"\nurl = "{slow.base_url}/h"\nsecret = "{SECRET}"\n'
    app = delivery_app(tmp_path / "p", clock, toml)
    try:
        assert app.config.delivery.lease == dt.timedelta(minutes=2)
        keys = [f"k{i}" for i in range(5)]
        enqueue(app, [note(key, "hook", clock.now()) for key in keys])
        assert app.dispatcher.dispatch_due() == 3  # started at 0, 25 and 50 s; the cutoff is at 60 s
        rows = outbox(app)
        assert [rows[key].status for key in keys] == [Status.SENT] * 3 + [Status.PENDING] * 2
        assert [rows[key].attempts for key in keys] == [1, 1, 1, 0, 0]  # given back, not attempted
        assert [len(attempts(app, key)) for key in keys] == [1, 1, 1, 0, 0]
        assert len(slow.counts) == 3

        assert app.dispatcher.dispatch_due() == 2  # the next pass, with a lease of its own
        assert {row.status for row in outbox(app).values()} == {Status.SENT}
        assert sorted(slow.counts.values()) == [1] * 5
    finally:
        app.close()
