"""Two replicas dispatching at the same moment to one 20-a-minute DingTalk robot send at most 20
in that minute (issue 17 §6: with the budget row lock removed they sent 40, and DingTalk answers
that with a 10-minute block; no test ran replicas concurrently).

The replicas are two Apps on one PostgreSQL database (their own engine, sessionmaker, channels
and worker name), each calling ``dispatcher.dispatch_due()`` on a thread of its own. That they
overlap is made certain, not left to thread timing: each replica, once it has locked its first
due rows, is held until the other has locked rows too or is seen waiting on a lock it holds.
With the budget lock the second always waits for the first's target row, and the test checks
that it did; without it both claim a full budget at once.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event

from scheduler.app import App
from scheduler.outbox.models import Status
from tests.support import postgres
from tests.support.bots import DINGTALK_THROTTLED, DingtalkBot
from tests.support.clock import ManualClock
from tests.support.delivery import delivery_project, enqueue, note, outbox
from tests.support.project import make_app
from tests.support.servers import Answer, Request

pytestmark = pytest.mark.postgres

SECRET = "SECd1c2b3a4"
PER_MINUTE = 20  # DingTalk's limit for a custom robot
REPLICAS = ("replica-1", "replica-2")
HOLD_LIMIT_S = 60.0  # a replica held longer than this means the test itself is broken


class LimitedDingtalkBot(DingtalkBot):
    """A DingTalk robot that, as the real one, refuses with 130101 whatever exceeds 20 messages in
    a minute (of the injected clock). Every request is kept in ``requests``, refused or not."""

    def __init__(self, clock: ManualClock) -> None:
        super().__init__(token="t0k", secret=SECRET)
        self.clock = clock
        self.accepted_at: list[float] = []

    def handle(self, request: Request) -> Answer:
        now = self.clock.now().timestamp()
        with self._lock:
            if sum(1 for t in self.accepted_at if t > now - 60) >= PER_MINUTE:
                return Answer.json(DINGTALK_THROTTLED)
            self.accepted_at.append(now)
        return super().handle(request)


class Overlap:
    """Holds each replica right after its first claim has locked due rows (the statement with
    ``SKIP LOCKED``), until the other replica has got as far, or waits on a lock this one holds
    (``pg_blocking_pids``), or has finished. ``how[name]`` says which ended the hold."""

    def __init__(self, database: str) -> None:
        import psycopg

        self.database = database
        self.admin = psycopg.connect(postgres.ADMIN_URL, autocommit=True, application_name="budget-overlap")
        self.admin_lock = threading.Lock()
        self.changed = threading.Condition()
        self.locked: set[str] = set()
        self.finished: set[str] = set()
        self.how: dict[str, str] = {}

    def attach(self, app: App, name: str) -> None:
        def after(conn: Any, cursor: Any, statement: str, *rest: Any) -> None:
            if "SKIP LOCKED" in statement and name not in self.locked:
                self._hold(name, cursor.connection.info.backend_pid)

        event.listen(app.engine, "after_cursor_execute", after)

    def finish(self, name: str) -> None:
        with self.changed:
            self.finished.add(name)
            self.changed.notify_all()

    def _hold(self, name: str, pid: int) -> None:
        (other,) = set(REPLICAS) - {name}
        with self.changed:
            self.locked.add(name)
            self.changed.notify_all()
        deadline = time.monotonic() + HOLD_LIMIT_S
        while True:
            with self.changed:
                if other in self.locked or other in self.finished:
                    self.how[name] = "other locked rows too" if other in self.locked else "other finished"
                    return
            if self._someone_waits_on(pid):
                self.how[name] = "other waited on its lock"
                return
            if time.monotonic() > deadline:
                raise AssertionError(f"{name} held {HOLD_LIMIT_S:g}s: {other} neither claimed nor waited")
            with self.changed:
                self.changed.wait(0.01)

    def _someone_waits_on(self, pid: int) -> bool:
        with self.admin_lock:
            (count,) = self.admin.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND %s = ANY(pg_blocking_pids(pid))",
                (self.database, pid)).fetchone()
        return bool(count)

    def close(self) -> None:
        self.admin.close()


@pytest.fixture
def bot(clock: ManualClock) -> Iterator[LimitedDingtalkBot]:
    with LimitedDingtalkBot(clock) as stand_in:
        yield stand_in


def test_two_replicas_dispatching_at_once_send_at_most_a_minutes_budget_to_one_dingtalk_robot(
        tmp_path: Path, clock: ManualClock, bot: LimitedDingtalkBot, pg_url: str) -> None:
    toml = f'\n[channels.duty]\ntype = "dingtalk"\nurl = "{bot.url}"\nsecret = "{SECRET}"\n'
    config = delivery_project(tmp_path / "p", toml, database=pg_url)
    apps = {name: make_app(config, clock, worker=name) for name in REPLICAS}
    overlap = Overlap(pg_url.rsplit("/", 1)[1])
    try:
        enqueue(apps["replica-1"], [note(f"d{i:02}", "duty", clock.now()) for i in range(3 * PER_MINUTE)])
        for name, app in apps.items():
            app.dispatcher  # noqa: B018 -- built (templates, links) before the race, not during it
            overlap.attach(app, name)
        start = threading.Barrier(len(REPLICAS))
        sent: dict[str, int] = {}
        failed: list[BaseException] = []

        def replica(name: str) -> None:
            try:
                start.wait(timeout=30)
                sent[name] = apps[name].dispatcher.dispatch_due()
            except BaseException as exc:  # reported below, with the replica's name
                failed.append(exc)
                raise
            finally:
                overlap.finish(name)

        threads = [threading.Thread(target=replica, args=(name,), name=name) for name in REPLICAS]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert not failed, failed
        assert not any(thread.is_alive() for thread in threads)

        rows = outbox(apps["replica-1"])
        assert len(bot.requests) <= PER_MINUTE, f"the robot got {len(bot.requests)} requests in one minute"
        assert sum(sent.values()) == PER_MINUTE == len(bot.messages), sent
        assert sum(1 for r in rows.values() if r.status == Status.SENT) == PER_MINUTE
        assert sum(1 for r in rows.values() if r.status == Status.PENDING) == 2 * PER_MINUTE
        # They did overlap: one replica held the robot's row while the other waited for it.
        assert list(overlap.how.values()) == ["other waited on its lock"], (
            f"the replicas did not meet as expected at their first claim (FOR UPDATE SKIP LOCKED): {overlap.how}")
    finally:
        overlap.close()
        for app in apps.values():
            app.close()
