"""Database faults under a running `safeduty run`.

PostgreSQL: the service's connections are cut with ``pg_terminate_backend`` while it dispatches
(mostly mid-transaction: claiming, recording outcomes, planning). The shared server is never
restarted. SQLite: another writer holds the write lock for a few seconds, at start and while
messages are being recorded.
"""

from __future__ import annotations

import datetime as dt
import random
import threading
from pathlib import Path

import pytest

from scheduler.config import load_config
from tests.reliability.conftest import Figures
from tests.support.delivery import note
from tests.support.faults import BackendKiller, SqliteWriter
from tests.support.observe import OutboxProbe, wait_until, wait_until_all, wait_while_progressing
from tests.support.process import ServiceProcess
from tests.support.receivers import RecordingReceiver
from tests.support.running import SECRET, fill_outbox, scale, service_project, webhook_toml

MESSAGES = scale("PG_MESSAGES", 1000)
# The PostgreSQL test waits as long as messages keep being sent (the killer is paced by them, so
# a slow machine only makes it slower); it fails when none is sent for STALL_S, and pytest's
# limit is a backstop for a hang (unloaded it takes about 15 s).
STALL_S = 60
PER_KILL = 8  # deliveries per kill at most (unloaded the timer alone kills about one per 12)

pytestmark = [pytest.mark.reliability, pytest.mark.timeout(260)]  # the SQLite test: waits of 60 s
LOCKED_S = 3.0


def _log(service: ServiceProcess) -> str:
    return "\n".join(service.lines[-30:])


@pytest.mark.postgres
@pytest.mark.timeout(120 + MESSAGES)
def test_postgresql_connections_killed_during_dispatch_lose_nothing_and_send_nothing_twice(
    tmp_path: Path, pg_url: str, figures: Figures
) -> None:
    seed = scale("SEED", random.randrange(1_000_000))
    with RecordingReceiver(SECRET) as hook:
        # Small rounds: many claim and record transactions for the killer to cut.
        extra = webhook_toml("hook", f"{hook.base_url}/hook") + '\n[delivery]\nbatch = 25\nlease = "5s"\n'
        config = service_project(tmp_path / "p", extra, database=pg_url)
        now = dt.datetime.now(dt.UTC)
        keys = {f"pg:{i:05d}" for i in range(MESSAGES)}
        fill_outbox(config, [note(k, "hook", now - dt.timedelta(minutes=1)) for k in sorted(keys)], now)
        killer = BackendKiller(pg_url.rsplit("/", 1)[1], seed=seed, paced_by=lambda: hook.total, per_kill=PER_KILL)
        hook.on_delivery = lambda total: killer.start() if total == 1 else None  # from the first delivery on
        with OutboxProbe.of(load_config(config, environ={})) as probe, ServiceProcess(config, "run") as service:
            try:
                wait_while_progressing(probe, keys, "sent", [service], STALL_S)
            finally:
                killer.stop()
            assert service.process.poll() is None, _log(service)
            assert service.stop() == 0, _log(service)

    assert set(hook.counts) == keys
    assert not hook.duplicates, f"sent twice: {sorted(hook.duplicates)[:10]} (seed {seed})"
    mid_transaction = killer.total - killer.terminated["idle"]
    assert mid_transaction >= 5, f"the killer cut only {killer.terminated} connection(s): the test proved nothing"
    figures.record(messages=MESSAGES, connections_terminated=killer.total, mid_transaction=mid_transaction,
                   spared_for_pace=killer.held_back,
                   duplicate_deliveries=hook.duplicate_deliveries(), lost=0, seed=seed)


def test_a_sqlite_database_locked_by_another_writer_is_waited_out(tmp_path: Path, figures: Figures) -> None:
    with RecordingReceiver(SECRET) as hook:
        config = service_project(tmp_path / "p", webhook_toml("hook", f"{hook.base_url}/hook"))
        now = dt.datetime.now(dt.UTC)
        keys = {f"lock:{i:04d}" for i in range(400)}
        fill_outbox(config, [note(k, "hook", now - dt.timedelta(minutes=1)) for k in sorted(keys)], now)
        writer = SqliteWriter(tmp_path / "p" / "var" / "safeduty.db")
        held = 0
        try:
            writer.hold()  # locked before the service starts: its migration check and sync wait
            with OutboxProbe.of(load_config(config, environ={})) as probe, ServiceProcess(config, "run") as service:
                threading.Event().wait(LOCKED_S)
                assert hook.total == 0 and service.process.poll() is None, _log(service)
                writer.release()
                held += 1

                # Locked again once sending has begun: the round's outcomes wait to be recorded.
                hook.on_delivery = lambda total: writer.hold() if total == 50 else None
                wait_until(lambda: writer.connection.in_transaction, 60, "the second lock",
                           explain=lambda: _log(service))
                hook.on_delivery = None
                threading.Event().wait(LOCKED_S)
                assert service.process.poll() is None, _log(service)
                writer.release()
                held += 1

                wait_until_all(probe, keys, "sent", [service], 60)
                assert service.stop() == 0
                assert not [line for line in service.lines if "database is locked" in line or "Traceback" in line]
        finally:
            writer.close()

    assert set(hook.counts) == keys and not hook.duplicates
    figures.record(messages=len(keys), write_locks_held=held, seconds_each=LOCKED_S)
