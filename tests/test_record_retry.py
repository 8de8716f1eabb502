"""A connection lost while the dispatcher records what it sent is retried on a fresh one, after
the dispatcher's (injected) pause, and the message is neither lost nor sent again (issue 17 §6:
only the reliability suite reached this retry, by chance).

On PostgreSQL the connection recording the outcome is really terminated (``pg_terminate_backend``,
waiting until the backend is gone) as the recorder takes it from the pool, once the message has
arrived (after the pool's pre-ping, so the first statement on it fails); the
Dispatcher is built with ``pause`` collecting the waits instead of sleeping.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event

from scheduler.outbox.models import Status
from tests.support import postgres
from tests.support.clock import ManualClock
from tests.support.delivery import attempts, delivery_app, enqueue, note, outbox
from tests.support.servers import WebhookReceiver

pytestmark = pytest.mark.postgres

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"


@pytest.fixture
def hook() -> Iterator[WebhookReceiver]:
    with WebhookReceiver(SECRET) as receiver:
        yield receiver


def test_a_connection_killed_while_recording_is_retried_after_the_pause_and_nothing_is_sent_twice(
        tmp_path: Path, clock: ManualClock, hook: WebhookReceiver, pg_url: str) -> None:
    import psycopg

    toml = f'\n[channels.hook]\ntype = "webhook"\nurl = "{hook.base_url}/h"\nsecret = "{SECRET}"\n'
    app = delivery_app(tmp_path / "p", clock, toml, database=pg_url)
    killed: list[int] = []

    def kill_the_first_record(dbapi_connection: Any, record: Any, proxy: Any) -> None:
        # The first connection taken after the message arrived is the one that records it.
        if not killed and hook.counts:
            pid = dbapi_connection.info.backend_pid
            with psycopg.connect(postgres.ADMIN_URL, autocommit=True) as admin:
                (gone,) = admin.execute("SELECT pg_terminate_backend(%s, 10000)", (pid,)).fetchone()
            assert gone, f"backend {pid} outlived pg_terminate_backend"
            killed.append(pid)

    pauses: list[float] = []
    try:
        enqueue(app, [note("k", "hook", clock.now())])
        base = app.dispatcher  # the shipped one, for its parts; the same class with pause injected
        dispatcher = type(base)(app.sessions, app.channels, app.renderer, app.config, clock, app.worker,
                                pause=pauses.append)
        event.listen(app.engine, "checkout", kill_the_first_record)
        assert dispatcher.dispatch_due() == 1
        assert len(killed) == 1 and len(pauses) == 1 and 0 < pauses[0] <= 1.0, (killed, pauses)
        row = outbox(app)["k"]
        assert (row.status, row.attempts) == (Status.SENT, 1)
        assert [(a.number, a.outcome) for a in attempts(app, "k")] == [(1, "sent")]

        clock.advance(dt.timedelta(hours=1))  # long past the lease: nothing is left to send again
        assert dispatcher.dispatch_due() == 0
        assert list(hook.counts.values()) == [1]
    finally:
        app.close()
