"""Crash during dispatch: `safeduty run` SIGKILLed at random moments and restarted, over a
thousand due messages to three webhook targets (one local Standard Webhooks receiver), sent by
two workers.

A third of the kills land in the sender's ambiguous window (the receiver has the message, the
sender has not recorded it: the receiver kills it before answering); a third at a random moment
after sending began (claiming, sending, recording, planning); a third at a random moment after
the start (migrating, syncing the data files, planning, or already sending). Whatever a kill caught in flight
may arrive again, with the same webhook-id; nothing else may, and nothing may be lost. Each
outcome is recorded before its worker sends the next message, so a kill repeats at most the
message each worker had in flight: per kill at most ``delivery.workers`` repeats, and at most one
per target. A repeat is charged to the process that made the delivery before it (the arrivals
between its start and the next one's) — that process was killed before recording it.
"""

from __future__ import annotations

import bisect
import collections
import datetime as dt
import os
import random
import signal
import socket
import sqlite3
import threading
import time
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
TARGETS = 3
WORKERS = 2  # fewer than the targets: the workers bound the repeats of a kill, not only the targets
# A short lease, so what a kill left claimed is retried within seconds (the default is 2m).
DELIVERY = f'\n[delivery]\nlease = "3s"\nworkers = {WORKERS}\n'


def log(service: ServiceProcess) -> str:
    return "\n".join(service.lines[-20:])


def repeats_per_process(arrivals: list[tuple[float, str]], starts: list[float]) -> list[collections.Counter[str]]:
    """For each process (started at ``starts``, in order), the targets of the keys it delivered
    that arrived again later: what it had sent and not recorded when it died."""
    repeats: list[collections.Counter[str]] = [collections.Counter() for _ in starts]
    last: dict[str, int] = {}  # key -> the process of its latest arrival
    for moment, key in arrivals:
        process = bisect.bisect_right(starts, moment) - 1
        if key in last:
            repeats[last[key]][target_of(key)] += 1
        last[key] = process
    return repeats


def target_of(key: str) -> str:
    return f"hook{int(key.rpartition(':')[2]) % TARGETS}"


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
    print(f"crash test seed {seed} (SAFEDUTY_RELIABILITY_SEED={seed} repeats it)")
    rng = random.Random(seed)
    with RecordingReceiver(SECRET) as hook:
        channels = "".join(webhook_toml(f"hook{t}", f"{hook.base_url}/hook{t}") for t in range(TARGETS))
        config = service_project(tmp_path / "p", channels + DELIVERY)
        now = dt.datetime.now(dt.UTC)
        keys = [f"crash:{i:05d}" for i in range(MESSAGES)]
        fill_outbox(config, [note(k, target_of(k), now - dt.timedelta(minutes=1)) for k in keys], now)
        starts: list[float] = []  # time.monotonic() as each process started
        kills_in_flight = 0
        with OutboxProbe.of(load_config(config, environ={})) as probe:
            for kill in range(KILLS):
                left = MESSAGES - len(probe.keys("sent", prefix="crash:"))
                # Leave work for the kills still to come and for the final run.
                cap = max(1, left // (KILLS - kill + 1))
                mode = MODES[kill % len(MODES)]
                delay = rng.uniform(0, 0.4) if mode == "sending" else rng.uniform(0.2, 1.5)
                starts.append(time.monotonic())
                service = start_and_kill(config, hook, rng.randint(1, cap), delay, mode)
                assert service.process.returncode == -signal.SIGKILL, log(service)
                worker = f"{socket.gethostname()}:{service.pid}"
                kills_in_flight += any(r.status == "sending" and r.claimed_by == worker for r in probe.rows())

            starts.append(time.monotonic())
            with ServiceProcess(config, "run") as service:
                wait_until_all(probe, set(keys), "sent", [service], 90)
                assert service.stop() == 0

        assert set(hook.counts) >= set(keys), f"lost: {sorted(set(keys) - set(hook.counts))[:10]} (seed {seed})"
        repeats = repeats_per_process(list(hook.arrivals), starts)
        assert not repeats[-1], f"the run that was not killed repeated {repeats[-1]} (seed {seed})"
        per_kill = [sum(r.values()) for r in repeats[:-1]]
        assert max(per_kill) <= WORKERS, f"repeats per kill {per_kill} over {WORKERS} workers (seed {seed})"
        assert all(n <= 1 for r in repeats for n in r.values()), f"over 1 per target: {repeats} (seed {seed})"
        assert sum(per_kill) == hook.duplicate_deliveries()
        assert not hook.rejected
        with sqlite3.connect(tmp_path / "p" / "var" / "safeduty.db") as db:
            assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)

    figures.record(messages=MESSAGES, targets=TARGETS, workers=WORKERS, kills=KILLS,
                   kills_with_messages_in_flight=kills_in_flight, duplicate_deliveries=hook.duplicate_deliveries(),
                   repeats_per_kill=per_kill, largest_from_one_kill=max(per_kill),
                   in_flight_bound=min(WORKERS, TARGETS), lost=0, seed=seed)
