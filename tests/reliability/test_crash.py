"""Crash during dispatch: `safeduty run` SIGKILLed at random moments and restarted, over a
thousand due messages to a local Standard Webhooks receiver.

A third of the kills land in the sender's ambiguous window (the receiver has the message, the
sender has not recorded it: the receiver kills it before answering); a third at a random moment
after sending began (claiming, sending, recording, planning); a third at a random moment after
the start (migrating, syncing the data files, planning, or already sending). Whatever a kill caught in flight
may arrive again, with the same webhook-id; nothing else may, and nothing may be lost.
"""

from __future__ import annotations

import collections
import datetime as dt
import os
import random
import signal
import socket
import sqlite3
import threading
from pathlib import Path

import pytest

from scheduler.config import load_config
from tests.reliability.conftest import Figures
from tests.support.delivery import note
from tests.support.observe import OutboxProbe, wait_until, wait_until_all
from tests.support.process import ServiceProcess
from tests.support.receivers import RecordingReceiver
from tests.support.running import SECRET, fill_outbox, scale, service_project, webhook_toml

MESSAGES = scale("MESSAGES", 1000)
KILLS = scale("KILLS", 6)

pytestmark = [pytest.mark.reliability, pytest.mark.timeout(120 + 20 * KILLS + MESSAGES // 20)]
MODES = ("delivery", "sending", "starting")
# A short lease, so what a kill left claimed is retried within seconds (the default is 2m).
DELIVERY = '\n[delivery]\nlease = "3s"\n'


def log(service: ServiceProcess) -> str:
    return "\n".join(service.lines[-20:])


def start_and_kill(config: Path, hook: RecordingReceiver, deliveries: int, delay: float, mode: str) -> ServiceProcess:
    """Start `safeduty run` and SIGKILL it, at the latest inside its ``deliveries``-th delivery
    (the receiver kills it before answering): in mode "delivery" there; in mode "sending"
    ``delay`` seconds after its first delivery; in mode "starting" ``delay`` seconds after it
    was started (importing, migrating, syncing data, planning or sending)."""
    service = ServiceProcess(config, "run")
    start = hook.total

    def kill_at(total: int) -> None:
        if total >= start + deliveries:
            os.kill(service.pid, signal.SIGKILL)

    hook.on_delivery = kill_at
    try:
        if mode == "sending":
            wait_until(lambda: hook.total > start or service.process.poll() is not None, 60,
                       "the first delivery after a restart", explain=lambda: log(service))
        if mode == "delivery":
            wait_until(lambda: service.process.poll() is not None, 60, "a kill in a delivery",
                       explain=lambda: log(service))
        else:
            threading.Event().wait(delay)
    finally:
        hook.on_delivery = None
        service.kill()
    return service


def test_sigkilled_at_random_moments_the_service_loses_nothing_and_resends_only_what_was_in_flight(
    tmp_path: Path, figures: Figures
) -> None:
    seed = scale("SEED", random.randrange(1_000_000))
    rng = random.Random(seed)
    with RecordingReceiver(SECRET) as hook:
        config = service_project(tmp_path / "p", webhook_toml("hook", f"{hook.base_url}/hook") + DELIVERY)
        now = dt.datetime.now(dt.UTC)
        keys = [f"crash:{i:05d}" for i in range(MESSAGES)]
        fill_outbox(config, [note(k, "hook", now - dt.timedelta(minutes=1)) for k in keys], now)
        in_flight: collections.Counter[str] = collections.Counter()  # key -> kills that caught it claimed
        kills_in_flight = 0
        with OutboxProbe.of(load_config(config, environ={})) as probe:
            for kill in range(KILLS):
                left = MESSAGES - len(probe.keys("sent", prefix="crash:"))
                # Leave work for the kills still to come and for the final run.
                cap = max(1, left // (KILLS - kill + 1))
                mode = MODES[kill % len(MODES)]
                delay = rng.uniform(0, 0.4) if mode == "sending" else rng.uniform(0.2, 1.5)
                service = start_and_kill(config, hook, rng.randint(1, cap), delay, mode)
                assert service.process.returncode == -signal.SIGKILL, log(service)
                worker = f"{socket.gethostname()}:{service.pid}"
                caught = {r.key for r in probe.rows() if r.status == "sending" and r.claimed_by == worker}
                in_flight.update(caught)
                kills_in_flight += bool(caught)

            with ServiceProcess(config, "run") as service:
                wait_until_all(probe, set(keys), "sent", [service], 90)
                assert service.stop() == 0

        assert set(hook.counts) >= set(keys), f"lost: {sorted(set(keys) - set(hook.counts))[:10]} (seed {seed})"
        beyond = {k: (hook.counts[k], in_flight[k]) for k in keys if hook.counts[k] > 1 + in_flight[k]}
        assert not beyond, f"(deliveries, kills in flight) over the bound: {sorted(beyond.items())[:10]} (seed {seed})"
        assert not hook.rejected
        with sqlite3.connect(tmp_path / "p" / "var" / "safeduty.db") as db:
            assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)

    duplicates = hook.duplicate_deliveries()
    figures.record(messages=MESSAGES, kills=KILLS, kills_with_messages_in_flight=kills_in_flight,
                   duplicate_deliveries=duplicates, keys_delivered_twice_or_more=len(hook.duplicates),
                   lost=0, seed=seed)
